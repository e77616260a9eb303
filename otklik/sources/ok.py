"""Odnoklassniki through the OK REST API (``https://api.ok.ru/fb.do``, the methods documented
at apiok.ru/dev/methods/rest), setting ``OTKLIK_OK_API_URL``. Every request is signed
(`ok_items.signature`).

Kind of source:
- ``group``: the brand group's topics and their comments (param ``gid``). A poll reads the
  newest topics (`mediatopic.getTopics`, ``count`` 20 by default), then the comments of each
  topic whose comment count changed since it was last read (`discussions.getComments`,
  ``discussionType=GROUP_TOPIC``, 100 a page, paged with ``anchor``), one topic a page.

Outbound: a public reply under a topic or to a comment (`discussions.addComment` with
``reply_to_comment_id``), as the account the token belongs to.

Credentials: ``access_token`` (scopes VALUABLE_ACCESS, GROUP_CONTENT, LONG_ACCESS_TOKEN),
``application_key`` (the app's public key) and ``application_secret_key``; or, instead of the
app's secret, the ``session_secret_key`` OK gives with the token. Errors come as HTTP 200 with
``error_code``; 11 (LIMIT_REACHED) is RateLimited, session and signature errors AuthFailed.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import httpx

from otklik.domain.posts import Place, Post
from otklik.sources import base
from otklik.sources.errors import BadResponse
from otklik.sources.http import Budget, default_check, parse_json
from otklik.sources.ok_items import (
    OK_WEB,
    Entities,
    comment_post,
    ok_error,
    session_secret,
    signature,
    topic_post,
)
from otklik.sources.ok_kinds import CONNECT_FIELDS, CREDENTIALS, KIND_SPECS

log = logging.getLogger("otklik.sources.ok")

COMMENTS_PAGE = 100
MAX_COMMENT_PAGES = 10  # 1,000 comments of one topic per pass at most
TOPIC_FIELDS = "media_topic.*,group.NAME,group.UID,user.NAME,user.UID"
COMMENT_FIELDS = ("comment.ID,comment.TEXT,comment.DATE,comment.AUTHOR_ID,comment.AUTHOR_NAME,"
                  "comment.REPLY_TO_ID,comment.REPLY_TO_COMMENT_ID,comment.LIKE_COUNT,"
                  "user.NAME,user.UID")
COUNTS_KEPT = 500  # topics whose comment count the cursor remembers


class OKSource(base.Source):
    network = "ok"
    label = "Одноклассники"
    kind_specs = KIND_SPECS
    credential_fields = CREDENTIALS
    connect_fields = CONNECT_FIELDS
    base_url_setting = "ok_api_url"
    default_url = "https://api.ok.ru"
    capabilities = frozenset({base.READ, base.REPLY})
    budgets = {"ok": Budget(3, 5)}  # OK asks for no more than a few requests a second

    # ---------------------------------------------------------------- transport
    def _secret(self) -> str:
        if self._credentials.get("session_secret_key"):
            return self.credential("session_secret_key")
        return session_secret(self.credential("access_token"),
                              self.credential("application_secret_key"))

    def signed(self, method: str, params: dict[str, Any]) -> dict[str, str]:
        """The request's parameters with ``sig`` and the token added."""
        query = {k: str(v) for k, v in params.items() if v is not None}
        query.update(method=method, format="json",
                     application_key=self.credential("application_key"))
        query["sig"] = signature(query, self._secret())
        query["access_token"] = self.credential("access_token")
        return query

    async def call(self, method: str, **params: Any) -> Any:
        """One signed method call (POST form, so the token stays out of logged URLs)."""
        data = self.signed(method, params)
        holder: dict[str, Any] = {}

        def check(response: httpx.Response) -> None:
            default_check(response, "ok")
            payload = parse_json(response, "ok")
            if isinstance(payload, dict) and payload.get("error_code") is not None:
                raise ok_error(payload)
            holder["payload"] = payload

        await self.client.request("ok", "POST", f"{self.base_url}/fb.do", data=data,
                                  secrets=(data["access_token"], data["sig"]), check=check)
        return holder["payload"]

    async def call_obj(self, method: str, **params: Any) -> dict[str, Any]:
        """A method whose answer is an object."""
        payload = await self.call(method, **params)
        if not isinstance(payload, dict):
            raise BadResponse(f"ok: {method}: the answer is not an object", network="ok")
        return payload

    def _gid(self) -> str:
        gid = str(self.params.get("gid") or "").strip()
        if not re.fullmatch(r"\d{1,20}", gid):
            raise ValueError("ok group source needs params.gid (the group's numeric id)")
        return gid

    def _place(self) -> Place:
        gid = self._gid()
        return Place(external_id=gid, name=self.params.get("name"), kind="group",
                     url=f"{OK_WEB}/group/{gid}")

    async def verify(self) -> base.Account:
        """`group.getInfo` of the brand group: that the token and signature are accepted."""
        gid = self._gid()
        found = await self.call("group.getInfo", uids=gid, fields="uid,name,members_count")
        groups = found if isinstance(found, list) else [found]
        group = groups[0] if groups and isinstance(groups[0], dict) else {}
        if str(group.get("uid") or "") != gid:
            raise BadResponse("ok: group.getInfo named no such group", network="ok")
        members = group.get("members_count")
        return base.Account(external_id=gid, name=str(group.get("name") or gid), kind="group",
                            capabilities=frozenset({base.READ, base.REPLY}),
                            audience=members if isinstance(members, int) else None,
                            url=f"{OK_WEB}/group/{gid}", params={"gid": gid})

    # ---------------------------------------------------------------- inbound
    async def fetch_page(self, cursor: base.Cursor | None) -> base.Page:
        cursor = dict(cursor or {})
        counts = {str(k): int(v) for k, v in (cursor.get("counts") or {}).items()}
        queue = [str(t) for t in cursor.get("queue") or []]
        if queue:
            topic = queue.pop(0)
            posts, total = await self._comments(topic)
            counts.pop(topic, None)
            counts[topic] = total
            kept = dict(list(counts.items())[-COUNTS_KEPT:])
            return base.Page(posts, {"counts": kept, "queue": queue}, more=bool(queue))
        answer = await self.call_obj("mediatopic.getTopics", gid=self._gid(),
                                 count=int(self.params.get("count", 20)), fields=TOPIC_FIELDS)
        topics = [t for t in answer.get("media_topics") or [] if isinstance(t, dict)]
        entities, place = Entities(answer), self._place()
        posts = [p for p in (topic_post(t, entities, place) for t in topics) if p]
        for item in topics:
            summary = item.get("discussion_summary") or {}
            count = summary.get("comments_count") if isinstance(summary, dict) else None
            if item.get("id") and count and counts.get(str(item["id"])) != count:
                queue.append(str(item["id"]))
        return base.Page(posts, {"counts": counts, "queue": queue}, more=bool(queue))

    async def _comments(self, topic_id: str) -> tuple[list[Post], int]:
        """Every comment of one topic (anchor paging, oldest first) and how many were read."""
        posts: list[Post] = []
        anchor: str | None = None
        place = self._place()
        for _ in range(MAX_COMMENT_PAGES):
            answer = await self.call_obj(
                "discussions.getComments", discussionId=topic_id, discussionType="GROUP_TOPIC",
                count=COMMENTS_PAGE, anchor=anchor, direction="FORWARD" if anchor else None,
                fields=COMMENT_FIELDS)
            entities = Entities(answer)
            posts += [p for p in (comment_post(c, topic_id, entities, place)
                                  for c in answer.get("comments") or [] if isinstance(c, dict))
                      if p]
            following = answer.get("anchor")
            if not answer.get("has_more") or not following or following == anchor:
                break
            anchor = str(following)
        return posts, len(posts)

    # ---------------------------------------------------------------- outbound
    async def reply(self, to_mention: base.Target, text: str, *, idempotency_key: str = "") -> str:
        """A comment in the topic's discussion; under a comment it answers that comment."""
        topic = to_mention.thread_external_id or to_mention.external_id
        if not re.fullmatch(r"\d{1,25}", topic):
            raise ValueError(f"ok: not a group topic id: {topic!r}")
        answering = None if to_mention.external_id == topic else to_mention.external_id
        answer = await self.call_obj("discussions.addComment", discussionId=topic,
                                 discussionType="GROUP_TOPIC", text=text,
                                 reply_to_comment_id=answering)
        sent = answer.get("comment_id") or answer.get("id")
        if not sent:
            raise BadResponse("ok: discussions.addComment returned no comment id", network="ok")
        return str(sent)
