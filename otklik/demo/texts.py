"""Phrase banks for the demo: what customers of a coffee chain and a bank really write."""

from __future__ import annotations

COFFEE_RU = {
    "positive": [
        "Лучший капучино в городе — это {brand_in}, спасибо бариста на {street}!",
        "Зашла утром в кофейню {brand}, латте как всегда отличный ☕",
        "В {brand_in} на {street} очень уютно, работаю тут по пятницам",
        "Круассаны в {brand_in} свежие, кофе вкусный, рекомендую",
        "Спасибо {brand_dat} за быстрый заказ навынос, успела на поезд",
    ],
    "neutral": [
        "Кто знает, до скольки работает {brand} на {street}?",
        "В {brand_in} появилось новое осеннее меню, кто пробовал тыквенный раф?",
        "Встречаемся в кофейне {brand} на {street} в 18:00",
        "{brand} открывает новую точку у метро, пишут в канале",
        "Есть ли в {brand_in} альтернативное молоко?",
    ],
    "negative": [
        "Ждала заказ в {brand_in} на {street} 25 минут, кофе холодный 😡",
        "{brand}, почему у вас снова подорожал капучино? Было 250, стало 290",
        "В {brand_in} на {street} грубый кассир, больше не приду",
        "Заказала через приложение {brand}, списали деньги, а заказ не пришёл",
        "Опять в {brand_in} нет свободных столов и грязно",
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
HOSTILE = [
    "Очередной день, очередной провал {brand_gen}. Кофе из автомата лучше",
    "Собираем истории про {brand}: пишите в комментарии, как вас обслужили",
    "{brand} снова подняли цены, а качество падает. Бойкот!",
    "Кто ещё отравился в {brand_in}? Пишите, будем жаловаться в Роспотребнадзор",
    "Бариста в {brand_in} хамят, менеджмент молчит. Типичный {brand}",
]
REPLIES_OK = [
    "Спасибо, всё решили, деньги вернули",
    "Да, проблему решили, спасибо за помощь",
]
STREETS = ["Тверской", "Покровке", "Никольской", "Садовой", "Арбате", "Ленинском"]
STREETS_EN = ["Tverskaya", "Pokrovka", "Arbat", "Nikolskaya"]
FIRST_NAMES = [
    ("Ольга", "Смирнова"), ("Анна", "Кузнецова"), ("Мария", "Попова"), ("Елена", "Васильева"),
    ("Дмитрий", "Соколов"), ("Алексей", "Морозов"), ("Сергей", "Волков"), ("Ирина", "Лебедева"),
    ("Наталья", "Козлова"), ("Павел", "Новиков"), ("Юлия", "Фёдорова"), ("Андрей", "Зайцев"),
]
EN_NAMES = [("Emma", "Brown"), ("James", "Wilson"), ("Olivia", "Taylor"), ("Liam", "Moore")]
