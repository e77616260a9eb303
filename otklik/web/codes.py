"""Words for the program's internal codes (states, events, kinds, signals…), Russian and English.

Pages never show a code itself: `word(domain, code, lang)` gives its words, and an unknown code
is shown as readable words built from its parts (never as `snake_case`), so a new state or event
reads tolerably until it gets its entry. A test checks that every code the program defines has
one.
"""

from __future__ import annotations

Entry = tuple[str, str]

CODES: dict[str, dict[str, Entry]] = {
    "state": {
        "new": ("новое", "new"),
        "answered_publicly": ("ответили публично", "answered publicly"),
        "in_private": ("в личной переписке", "in private"),
        "resolved": ("решено", "resolved"),
        "followed_up": ("узнали результат", "followed up"),
        "closed": ("закрыто", "closed"),
        "escalated": ("передано выше", "escalated"),
        "not_actionable": ("не требует ответа", "not actionable"),
    },
    "outcome": {
        "resolved": ("проблема решена", "problem solved"),
        "not_resolved": ("проблема не решена", "not solved"),
        "no_answer": ("клиент не ответил", "no answer"),
    },
    "action_kind": {
        "public_reply": ("публичный ответ", "public reply"),
        "private_message": ("личное сообщение", "private message"),
        "follow_up": ("вопрос о результате", "follow-up"),
        "closing_note": ("завершающее сообщение", "closing note"),
        "post": ("публикация", "post"),
    },
    "action_status": {
        "draft": ("черновик", "draft"),
        "pending_approval": ("ждёт одобрения", "waiting for approval"),
        "approved": ("одобрено", "approved"),
        "sending": ("отправляется", "sending"),
        "sent": ("отправлено", "sent"),
        "failed": ("не отправлено", "not sent"),
        "needs_review": ("нужно проверить", "needs checking"),
        "todo": ("не отправлено", "to do"),
    },
    "signal": {
        "accounts": ("Аккаунтов", "Accounts"),
        "posts": ("Публикаций", "Posts"),
        "places": ("Площадок", "Places"),
        "near_duplicate_share": ("Почти одинаковые тексты от разных аккаунтов",
                                 "Near-identical texts from different accounts"),
        "repeat_account_share": ("Аккаунты, писавшие несколько раз",
                                 "Accounts that posted repeatedly"),
        "machine_rate_share": ("Аккаунты, пишущие с машинной частотой",
                               "Accounts posting at a machine-like rate"),
        "synchrony": ("Синхронность сверх случайной", "Synchrony beyond chance"),
        "small_account_share": ("Аккаунты с малым числом подписчиков",
                                "Accounts with few followers"),
        "new_account_share": ("Недавно созданные аккаунты", "Recently created accounts"),
        "co_posting_share": ("Аккаунты, повторявшие публикации группы",
                             "Accounts repeating the group's posts (co-posting)"),
        "shared": ("Общее у публикаций", "What the posts share"),
        "near_duplicate_clusters": ("Групп почти одинаковых текстов",
                                    "Groups of near-identical texts"),
    },
    "shared_key": {
        "link": ("ссылка", "link"),
        "url": ("ссылка", "link"),
        "hashtag": ("хештег", "hashtag"),
        "mention": ("упоминание аккаунта", "account mention"),
        "text": ("текст", "text"),
        "domain": ("сайт", "site"),
    },
    "attack_status": {
        "open": ("активна", "active"),
        "closed": ("завершена", "over"),
        "dismissed": ("отклонена", "dismissed"),
    },
    "refutation_status": {
        "draft": ("черновик", "draft"),
        "active": ("идёт", "in progress"),
        "done": ("завершено", "done"),
    },
    "announcement_kind": {
        "maintenance": ("плановые работы", "maintenance"),
        "outage": ("сбой", "outage"),
        "payments": ("оплата", "payments"),
        "release": ("новая версия", "release"),
        "other": ("другое", "other"),
    },
    "announcement_status": {
        "scheduled": ("запланирован", "scheduled"),
        "needs_review": ("нужно проверить", "needs checking"),
        "published": ("опубликован", "published"),
        "reminded": ("напоминание отправлено", "reminder sent"),
        "missed": ("пропущен", "missed"),
        "cancelled": ("отменён", "cancelled"),
        "unannounced": ("без анонса", "not announced"),
    },
    "network": {
        "vk": ("ВКонтакте", "VK"),
        "telegram": ("Telegram", "Telegram"),
        "rss": ("RSS", "RSS"),
        "reddit": ("Reddit", "Reddit"),
        "mastodon": ("Mastodon", "Mastodon"),
        "youtube": ("YouTube", "YouTube"),
        "x": ("X (Twitter)", "X (Twitter)"),
        "reviews": ("Отзывы", "Reviews"),
        "webhook": ("Вебхук", "Webhook"),
        "file": ("Файл", "File"),
        "sandbox": ("Песочница", "Sandbox"),
    },
    "source_kind": {
        "search": ("поиск", "search"),
        "wall": ("стена сообщества", "community wall"),
        "bot": ("бот", "bot"),
        "channel": ("канал", "channel"),
        "feed": ("лента", "feed"),
        "world": ("учебный мир", "practice world"),
        "comments": ("комментарии", "comments"),
        "subreddit": ("сабреддит", "subreddit"),
        "group": ("группа", "group"),
    },
    "lang": {
        "ru": ("русский", "Russian"), "en": ("английский", "English"),
        "uk": ("украинский", "Ukrainian"), "be": ("белорусский", "Belarusian"),
        "kk": ("казахский", "Kazakh"), "de": ("немецкий", "German"),
        "fr": ("французский", "French"), "es": ("испанский", "Spanish"),
        "und": ("язык не определён", "unknown language"),
    },
    "role": {
        "admin": ("администратор", "administrator"),
        "analyst": ("аналитик", "analyst"),
        "responder": ("оператор", "responder"),
        "viewer": ("наблюдатель", "viewer"),
    },
    "series": {
        "all": ("все упоминания", "all mentions"),
        "negative": ("негативные упоминания", "negative mentions"),
    },
    "event": {
        "case.open": ("обращение открыто", "case opened"),
        "case.attach": ("добавлено сообщение", "message attached"),
        "case.assign": ("назначен ответственный", "assigned"),
        "case.tag": ("добавлена метка", "tagged"),
        "case.priority": ("изменён приоритет", "priority changed"),
        "case.note": ("заметка", "note"),
        "case.transition": ("изменено состояние", "state changed"),
        "case.follow_up_scheduled": ("запланирован вопрос о результате",
                                     "follow-up scheduled"),
        "case.sla_breach": ("срок ответа нарушен", "response deadline missed"),
        "case.sla_reminder": ("напоминание о сроке ответа", "response deadline reminder"),
        "case.removed_at_source": ("сообщение удалено в источнике", "removed at the source"),
        "case.incident": ("связано с инцидентом", "linked to an incident"),
        "case.resolved_unanswered": ("решено без отправленного ответа",
                                     "resolved with no reply sent"),
        "action.draft": ("подготовлено сообщение", "message drafted"),
        "action.approve": ("сообщение одобрено", "message approved"),
        "action.approved": ("сообщение одобрено", "message approved"),
        "action.pending_approval": ("сообщение ждёт одобрения", "message awaits approval"),
        "action.mark_sent": ("отмечено как отправленное", "marked as sent"),
        "action.confirm_not_sent": ("подтверждено: не отправлено", "confirmed not sent"),
        "action.needs_review": ("отправку нужно проверить", "sending needs checking"),
        "action.failed": ("сообщение не отправлено", "message not sent"),
        "action.sent": ("сообщение отправлено", "message sent"),
        "action.sending": ("сообщение отправляется", "message sending"),
        "action.check_failed": ("не удалось проверить отправку", "could not check the send"),
        "action.checked": ("отправка проверена", "send checked"),
        "action.found_on_network": ("сообщение найдено в сети", "found on the network"),
        "action.absent_on_network": ("сообщения нет в сети", "not found on the network"),
        "alert_channel.create": ("добавлен канал оповещений", "alert channel added"),
        "announcement.add": ("анонс запланирован", "announcement scheduled"),
        "announcement.missed": ("анонс пропущен", "announcement missed"),
        "announcement.past_event": ("записано прошедшее событие", "past event recorded"),
        "announcement.published": ("анонс опубликован", "announcement published"),
        "announcement.reminded": ("напоминание опубликовано", "reminder published"),
        "attack.detected": ("обнаружена атака", "attack detected"),
        "attack.responded": ("на атаку ответили", "attack answered"),
        "brand.create": ("бренд создан", "brand created"),
        "brand.update": ("бренд изменён", "brand changed"),
        "channel.create": ("добавлен свой канал", "owned channel added"),
        "channel.connect": ("канал подключён", "channel connected"),
        "channel.check": ("проверено подключение канала", "channel connection checked"),
        "community.created": ("найдено сообщество", "community found"),
        "community.discovered": ("найдено сообщество", "community found"),
        "community.stance_changed": ("изменилось отношение сообщества",
                                     "community stance changed"),
        "incident.open": ("инцидент открыт", "incident opened"),
        "incident.explanation": ("опубликовано объяснение", "explanation published"),
        "incident.update": ("опубликовано обновление", "update published"),
        "incident.resolved": ("инцидент решён", "incident resolved"),
        "incident.close": ("инцидент закрыт", "incident closed"),
        "mention.correct_sentiment": ("исправлена тональность", "sentiment corrected"),
        "mention.removed_at_source": ("упоминание удалено в источнике",
                                      "mention removed at the source"),
        "mention.restored_at_source": ("упоминание восстановлено в источнике",
                                       "mention restored at the source"),
        "mentions.enqueue": ("упоминания поставлены в очередь", "mentions queued"),
        "mentions.ingest": ("упоминания загружены", "mentions loaded"),
        "query.create": ("добавлен запрос", "query added"),
        "refutation.official": ("официальный пост опровержения", "official refutation post"),
        "refutation.placement": ("размещение отмечено", "placement updated"),
        "refutation.plan": ("построен план опровержения", "refutation plan built"),
        "refutation.refresh": ("план опровержения обновлён", "refutation plan refreshed"),
        "silence.alert": ("оповещение о молчании бренда", "silence alert"),
        "source.create": ("источник добавлен", "source added"),
        "source.created": ("источник добавлен", "source added"),
        "source.update": ("источник изменён", "source changed"),
        "spike.detected": ("обнаружен всплеск", "spike detected"),
        "spike.extended": ("всплеск продолжился", "spike extended"),
        "spike.responded": ("на всплеск ответили", "spike answered"),
        "template.save": ("шаблон сохранён", "template saved"),
        "token.create": ("создан ключ API", "API token created"),
        "user.create": ("пользователь создан", "user created"),
        "user.set_active": ("изменён доступ пользователя", "user access changed"),
        "user.set_password": ("изменён пароль", "password changed"),
        "user.set_role": ("изменена роль", "role changed"),
    },
    "alert_kind": {
        "telegram": ("Telegram", "Telegram"),
        "email": ("эл. почта", "e-mail"),
        "webhook": ("вебхук", "webhook"),
    },
    "alert_event": {
        "new_case": ("новое обращение", "new case"),
        "sla_reminder": ("скоро срок ответа", "response due soon"),
        "sla_breach": ("срок ответа нарушен", "response deadline missed"),
        "removed_at_source": ("удалено в источнике", "removed at the source"),
        "silence": ("бренд молчит", "the brand is silent"),
        "publish_review": ("проверить публикацию", "check a post"),
        "spike": ("всплеск", "spike"),
        "attack": ("атака", "attack"),
    },
    "template_kind": {
        "public_apology": ("публичный ответ", "public apology"),
        "private_opening": ("первое личное сообщение", "private opening"),
        "follow_up": ("вопрос о результате", "follow-up"),
        "closing_note": ("завершающее сообщение", "closing note"),
        "incident_post": ("объяснение инцидента", "incident explanation"),
        "incident_update": ("обновление по инциденту", "incident update"),
        "incident_resolved": ("инцидент решён", "incident resolved"),
        "incident_reply": ("ответ по инциденту", "incident reply"),
        "announcement": ("анонс", "announcement"),
        "announcement_reminder": ("напоминание об анонсе", "announcement reminder"),
        "refutation_post": ("пост опровержения", "refutation post"),
        "refutation_reply": ("ответ-опровержение", "refutation reply"),
    },
}

