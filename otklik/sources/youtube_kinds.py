"""YouTube sources as people see them (kinds, parameters, credentials), apart from the calls."""

from __future__ import annotations

from otklik.sources.base import CredentialField, KindSpec, ParamField, search_words

_QUOTA = (
    ParamField("daily_quota", "Суточная квота API, единиц", "Daily API quota, units",
               "Сколько единиц Google даёт проекту в сутки",
               "How many units Google gives the project a day", kind="int",
               default=10000, advanced=True),
    ParamField("pace_quota", "Растягивать квоту на сутки", "Spread the quota over the day",
               kind="bool", default=True, advanced=True),
)


KIND_SPECS = (
    KindSpec("comments", "Комментарии к видео", "Comments of a video",
             "Комментарии и ответы под одним видео.", "Comments and replies under a video.",
             params=(ParamField("video_id", "ID видео", "Video id",
                                "Из адреса youtube.com/watch?v=dQw4w9WgXcQ: dQw4w9WgXcQ",
                                "From youtube.com/watch?v=dQw4w9WgXcQ: dQw4w9WgXcQ",
                                required=True),
                     *_QUOTA)),
    KindSpec("channel", "Комментарии на канале", "Comments on a channel",
             "Все комментарии под видео канала.", "Every comment under the channel's videos.",
             params=(ParamField("channel_id", "ID канала", "Channel id",
                                "Начинается с UC: youtube.com/channel/UC…",
                                "Starts with UC: youtube.com/channel/UC…", required=True),
                     *_QUOTA),
             check="verify", found_ru="Канал «{name}» найден",
             found_en="Channel “{name}” found"),
    KindSpec("search", "Поиск видео по словам", "Search videos by words",
             "Находит свежие видео с этими словами и читает комментарии к ним.",
             "Finds recent videos with these words and reads their comments.",
             params=(search_words("Например: Зерно кофейня", "E.g. Zerno coffee"),
                     ParamField("published_within_days", "Видео не старше, дней",
                                "Videos not older than, days", kind="int", default=30),
                     ParamField("max_videos", "Видео за один поиск", "Videos per search",
                                "Не больше 50", "At most 50", kind="int", default=10),
                     ParamField("search_every_hours", "Искать заново раз в, часов",
                                "Search again every, hours",
                                "Поиск стоит 100 единиц квоты", "A search costs 100 units",
                                kind="number", default=6, advanced=True),
                     ParamField("lang", "Язык видео", "Video language",
                                "Код языка, например ru", "A language code, e.g. ru",
                                advanced=True),
                     ParamField("region", "Страна", "Country",
                                "Код страны, например RU", "A country code, e.g. RU",
                                advanced=True),
                     *_QUOTA)),
)

CONNECT_FIELDS = (CredentialField(
    "channel_id", "ID канала / Channel id", "UC… — канал бренда", required=False,
    help_en="UC… — the brand's channel"),)

CREDENTIALS = (
    CredentialField(
        "api_key", "Ключ API / API key",
        "console.cloud.google.com → APIs & Services → включите YouTube Data API v3 → "
        "Credentials → Create credentials → API key (ограничьте его этим API). Без ключа "
        "otklik читает с OAuth-токеном канала (вход через Google).", required=False,
        help_en=("console.cloud.google.com → APIs & Services → enable YouTube Data API v3 → "
                 "Credentials → Create credentials → API key (restrict it to this API). "
                 "Without a key otklik reads with the channel's OAuth token (sign in with "
                 "Google).")),
    CredentialField(
        "access_token", "OAuth-токен канала / OAuth access token",
        "Чтобы отвечать на комментарии от имени канала бренда: токен OAuth 2.0 со "
        "scope https://www.googleapis.com/auth/youtube.force-ssl.", required=False,
        help_en=("To answer comments as the brand's channel: an OAuth 2.0 token with the "
                 "scope https://www.googleapis.com/auth/youtube.force-ssl.")),
    CredentialField(
        "refresh_token", "OAuth refresh-токен / OAuth refresh token",
        "Токен доступа живёт час: с refresh-токеном (и клиентом OAuth ниже) otklik "
        "получает новый перед каждым ответом.", required=False,
        help_en=("An access token lives an hour: with a refresh token (and the OAuth client "
                 "below) otklik gets a new one before each answer.")),
    CredentialField(
        "client_id", "ID клиента OAuth / OAuth client id",
        "Google Cloud → Credentials → OAuth client ID (для refresh-токена).",
        required=False,
        help_en=("Google Cloud → Credentials → OAuth client ID (for the refresh token).")),
    CredentialField(
        "client_secret", "Секрет клиента OAuth / OAuth client secret",
        "Секрет того же клиента.", required=False,
        help_en=("The same client's secret.")),
)
