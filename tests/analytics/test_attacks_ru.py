"""Russian-language campaigns: a real business smear that comes back, in real Russian organic waves.

Fixtures (`tests/fixtures/attacks/README.md`): the IRA smear of a St Petersburg taxi firm
(2015-09-08/09: seed stories copied word for word by ~25 accounts, most of them once, one story
pushed again the next day), the SentiRuEval-2015 MTS-Ukraine outage afternoon (complaints and
rewritten news) and the US sanctions news hour (many retweets of the same headlines).
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

from otklik.analytics.attacks import AttackParams, MentionRecord, detect_attacks, score_bursts
from otklik.analytics.attacks import verbatim as verbatim_text

FIXTURES = Path(__file__).parent.parent / "fixtures" / "attacks"


def load(name: str) -> list[MentionRecord]:
    return [
        MentionRecord(d["id"], d["text"], d["author"], datetime.fromisoformat(d["created_at"]))
        for d in map(json.loads, (FIXTURES / name).read_text(encoding="utf-8").splitlines())
    ]

SMEAR_DAY2 = "2015-09-09T12"  # the seed story pushed again


def smear_in_outage() -> tuple[list[MentionRecord], list[MentionRecord]]:
    organic = load("sentirueval_outage_wave.jsonl")
    smear = load("ira_ru_taxi_smear.jsonl")
    shift = organic[0].created_at - smear[0].created_at
    return organic, [replace(m, created_at=m.created_at + shift) for m in smear]


def test_smear_that_comes_back_is_one_attack_with_two_bursts() -> None:
    organic, smear = smear_in_outage()
    attacks = detect_attacks([*organic, *smear])
    assert len(attacks) == 1
    attack, truth = attacks[0], {m.id for m in smear}
    found = set(attack.mention_ids)
    assert found <= truth, "organic posts reported as part of the smear"
    assert len(found) >= 0.7 * len(truth)
    # most accounts posted once: what gives them away is the seed they copied word for word
    assert attack.signals["repeat_account_share"] < 0.2
    assert attack.signals["copy_share"] == 1.0
    assert len(attack.signals["bursts"]) == 2
    day2 = {m.id for m in load("ira_ru_taxi_smear.jsonl")
            if m.created_at.strftime("%Y-%m-%dT%H") == SMEAR_DAY2}
    assert day2 and day2 <= found, "the return of the seed a day later belongs to the attack"
    assert "такси" in attack.signals["seeds"][0]["text"]
    assert "word-for-word copies" in attack.summary


def test_a_seed_copied_once_each_by_many_accounts_is_amplification() -> None:
    """One day of one seed story: ten accounts, one post each, no repeats, no co-posting."""
    organic, smear = smear_in_outage()
    day1 = {m.id for m in load("ira_ru_taxi_smear.jsonl") if m.created_at.day == 8}
    seed = [m for m in smear if m.text.startswith("Вот в такую") and m.id in day1]
    assert len({m.author for m in seed}) == len(seed) == 10
    attacks = detect_attacks([*organic, *seed])
    assert len(attacks) == 1 and set(attacks[0].mention_ids) == {m.id for m in seed}
    # the same posts passed on with attribution (`RT @source:`) are how people share a post
    shared = [replace(m, text=f"RT @spb_news: {m.text}") for m in seed]
    assert detect_attacks([*organic, *shared]) == []


def test_russian_outage_and_news_waves_are_not_attacks() -> None:
    outage = load("sentirueval_outage_wave.jsonl")
    news = load("sentirueval_news_wave.jsonl")
    assert len(outage) > 100 and sum("RT @" in m.text for m in news) >= 10
    assert detect_attacks(outage) == []
    assert detect_attacks(news) == []
    # the outage afternoon squeezed into 20 minutes: denser, still organic
    t0 = outage[0].created_at
    dense = [replace(m, created_at=t0 + (m.created_at - t0) / 9) for m in outage]
    assert detect_attacks(dense) == []


def test_small_return_of_a_seed_alone_is_not_an_attack() -> None:
    """The next day's four copies are a small seed: they count only as part of an attack."""
    smear = load("ira_ru_taxi_smear.jsonl")
    day2 = [m for m in smear if m.created_at.strftime("%Y-%m-%dT%H") == SMEAR_DAY2]
    assert len(day2) == 4
    assert detect_attacks([*load("sentirueval_outage_wave.jsonl"), *day2]) == []
    bursts = score_bursts(sorted(day2, key=lambda m: m.created_at), AttackParams())[0]
    assert bursts and all(b.echo or b.small for b in bursts)


