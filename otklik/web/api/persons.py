"""Personal-data requests for admins: what is stored about an author, and forgetting them."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel, Field

from otklik.actions.person_export import export_person
from otklik.actions.persons import UnknownAuthor, forget_person
from otklik.web.api.common import invalid
from otklik.web.deps import Admin, SessionDep

router = APIRouter(prefix="/api/v1/persons", tags=["personal data"])
AUTHOR_HELP = "NETWORK:ID as the network knows the account (vk:12345) or the author's store id"


class ForgetIn(BaseModel):
    author: str = Field(max_length=600, description=AUTHOR_HELP)


class ForgottenOut(BaseModel):
    author_id: int
    pseudonym: str
    replaced: dict[str, int] = Field(description="kind of row → how many were pseudonymised")


def _asked(run: Any, where: tuple[str, ...]) -> Any:
    try:
        return run()
    except UnknownAuthor as exc:
        raise HTTPException(404, str(exc)) from exc
    except ValueError as exc:
        raise invalid(where, str(exc)) from exc


@router.get("/export", response_model=dict[str, Any])
def export(request: Request, principal: Admin, session: SessionDep,
           author: str = Query(max_length=600, description=AUTHOR_HELP)) -> dict[str, Any]:
    """Everything stored about an author (GDPR art. 15); the request is audited."""
    key = request.app.state.settings.secret_key
    return _asked(lambda: export_person(session, author, secret_key=key,  # type: ignore[no-any-return]
                                        actor=principal.actor), ("query", "author"))


@router.post("/forget", response_model=ForgottenOut)
def forget(request: Request, body: ForgetIn, principal: Admin,
           session: SessionDep) -> ForgottenOut:
    """Pseudonymise an author's profile and private messages (GDPR art. 17); public mentions
    keep their text and link. Audited without the erased values."""
    key = request.app.state.settings.secret_key
    done = _asked(lambda: forget_person(session, body.author, secret_key=key,
                                        actor=principal.actor), ("body", "author"))
    return ForgottenOut(author_id=done.author_id, pseudonym=done.pseudonym,
                        replaced=done.replaced)
