"""Reddit source kinds as people choose them: their words, parameters and help (`KindSpec`),
kept beside the connector in `reddit.py` so that module stays about moving posts."""

from __future__ import annotations

from otklik.sources.base import KindSpec, ParamField

# parameters every Reddit kind takes (the form folds them away)
_USER_AGENT = ParamField("user_agent", "Подпись запросов (User-Agent)",
                         "Request signature (User-Agent)",
                         "Reddit просит называть приложение и его автора",
                         "Reddit asks to name the app and its author", advanced=True)
_DM_SUBJECT = ParamField("dm_subject", "Тема личных сообщений", "Private message subject",
                         advanced=True)
_PAGES = ParamField("max_pages", "Страниц за один опрос", "Pages per poll", kind="int",
                    default=5, advanced=True)


KIND_SPECS = (
    KindSpec(
        "search", "Поиск по словам", "Search by words",
        "Публикации Reddit с этими словами, во всём Reddit или в одном сабреддите.",
        "Reddit posts with these words, everywhere or in one subreddit.",
        params=(ParamField("q", "Слова для поиска", "Words to search for",
                           "Например: Zerno coffee", "E.g. Zerno coffee", required=True),
                ParamField("subreddit", "Только в сабреддите", "Only in a subreddit",
                           "Имя из адреса reddit.com/r/moscow: moscow",
                           "The name in reddit.com/r/moscow: moscow"),
                ParamField("comments", "Читать и комментарии к найденному",
                           "Read the comments of what is found", kind="bool",
                           default=False),
                ParamField("max_trees", "Обсуждений за один опрос не больше",
                           "Threads per poll at most", kind="int", default=25,
                           advanced=True),
                _PAGES, _USER_AGENT, _DM_SUBJECT)),
    KindSpec(
        "subreddit", "Сабреддит", "A subreddit",
        "Новые публикации и комментарии одного сабреддита.",
        "New posts and comments of one subreddit.",
        params=(ParamField("subreddit", "Сабреддит", "Subreddit",
                           "Имя из адреса reddit.com/r/moscow: moscow",
                           "The name in reddit.com/r/moscow: moscow", required=True),
                ParamField("comments", "Читать комментарии", "Read comments", kind="bool",
                           default=True),
                _PAGES, _USER_AGENT, _DM_SUBJECT)),
    KindSpec(
        "inbox", "Входящие аккаунта бренда", "The brand account's inbox",
        "Ответы, упоминания и личные сообщения аккаунта бренда.",
        "Replies, mentions and private messages of the brand's account.",
        params=(_PAGES, _USER_AGENT, _DM_SUBJECT), check="verify",
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
                _USER_AGENT, _DM_SUBJECT)),
)
