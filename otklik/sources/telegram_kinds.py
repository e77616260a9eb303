"""Telegram sources as people see them (kinds, parameters, credentials), apart from the calls."""

from __future__ import annotations

from otklik.sources.base import MAX_PAGES, CredentialField, KindSpec, ParamField

KIND_SPECS = (
    KindSpec(
        "bot", "Бот бренда: личные сообщения и чаты", "The brand's bot: messages and chats",
        "Что пишут боту и в чаты и каналы, где он администратор.",
        "What people write to the bot and in the chats and channels it administers.",
        params=(ParamField("chat", "Канал или чат бренда", "Brand channel or chat",
                           "@имя канала или числовой id чата, где бот — администратор",
                           "@channel name or the numeric chat id where the bot is an "
                           "admin"),
                ParamField("limit", "Обновлений за один запрос", "Updates per request",
                           kind="int", default=100, advanced=True),
                ParamField("webhook", "Мгновенные уведомления включены",
                           "Push updates are on", "Включаются на странице источника",
                           "Switched on from the source's page", kind="bool",
                           default=False, advanced=True)),
        credentials=("bot_token",), needs=("bot_token",), check="verify",
        found_ru="Бот найден: «{name}»", found_en="Bot found: “{name}”"),
    KindSpec(
        "channel", "Открытый канал", "A public channel",
        "Посты открытого канала со страницы t.me/s/имя — токен не нужен.",
        "The posts of a public channel from its t.me/s/name page; no token needed.",
        params=(ParamField("channel", "Имя канала", "Channel name",
                           "Из адреса t.me/zernocoffee: zernocoffee",
                           "From t.me/zernocoffee: zernocoffee", required=True),
                ParamField("owned", "Это канал бренда", "This is the brand's channel",
                           "Отклик заметит удалённые посты", "otklik notices removed posts",
                           kind="bool", default=False),
                MAX_PAGES,
                ParamField("chat_id", "Числовой id канала", "Numeric channel id",
                           "Например -1001234567890, если известен",
                           "E.g. -1001234567890, when known", advanced=True)),
        credentials=(), found_ru="Канал «{name}» найден", found_en="Channel “{name}” found"),
)

CREDENTIALS = (CredentialField(
    "bot_token", "Токен бота / Bot token",
    "Создайте бота у @BotFather (/newbot) и вставьте токен. Добавьте бота администратором "
    "канала с правом «публикация сообщений»; личные сообщения бот пишет тем, "
    "кто его запустил.",
    help_en=("Create a bot with @BotFather (/newbot) and paste its token. Make the bot an"
             " admin of the channel with the right to post; it writes privately to those "
             "who started it.")),)

CONNECT_FIELDS = (CredentialField(
    "chat", "Канал или чат бренда / Brand channel or chat",
    "@имя канала или числовой id чата, где бот — администратор", required=False,
    help_en="@channel name or the numeric id of a chat where the bot is an administrator"),)
