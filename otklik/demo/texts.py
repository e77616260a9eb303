"""Phrase banks for the demo: what customers of a coffee chain and a bank really write."""

from __future__ import annotations

COFFEE_RU = {
    "positive": [
        "Лучший {drink} в городе — это {brand_in}, спасибо бариста на {street}!",
        "Зашла {when} в кофейню {brand}, {drink} как всегда отличный ☕",
        "В {brand_in} на {street} очень уютно, работаю тут по пятницам",
        "{food} в {brand_in} свежий, {drink} вкусный, рекомендую",
        "Спасибо {brand_dat} за быстрый заказ навынос, успела на поезд",
        "Бариста на {street} запомнил, что я пью {drink} без сахара. Мелочь, а приятно",
        "Взяли с дочкой {food} и какао в {brand_in}, ей очень понравилось",
        "Приложение {brand_gen} наконец-то показывает, когда заказ готов, удобно",
        "{brand} на {street} открылся на час раньше, теперь успеваю до работы",
        "Попробовал сезонный {drink} в {brand_in} — неожиданно хорошо",
        "Хвалю персонал {brand_gen} на {street}: даже в час пик всё за {minutes_short} минут",
        "Отмечали в {brand_in} день рождения коллеги, нам сделали скидку",
    ],
    "neutral": [
        "Кто знает, до скольки работает {brand} на {street}?",
        "В {brand_in} появилось новое осеннее меню, кто пробовал тыквенный раф?",
        "Встречаемся в кофейне {brand} на {street} в {hour}:00",
        "{brand} открывает новую точку у метро, пишут в канале",
        "Есть ли в {brand_in} альтернативное молоко для {drink_gen}?",
        "Можно ли в {brand_in} на {street} поработать с ноутбуком, есть розетки?",
        "Сколько сейчас стоит {drink} в {brand_in}? Видела в меню {price} ₽",
        "У {brand_gen} есть доставка на {street} или только самовывоз?",
        "Принимает ли {brand} карты лояльности других сетей?",
        "{brand} на {street} работает в праздники? Хотим зайти {when}",
        "Подскажите, в {brand_in} есть {food} без глютена?",
        "Видел вакансию бариста в {brand_in}, кто-нибудь там работал?",
    ],
    "negative": [
        "Ждала заказ в {brand_in} на {street} {minutes} минут, {drink} холодный 😡",
        "{brand}, почему у вас снова подорожал {drink}? Было {price_old}, стало {price}",
        "В {brand_in} на {street} грубый кассир, больше не приду",
        "Заказала через приложение {brand}, списали {price} ₽, а заказ не пришёл",
        "Опять в {brand_in} нет свободных столов и грязно",
        "В заказе из {brand_gen} ({food}) попался волос, на кассе только пожали плечами",
        "Курьер {brand_gen} опоздал на {minutes} минут, {drink} расплескался по пакету",
        "{brand}, бонусы за покупку {when} так и не начислились, приложение пишет ошибку",
        "На {street} в {brand_in} опять перепутали заказ: вместо {drink_gen} дали американо",
        "Почему в {brand_in} {food} за {price} ₽ размером с ладонь?",
        "Сидела в {brand_in} {when}, музыка так орёт, что не слышно собеседника",
        "{brand}, ваш {drink} сегодня горький и пахнет жжёным",
        "Стояла в очереди в {brand_in} {minutes} минут, работает одна касса",
        "Пришёл в {brand} на {street} к открытию, а дверь закрыта до {hour}:00",
    ],
}
COFFEE_EN = {
    "positive": [
        "Best flat white in town at {brand_en} on {street_en}, love it",
        "{brand_en} baristas are so friendly this morning ☕",
    ],
    "neutral": [
        "Does {brand_en} on {street_en} have oat milk?",
        "Meeting at {brand_en} at 6pm, anyone joining?",
    ],
    "negative": [
        "Waited 20 minutes for a latte at {brand_en}, still cold. Not great",
        "{brand_en} app charged me twice for one order, support is silent",
    ],
}
BANK_RU = {
    "positive": [
        "Быстро одобрили кредитку в {bank_pr}, спасибо менеджеру",
        "Приложение {bank_gen} стало удобнее после обновления",
        "{bank} вернул кэшбэк за месяц, всё чётко",
    ],
    "neutral": [
        "Какой процент по вкладу сейчас в {bank_pr}?",
        "Где ближайший банкомат {bank_gen} у метро?",
        "{bank} обновил тарифы по картам с декабря",
    ],
    "negative": [
        "{bank}, третий день не могу войти в приложение, поддержка молчит",
        "В {bank_pr} заблокировали карту без объяснений, я в шоке",
        "Очередь в отделении {bank_gen} на час, работает одно окно",
        "Списали комиссию за обслуживание, хотя обещали бесплатно. {bank}, верните деньги",
    ],
}
BANK_EN = {
    "positive": ["{bank_en} mobile app is actually good now"],
    "neutral": ["Anyone know {bank_en} branch hours on Saturday?"],
    "negative": ["{bank_en} blocked my card abroad again, terrible"],
}
INCIDENT_RU = [
    "{brand}, у вас не проходит оплата картой! Стою с кофе и не могу заплатить",
    "В {brand_in} на {street} терминал не работает, только наличные?? У кого сейчас наличные",
    "Не проходит оплата картой в кофейне {brand}, уже вторая точка",
    "{brand} что с оплатой? Карта не проходит, приложение тоже",
    "Ушла из {brand_gen} без кофе, оплата картой не работает",
    "Терминалы в {brand_in} не работают по всему городу? Оплата картой не проходит",
]
INCIDENT_EN = [
    "{brand_en} card payment is down, can't pay for my coffee",
    "Card terminals not working at {brand_en} on {street_en}, cash only?",
]
CAMPAIGN = [
    "В кофейне {brand} нашли таракана в круассане! Не ходите туда, подробности: "
    "http://bit.ly/zerno-pravda #зерноотравление",
    "Внимание! В кофейне {brand} нашли таракана в круассане, не ходите туда! "
    "http://bit.ly/zerno-pravda #зерноотравление",
    "В кофейне {brand} нашли таракана в круассане!!! Не ходите туда "
    "http://bit.ly/zerno-pravda #зерноотравление",
]
# The hostile community's regulars write in their own words: a claim (drawn from the demo's
# stream) between an opening and a closing of their own, so they are an opponent group by their
# repeated hostility, not a campaign of word-for-word copies.
HOSTILE = [
    "очередной провал {brand_gen}: {drink} остывший, ждал {minutes} минут",
    "собираем истории про {brand} на {street}: пишите в комментарии, как вас обслужили",
    "{brand} снова подняли цены, {drink} уже {price} ₽, а качество падает",
    "кто ещё отравился в {brand_in}? {food} был несвежий, будем жаловаться в Роспотребнадзор",
    "бариста в {brand_in} на {street} хамят, менеджмент молчит",
]
HOSTILE_OPENINGS = ["", "Ну что,", "Опять.", "Друзья,", "Как обычно:", "Вчера снова убедился:",
                    "Коротко:", "Напоминаю:"]
