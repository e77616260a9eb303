"""YouTube source kinds as people choose them: their words, parameters and help (`KindSpec`),
kept beside the connector in `youtube.py` so that module stays about moving posts."""

from __future__ import annotations

from otklik.sources.base import KindSpec, ParamField

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
             params=(ParamField("q", "Слова для поиска", "Words to search for",
                                "Например: Зерно кофейня", "E.g. Zerno coffee",
                                required=True),
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
