"""Copies posted in step, and the one-off posters of a coordinated burst.

Fixtures (real data): `ira_ru_refugees_in_step.jsonl`, the IRA #беженцы push of 2015-09-17 (13
accounts: five post one headline with its link in the same minute, eight another seven minutes
later; the headline is too short to compare as a near-duplicate); `ira_ru_hitech_news.jsonl`, the
IRA #hitech push of 2015-07-23 (11 accounts posting tech headlines, four pairs of them copying a
headline in the same minute, the others one each); `sentirueval_aggregators.jsonl`, SentiRuEval-2015
tweets within 20 minutes of seven moments when news aggregators posted one headline within the
same second or minute, each with its own link, prefix or tags (organic for the desk: no campaign).
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

from otklik.analytics.attacks import AttackParams, MentionRecord, detect_attacks, score_bursts
from otklik.analytics.coordination import lockstep

FIXTURES = Path(__file__).parent.parent / "fixtures" / "attacks"


def load(name: str) -> list[MentionRecord]:
    return [
        MentionRecord(d["id"], d["text"], d["author"], datetime.fromisoformat(d["created_at"]))
        for d in map(json.loads, (FIXTURES / name).read_text(encoding="utf-8").splitlines())
    ]


def in_outage(name: str) -> tuple[list[MentionRecord], list[MentionRecord]]:
    """The campaign moved into the SentiRuEval outage afternoon, its own timing kept."""
    organic, campaign = load("sentirueval_outage_wave.jsonl"), load(name)
    shift = organic[len(organic) // 2].created_at - campaign[0].created_at
    return organic, [replace(m, created_at=m.created_at + shift) for m in campaign]


def test_lockstep_needs_another_account_the_same_text_and_the_same_minute() -> None:
    times = np.array([0.0, 30.0, 40.0, 200.0, 210.0, 215.0])
    authors = np.array([1, 2, 2, 3, 4, 3])
    codes = np.array([7, 7, 7, 7, -1, 8])
    assert lockstep(times, authors, codes, 60).tolist() == [True, True, True, False, False, False]


def test_copies_posted_in_step_are_an_attack() -> None:
    organic, campaign = in_outage("ira_ru_refugees_in_step.jsonl")
    truth = {m.id for m in campaign}
    found = {i for a in detect_attacks([*organic, *campaign]) for i in a.mention_ids}
    assert found == truth
    # without the signal, only the five near-duplicate headlines were found
    off = replace(AttackParams(), lockstep=0.0)
    assert len({i for a in detect_attacks([*organic, *campaign], off) for i in a.mention_ids}) == 5


def test_aggregators_posting_a_headline_in_the_same_second_are_not_in_step() -> None:
    """Each aggregator posts the headline with its own link or tags: near-duplicates in the same
    second, but no word-for-word copy, so no lockstep and no attack."""
    stream = load("sentirueval_aggregators.jsonl")
    bursts = score_bursts(sorted(stream, key=lambda m: (m.created_at, m.id)), AttackParams())[0]
    assert max(b.signals["synchrony"] for b in bursts if not b.echo) > 0.9
    assert all(b.signals["lockstep_share"] == 0 for b in bursts if not b.echo)
    assert detect_attacks(stream) == []
    dense = [replace(m, created_at=stream[0].created_at + (m.created_at - stream[0].created_at)
                     / 50) for m in stream]
    assert detect_attacks(dense) == []


def test_one_off_posters_of_a_coordinated_burst_belong_to_it() -> None:
    organic, campaign = in_outage("ira_ru_hitech_news.jsonl")
    attacks = detect_attacks([*organic, *campaign])
    assert len(attacks) == 1
    assert set(attacks[0].mention_ids) == {m.id for m in campaign}
    assert attacks[0].signals["lockstep_share"] >= 0.5


def test_readers_linking_the_story_while_it_is_pushed_are_not_taken() -> None:
    """The smear's seed, copied by ten accounts, linked meanwhile by as many readers in their own
    words: the link's burst is then no longer mostly coordinating accounts, so the readers stay
    out and the copiers are still the attack."""
    smear = load("ira_ru_taxi_smear.jsonl")
    seed = [m for m in smear if m.text.startswith("Вот в такую") and m.created_at.day == 8]
    link = seed[0].text.split()[-1]
    t0, span = seed[0].created_at, seed[-1].created_at - seed[0].created_at
    words = ["ну и история", "жесть, никогда не закажу", "вот поэтому езжу на метро",
             "кто-нибудь знает, правда это?", "у меня было так же", "ужас какой",
             "и что, никто не ответил?", "надо писать жалобу", "а я им верил",
             "пересылаю всем знакомым"]
    readers = [replace(seed[0], id=f"reader{k}", author=f"reader{k}", text=f"{w} {link}",
                       created_at=t0 + span * (k + 0.5) / len(words))
               for k, w in enumerate(words)]
    organic = load("sentirueval_outage_wave.jsonl")
    shift = organic[0].created_at - t0
    moved = [replace(m, created_at=m.created_at + shift) for m in [*seed, *readers]]
    attacks = detect_attacks([*organic, *moved])
    found = {i for a in attacks for i in a.mention_ids}
    assert found == {m.id for m in seed}


def test_a_return_of_copies_in_step_is_part_of_the_same_attack() -> None:
    """The #беженцы push again a day later, by the same accounts: one attack, two bursts."""
    organic, campaign = in_outage("ira_ru_refugees_in_step.jsonl")
    again = [replace(m, id=f"{m.id}b", created_at=m.created_at + timedelta(days=1))
             for m in campaign]
    attacks = detect_attacks([*organic, *campaign, *again])
    assert len(attacks) == 1 and len(attacks[0].signals["bursts"]) == 2


HEADLINES = ["Apple выпустила обновление iOS", "Samsung показал новый складной телефон",
             "Яндекс запустил сервис доставки", "Google закрывает мессенджер Allo",
             "Intel отложила выпуск процессоров", "Tesla отзывает 100 тысяч машин",
             "Microsoft купила студию игр", "Сбербанк открыл лабораторию ИИ"]


def pushed_again(authors: list[str], after: datetime) -> list[MentionRecord]:
    """Eight headlines with #hitech by the given accounts, one each, forty minutes apart: no
    copy, no repeat, no step, so no attack alone."""
    return [MentionRecord(f"again{k}", f"{h}  #hitech", a, after + timedelta(minutes=40 * k))
            for k, (h, a) in enumerate(zip(HEADLINES, authors, strict=True))]


def test_the_campaigns_accounts_pushing_its_hashtag_again_are_its_return() -> None:
    organic, campaign = in_outage("ira_ru_hitech_news.jsonl")
    accounts = sorted({m.author for m in campaign})[:8]
    again = pushed_again(accounts, campaign[-1].created_at + timedelta(hours=20))
    assert detect_attacks([*organic, *again]) == []
    attacks = detect_attacks([*organic, *campaign, *again])
    assert len(attacks) == 1
    assert set(attacks[0].mention_ids) == {m.id for m in [*campaign, *again]}
    assert len(attacks[0].signals["bursts"]) == 2


def test_others_using_the_hashtag_later_are_not_its_return() -> None:
    organic, campaign = in_outage("ira_ru_hitech_news.jsonl")
    others = [f"reader{k}" for k in range(8)]
    again = pushed_again(others, campaign[-1].created_at + timedelta(hours=20))
    attacks = detect_attacks([*organic, *campaign, *again])
    assert len(attacks) == 1
    assert set(attacks[0].mention_ids) == {m.id for m in campaign}
    assert len(attacks[0].signals["bursts"]) == 1
