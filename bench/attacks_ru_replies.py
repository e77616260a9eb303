"""SYNTHETIC extension of the taxi smear: replies dressed as customer complaints.

The real smear (`attacks_ru.py`, IRA 2015-09-08/09) has one such reply: "@MariaMozhaiskay может
единичная история?не пользуюсь этим такси, у них неудобное приложение". The Russian part of the
IRA corpus holds no reply campaign large enough to measure, so nine replies are WRITTEN HERE (not
real data): nine one-post accounts (`synth_r*`) answer the smear's two real reply targets and one
local news account over seven hours on 2015-09-09, each with their own complaint about "068", seven
recommending «Такси Б» (an invented competitor) in quotes and two writing it without quotes (taken
only when sent to a target the quoted ones converge on, within `AttackParams.gap`: the one to
@fontanka_spb, which a single quoted reply went to, is missed). Figures printed here are for
synthetic cases only and are kept apart from the real-data figures of `attacks_ru.py`.

Cases, each mixed into the three Russian organic streams as in `attacks_ru.py` and into the
2014-08-06 outage day (591 real tweets, many of them complaints replying to the operator):
- replies + the real smear; replies alone (the convergence signal without copied seeds);
- controls that must give no attack: the same replies sent to the brand's own account (`@ru_mts`,
  listed in `own_accounts`); sent to the account the stream's own replies of those days go to
  most (not listed: the detector must tell it from how much else it gets); and sent to the same
  few targets with the recommendation removed (only complaints).

Run: nice -n 10 .venv/bin/python bench/attacks_ru_replies.py (also at the end of attacks_ru.py)
"""

from __future__ import annotations

import random
import re
import sys
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from attacks import mix  # noqa: E402

from otklik.analytics.attacks import AttackParams, MentionRecord, detect_attacks  # noqa: E402
from otklik.analytics.attacks_replies import reply_targets  # noqa: E402

# (minutes after 2015-09-09 01:40 UTC, target(s), complaint, recommendation); SYNTHETIC, written
# for this bench
REPLIES = [
    (0, "@MariaMozhaiskay", "у меня так же было с 068: час ждала машину.",
     "В итоге уехала на «Такси Б», там приехали за 5 минут"),
    (35, "@leprasorium", "водитель 068 вёз меня через весь город кругами.",
     "Советую «Такси Б», у них фиксированная цена"),
    (80, "@MariaMozhaiskay", "не вы одна, 068 мне в прошлом месяце испортили поездку в аэропорт.",
     "Теперь только «Такси Б»"),
    (130, "@MariaMozhaiskay @leprasorium", "звонила в 068 трижды, никто не взял трубку.",
     "Вызвала «Такси Б» — и никаких проблем"),
    (170, "@fontanka_spb", "напишите уже про 068, сколько можно.",
     "Все знакомые давно перешли на «Такси Б»"),
    (220, "@leprasorium", "в 068 нахамили диспетчеры, больше не звоню.",
     "«Такси Б» хотя бы вежливые"),
    (290, "@MariaMozhaiskay", "мама ждала 068 на морозе 40 минут.",
     "Попробуйте «Такси Б», не пожалеете"),
    (350, "@fontanka_spb", "опять 068 опоздали, ребёнок чуть не пропустил поезд.",
     "Берите такси Б, проверено"),
    (410, "@leprasorium", "кто ещё пользуется 068? машины грязные, водители курят.",
     "я теперь с такси Б"),
]
START = datetime(2015, 9, 9, 1, 40, tzinfo=UTC)


def synthetic_replies(to: str | None = None, recommend: bool = True) -> list[MentionRecord]:
    """The nine SYNTHETIC replies; `to` sends them all to one account, `recommend=False` drops
    the competitor (and its sentence) from each."""
    out = []
    for n, (minutes, targets, complaint, advice) in enumerate(REPLIES, 1):
        text = f"{complaint} {advice}" if recommend else complaint
        out.append(MentionRecord(f"synth-reply-{n}", f"{to or targets} {text}", f"synth_r{n}",
                                 START + timedelta(minutes=minutes)))
    return out


def _busiest(stream: list[MentionRecord], around: datetime) -> str:
    """The account the stream's own replies in the day either side of `around` go to most."""
    near = [m for m in stream if abs(m.created_at - around) <= timedelta(days=1)]
    count = Counter(h for m in near for h in reply_targets(m.text))
    return f"@{count.most_common(1)[0][0]}" if count else ""


def run(streams: dict[str, list[MentionRecord]], smear: list[MentionRecord],
        rng: random.Random, params: AttackParams) -> None:
    """Print each SYNTHETIC case on each stream: attacks, and recall of real and synthetic posts."""
    own = replace(params, own_accounts=frozenset({"ru_mts"}))
    print("SYNTHETIC reply cases (9 written replies, 7 quoting «Такси Б»; not real data):")
    for sname, stream in streams.items():
        cases = {
            "replies + real smear": (smear + synthetic_replies(), params, True),
            "replies alone": (synthetic_replies(), params, True),
            "control: to own @ru_mts": (synthetic_replies(to="@ru_mts"), own, False),
            "control: to the busiest account": (synthetic_replies(), params, False),
            "control: no recommendation": (synthetic_replies(recommend=False), params, False),
        }
        for name, (posts, p, attack) in cases.items():
            mixed = mix(stream, posts, rng, followers=False)
            if name.endswith("busiest account"):  # readdressed where they landed
                organic, moved_posts = mixed[:-len(posts)], mixed[-len(posts):]
                to = _busiest(organic, moved_posts[0].created_at)
                if not to:
                    print(f"  {name:40} on {sname:8}: skipped, no organic replies in the window")
                    continue
                name = f"control: to the busiest {to}"
                mixed = [*organic, *(replace(m, text=re.sub(r"^(@\w+\s*)+", f"{to} ", m.text))
                                     for m in moved_posts)]
            moved = {m.id for m in mixed[-len(posts):]}
            attacks = detect_attacks(mixed, p)
            found = {i for a in attacks for i in a.mention_ids}
            real = {m.id for m in posts if not m.id.startswith("synth")}
            synth = moved - real
            hit = [a for a in attacks if set(a.mention_ids) & moved]
            line = (f"  {name:40} on {sname:8}: attacks with its posts {len(hit)}, "
                    f"synthetic replies found {len(found & synth)}/{len(synth)}")
            if real:
                line += f", real smear posts found {len(found & real)}/{len(real)}"
            print(line + f", organic posts in attacks {len(found - moved)}"
                  + ("" if attack else "  (control: want 0 attacks)"))

if __name__ == "__main__":
    from attacks_ru import organic_checks, ru_campaigns, streams

    rng = random.Random(7)
    st = streams(rng)
    st["outage"] = organic_checks(st)["outage 2014-08-06"]
    run(st, ru_campaigns()[0]["posts"], rng, AttackParams())
