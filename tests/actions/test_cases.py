"""Case rules, SLA, follow-up closing and removed-at-source flags on both stores."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from otklik.actions import case_answers as answers
from otklik.actions import case_upkeep as upkeep
from otklik.actions import cases as desk
from otklik.db.models import AuditEvent, Brand, Case, CaseMention, Channel, Mention
from otklik.domain.cases import IllegalTransition
from otklik.domain.enrichment import Enriched
from otklik.domain.posts import Author, Place, Post
from otklik.flow.pipeline import ingest
from tests.waiting import PATIENCE, wait_for

T0 = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


def post(ext: str, author: str, text: str = "текст", *, parent: str | None = None,
         thread: str | None = None, minutes: int = 0) -> Post:
    return Post(network="vk", external_id=ext, text=text,
                created_at=T0 + timedelta(minutes=minutes), url=f"https://vk.com/wall{ext}",
                author=Author(external_id=author, name="Ольга Петрова"),
                place=Place(external_id="-1", name="Зерно", kind="group"),
                parent_external_id=parent, thread_external_id=thread)


def labels(brand_id: int, spec: dict[str, tuple[str, bool, float]]) -> Any:
    def enrich(batch: Sequence[Enriched]) -> None:
        for item in batch:
            sentiment, question, priority = spec.get(item.post.external_id, ("neutral", False, 0.9))
            item.brand_matches = {brand_id: []}
            item.sentiment, item.is_question, item.priority = sentiment, question, priority
            item.customer_name = "Ольга"
    return enrich


def brand_with_channel(session: Session, **fields: Any) -> Brand:
    settings = {"case_rules": {"priority_threshold": 0.5}, **fields.pop("settings", {})}
    brand = Brand(slug="zerno", name="Зерно", settings=settings, **fields)
    session.add(brand)
    session.flush()
    session.add(Channel(brand_id=brand.id, network="vk", external_id="-1", name="Зерно"))
    session.commit()
    return brand


def feed(session: Session, brand: Brand, posts: list[Post], spec: dict[str, Any],
         now: datetime = T0) -> desk.IngestOutcome:
    ids = ingest(session, posts, enrichers=[labels(brand.id, spec)]).mention_ids
    out = desk.process_ingested(session, ids, now=now)
    session.commit()
    return out


def case_of(session: Session, ext: str) -> int | None:
    return session.scalar(select(CaseMention.case_id).join(
        Mention, Mention.id == CaseMention.mention_id).where(Mention.external_id == ext))


NEG = ("negative", False, 0.9)


def test_rules_open_and_join(store: Any) -> None:
    with store.sessions() as s:
        brand = brand_with_channel(s)
        posts = [
            post("-1_10", "u0", "Новое меню уже в кофейнях"),  # the brand's neutral post
            post("-1_20", "u1", "Ужасный сервис", thread="-1_20"),  # complaint post → case A
            post("-1_20_c1", "u2", "У меня так же", parent="-1_20", thread="-1_20", minutes=1),
            post("-1_30", "u1", "И снова холодный кофе", minutes=2),  # u1 again → A
            post("-1_10_c1", "u3", "Меню хуже старого", parent="-1_10", thread="-1_10",
                 minutes=3),  # comment under a neutral post → case B, its own
            post("-1_10_c2", "u4", "Цены выросли вдвое", parent="-1_10", thread="-1_10",
                 minutes=4),  # another customer under the same post → case C
            post("-1_10_c3", "u5", "Согласен, хуже", parent="-1_10_c1", thread="-1_10",
                 minutes=5),  # replies to B's complaint → B
            post("-1_40", "u6", "Когда откроетесь на Ленина?", minutes=6),  # question → case D
            post("-1_50", "u7", "Так себе", minutes=7),  # negative but low priority → none
            post("-1_60", "u8", "Приятный кофе", minutes=8),  # neutral → none
            post("-1_10_c4", "-1", "Мы всё исправим", parent="-1_10_c2", thread="-1_10",
                 minutes=9),  # the brand's own account → none
        ]
        spec = {e: NEG for e in ("-1_20", "-1_20_c1", "-1_30", "-1_10_c1", "-1_10_c2",
                                 "-1_10_c3", "-1_10_c4")}
        spec["-1_40"] = ("neutral", True, 0.9)
        spec["-1_50"] = ("negative", False, 0.2)
        out = feed(s, brand, posts, spec)
        assert len(out.opened) == 4
        a, b, c, d = (case_of(s, e) for e in ("-1_20", "-1_10_c1", "-1_10_c2", "-1_40"))
        assert len({a, b, c, d}) == 4 and None not in {a, b, c, d}
        assert case_of(s, "-1_20_c1") == a and case_of(s, "-1_30") == a
        assert case_of(s, "-1_10_c3") == b
        for ext in ("-1_10", "-1_50", "-1_60", "-1_10_c4"):
            assert case_of(s, ext) is None
        assert [k for k in ("new_case",) for _ in out.alerts] == ["new_case"] * 4

        # ingesting the same batch again changes nothing
        again = feed(s, brand, posts, spec)
        assert again.opened == [] and again.joined == []
        assert s.scalar(select(func.count()).select_from(Case)) == 4

        # once A is closed, a new complaint by the same author opens a new case
        assert a is not None
        for state in ("answered_publicly", "resolved", "closed"):
            desk.transition(s, a, state, actor="anna")
        s.commit()
        out = feed(s, brand, [post("-1_70", "u1", "Опять!", minutes=20)], {"-1_70": NEG})
        assert len(out.opened) == 1 and out.opened[0] != a


def test_illegal_transition_is_refused_and_not_audited(store: Any) -> None:
    with store.sessions() as s:
        brand = brand_with_channel(s)
        feed(s, brand, [post("-1_20", "u1")], {"-1_20": NEG})
        case_id = case_of(s, "-1_20")
        assert case_id is not None
        before = s.scalar(select(func.count()).select_from(AuditEvent))
        with pytest.raises(IllegalTransition, match="'new' cannot move to 'closed'"):
            desk.transition(s, case_id, "closed", actor="anna")
        assert s.scalar(select(func.count()).select_from(AuditEvent)) == before
        assert s.get(Case, case_id).state == "new"  # type: ignore[union-attr]


def test_assign_tag_note_priority_are_audited(sqlite_store: Any) -> None:
    with sqlite_store.sessions() as s:
        brand = brand_with_channel(s)
        feed(s, brand, [post("-1_20", "u1")], {"-1_20": NEG})
        case_id = case_of(s, "-1_20")
        assert case_id is not None
        desk.tag(s, case_id, add=["delivery", "refund", "delivery"], actor="anna")
        desk.tag(s, case_id, remove=["refund"], actor="anna")
        desk.add_note(s, case_id, "Позвонила, ждёт возврат", actor="anna")
        desk.set_priority(s, case_id, 0.95, actor="boss")
        desk.assign(s, case_id, None, actor="boss")
        s.commit()
        case = s.get(Case, case_id)
        assert case is not None
        assert case.tags == ["delivery"] and case.priority == 0.95
        assert case.notes[0]["text"] == "Позвонила, ждёт возврат" and case.notes[0]["by"] == "anna"
        actions = s.scalars(select(AuditEvent.action).where(
            AuditEvent.entity_id == str(case_id)).order_by(AuditEvent.id)).all()
        assert actions[-5:] == ["case.tag", "case.tag", "case.note", "case.priority",
                                "case.assign"]
        with pytest.raises(ValueError, match="needs a text"):
            desk.add_note(s, case_id, "  ", actor="anna")


def test_sla_reminder_then_breach_once_each(store: Any) -> None:
    with store.sessions() as s:
        brand = brand_with_channel(s, sla_minutes=60,
                                   working_hours={"tz": "Europe/Moscow", "start": 9, "end": 21})
        feed(s, brand, [post("-1_20", "u1")], {"-1_20": NEG})  # 13:00 Moscow
        case_id = case_of(s, "-1_20")
        case = s.get(Case, case_id)
        assert case is not None and case.first_response_due_at == T0 + timedelta(minutes=60)
        assert upkeep.check_sla(s, T0 + timedelta(minutes=30)) == []
        [remind] = upkeep.check_sla(s, T0 + timedelta(minutes=50))
        assert remind.kind == "sla_reminder" and remind.case_id == case_id
        assert upkeep.check_sla(s, T0 + timedelta(minutes=55)) == []
        [breach] = upkeep.check_sla(s, T0 + timedelta(minutes=75))
        assert breach.kind == "sla_breach"
        assert upkeep.check_sla(s, T0 + timedelta(minutes=90)) == []
        s.commit()
        assert s.get(Case, case_id).sla_breached_at == T0 + timedelta(minutes=60)  # type: ignore[union-attr]
        events = s.scalars(select(AuditEvent.action).where(
            AuditEvent.action.like("case.sla%"))).all()
        assert sorted(events) == ["case.sla_breach", "case.sla_reminder"]


def test_follow_up_unanswered_closes_no_answer_and_not_resolved_reply(store: Any) -> None:
    with store.sessions() as s:
        brand = brand_with_channel(s, settings={"follow_up_wait_days": 3})
        feed(s, brand, [post("-1_20", "u1"), post("-1_30", "u2", minutes=1)],
             {"-1_20": NEG, "-1_30": NEG})
        ids = [case_of(s, "-1_20"), case_of(s, "-1_30")]
        for cid in ids:
            assert cid is not None
            for state in ("answered_publicly", "resolved", "followed_up"):
                desk.transition(s, cid, state, actor="anna")
            s.get(Case, cid).followed_up_at = T0  # type: ignore[union-attr]
        s.commit()
        # u2 answers in the thread of the complaint: not solved
        out = feed(s, brand, [post("-1_30_c9", "u2", "Нет, до сих пор жду возврат",
                                   parent="-1_30", thread="-1_30", minutes=60)], {})
        assert [o for _, _, o in out.replies] == ["not_resolved"]
        assert upkeep.close_silent_follow_ups(s, T0 + timedelta(days=2)) == []
        assert upkeep.close_silent_follow_ups(s, T0 + timedelta(days=3, minutes=1)) == [ids[0]]
        s.commit()
        got = [(s.get(Case, i).state, s.get(Case, i).outcome) for i in ids]  # type: ignore[union-attr]
        assert got == [("closed", "no_answer"), ("closed", "not_resolved")]


def test_removed_comment_is_flagged_on_its_case(store: Any) -> None:
    with store.sessions() as s:
        brand = brand_with_channel(s)
        feed(s, brand, [post("-1_20", "u1"), post("-1_20_c1", "u1", parent="-1_20",
                                                 thread="-1_20", minutes=1)],
             {"-1_20": NEG, "-1_20_c1": NEG})
        case_id = case_of(s, "-1_20")
        assert upkeep.flag_removed_at_source(s) == []
        gone = T0 + timedelta(hours=3)
        s.execute(update(Mention).where(Mention.external_id == "-1_20_c1")
                  .values(removed_at_source=gone))
        [event] = upkeep.flag_removed_at_source(s)
        assert event.kind == "removed_at_source" and event.case_id == case_id
        assert upkeep.flag_removed_at_source(s) == []
        s.commit()
        assert s.get(Case, case_id).removed_at_source == gone  # type: ignore[union-attr]
        # the mention itself is still there: otklik never deletes
        assert s.scalar(select(func.count()).select_from(Mention)) == 2


def test_two_workers_draft_one_follow_up(store: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from otklik.actions import case_queries as queries

    with store.sessions() as s:
        brand = brand_with_channel(s, follow_up_days=1.0)
        feed(s, brand, [post("-1_20", "u1")], {"-1_20": NEG})
        case_id = case_of(s, "-1_20")
        assert case_id is not None
        desk.transition(s, case_id, "answered_publicly", actor="anna")
        desk.resolve(s, case_id, actor="anna", now=T0, confirm_unsent=True)
        s.commit()
        due = T0 + timedelta(days=2)
        stale = list(queries.due_follow_ups(s, due))  # what a second worker saw a moment ago
        [first] = answers.run_due_follow_ups(s, due, source_factory=None)
        monkeypatch.setattr(queries, "due_follow_ups", lambda session, now: stale)
        assert answers.run_due_follow_ups(s, due, source_factory=None) == []
        from otklik.db.models import Action
        assert s.scalar(select(func.count()).select_from(Action)) == 1
        assert first.text.startswith("Добрый день, Ольга, удалось ли решить проблему?")


def test_an_edit_that_turns_negative_opens_a_case_in_the_same_session(store: Any) -> None:
    with store.sessions() as s:
        brand = brand_with_channel(s)
        out = feed(s, brand, [post("-1_20", "u1", "Нормальный кофе")], {})
        assert out.opened == []
        mention = s.scalars(select(Mention).where(Mention.external_id == "-1_20")).one()
        assert mention.sentiment == "neutral"  # loaded in this session, now edited at the source
        out = feed(s, brand, [post("-1_20", "u1", "Кофе холодный, деньги не вернули")],
                   {"-1_20": NEG})
        assert len(out.opened) == 1


def test_two_workers_on_one_thread_open_one_case(pg_store: Any) -> None:
    import threading

    with pg_store.sessions() as s:
        brand = brand_with_channel(s)
        ids = ingest(s, [post("-1_20", "u1", "Ужасно"),
                         post("-1_20_c1", "u2", "И у меня", parent="-1_20", thread="-1_20")],
                     enrichers=[labels(brand.id, {"-1_20": NEG, "-1_20_c1": NEG})]).mention_ids
        s.commit()
    first, second = pg_store.sessions(), pg_store.sessions()
    opened = desk.open_cases_for_mentions(first, [ids[0]], now=T0).opened  # not committed yet
    second_pid = second.scalar(text("SELECT pg_backend_pid()"))
    results: list[desk.IngestOutcome] = []

    def other_worker() -> None:
        results.append(desk.open_cases_for_mentions(second, [ids[1]], now=T0))
        second.commit()

    worker = threading.Thread(target=other_worker)
    worker.start()
    with pg_store.engine.connect() as watch:  # the other worker waits for the thread's lock
        wait_for(lambda: watch.scalar(text(
            "SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = :pid"),
            {"pid": second_pid}), "the other worker to wait for the thread's lock")
    first.commit()
    worker.join(PATIENCE)
    first.close()
    second.close()
    assert len(opened) == 1 and results[0].opened == []
    assert results[0].joined == [(opened[0], ids[1])]


def test_case_rules_load_only_brand_matches_and_possible_replies(store: Any) -> None:
    """A mention that matches no brand still counts when its author has a live case."""
    from otklik.actions.case_queries import case_candidates

    with store.sessions() as s:
        brand = brand_with_channel(s)
        feed(s, brand, [post("-1_20", "u1", "Ужасный сервис")], {"-1_20": NEG})
        case_id = case_of(s, "-1_20")
        assert case_id is not None
        desk.transition(s, case_id, "answered_publicly", actor="anna")  # now awaiting u1
        matched = ingest(s, [post("-1_21", "u2", "Зерно: холодно")],
                         enrichers=[labels(brand.id, {})]).mention_ids
        unmatched = ingest(s, [post("-1_90", "u1", "Спасибо, всё решили", minutes=30),
                               post("-1_91", "u9", "Погода сегодня", minutes=31)]).mention_ids
        s.commit()
        candidates, replies = case_candidates(s, [*matched, *unmatched])
        assert candidates == [matched[0], unmatched[0]]
        assert replies == {unmatched[0]}
