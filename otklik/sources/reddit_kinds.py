"""Reddit sources as people see them (kinds, parameters, credentials), apart from the calls."""

from __future__ import annotations

from otklik.sources.base import MAX_PAGES, CredentialField, KindSpec, ParamField, search_words

_USER_AGENT = ParamField("user_agent", "Подпись запросов (User-Agent)",
                         "Request signature (User-Agent)",
                         "Reddit просит называть приложение и его автора",
                         "Reddit asks to name the app and its author", advanced=True)
_DM_SUBJECT = ParamField("dm_subject", "Тема личных сообщений", "Private message subject",
                         advanced=True)
_EVERY = (_USER_AGENT, _DM_SUBJECT)  # every Reddit kind takes them (the form folds them away)
_LISTING = (MAX_PAGES, *_EVERY)  # and a listing read page by page, how many pages a poll


def _subreddit(label_ru: str, label_en: str, *, required: bool = False) -> ParamField:
    """The subreddit a kind reads (or narrows its search to)."""
    return ParamField("subreddit", label_ru, label_en, "Имя из адреса reddit.com/r/moscow: moscow",
                      "The name in reddit.com/r/moscow: moscow", required=required)


KIND_SPECS = (
    KindSpec(
        "search", "Поиск по словам", "Search by words",
        "Публикации Reddit с этими словами, во всём Reddit или в одном сабреддите.",
        "Reddit posts with these words, everywhere or in one subreddit.",
        params=(search_words("Например: Zerno coffee", "E.g. Zerno coffee"),
                _subreddit("Только в сабреддите", "Only in a subreddit"),
                ParamField("comments", "Читать и комментарии к найденному",
                           "Read the comments of what is found", kind="bool",
                           default=False),
                ParamField("max_trees", "Обсуждений за один опрос не больше",
                           "Threads per poll at most", kind="int", default=25,
                           advanced=True),
                *_LISTING)),
    KindSpec(
        "subreddit", "Сабреддит", "A subreddit",
        "Новые публикации и комментарии одного сабреддита.",
        "New posts and comments of one subreddit.",
        params=(_subreddit("Сабреддит", "Subreddit", required=True),
                ParamField("comments", "Читать комментарии", "Read comments", kind="bool",
                           default=True),
                *_LISTING)),
    KindSpec(
        "inbox", "Входящие аккаунта бренда", "The brand account's inbox",
        "Ответы, упоминания и личные сообщения аккаунта бренда.",
        "Replies, mentions and private messages of the brand's account.",
        params=_LISTING, check="verify",
        found_ru="Аккаунт «{name}» найден", found_en="Account “{name}” found"),
    KindSpec(
        "comments", "Комментарии к публикации", "Comments of a post",
        "Все комментарии одной публикации, читаются заново при каждом опросе.",
        "All comments of one post, read again at every poll.",
        params=(ParamField("post_id", "ID публикации", "Post id",
                           "Из адреса reddit.com/r/…/comments/1h2abcd/…: 1h2abcd",
                           "From reddit.com/r/…/comments/1h2abcd/…: 1h2abcd",
                           required=True),
                ParamField("limit", "Комментариев за запрос", "Comments per request",
                           kind="int", default=500, advanced=True),
                ParamField("max_more", "Догрузок скрытых веток", "Hidden branch loads",
                           kind="int", default=5, advanced=True),
                *_EVERY)),
)

CREDENTIALS = (
    CredentialField(
        "access_token", "OAuth-токен / OAuth access token",
        "reddit.com/prefs/apps → create app (script или installed); получите токен OAuth2 "
        "(scopes: identity read submit privatemessages) и вставьте его сюда.",
        required=False,
        help_en=("reddit.com/prefs/apps → create app (script or installed); get an OAuth2 "
                 "token (scopes: identity read submit privatemessages) and paste it here.")),
    CredentialField(
        "refresh_token", "Refresh-токен / OAuth refresh token",
        "Токен доступа Reddit живёт сутки: с refresh-токеном (duration=permanent) и ID "
        "приложения otklik сам берёт новый.", required=False,
        help_en=("A Reddit access token lives a day: with a refresh token "
                 "(duration=permanent) and the app id otklik gets a new one itself.")),
    CredentialField("client_id", "ID приложения / App client id",
                    "reddit.com/prefs/apps: строка под названием приложения.",
                    required=False,
        help_en=("reddit.com/prefs/apps: the string under the app's name.")),
    CredentialField("client_secret", "Секрет приложения / App secret",
                    "Для installed app секрета нет: оставьте пустым.", required=False,
        help_en=("An installed app has no secret: leave it empty.")),
)