HOSTILE_CLOSINGS = ["", "Бойкот!", "Кофе из автомата лучше.", "Больше ни ногой.",
                    "Типичный {brand}.", "Делитесь, пусть все знают.", "Позор.",
                    "Без комментариев."]
REPLIES_OK = [
    "Спасибо, всё решили, деньги вернули",
    "Да, проблему решили, спасибо за помощь",
]
DRINKS = [("капучино", "капучино"), ("латте", "латте"), ("раф", "рафа"),
          ("флэт уайт", "флэт уайта"), ("американо", "американо"), ("какао", "какао")]
FOODS = ["круассан", "сырник", "чизкейк", "сэндвич", "маффин", "эклер"]
WHEN = ["утром", "в обед", "вечером", "сегодня", "вчера", "в субботу"]
WHEN_EN = ["this morning", "yesterday", "at lunch", "on Saturday", "today"]
STREETS = ["Тверской", "Покровке", "Никольской", "Садовой", "Арбате", "Ленинском"]
STREETS_EN = ["Tverskaya", "Pokrovka", "Arbat", "Nikolskaya"]
FIRST_NAMES = [
    ("Ольга", "Смирнова"), ("Анна", "Кузнецова"), ("Мария", "Попова"), ("Елена", "Васильева"),
    ("Дмитрий", "Соколов"), ("Алексей", "Морозов"), ("Сергей", "Волков"), ("Ирина", "Лебедева"),
    ("Наталья", "Козлова"), ("Павел", "Новиков"), ("Юлия", "Фёдорова"), ("Андрей", "Зайцев"),
]
EN_NAMES = [("Emma", "Brown"), ("James", "Wilson"), ("Olivia", "Taylor"), ("Liam", "Moore")]
OPENERS_RU = ["", "", "", "Ну вот, ", "Честно говоря, ", "Коллеги, ", "Друзья, ", "Итак, ",
              "Кстати, ", "Утро началось так: "]
