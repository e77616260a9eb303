"""VK sources as people see them (kinds, parameters, credentials), apart from the calls."""

from __future__ import annotations

from otklik.sources.base import CredentialField, KindSpec, ParamField, search_words

KIND_SPECS = (
    KindSpec(
        "search", "Поиск по словам", "Search by words",
        "Все открытые записи ВКонтакте с этими словами.",
        "Every public VK post with these words.",
        params=(
            search_words("Как в поиске по новостям ВКонтакте, например: Зерно кофейня",
                         "As in VK's news search, e.g. Zerno coffee"),
            ParamField("lookback_hours", "Первый поиск: за сколько часов",
                       "First search: how many hours back",
                       "Дальше Отклик читает только новое", "After that only new posts",
                       kind="int", default=24, advanced=True),
            ParamField("count", "Записей за один запрос", "Posts per request",
                       "Не больше 200", "At most 200", kind="int", default=200,
                       advanced=True),
            ParamField("latitude", "Широта", "Latitude",
                       "Только записи рядом с точкой, например 55.7558",
                       "Only posts near a point, e.g. 55.7558", kind="number",
                       advanced=True),
            ParamField("longitude", "Долгота", "Longitude", "Например 37.6173",
                       "E.g. 37.6173", kind="number", advanced=True),
        ),
        credentials=("access_token",), needs=("access_token",)),
    KindSpec(
        "wall", "Стена сообщества", "Community wall",
        "Записи сообщества или страницы и комментарии к ним.",
        "The posts of a community or page and their comments.",
        params=(
            ParamField("owner_id", "ID сообщества или страницы", "Community or page id",
                       "Для сообщества — число из адреса vk.com/club123 со знаком минус: "
                       "-123; для личной страницы — число из vk.com/id123",
                       "For a community, the number in vk.com/club123 with a minus: -123; "
                       "for a person's page, the number in vk.com/id123",
                       kind="int", required=True),
            ParamField("owned", "Это сообщество бренда", "This is the brand's community",
                       "Отклик заметит удалённые комментарии и сможет отвечать от его "
                       "имени", "otklik notices removed comments and can answer as it",
                       kind="bool", default=False),
            ParamField("comments", "Читать комментарии", "Read comments", kind="bool",
                       default=True),
            ParamField("recent_posts", "Сколько последних записей проверять",
                       "How many recent posts to read", kind="int", default=20,
                       advanced=True),
            ParamField("max_comments", "Комментариев к записи не больше",
                       "Comments per post at most", kind="int", default=2000,
                       advanced=True),
            ParamField("group_id", "ID сообщества для ответов",
                       "Community id for answers",
                       "Число из адреса vk.com/club123, без минуса",
                       "The number in vk.com/club123, without a minus", kind="int",
                       advanced=True),
        ),
        credentials=("access_token", "group_token"), needs=("access_token",),
        found_ru="Сообщество «{name}» найдено", found_en="Community “{name}” found"),
)

CREDENTIALS = (
    CredentialField(
        "group_token", "Ключ доступа сообщества / Community token",
        "Управление сообществом → Работа с API → Ключи доступа → Создать ключ: права "
        "«управление сообществом», «сообщения сообщества», «стена» (чтобы отвечать, писать "
        "в личные сообщения и публиковать посты от имени сообщества).",
        help_en=("Community management → API usage → Access tokens → Create token with the "
                 "rights to manage the community, community messages and wall (to reply, "
                 "write privately and post as the community).")),
    CredentialField(
        "access_token", "Сервисный ключ приложения / Service token",
        "Для поиска по всем записям ВКонтакте (newsfeed.search): vk.com/apps?act=manage → "
        "ваше приложение → Настройки → Сервисный ключ доступа.", required=False,
        help_en=("To search all of VK: vk.com/apps?act=manage → your app → Settings → Service"
                 " token.")),
)
