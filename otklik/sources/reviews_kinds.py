"""App-store review sources as people see them (kinds, parameters, credentials)."""

from __future__ import annotations

from otklik.sources.base import MAX_PAGES, CredentialField, KindSpec, ParamField

_APP = (
    ParamField("name", "Название приложения", "App name",
               "Как показывать приложение на страницах Отклика",
               "How otklik's pages name the app"),
    MAX_PAGES,
)


KIND_SPECS = (
    KindSpec("google_play", "Отзывы в Google Play", "Google Play reviews",
             "Отзывы о приложении бренда; можно отвечать из Отклика.",
             "Reviews of the brand's app; answerable from otklik.",
             params=(ParamField("package", "Пакет приложения", "App package",
                                "Из адреса play.google.com/store/apps/details?id="
                                "ru.zerno.app: ru.zerno.app",
                                "From play.google.com/store/apps/details?id=ru.zerno.app: "
                                "ru.zerno.app", required=True),
                     *_APP,
                     ParamField("translate", "Переводить отзывы на язык", "Translate into",
                                "Код языка, например ru", "A language code, e.g. ru",
                                advanced=True)),
             credentials=("service_account_json", "access_token"), check="verify",
             found_ru="Приложение «{name}» найдено", found_en="App “{name}” found"),
    KindSpec("app_store", "Отзывы в App Store", "App Store reviews",
             "Отзывы о приложении бренда; можно отвечать из Отклика.",
             "Reviews of the brand's app; answerable from otklik.",
             params=(ParamField("app_id", "Apple ID приложения", "Apple app id",
                                "Число из адреса apps.apple.com/ru/app/zerno/id1234567890: "
                                "1234567890", "The number in apps.apple.com/app/…/"
                                "id1234567890: 1234567890", kind="int", required=True),
                     *_APP),
             credentials=("issuer_id", "key_id", "private_key", "token"), check="verify",
             found_ru="Приложение «{name}» найдено", found_en="App “{name}” found"),
)

CREDENTIALS = (
    CredentialField(
        "service_account_json", "Ключ сервисного аккаунта Google / Google service account key",
        "Google Cloud → IAM → сервисный аккаунт → Ключи → Добавить ключ; в Play Console → "
        "Пользователи и разрешения дайте ему право отвечать на отзывы. Вставьте содержимое "
        "скачанного файла ключа целиком.", required=False,
        help_en=("Google Cloud → IAM → service account → Keys → Add key; in Play Console → "
                 "Users and permissions allow it to reply to reviews. Paste the whole "
                 "downloaded key file.")),
    CredentialField(
        "access_token", "Токен Google Play / Google Play access token",
        "Play Console → Пользователи и разрешения: сервисный аккаунт с правом отвечать на "
        "отзывы; OAuth-токен этого аккаунта (scope androidpublisher). Живёт час: лучше ключ.",
        required=False,
        help_en=("Play Console → Users and permissions: a service account allowed to reply to"
                 " reviews; that account's OAuth token (scope androidpublisher). It lives an"
                 " hour: the key is better.")),
    CredentialField(
        "issuer_id", "Issuer ID App Store Connect / App Store Connect issuer ID",
        "App Store Connect → Users and Access → Integrations → App Store Connect API: "
        "Issuer ID над списком ключей.", required=False,
        help_en="App Store Connect → Users and Access → Integrations: the Issuer ID above "
                "the keys."),
    CredentialField(
        "key_id", "Key ID App Store Connect / App Store Connect key ID",
        "Key ID ключа API (роль Customer Support).", required=False,
        help_en="The API key's Key ID (Customer Support role)."),
    CredentialField(
        "private_key", "Ключ API (.p8) / API key (.p8)",
        "Содержимое скачанного файла AuthKey_….p8 целиком.", required=False,
        help_en="The whole content of the downloaded AuthKey_….p8 file."),
    CredentialField(
        "token", "JWT App Store Connect / App Store Connect JWT",
        "App Store Connect → Users and Access → Integrations → ключ API (роль Customer "
        "Support); JWT, подписанный этим ключом (ES256). Живёт 20 минут: лучше сам ключ.",
        required=False,
        help_en=("App Store Connect → Users and Access → Integrations → an API key (Customer "
                 "Support role); a JWT signed with it (ES256). It lives 20 minutes: the key "
                 "itself is better.")),
)

CONNECT_FIELDS = (
    CredentialField("package", "Пакет Android / Android package", "например ru.zerno.app",
                    required=False, help_en="e.g. ru.zerno.app"),
    CredentialField("app_id", "Apple ID приложения / Apple app id", "число из App Store",
                    required=False, help_en="the number in the App Store"),
)