# The object an event is about, for events without an entry: "обращение: …"
_SUBJECTS: dict[str, Entry] = {
    "case": ("обращение", "case"), "action": ("сообщение", "message"),
    "incident": ("инцидент", "incident"), "channel": ("канал", "channel"),
    "spike": ("всплеск", "spike"),
    "attack": ("атака", "attack"), "announcement": ("анонс", "announcement"),
    "source": ("источник", "source"), "user": ("пользователь", "user"),
    "mention": ("упоминание", "mention"), "community": ("сообщество", "community"),
    "refutation": ("опровержение", "refutation"), "brand": ("бренд", "brand"),
}


def word(domain: str, code: object, lang: str) -> str:
    """The words for a code in a domain; an unknown code reads as its parts, spaced."""
    if code is None or code == "":
        return "—"
    text = str(code)
    index = 1 if lang == "en" else 0
    entry = CODES.get(domain, {}).get(text)
    if entry is not None:
        return entry[index]
    if domain == "event" and "." in text:
        subject, _, rest = text.partition(".")
        status = CODES["action_status"].get(rest)
        head = _SUBJECTS.get(subject)
        tail = status[index] if status else rest.replace("_", " ")
        return f"{head[index]}: {tail}" if head else tail
    return text.replace("_", " ").replace(".", " ")
