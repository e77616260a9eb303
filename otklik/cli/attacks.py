"""`otklik attacks [FILE|-]`: coordinated campaigns in a stream of mentions (DESIGN.md contract).

Input: JSON Lines `{"id", "text", "author", "created_at", "lang"?, "followers"?,
"author_created_at"?, "place"?, "parent_id"?}`. Output: one JSON document `{"attacks": [...]}`;
an organic stream gives an empty list. A bad line stops the command with exit code 2 and the
line number on stderr, before anything is printed.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from otklik.analytics.attacks import AttackParams, MentionRecord, detect_attacks
from otklik.cli._common import fail, read_lines
from otklik.flow.importers import parse_time


def record_from_json(obj: Any) -> MentionRecord:
    """One input line as a `MentionRecord`; ValueError names the field that is wrong."""
    if not isinstance(obj, dict):
        raise ValueError("expected a JSON object")
    for name in ("id", "author"):
        value = obj.get(name)
        if isinstance(value, bool) or not isinstance(value, str | int) or value == "":
            raise ValueError(f"{name}: missing, or not a string or integer")
    text = obj.get("text")
    if not isinstance(text, str):
        raise ValueError("text: missing or not a string")
    followers = obj.get("followers")
    if followers is not None and (isinstance(followers, bool) or not isinstance(followers, int)):
        raise ValueError(f"followers: {followers!r} is not an integer")
    author_created = obj.get("author_created_at")
    optional = {k: obj.get(k) for k in ("lang", "place", "parent_id")}
    for k, v in optional.items():
        if v is not None and not isinstance(v, str | int):
            raise ValueError(f"{k}: {v!r} is not a string")
    return MentionRecord(
        id=str(obj["id"]), text=text, author=str(obj["author"]),
        created_at=parse_time(obj.get("created_at"), "created_at"),
        lang=None if optional["lang"] is None else str(optional["lang"]),
        followers=followers,
        author_created_at=(
            None if author_created in (None, "") else
            parse_time(author_created, "author_created_at")
        ),
        place=None if optional["place"] is None else str(optional["place"]),
        parent_id=None if optional["parent_id"] is None else str(optional["parent_id"]),
    )


def attacks(
    file: Annotated[str, typer.Argument(help="JSON Lines of mentions, or - for stdin")] = "-",
    min_accounts: Annotated[
        int, typer.Option(help="Fewest accounts in a campaign")
    ] = AttackParams.min_accounts,
    threshold: Annotated[
        float, typer.Option(help="Coordination score to report")
    ] = AttackParams.threshold,
) -> None:
    """Detect coordinated campaigns (information attacks) in a stream of mentions."""
    records: list[MentionRecord] = []
    original_ids: dict[str, Any] = {}
    name = "<stdin>" if file in ("", "-") else file
    for number, line in read_lines(file):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            rec = record_from_json(obj)
        except (json.JSONDecodeError, ValueError) as exc:
            fail(f"{name}:{number}: {exc}")
        records.append(rec)
        original_ids.setdefault(rec.id, obj["id"])
    params = AttackParams(min_accounts=min_accounts, threshold=threshold)
    found = []
    for attack in detect_attacks(records, params):
        doc = attack.to_json()
        doc["mention_ids"] = [original_ids.get(i, i) for i in attack.mention_ids]
        found.append(doc)
    typer.echo(json.dumps({"attacks": found}, ensure_ascii=False))


def register(app: typer.Typer) -> None:
    app.command("attacks")(attacks)
