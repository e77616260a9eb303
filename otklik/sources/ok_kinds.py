"""OK sources as people see them (kinds, parameters, credentials), apart from the calls."""

from __future__ import annotations

from otklik.sources.base import CredentialField, KindSpec, ParamField

KIND_SPECS = (KindSpec(
    "group", "Группа", "A group", "Темы группы и комментарии к ним.",
    "The group's topics and their comments.",
    params=(ParamField("gid", "ID группы", "Group id",
                       "Число из адреса ok.ru/group/55555555555555",
                       "The number in ok.ru/group/55555555555555", kind="int",
                       required=True),
            ParamField("name", "Название группы", "Group name",
                       "Как показывать группу на страницах Отклика",
                       "How otklik's pages name it"),
            ParamField("count", "Тем за один запрос", "Topics per request", kind="int",
                       default=20, advanced=True)),
    needs=("access_token", "application_key"), check="verify",
    found_ru="Группа «{name}» найдена", found_en="Group “{name}” found"),)

CREDENTIALS = (
    CredentialField(
        "access_token", "Токен доступа / Access token",
        "apiok.ru → ваше приложение: вечный токен (права VALUABLE_ACCESS, GROUP_CONTENT, "
        "LONG_ACCESS_TOKEN) администратора группы бренда.",
        help_en=("apiok.ru → your app: a permanent token (rights VALUABLE_ACCESS, "
                 "GROUP_CONTENT, LONG_ACCESS_TOKEN) of an admin of the brand's group.")),
    CredentialField("application_key", "Публичный ключ приложения / Application key",
                    "Из письма OK о регистрации приложения.",
        help_en=("From OK's e-mail about the app's registration.")),
    CredentialField(
        "application_secret_key", "Секретный ключ приложения / Application secret key",
        "Из того же письма; им подписывается каждый запрос.", required=False,
        help_en=("From the same e-mail; it signs every request.")),
    CredentialField(
        "session_secret_key", "Секрет сессии / Session secret key",
        "Вместо секретного ключа приложения: выдаётся вместе с токеном.", required=False,
        help_en=("Instead of the app's secret key: given with the token.")),
)

CONNECT_FIELDS = (CredentialField("gid", "ID группы / Group id",
                                  "Числовой ID группы бренда в OK",
                                  help_en="The numeric id of the brand's group on OK"),)
