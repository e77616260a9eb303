"""The words of the locations' pages (Точки): kept beside the feature, merged into the
interface's catalogue (`otklik.web.i18n`). Russian first, then English."""

from __future__ import annotations

WORDS: dict[str, tuple[str, str]] = {
    "locations": ("Точки", "Locations"),
    "location": ("Точка", "Location"),
    "locations_league": ("Точки: где что происходит", "Locations: where things happen"),
    "locations_manage": ("Точки бренда", "The brand's locations"),
    "locations_manage_hint": (
        "Кафе, отделения, магазины. Упоминание относится к точке по координатам поста (в радиусе "
        "{radius} м), по словам из адреса и названиям рядом с брендом (улица, метро, район, "
        "торговый центр — в любой форме) или по странице, где оно опубликовано.",
        "Cafés, branches, stores. A mention is about a location by the post's coordinates "
        "(within {radius} m), by the words of its address and the names customers use near the "
        "brand (street, metro, district, mall — in any word form), or by the page it was posted "
        "on."),
    "location_name": ("Название", "Name"),
    "address": ("Адрес", "Address"),
    "address_hint": ("Город, улица, дом: «Москва, ул. Арбат, 10»",
                     "Town, street, number: “Москва, ул. Арбат, 10”"),
    "latitude": ("Широта", "Latitude"),
    "longitude": ("Долгота", "Longitude"),
    "aliases": ("Как ещё называют", "Also called"),
    "aliases_hint": ("Через запятую, в именительном падеже: Арбатская, ТЦ Атриум",
                     "Comma-separated, in the nominative: Арбатская, ТЦ Атриум"),
    "hours": ("Часы работы", "Opening hours"),
    "team": ("Команда", "Team"),
    "responsible": ("Ответственный", "Responsible"),
    "nobody": ("никто", "nobody"),
    "location_pages": ("Страницы точки", "The location's pages"),
    "location_pages_hint": ("сеть:id через запятую, например vk:-123",
                            "network:id, comma-separated, e.g. vk:-123"),
    "save_location": ("Сохранить точку", "Save the location"),
    "location_off": ("Отключить", "Switch off"),
    "location_is_off": ("отключена", "switched off"),
    "import_locations": ("Загрузить файл CSV", "Upload a CSV file"),
    "import_locations_hint": (
        "Первая строка — названия столбцов: name, address, lat, lon, aliases, hours, team, "
        "responsible, places. Псевдонимы разделяются «|». Точка с тем же названием обновится.",
        "The first row names the columns: name, address, lat, lon, aliases, hours, team, "
        "responsible, places. Aliases are separated by “|”. A location of the same name is "
        "updated."),
    "imported_n": ("Загружено точек: {n}", "Locations loaded: {n}"),
    "reattribute": ("Пересчитать точки упоминаний за 30 дней",
                    "Attribute the last 30 days' mentions again"),
    "reattribute_hint": ("После добавления или изменения точек упоминания, собранные раньше, "
                         "получат точку только после пересчёта.",
                         "Mentions stored before a location was added or changed get it only "
                         "when attributed again."),
    "reattributed_n": ("Точка изменилась у {n} упоминания|Точка изменилась у {n} упоминаний|"
                       "Точка изменилась у {n} упоминаний",
                       "{n} mention changed location|{n} mentions changed location"),
    "no_locations": ("У бренда пока нет точек. Добавьте первую ниже или загрузите файл.",
                     "The brand has no locations yet. Add the first below or upload a file."),
    "no_coordinates": ("без координат", "no coordinates"),
    "last_n_days": ("{n} день|{n} дня|{n} дней", "{n} day|{n} days"),
    "loc_volume": ("Упоминаний", "Mentions"),
    "loc_negative": ("Доля негатива", "Negative share"),
    "loc_open_cases": ("Открытых обращений", "Open cases"),
    "sla_kept": ("Ответ в срок", "Answered in time"),
    "loop_closed": ("Петля закрыта", "Loop closed"),
    "trend": ("К прошлому периоду", "Vs previous period"),
    "no_location": ("без точки", "no location"),
    "map": ("Карта", "Map"),
    "map_hint": ("Размер круга — число упоминаний, цвет — доля негатива.",
                 "Circle size: the number of mentions; colour: the negative share."),
    "fifty_or_more": ("50 % и больше", "50 % and more"),
    "map_offline": ("Подложка карты не настроена: точки показаны без неё.",
                    "No map tiles are configured: the locations are shown without them."),
    "no_data": ("нет данных", "no data"),
    "pick_brand": ("Выберите бренд", "Choose a brand"),
    "manage_locations": ("Настроить точки", "Set up locations"),
    "league_of": ("Точки бренда {brand} за {period}", "{brand}'s locations over {period}"),
    "nearby_title": ("Рядом с точками — без названия бренда", "Near the locations, no brand named"),
    "nearby_hint": (
        "Посты с координатами у точек, которые не называют бренд: их слышит гео-прослушивание "
        "(otklik location listen). Если пост про «{brand}», подтвердите — он станет упоминанием "
        "этой точки, и к нему применятся правила обращений.",
        "Posts with coordinates near a location that name no brand, as geo-listening hears them "
        "(otklik location listen). If one is about “{brand}”, confirm it: it becomes a mention "
        "of that location, and the case rules apply to it."),
    "nearby_confirm": ("Это про «{brand}»", "This is about “{brand}”"),
    "metres_away": ("{n} м от точки", "{n} m away"),
    "new_trend": ("новое", "new"),
    "mentions_here": ("упоминания точки", "the location's mentions"),
    # why a location was refused (`actions.locations.LocationError`)
    "at_line": ("Строка {line}: {text}", "line {line}: {text}"),
    "loc_needs_name": ("у точки должно быть название", "a location needs a name"),
    "loc_both_coordinates": ("{name}: укажите и широту, и долготу — или ни то, ни другое",
                             "{name}: give both latitude and longitude, or neither"),
    "loc_latitude_range": ("{name}: широта {value} вне пределов −90…90",
                           "{name}: latitude {value} is not within -90…90"),
    "loc_longitude_range": ("{name}: долгота {value} вне пределов −180…180",
                            "{name}: longitude {value} is not within -180…180"),
    "loc_bad_page": ("{name}: страница «{value}» записана не как сеть:id (например vk:-123)",
                     "{name}: page “{value}” is not network:id (e.g. vk:-123)"),
    "loc_no_user": ("нет пользователя {value}, который мог бы отвечать за точку",
                    "no user {value} to answer for the location"),
    "loc_not_number": ("{field}: «{value}» — не число", "{field}: “{value}” is not a number"),
    "loc_header": ("первая строка должна называть столбцы, хотя бы name (возможны: {value})",
                   "the first row must name the columns, at least name (known: {value})"),
    "loc_no_brand": ("не указан бренд: дайте --brand или столбец brand",
                     "no brand: give --brand or a brand column"),
    "loc_unknown_brand": ("нет бренда «{value}»", "no brand “{value}”"),
    "loc_unknown_columns": ("неизвестные столбцы: {value}", "unknown columns: {value}"),
    "loc_radius_range": ("радиус {value} м вне пределов 10…10 000 м",
                         "a radius of {value} m is not within 10…10,000 m"),
    "radius": ("Радиус, м", "Radius, m"),
    "loc_file_too_large": ("файл больше {n} МБ", "the file is larger than {n} MB"),
    "loc_not_utf8": ("файл не в кодировке UTF-8 (байт {n})",
                     "the file is not UTF-8 text (byte {n})"),
}
