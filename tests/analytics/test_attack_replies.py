"""Replies converging on a few targets with one recommendation: the smear dressed as complaints.

The organic side is real (fixtures, `tests/fixtures/attacks/README.md`): the SentiRuEval MTS-Ukraine
outage afternoon, an hour of real customers replying to @AmericanAir with their own complaints,
and Southwest contest fans replying to @SouthwestAir and naming @Imaginedragons. The campaign side
is SYNTHETIC: the real smear has one such reply, so seven one-post accounts are written here
answering two accounts (the smear's real reply targets) about "068", each recommending «Такси Б».
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from otklik.analytics.attacks import AttackParams, MentionRecord, detect_attacks, score_bursts
from otklik.analytics.attacks_replies import recommendations, reply_targets
from tests.analytics.test_attacks_ru import load

# SYNTHETIC: (target, complaint and recommendation)
WRITTEN = [
    ("@MariaMozhaiskay", "у меня так же было с 068: час ждала машину. Уехала на «Такси Б»"),
    ("@leprasorium", "водитель 068 вёз меня кругами. Советую «Такси Б», цена фиксированная"),
    ("@MariaMozhaiskay", "068 испортили поездку в аэропорт. Теперь только «Такси Б»"),
    ("@MariaMozhaiskay @leprasorium", "звонила в 068 трижды, никто не взял трубку. «Такси Б»!"),
    ("@leprasorium", "в 068 нахамили диспетчеры, больше не звоню. «Такси Б» хотя бы вежливые"),
    ("@MariaMozhaiskay", "мама ждала 068 на морозе 40 минут. Попробуйте «Такси Б»"),
    ("@leprasorium", "машины 068 грязные, водители курят. Я теперь с «Такси Б»"),
]


def written(start: datetime, to: str | None = None, advice: bool = True) -> list[MentionRecord]:
    """The synthetic replies, one account each, every 40 minutes from `start`."""
    out = []
    for n, (target, text) in enumerate(WRITTEN):
        body = text if advice else text.split(".")[0]
        out.append(MentionRecord(f"synth{n}", f"{to or target} {body}", f"synth_r{n}",
                                 start + timedelta(minutes=40 * n)))
    return out


def test_replies_converging_with_one_recommendation_are_an_attack() -> None:
    organic = load("sentirueval_outage_wave.jsonl")
    replies = written(organic[0].created_at)
    attacks = detect_attacks([*organic, *replies])
    assert len(attacks) == 1
    attack = attacks[0]
    assert set(attack.mention_ids) == {m.id for m in replies}
    assert attack.signals["converge_share"] == 1.0
    assert attack.signals["recommends"] == ["«Такси Б»"]
    assert set(attack.signals["targets"]) == {"@mariamozhaiskay", "@leprasorium"}


def test_the_recommendation_written_without_quotes_is_the_same_campaign() -> None:
    """Two more fresh voices, two hours after the last, name the competitor without quotes; a
    fresh reader writes to the same account without naming it: they are the campaign's, the reader
    is not."""
    organic = load("sentirueval_outage_wave.jsonl")
    replies = written(organic[0].created_at)
    later = replies[-1].created_at + timedelta(hours=2)
    unquoted = [
        MentionRecord("synth-u1", "@leprasorium опять 068 опоздали. Берите такси Б, проверено",
                      "synth_u1", later),
        MentionRecord("synth-u2", "@MariaMozhaiskay в 068 грубят. я теперь с такси Б", "synth_u2",
                      later + timedelta(minutes=30)),
    ]
    reader = MentionRecord("reader", "@leprasorium а где почитать про это подробнее?", "reader1",
                           later + timedelta(minutes=10))
    attacks = detect_attacks([*organic, *replies, *unquoted, reader])
    assert len(attacks) == 1
    assert set(attacks[0].mention_ids) == {m.id for m in [*replies, *unquoted]}


def test_the_same_replies_without_a_recommendation_are_complaints() -> None:
    organic = load("sentirueval_outage_wave.jsonl")
    assert detect_attacks([*organic, *written(organic[0].created_at, advice=False)]) == []


def test_replies_to_the_account_everyone_replies_to_are_customers() -> None:
    """An hour of real customers replying to @AmericanAir; the written replies sent there too."""
    wave = load("airline_complaint_wave.jsonl")
    replies = written(wave[0].created_at - timedelta(minutes=30), to="@AmericanAir")
    assert detect_attacks([*wave, *replies]) == []
    # and when the desk lists the brand's own accounts, they are never a target
    own = AttackParams(own_accounts=frozenset({"americanair"}))
    alone = written(wave[0].created_at, to="@AmericanAir")
    assert detect_attacks(alone, own) == []


def test_organic_reply_waves_converge_on_no_one() -> None:
    for name in ("sentirueval_outage_wave.jsonl", "airline_complaint_wave.jsonl",
                 "airline_contest_fans.jsonl"):
        recs = sorted(load(name), key=lambda m: (m.created_at, m.id))
        for burst in score_bursts(recs, AttackParams())[0]:
            assert burst.signals.get("converge_share", 0.0) == 0.0, (name, burst.key)
    fans = load("airline_contest_fans.jsonl")  # a week of fans squeezed into an hour
    t0 = fans[0].created_at
    assert detect_attacks([replace(m, created_at=t0 + (m.created_at - t0) / 168)
                           for m in fans]) == []


def test_targets_and_recommendations_of_a_reply() -> None:
    text = "@Fontanka_spb @leprasorium пишите на help@taxi.ru, берите «Такси Б» или @TaxiB"
    assert reply_targets(text) == {"fontanka_spb", "leprasorium"}
    assert reply_targets(text, own={"leprasorium"}) == {"fontanka_spb"}
    assert reply_targets("не ответ @leprasorium") == set()
    assert recommendations(text, reply_targets(text)) == ["@taxib", "«такси б»"]

