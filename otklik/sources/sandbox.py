"""The sandbox network ("Песочница"): a practice network that lives in otklik's own store.

For the demo, for training new staff and for trying templates safely. What the brand sends is
kept in `sandbox_messages`; the brand's public answers come back through polling as the brand's
own posts in the thread (as they would from VK or Telegram), and simulated customers answer
private messages and public questions (a follow-up) after `OTKLIK_SANDBOX_REPLY_SECONDS`, in the
language they were written to: some satisfied, some not, some silent. The choice is a hash of
the person (private messages) or of the message's idempotency key (follow-ups), so a repeated
send gives the same story.

A sandbox source sends as any brand channel linked to it, whatever network that channel shows:
a VK community linked to the sandbox answers in its VK threads, but nothing leaves the machine.
This module is the one connector that reads the store: the store is where its "network" lives.

It never commits. What it sends joins the transaction of the caller's session (`bind_store`,
which the desk's send path calls): the action that sends commits its `sent` mark and the
sandbox's message together, so one is never kept without the other. Reads (polling, reading a
channel back) use a session of their own when none is bound, and write nothing.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import Engine, select, tuple_
from sqlalchemy.orm import Session

from otklik.db.models import Author as AuthorRow
from otklik.db.models import Mention, SandboxMessage
from otklik.domain.posts import Author, Place, Post
from otklik.sources import base
from otklik.sources.errors import NotSupported

PAGE = 200
ID_PREFIX = "sandbox-"


def is_sandbox_id(external_id: str | None) -> bool:
    """Was this sent through the sandbox (its "network id" is ours)?"""
    return bool(external_id) and str(external_id).startswith(ID_PREFIX)


def sandbox_url(external_id: str) -> str:
    """Where a person sees a sandbox message: the desk's own page for it."""
    return f"/sandbox/{external_id}"
# (what the customer says, in Russian and English); None: the customer stays silent
PRIVATE_ANSWERS: list[tuple[str, str] | None] = [
    ("Здравствуйте! Заказ 4417, вчера около семи вечера. Деньги списали дважды.",
     "Hi! Order 4417, yesterday around 7 pm. I was charged twice."),
    ("Спасибо, что написали. Всё произошло на Тверской, чек сохранила.",
     "Thanks for reaching out. It happened at the Tverskaya branch, I kept the receipt."),
    ("Номер карты не помню, но приложение показывало ошибку 502.",
     "I don't remember the card number, but the app showed error 502."),
    None,
]
FOLLOW_UP_ANSWERS: list[tuple[str, str] | None] = [
    ("Да, всё решили, спасибо большое!", "Yes, it's sorted, thank you very much!"),
    ("Да, деньги вернули, спасибо за помощь.", "Yes, I got my money back, thanks for the help."),
    ("Нет, проблема так и не решена, жду до сих пор.",
     "No, the problem is still not solved, I'm still waiting."),
    None,
]


@lru_cache(maxsize=8)
def _engine(url: str) -> Engine:
    from otklik.db.engine import make_engine

    return make_engine(url, pool_size=2)


def customer_answer(kind: str, key: str, russian: bool = True) -> str | None:
    """What the simulated customer answers (None: silent). `kind` is `private` (keyed by the
    person, so one customer always behaves alike) or `follow_up` (keyed by the message)."""
    options = PRIVATE_ANSWERS if kind == "private" else FOLLOW_UP_ANSWERS
    digest = int.from_bytes(hashlib.sha256(key.encode()).digest()[:4], "big")
    chosen = options[digest % len(options)]
    return None if chosen is None else chosen[0 if russian else 1]


def _russian(text: str) -> bool:
    return any("\u0400" <= ch <= "\u04ff" for ch in text)


