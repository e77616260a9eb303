"""App-store review payloads → `Post`s, and their errors → the shared hierarchy. No I/O.

- Google Play Developer API v3 ``reviews.list``: a review holds ``comments``: the user's
  (``userComment``: ``text``, ``starRating``, ``lastModified`` {seconds, nanos}) and the
  developer's reply (``developerComment``). The user's text carries its title before a tab
  (``"Title\\tBody"``, or ``"\\tBody"`` without one).
- App Store Connect API v1 ``customerReviews`` (JSON:API): ``attributes`` ``rating``,
  ``title``, ``body``, ``reviewerNickname``, ``createdDate``, ``territory``; the developer's
  response, when included, is a ``customerReviewResponses`` resource.

Ids are prefixed by the store (``google_play:<reviewId>``, ``app_store:<id>``): one network
holds both. Neither store names its reviewers, so each review has an author of its own (keyed by
the review; the nickname is only shown): nobody is merged with a namesake. The brand's reply is a
post under its review.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from otklik.domain.posts import Author, Place, Post
from otklik.sources.errors import AuthFailed, BadResponse, RateLimited, SourceError, Unavailable
from otklik.sources.http import retry_after_seconds

PLAY_WEB = "https://play.google.com/store/apps/details?id="
APPLE_WEB = "https://apps.apple.com/app/id"


def store_error(status: int, payload: Any, headers: Any, store: str) -> SourceError:
    """Google's ``{"error": {"code", "message", "status"}}`` or Apple's JSON:API
    ``{"errors": [{"status", "code", "title", "detail"}]}`` as an error of the hierarchy."""
    body = payload if isinstance(payload, dict) else {}
    google: dict[str, Any] = body.get("error") or {}
    if not isinstance(google, dict):
        google = {}
    apple: dict[str, Any] = next((e for e in body.get("errors") or [] if isinstance(e, dict)),
                                 {})
    code = google.get("status") or apple.get("code") or status
    detail = google.get("message") or apple.get("detail") or apple.get("title") or ""
    text = f"reviews: {store}: HTTP {status} {code}: {detail}".strip()
    if status == 429:
        return RateLimited(text, network="reviews", code=code,
                           retry_after=retry_after_seconds(headers.get("Retry-After")))
    if status in (401, 403):
        return AuthFailed(text, network="reviews", code=code)
    if status >= 500:
        return Unavailable(text, network="reviews", code=code)
    return BadResponse(text, network="reviews", code=code)


def _seconds(stamp: Any) -> datetime | None:
    """Google's Timestamp ``{"seconds": "1452114723", "nanos": 913000000}``."""
    if not isinstance(stamp, dict):
        return None
    try:
        return datetime.fromtimestamp(int(stamp.get("seconds") or 0)
                                      + int(stamp.get("nanos") or 0) / 1e9, UTC)
    except (TypeError, ValueError, OverflowError):
        return None


def _iso(value: Any) -> datetime | None:
    try:
        when = datetime.fromisoformat(str(value).replace("Z", "+00:00")) if value else None
    except ValueError:
        return None
    return when.astimezone(UTC) if when and when.tzinfo else when


def _rating(value: Any) -> int | None:
    return int(value) if isinstance(value, int | float) and 1 <= value <= 5 else None


def app_place(kind: str, app: str, name: str | None = None) -> Place:
    url = f"{PLAY_WEB}{app}" if kind == "google_play" else f"{APPLE_WEB}{app}"
    return Place(external_id=f"{kind}:{app}", name=name or app, kind="app", url=url)


def play_posts(review: dict[str, Any], place: Place, brand: Author | None) -> list[Post]:
    """A Google Play review (and the developer's reply to it, when there is one)."""
    rid = str(review.get("reviewId") or "")
    comments = [c for c in review.get("comments") or [] if isinstance(c, dict)]
    user = next((c["userComment"] for c in comments
                 if isinstance(c.get("userComment"), dict)), None)
    if not rid or user is None:
        return []
    title, _, body = str(user.get("text") or "").partition("\t")
    if not body:
        title, body = "", title
    text = "\n\n".join(p.strip() for p in (title, body) if p.strip())
    name = str(review.get("authorName") or "").strip() or None
    external_id = f"google_play:{rid}"
    lang = str(user.get("reviewerLanguage") or "").split("_")[0] or None
    posts = [Post(
        network="reviews", external_id=external_id, text=text,
        created_at=_seconds(user.get("lastModified")) or datetime.now(UTC),
        url=f"{place.url}&reviewId={rid}", place=place,
        author=Author(external_id=external_id, name=name), lang=lang,
        rating=_rating(user.get("starRating")),
        engagement=user.get("thumbsUpCount") if isinstance(user.get("thumbsUpCount"), int)
        else None, raw=review)]
    developer = next((c["developerComment"] for c in comments
                      if isinstance(c.get("developerComment"), dict)), None)
    if developer and str(developer.get("text") or "").strip():
        posts.append(Post(
            network="reviews", external_id=f"{external_id}:reply",
            text=str(developer["text"]).strip(),
            created_at=_seconds(developer.get("lastModified")) or posts[0].created_at,
            place=place, author=brand, parent_external_id=external_id,
            thread_external_id=external_id, raw=developer))
    return posts


def apple_posts(review: dict[str, Any], responses: dict[str, dict[str, Any]], place: Place,
                brand: Author | None) -> list[Post]:
    """An App Store customer review (and the developer's response, when included)."""
    rid = str(review.get("id") or "")
    attributes = review.get("attributes") if isinstance(review.get("attributes"), dict) else None
    if not rid or attributes is None:
        return []
    text = "\n\n".join(str(attributes.get(k) or "").strip() for k in ("title", "body")
                       if str(attributes.get(k) or "").strip())
    external_id = f"app_store:{rid}"
    name = str(attributes.get("reviewerNickname") or "").strip() or None
    posts = [Post(
        network="reviews", external_id=external_id, text=text,
        created_at=_iso(attributes.get("createdDate")) or datetime.now(UTC),
        url=place.url, place=place, author=Author(external_id=external_id, name=name),
        rating=_rating(attributes.get("rating")), raw=review)]
    link = ((review.get("relationships") or {}).get("response") or {}).get("data")
    response = responses.get(str(link.get("id"))) if isinstance(link, dict) else None
    said = (response or {}).get("attributes") or {}
    if str(said.get("responseBody") or "").strip():
        posts.append(Post(
            network="reviews", external_id=f"{external_id}:reply",
            text=str(said["responseBody"]).strip(),
            created_at=_iso(said.get("lastModifiedDate")) or posts[0].created_at,
            place=place, author=brand, parent_external_id=external_id,
            thread_external_id=external_id, raw=response or {}))
    return posts
