"""Mastodon sources as people see them (kinds, parameters, credentials), apart from the calls."""

from __future__ import annotations

from otklik.sources.base import MAX_PAGES, CredentialField, KindSpec, ParamField, search_words

_INSTANCE = ParamField("instance", "Сервер", "Server",
               "Адрес сервера Mastodon, например https://mastodon.social",
               "The Mastodon server, e.g. https://mastodon.social", kind="url",
               required=True)
_LISTING = (
    ParamField("limit", "Записей за запрос", "Statuses per request", kind="int",
               default=40, advanced=True),
    MAX_PAGES,
    ParamField("threads", "Читать обсуждения целиком", "Read whole conversations",
               kind="bool", default=False, advanced=True),
    ParamField("max_threads", "Обсуждений за опрос не больше", "Conversations per poll",
               kind="int", default=20, advanced=True),
)


KIND_SPECS = (
    KindSpec("search", "Поиск по словам", "Search by words",
             "Записи с этими словами, которые видит сервер.",
             "Statuses with these words that the server knows of.",
             params=(_INSTANCE,
                     search_words("Например: Зерно кофе", "E.g. Zerno coffee"),
                     *_LISTING),
             needs=("access_token",)),
    KindSpec("tag", "Хештег", "A hashtag", "Записи с хештегом.", "Statuses with a hashtag.",
             params=(_INSTANCE,
                     ParamField("tag", "Хештег", "Hashtag", "Без #, например: zerno",
                                "Without #, e.g. zerno", required=True),
                     *_LISTING)),
    KindSpec("mentions", "Упоминания аккаунта бренда", "Mentions of the brand account",
             "Записи, где упомянут аккаунт бренда, и ответы ему.",
             "Statuses mentioning the brand's account, and replies to it.",
             params=(_INSTANCE, *_LISTING), needs=("access_token",), check="verify",
             found_ru="Аккаунт «{name}» найден", found_en="Account “{name}” found"),
    KindSpec("context", "Обсуждение одной записи", "One status's conversation",
             "Запись, на что она отвечает, и все ответы на неё.",
             "A status, what it answers and every reply to it.",
             params=(_INSTANCE,
                     ParamField("status_id", "ID записи", "Status id",
                                "Число в конце адреса записи", "The number at the end of "
                                "the status's address", required=True))),
)

CONNECT_FIELDS = (CredentialField(
    "instance", "Сервер / Instance", "Адрес сервера, например https://mastodon.social",
    help_en="The server's address, e.g. https://mastodon.social"),)

CREDENTIALS = (CredentialField(
    "access_token", "Токен доступа / Access token",
    "Настройки → Разработка → Новое приложение (права read, write:statuses): "
    "скопируйте «Ваш токен доступа».",
    help_en=("Preferences → Development → New application (scopes read, write:statuses): "
             "copy «Your access token».")),)