class SandboxSource(base.Source):
    network = "sandbox"
    label = "Песочница (учебная сеть)"
    kind_specs = (base.KindSpec(
        "world", "Учебный мир", "The practice world",
        "Смоделированные клиенты: всё, что отправлено, остаётся в Отклике.",
        "Simulated customers: whatever is sent stays in otklik.",
        params=(base.ParamField("network", "Какую сеть изображает", "Network it stands for",
                                "Например vk", "E.g. vk", advanced=True),
                base.ParamField("channel", "ID канала бренда", "Brand channel id", advanced=True),
                base.ParamField("channel_name", "Название канала", "Channel name", advanced=True),
                base.ParamField("database_url", "Хранилище песочницы", "The sandbox's store",
                                "По умолчанию — хранилище Отклика", "otklik's own by default",
                                advanced=True)),
        check="verify", found_ru="«{name}» готова", found_en="“{name}” is ready"),)
    capabilities = frozenset({base.READ, base.REPLY, base.PRIVATE, base.PUBLISH, base.CHECK})
    sandbox = True

    def __init__(self, *args: Any, database_url: str = "", reply_seconds: float = 20.0,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.database_url = database_url or str(self.params.get("database_url") or "")
        self.reply_delay = timedelta(seconds=float(reply_seconds))
        self.channel_network = str(self.params.get("network") or "sandbox")
        self.channel_id = str(self.params.get("channel") or "sandbox-brand")
        self.channel_name = str(self.params.get("channel_name") or "")
        self._store: Session | None = None

    @classmethod
    def options(cls, settings: Any) -> dict[str, Any]:
        return {"database_url": settings.database_url,
                "reply_seconds": settings.sandbox_reply_seconds}

    def bind_channel(self, network: str, external_id: str, name: str = "") -> None:
        self.channel_network, self.channel_id, self.channel_name = network, external_id, name

    def bind_store(self, session: Session) -> None:
        self._store = session

    @contextmanager
    def _session(self) -> Iterator[Session]:
        """The bound session (the caller's transaction), else a read-only one of its own."""
        if self._store is not None:
            yield self._store
            return
        if not self.database_url:
            raise NotSupported("sandbox: no store to keep its messages in", network="sandbox")
        with Session(_engine(self.database_url), expire_on_commit=False) as session:
            yield session

    def _writer(self) -> Session:
        """The caller's session that sends commit; a sandbox bound to none cannot send."""
        if self._store is None:
            raise NotSupported("sandbox: sends go through the desk's send path (no store "
                               "session bound)", network="sandbox")
        return self._store

    deduplicates_sends = True  # a repeated key finds the first message

    async def find_post(self, channel_external_id: str, text: str, since: datetime) -> base.Check:
        with self._session() as session:
            rows = session.scalars(select(SandboxMessage).where(
                SandboxMessage.channel_external_id == channel_external_id,
                SandboxMessage.kind == "post", SandboxMessage.created_at >= since)).all()
        for row in rows:
            if base.same_text(row.text, text):
                return base.Check("found", row.external_id, "found in the sandbox")
        return base.Check("absent", detail="not among the sandbox channel's posts")

    async def verify(self) -> base.Account:
        return base.Account(external_id="sandbox", name=self.label, kind="world",
                            capabilities=self.capabilities)

    # ---------------------------------------------------------------- outbound
    async def reply(self, to_mention: base.Target, text: str, *, idempotency_key: str = "") -> str:
        session = self._writer()
        root = session.scalar(select(Mention).where(
            Mention.network == self.channel_network,
            Mention.external_id == to_mention.external_id))
        thread = to_mention.thread_external_id or to_mention.external_id
        place = to_mention.place_external_id or (
            root.place.external_id if root is not None and root.place else None)
        sent = self._keep(session, "reply", text, idempotency_key,
                          parent=to_mention.external_id, thread=thread, place=place)
        if "?" in text and root is not None and root.author is not None:
            answer = customer_answer("follow_up", sent.idempotency_key or sent.external_id,
                                     _russian(text))
            if answer:
                self._answer(session, sent, answer, root.author.external_id,
                             root.author.name, place)
        return sent.external_id

    async def send_private(self, author: base.Target, text: str, *,
                           idempotency_key: str = "") -> str:
        session = self._writer()
        person = session.scalar(select(AuthorRow).where(
            AuthorRow.network == self.channel_network,
            AuthorRow.external_id == author.external_id))
        dialog = f"dm:{self.channel_id}:{author.external_id}"
        sent = self._keep(session, "private", text, idempotency_key, parent=None,
                          thread=dialog, place=dialog)
        answer = customer_answer("private", f"{self.channel_id}:{author.external_id}",
                                 _russian(text))
        if answer:
            self._answer(session, sent, answer, author.external_id,
                         person.name if person else None, dialog)
        return sent.external_id

    async def post(self, channel: base.Target, text: str, *, idempotency_key: str = "") -> str:
        sent = self._keep(self._writer(), "post", text, idempotency_key, parent=None,
                          thread=None, place=self.channel_id)
        return sent.external_id

    async def edit(self, action: base.Target, text: str) -> str:
        row = self._writer().scalar(select(SandboxMessage).where(
            SandboxMessage.external_id == action.external_id))
        if row is None:
            raise NotSupported(f"sandbox: no message {action.external_id}", network="sandbox")
        row.text = text
        return row.external_id

    def _keep(self, session: Session, kind: str, text: str, key: str, *, parent: str | None,
              thread: str | None, place: str | None) -> SandboxMessage:
        """Store what the brand sent, once per idempotency key (a retry finds the first)."""
        if key:
            found = session.scalar(select(SandboxMessage).where(
                SandboxMessage.idempotency_key == key))
            if found is not None:
                return found
        now = datetime.now(UTC)
        row = SandboxMessage(
            network=self.channel_network, external_id=f"{ID_PREFIX}{uuid.uuid4().hex[:12]}",
            kind=kind, from_brand=True, channel_external_id=self.channel_id,
            author_external_id=self.channel_id, author_name=self.channel_name or None,
            parent_external_id=parent, thread_external_id=thread, place_external_id=place,
            text=text, idempotency_key=key or None, created_at=now, due_at=now)
        session.add(row)
        session.flush()
        return row

    def _answer(self, session: Session, to: SandboxMessage, text: str, author: str,
                name: str | None, place: str | None) -> None:
        """The simulated customer's answer, delivered after the reply delay."""
        now = datetime.now(UTC)
        session.add(SandboxMessage(
            network=to.network, external_id=f"{ID_PREFIX}{uuid.uuid4().hex[:12]}", kind=to.kind,
            from_brand=False, channel_external_id=to.channel_external_id,
            author_external_id=author, author_name=name, parent_external_id=to.external_id,
            thread_external_id=to.thread_external_id, place_external_id=place, text=text,
            created_at=now + self.reply_delay, due_at=now + self.reply_delay))

    # ---------------------------------------------------------------- inbound
    async def fetch_page(self, cursor: base.Cursor | None) -> base.Page:
        """Every public message and every customer's answer once it is due, oldest first."""
        cursor = cursor or {}
        after = (datetime.fromisoformat(cursor["due"]) if cursor.get("due")
                 else datetime(1970, 1, 1, tzinfo=UTC), int(cursor.get("id") or 0))
        with self._session() as session:
            rows = session.scalars(
                select(SandboxMessage)
                .where(tuple_(SandboxMessage.due_at, SandboxMessage.id) > after,
                       SandboxMessage.due_at <= datetime.now(UTC))
                .order_by(SandboxMessage.due_at, SandboxMessage.id).limit(PAGE)).all()
        if not rows:
            return base.Page([], dict(cursor))
        posts = [_post(row) for row in rows if not (row.from_brand and row.kind == "private")]
        last = rows[-1]
        return base.Page(posts, {"due": last.due_at.isoformat(), "id": last.id},
                         more=len(rows) == PAGE)


def _post(row: SandboxMessage) -> Post:
    private = row.kind == "private"
    place = Place(external_id=row.place_external_id, kind="private" if private else None,
                  name="Личные сообщения (песочница)" if private else None) \
        if row.place_external_id else None
    return Post(
        network=row.network, external_id=row.external_id, text=row.text,
        created_at=row.due_at if row.due_at.tzinfo else row.due_at.replace(tzinfo=UTC),
        author=Author(external_id=row.author_external_id, name=row.author_name),
        place=place, parent_external_id=row.parent_external_id,
        thread_external_id=None if private else row.thread_external_id,
        raw={"sandbox": True, "kind": row.kind, "from_brand": row.from_brand})
