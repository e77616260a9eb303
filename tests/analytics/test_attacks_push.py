"""A hashtag push whose accounts mostly write their own texts, with a few copies posted in step.

Real data, inline: the IRA `#Paris` push of 2015-11-13 23:15–23:57 UTC (`Russian` tweets of
`ira_tweets_dev.csv.gz`, the `#paris` tuning case of `bench/attacks_ru.py`): one account posts the
tag ten times in its own words, and three others post one headline with its link in the same
minute. Copies in step are three of the sixteen posts, but no organic burst has any: while they
weighed by their share, the push scored 0.32 and was missed. In the SentiRuEval outage afternoon.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from otklik.analytics.attacks import AttackParams, MentionRecord, detect_attacks, score_bursts

FIXTURES = Path(__file__).parent.parent / "fixtures" / "attacks"
STEP = "Все границы Парижа перекрыты, чтобы не дать террористам скрыться! #Paris #Париж " \
       "#PorteOuverte #OpenDoor https://t.co/aJ4TdSdWkq"
PUSH = [
    ("23:15", "ComradZampolit", "По данным французских СМИ, в районе торгового центра Les Halles "
     "произошла новая перестрелка #Paris"),
    ("23:24", "ComradZampolit", "#ПарижБорись! - борись с террористами ради жизни, ради всего "
     "светлого, что есть на Земле  #Paris"),
    ("23:27", "ComradZampolit", "Прямо сейчас полиция готовится к штурму концертного зала с "
     "заложниками #Paris"),
    ("23:30", "ComradZampolit", "Возможно я слишком эмоционален, но не чувствует ли сейчас Шарли "
     "Эбдо ответственность за жизни всех невидных, провоцировав мусульман?? #Paris"),
    ("23:32", "ComradZampolit", "Франсуа Олланд заявил, что знает, кто стоит за атаками в Париже. "
     "Знает, но допустил? #Paris #ПарижБорись"),
    ("23:36", "LisaGrape", "Полиция Парижа, просит людей оставаться дома, сейчас в городе "
     "небезопасно!! #Paris #Париж https://t.co/vavGZeGK9m"),
    ("23:40", "ComradZampolit", "По обновленным данным, два взрыва возле стадиона Stade de France "
     "это не гранаты, а террористы-смертники #Paris #ПарижБорись"),
    ("23:46", "ComradZampolit", "Как можно допустить, чтобы в центре европейской столицы "
     "одновременно происходило 4 теракта?? Такого мировая история ещё не знала.. #Paris"),
    ("23:50", "ComradZampolit", "Меркель равномерно распределяла беженцев по всей Европе. И как "
     "будет теперь разрываться эта заложенная бомба? #Paris #ПарижБорись"),
    ("23:53", "ComradZampolit", "Совсем страшно мне становится, когда я представляю,какая там "
     "агентурная сеть и сколько у них денег,чтобы совершить такое #Paris #ПарижБорись"),
    ("23:55", "GirshVasilisa", STEP),
    ("23:55", "july_reutova", STEP),
    ("23:55", "ErovinKolorad", STEP),
    ("23:55", "ErovinKolorad", "#paris #париж #PorteOuverte #OpenDoor  https://t.co/V7phWXvhAL"),
    ("23:57", "ComradZampolit", "На улицах Парижа для обеспечения безопасности дежурят военные. "
     "Надеюсь, что армия сможет предотвратить новые теракты #Paris #ПарижБорись"),
    ("23:57", "NinokStrange", "Сейчас в Париже! #Париж #Paris https://t.co/U1LysRbqv4"),
]


def load(name: str) -> list[MentionRecord]:
    return [
        MentionRecord(d["id"], d["text"], d["author"], datetime.fromisoformat(d["created_at"]))
        for d in map(json.loads, (FIXTURES / name).read_text(encoding="utf-8").splitlines())
    ]


def push_in_outage(
    rows: list[tuple[str, str, str]] = PUSH,
) -> tuple[list[MentionRecord], list[MentionRecord]]:
    """The push, its own timing kept, in the middle of the outage afternoon."""
    organic = load("sentirueval_outage_wave.jsonl")
    push = [MentionRecord(f"paris{k}", text, f"ira_{who}",
                          datetime.fromisoformat(f"2015-11-13T{hm}:00").replace(tzinfo=UTC))
            for k, (hm, who, text) in enumerate(rows)]
    shift = organic[len(organic) // 2].created_at - push[0].created_at
    return organic, [replace(m, created_at=m.created_at + shift) for m in push]


def test_a_push_with_a_few_copies_in_step_is_an_attack() -> None:
    organic, push = push_in_outage()
    attacks = detect_attacks([*organic, *push])
    assert len(attacks) == 1
    assert set(attacks[0].mention_ids) == {m.id for m in push}
    recs = sorted([*organic, *push], key=lambda m: (m.created_at, m.id))
    tag = next(b for b in score_bursts(recs, AttackParams())[0] if b.key == ("hashtag", "#paris"))
    assert tag.signals["lockstep_accounts"] == 3
    assert tag.signals["lockstep_share"] < 0.2  # few of its posts: their presence decides
    assert tag.score >= AttackParams().threshold


def test_the_same_push_without_its_copies_in_step_is_not() -> None:
    """One account posting a tag again and again among a few others is what a fan or an angry
    customer does too: without the copies in step the push is not reported."""
    organic, push = push_in_outage([r for r in PUSH if r[2] != STEP or r[1] == "GirshVasilisa"])
    assert detect_attacks([*organic, *push]) == []


def test_the_outage_afternoon_alone_has_no_copies_in_step() -> None:
    organic = load("sentirueval_outage_wave.jsonl")
    recs = sorted(organic, key=lambda m: (m.created_at, m.id))
    bursts = score_bursts(recs, AttackParams())[0]
    assert all(b.signals["lockstep_accounts"] == 0 for b in bursts if not b.echo)
    assert detect_attacks(organic) == []