TAILS_RU = {
    "positive": ["", "Всем советую!", "Молодцы 👍", "Приду ещё.", "Так держать.",
                 "Редкость в наше время.", "Настроение на весь день ☀️"],
    "neutral": ["", "Подскажите, пожалуйста.", "Спасибо заранее.", "Кто в курсе?",
                "Если что, я рядом с метро.", "Интересно узнать."],
    "negative": ["", "Очень разочарована.", "Уже третий раз за месяц!",
                 "Кто-нибудь ещё сталкивался?", "Напишу в поддержку.",
                 "Жаль, раньше было лучше.", "Верните нормальный сервис.",
                 "Это просто неуважение."],
}
# a sentence of the writer's own: two people rarely add the same one (so organic posts are not
# near-duplicates of each other, as planted copies are)
DETAILS_RU = {
    "positive": [
        "Хожу к вам уже {years} года.", "Была {when} с подругой.", "Очередь шла быстро.",
        "Отдельное спасибо девушке на кассе.", "Цены, кстати, не поднимали.",
        "Сравнивала с соседями — у вас лучше.", "Даже в выходные всё чётко.",
        "Муж тоже доволен.", "Заходила перед работой.", "Оценка {stars} из 5.",
        "Раньше были проблемы, но сейчас всё исправили.", "Порадовало внимание к мелочам.",
        "Живу рядом, так что теперь мой постоянный адрес.", "Взяла ещё и с собой.",
    ],
    "neutral": [
        "Спрашиваю для мамы.", "На сайте ничего не нашла.", "Буду там {when}.",
        "Раньше не бывала.", "В приложении информации нет.", "Звонила — не дозвонилась.",
        "Хочу прийти с детьми.", "Работаю неподалёку.", "Планирую встречу на {hour_late}:00.",
        "Сравниваю варианты.", "Видела рекламу в метро.", "Соседи советовали.",
        "Вопрос, наверное, глупый.", "Спросила бы на месте, но далеко ехать.",
    ],
    "negative": [
        "Чек сохранила.", "Это было {when}.", "Написала в чат — тишина уже {hours} часа.",
        "Раньше такого не было.", "Сфотографировала, могу прислать.", "Менеджер так и не вышел.",
        "Опаздывала на встречу из-за этого.", "Деньги до сих пор не вернули.",
        "Оставила отзыв на картах.", "Пришлось идти в другое место.",
        "Подруга говорит, у неё было так же.", "Сотрудники даже не извинились.",
        "Жалобную книгу не дали.", "Оплатила картой, чек есть.", "Номер заказа {order}.",
    ],
}
DETAILS_EN = {
    "positive": ["Been going there for {years} years.", "Staff remembered my name.",
                 "Quick service even at rush hour.", "Went {when_en} with a friend.",
                 "{stars}/5 from me."],
    "neutral": ["Asking for a friend.", "Couldn't find it on the website.",
                "Planning to go {when_en}.", "First time in the area.", "Work nearby."],
    "negative": ["Kept the receipt.", "Happened {when_en}.", "Support chat is silent for "
                 "{hours} hours.", "Order number {order}.", "Had to go somewhere else.",
                 "Nobody even apologised."],
}
TAILS_EN = {"positive": ["", "Highly recommend!", "Thanks guys!"],
            "neutral": ["", "Thanks in advance.", "Anyone?"],
            "negative": ["", "So disappointed.", "Third time this month!", "Not coming back."]}
