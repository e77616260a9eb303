"""The connector contract every network module implements, and the errors they raise.

One module per network sits on this shared base (the snscrape layout): a connector turns a
network's payloads into `Post`s and sends what the desk asks it to send. It decides nothing.
A network module names what it takes from here as `base.…` and declares only what differs: its
class attributes (the words people see, in `<network>_kinds.py` where they run long), its calls
and its pages. What every network does alike (retries, status codes, rate-limit windows, token
URLs, time parsing) lives here and in `http.py`.

Inbound: `fetch(cursor) -> (posts, next_cursor)`. A cursor is a plain JSON-serialisable dict kept
on the `sources` row; the poller persists it only after the page's posts are stored, so a crash
re-fetches a page rather than skipping it (at-least-once delivery + idempotent ingest).

Outbound, where the network allows it: `reply`, `send_private`, `post`, `edit`. Each returns the
network's id of what was sent, so the action row can keep it.

There is NO delete or hide method here or in any connector, on purpose: otklik never removes
criticism. A brand answers complaints; it does not make them disappear.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar

from otklik.domain.posts import Post
from otklik.sources.errors import (  # noqa: F401  (re-exported: the hierarchy lives here too)
    AuthFailed,
    BadResponse,
    NotSupported,
    RateLimited,
    SourceError,
    Unavailable,
)
from otklik.sources.http import Budget, HttpClient
from otklik.sources.oauth import spec_of
from otklik.sources.oauth import token_url as configured_token_url

Cursor = dict[str, Any]
"""Where polling resumes: JSON-serialisable (str, int, float, bool, None, lists, dicts)."""


@dataclass(slots=True)
class Listing:
    """A complete view of part of the brand's own pages, for noticing what was removed there.

    Either every stored comment of `thread_external_id` (other than the thread's root) should be in
    `seen`, or every stored mention among `expected` should be. What is missing was removed.
    """

    seen: set[str]
    thread_external_id: str | None = None
    expected: set[str] | None = None


@dataclass(slots=True)
class Page:
    """One page of a fetch: its posts, the cursor after it, whether another page follows now."""

    posts: list[Post]
    cursor: Cursor
    more: bool = False
    listings: list[Listing] = field(default_factory=list)


@dataclass(slots=True)
class Target:
    """What an outbound call is aimed at, in the network's own ids (read from stored rows)."""

    external_id: str  # a mention, an author or a place/channel, depending on the call
    parent_external_id: str | None = None
    thread_external_id: str | None = None
    place_external_id: str | None = None

    @classmethod
    def of(cls, row: Any) -> Target:
        """From a stored mention, author or place (anything with these attributes)."""
        place = getattr(row, "place", None)
        return cls(
            external_id=str(row.external_id),
            parent_external_id=getattr(row, "parent_external_id", None),
            thread_external_id=getattr(row, "thread_external_id", None),
            place_external_id=getattr(place, "external_id", None) if place is not None else None,
        )


@dataclass(frozen=True, slots=True)
class CredentialField:
    """One credential a network needs, as the connect form asks for it."""

    name: str
    label: str  # in Russian, with the English after " / "
    help: str = ""  # where to get it and what rights it needs
    required: bool = True
    help_en: str = ""  # the help in English (the source form in English shows it)


@dataclass(frozen=True, slots=True)
class ParamField:
    """One parameter of a source kind: the source form asks for it with its label and help,
    and the form and `otklik source add -p` check values by its `kind`."""

    name: str
    label_ru: str
    label_en: str
    help_ru: str = ""  # where to find it, in words: "число из адреса vk.com/club123"
    help_en: str = ""
    kind: str = "text"  # text, int, number, url, bool
    required: bool = False
    default: Any = None  # what the connector uses when the parameter is not given
    advanced: bool = False  # folded away on the form: most sources never need it


@dataclass(frozen=True, slots=True)
class KindSpec:
    """One source kind as people choose it: its name in words, what it reads, its parameters,
    which credentials it uses, and how "check connection" proves it works."""

    name: str
    label_ru: str
    label_en: str
    help_ru: str = ""
    help_en: str = ""
    params: tuple[ParamField, ...] = ()
    credentials: tuple[str, ...] | None = None  # names among credential_fields; None: all
    needs: tuple[str, ...] = ()  # credentials without which it cannot read
    check: str = "read"  # "read": one page with these values; "verify": the account's check
    found_ru: str = "«{name}» найдено"  # what a successful check found, {name} filled in
    found_en: str = "“{name}” found"


# A parameter many networks' kinds take, in the same words everywhere.
MAX_PAGES = ParamField("max_pages", "Страниц за один опрос", "Pages per poll", kind="int",
                       default=5, advanced=True)


def search_words(help_ru: str, help_en: str) -> ParamField:
    """The words a search kind looks for (`q`), with the network's own example."""
    return ParamField("q", "Слова для поиска", "Words to search for", help_ru, help_en,
                      required=True)


# What a connected account can do; the desk offers only what its channel's network declares.
READ, REPLY, PRIVATE, PUBLISH, CHECK = "read", "reply", "private", "publish", "check"


@dataclass(frozen=True, slots=True)
class Check:
    """Is a post otklik may have published already in the channel? (found, absent, unknown)"""

    verdict: str
    external_id: str | None = None
    detail: str = ""


_SPACE = re.compile(r"\s+")


def same_text(a: str, b: str) -> bool:
    """Equal as a reader sees them: whitespace and letter case aside."""
    return _SPACE.sub(" ", a).strip().casefold() == _SPACE.sub(" ", b).strip().casefold()


def iso_time(value: Any) -> datetime | None:
    """An ISO 8601 time as the JSON APIs write it (``2026-11-25T09:12:44.000Z``; without an
    offset: UTC), None when absent or malformed."""
    if not value:
        return None
    try:
        when = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Account:
    """What a verified credential gives: the brand's account at the network and its rights."""

    external_id: str  # the channel's id (VK: the community as -id; Telegram: the chat id)
    name: str
    kind: str  # the source kind that reads it (wall, bot, world…)
    capabilities: frozenset[str]
    audience: int | None = None
    url: str | None = None
    params: dict[str, Any] = field(default_factory=dict)  # for the source row that reads it
    problems: tuple[str, ...] = ()  # rights missing, in words


@dataclass(frozen=True, slots=True)
class Home:
    """The stored row a connector was built from and the key its credentials are sealed with,
    so a caller that only holds the connector (the send path) can store renewed ones there."""

    source_id: int
    secret_key: str = field(repr=False)


class Source(ABC):
    """A connector instance: one network, its params (what to pull) and its credentials.

    A network lives in its module: the class declares what the registry, the connect form,
    delivery and verification need (name, kinds, credentials, base-URL setting, capabilities,
    rate limit) and `verify`; nothing else in otklik names a network."""

    network: ClassVar[str]
    label: ClassVar[str] = ""  # the network's name for people
    kinds: ClassVar[tuple[str, ...]] = ()  # by default the names of `kind_specs`, in order
    credential_fields: ClassVar[tuple[CredentialField, ...]] = ()
    connect_fields: ClassVar[tuple[CredentialField, ...]] = ()  # plain params the form asks
    base_url_setting: ClassVar[str | None] = None  # Settings field: OTKLIK_<NETWORK>_API_URL
    default_url: ClassVar[str] = ""  # the network's own API, when the setting names none
    # its OAuth 2.0 tokens expire and are renewed with the refresh token, at the token URL of
    # its sign-in (`oauth.SPECS`; moved with the base-URL setting; a test passes `token_url`)
    renews_tokens: ClassVar[bool] = False
    capabilities: ClassVar[frozenset[str]] = frozenset({READ})
    kind_specs: ClassVar[tuple[KindSpec, ...]] = ()  # each kind's words and parameters
    # request budgets by name (the network, and any other host it reads, e.g. t.me pages)
    budgets: ClassVar[dict[str, Budget]] = {}
    sandbox: ClassVar[bool] = False  # a built-in practice network, marked wherever it appears
    # the network drops a repeated send carrying our idempotency key (VK: guid, random_id), so
    # a timed-out send may be retried by the HTTP client without posting twice
    deduplicates_sends: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "kinds" not in cls.__dict__ and "kind_specs" in cls.__dict__:
            cls.kinds = tuple(spec.name for spec in cls.kind_specs)

    def __init__(
        self,
        client: HttpClient,
        *,
        kind: str,
        params: dict[str, Any] | None = None,
        credentials: dict[str, Any] | None = None,
        base_url: str | None = None,
        token_url: str | None = None,
    ) -> None:
        if self.kinds and kind not in self.kinds:
            raise ValueError(f"{self.network}: unknown source kind {kind!r} (one of {self.kinds})")
        self.client = client
        self.kind = kind
        self.params = dict(params or {})
        self._credentials = dict(credentials or {})
        self.base_url = (base_url or self.default_base_url()).rstrip("/")
        self.token_url = token_url or (
            spec_of(self.network).token_url if self.renews_tokens else "")
        # credentials a refresh replaced, for the caller to store sealed on the source row:
        # a network that rotates refresh tokens (X) has just made the stored ones useless
        self.renewed: dict[str, str] | None = None
        self.home: Home | None = None  # set by a builder that knows the stored row

    @classmethod
    def default_base_url(cls) -> str:
        return cls.default_url

    @classmethod
    def kind_spec(cls, kind: str) -> KindSpec:
        """The kind's declaration; a plug-in that declares none gets its bare name."""
        for spec in cls.kind_specs:
            if spec.name == kind:
                return spec
        return KindSpec(kind, kind, kind)

    def __repr__(self) -> str:  # never shows credentials
        return f"<{type(self).__name__} {self.kind} {self.params!r}>"

    @abstractmethod
    async def fetch_page(self, cursor: Cursor | None) -> Page:
        """Fetch one page from `cursor` (None = first poll)."""

    async def fetch(self, cursor: Cursor | None) -> tuple[list[Post], Cursor]:
        """Fetch one page: its posts and the cursor to resume after them."""
        page = await self.fetch_page(cursor)
        return page.posts, page.cursor

    async def reply(self, to_mention: Target, text: str, *, idempotency_key: str = "") -> str:
        """Answer a mention publicly (a comment under it); returns the network's id."""
        raise NotSupported(f"{self.network}/{self.kind} cannot reply", network=self.network)

    async def send_private(self, author: Target, text: str, *, idempotency_key: str = "") -> str:
        """Write privately to an author; returns the network's message id."""
        raise NotSupported(f"{self.network}/{self.kind} cannot write privately",
                           network=self.network)

    async def post(self, channel: Target, text: str, *, idempotency_key: str = "") -> str:
        """Publish a post in one of the brand's channels; returns the network's id."""
        raise NotSupported(f"{self.network}/{self.kind} cannot post", network=self.network)

    async def edit(self, action: Target, text: str) -> str:
        """Change the text of something otklik sent (its network id in `action.external_id`)."""
        raise NotSupported(f"{self.network}/{self.kind} cannot edit", network=self.network)

    @classmethod
    def options(cls, settings: Any) -> dict[str, Any]:
        """Extra constructor arguments taken from settings (besides the base URL)."""
        if cls.renews_tokens:
            return {"token_url": configured_token_url(cls.network, settings)}
        return {}

    @classmethod
    def post_url(cls, channel_external_id: str, external_id: str) -> str | None:
        """The public link of a post otklik published in one of the brand's channels."""
        return None

    async def find_post(self, channel_external_id: str, text: str, since: datetime) -> Check:
        """Read the brand's channel back: is this text there, posted since `since`?"""
        return Check("unknown", detail=f"{self.network}: no way to read the channel back")

    def bind_channel(self, network: str, external_id: str, name: str = "") -> None:
        """Send as this brand channel (VK: the community a group token answers for)."""
        return None  # most networks send as whoever the token belongs to

    def bind_store(self, session: Any) -> None:
        """Write through the caller's store session, whose action commits (the sandbox, whose
        network lives in the store); a network elsewhere keeps nothing in the store."""
        return None

    async def verify(self) -> Account:
        """Check the credentials against the network: the account they give and its rights.
        Raises AuthFailed (wrong, revoked or expired) or Unavailable."""
        raise NotSupported(f"{self.network}: connecting an account is not supported here",
                           network=self.network)

    def renew(self, fresh: dict[str, str]) -> str:
        """Use the tokens a refresh gave from now on and hand them back (`renewed`); returns
        the new access token."""
        self._credentials.update(fresh)
        self.renewed = {**(self.renewed or {}), **fresh}
        return fresh["access_token"]

    def credential(self, name: str) -> str:
        """A credential by name, or AuthFailed naming what is missing (never its value)."""
        value = self._credentials.get(name)
        if not value:
            raise AuthFailed(f"{self.network}: credential {name!r} is not set",
                             network=self.network)
        return str(value)
