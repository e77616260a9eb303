"""X sources as people see them (kinds, parameters, credentials), apart from the calls."""

from __future__ import annotations

from otklik.sources.base import CredentialField, KindSpec, ParamField, search_words

KIND_SPECS = (KindSpec(
    "search", "Поиск по словам", "Search by words",
    "Свежие посты X с этими словами (за последние 7 дней).",
    "Recent posts on X with these words (the last 7 days).",
    params=(search_words("Язык запросов X, например: Зерно OR @zerno_coffee -is:retweet",
                         "X's query language, e.g. Zerno OR @zerno_coffee -is:retweet"),
            ParamField("lookback_hours", "Первый поиск: за сколько часов",
                       "First search: how many hours back", kind="number", advanced=True),
            ParamField("username", "Аккаунт бренда", "Brand account",
                       "@имя аккаунта бренда в X", "The brand's @name on X",
                       advanced=True)),
),)

CREDENTIALS = (
    CredentialField(
        "bearer_token", "Bearer-токен приложения / App bearer token",
        "developer.x.com → Projects & Apps → ваше приложение → Keys and tokens → "
        "Bearer Token (для поиска: доступ не ниже Basic). Не нужен, если вход выполнен "
        "через X (токен пользователя читает тоже).", required=False,
        help_en=("developer.x.com → Projects & Apps → your app → Keys and tokens → Bearer "
                 "Token (search needs Basic access or above). Not needed after signing in "
                 "with X (a user token reads too).")),
    CredentialField(
        "access_token", "Токен пользователя / User access token",
        "Чтобы отвечать от имени аккаунта бренда: OAuth 2.0 user token со scopes "
        "tweet.read tweet.write users.read.", required=False,
        help_en=("To answer as the brand's account: an OAuth 2.0 user token with the scopes "
                 "tweet.read tweet.write users.read.")),
)

CONNECT_FIELDS = (CredentialField(
    "username", "Аккаунт бренда / Brand account", "@имя аккаунта бренда в X",
    required=False, help_en="@the brand's account on X"),)
