"""Sign-in, sign-out and the interface language."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from otklik.actions.users import choose_lang, sign_in
from otklik.web.auth import check_csrf, password_stamp
from otklik.web.deps import Reader, SessionDep
from otklik.web.i18n import LANGS, translator
from otklik.web.render import lang_of, render
from otklik.web.security import start_session

router = APIRouter(include_in_schema=False)


def _safe_next(target: str | None) -> str:
    """Only same-site paths: an open redirect after sign-in is a phishing aid."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return "/"
    parts = urlsplit(target)
    return "/" if parts.scheme or parts.netloc or "\\" in target else target


@router.get("/login")
def login_page(request: Request, next: str = "/") -> Response:
    return render(request, "login.html", {"next": _safe_next(next), "error": None})


@router.post("/login")
async def login(
    request: Request,
    session: SessionDep,
    email: str = Form(..., max_length=200),
    password: str = Form(..., max_length=1000),
    next: str = Form("/"),
) -> Response:
    await check_csrf(request)
    throttle = request.app.state.throttle
    address = request.client.host if request.client else "?"
    keys = throttle.keys(email, address)
    t = translator(lang_of(request))
    wait = throttle.retry_after(keys)
    if wait:
        return render(request, "login.html",
                      {"next": _safe_next(next), "error": t("throttled", s=wait)},
                      status_code=429)
    # argon2 takes tens of milliseconds of CPU by design: not on the event loop
    user = await run_in_threadpool(sign_in, session, email, password)
    if user is None:
        throttle.failed(keys)
        return render(request, "login.html", {"next": _safe_next(next), "error": t("bad_login")},
                      status_code=401)
    throttle.succeeded(keys[:1])
    csrf = request.session.get("csrf")
    request.session.clear()  # no session fixation: a fresh session after sign-in
    request.session.update({"uid": user.id, "pw": password_stamp(user), "lang": user.lang,
                            "csrf": csrf})
    start_session(request.session, request.app.state.clock())
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout")
async def logout(request: Request, _: Reader) -> Response:
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


@router.post("/lang")
async def switch_lang(
    request: Request,
    principal: Reader,
    session: SessionDep,
    lang: str = Form(...),
) -> Response:
    if lang not in LANGS:
        raise HTTPException(422, "unknown language")
    choose_lang(session, principal.user, lang)
    request.session["lang"] = lang
    referer = request.headers.get("referer", "/")
    return RedirectResponse(_safe_next(urlsplit(referer).path or "/"), status_code=303)