def test_a_small_seed_copied_during_the_smear_is_one_more_of_its_seeds() -> None:
    """The warning to women, copied word for word by four accounts the next night, shares no
    account with the other seeds' copiers: too few to be a campaign alone, it is the smear's."""
    organic, smear = smear_in_outage()
    warning = {m.id for m in smear if m.text.startswith("Девушки, будьте осторожны")}
    assert len(warning) == 4
    attacks = detect_attacks([*organic, *smear])
    assert len(attacks) == 1 and warning <= set(attacks[0].mention_ids)
    assert set(attacks[0].mention_ids) <= {m.id for m in smear}
    alone = [m for m in smear if m.id in warning]
    assert detect_attacks([*organic, *alone]) == []


def test_verbatim_keeps_links_and_drops_attributed_retweets() -> None:
    assert verbatim_text("Вот  в такую ситуацию http://t.co/a") == "вот в такую ситуацию http://t.co/a"
    assert verbatim_text("RT @spb_news: Вот в такую ситуацию") == ""


def test_a_return_beyond_memory_is_not_attached() -> None:
    """The same four copies five days later are past `memory`: part of no attack. (Without them
    the day's two seed stories, which share one account only, are two attacks.)"""
    organic, smear = smear_in_outage()
    day2 = {m.id for m in load("ira_ru_taxi_smear.jsonl")
            if m.created_at.strftime("%Y-%m-%dT%H") == SMEAR_DAY2}
    later = [replace(m, created_at=m.created_at + timedelta(days=4)) if m.id in day2 else m
             for m in smear]
    attacks = detect_attacks([*organic, *later])
    assert attacks and not {i for a in attacks for i in a.mention_ids} & day2
    back = min(m.created_at for m in later if m.id in day2).isoformat()[:13]
    assert all(b["end"][:13] < back for a in attacks for b in a.signals["bursts"])


def test_attack_names_its_reply_targets_and_named_accounts() -> None:
    """Copies sent as replies to a local news account, naming another firm: the desk shows whom
    the campaign wrote to and whom it names."""
    organic, smear = smear_in_outage()
    sent = [replace(m, text=f"@fontanka_spb {m.text} лучше @taxi_other")
            if m.text.startswith("Вот в такую") else m for m in smear]
    attack = detect_attacks([*organic, *sent])[0]
    assert attack.signals["targets"] == ["@fontanka_spb"]
    assert attack.signals["named"] == ["@taxi_other"]


def test_people_sharing_the_seed_link_in_their_own_words_are_not_its_return() -> None:
    """Four readers link the same story the next night, each in their own words: a seed comes
    back only as copies."""
    organic, smear = smear_in_outage()
    seed = next(m for m in smear if m.text.startswith("Вот в такую"))
    link = seed.text.split()[-1]
    words = ["ну и история", "жесть, никогда не закажу", "вот поэтому езжу на метро",
             "кто-нибудь знает, правда это?"]
    later = max(m.created_at for m in smear) + timedelta(hours=12)
    readers = [replace(seed, id=f"reader{k}", author=f"reader{k}", text=f"{w} {link}",
                       created_at=later + timedelta(minutes=7 * k)) for k, w in enumerate(words)]
    attacks = detect_attacks([*organic, *smear, *readers])
    assert len(attacks) == 1
    assert not {m.id for m in readers} & set(attacks[0].mention_ids)
