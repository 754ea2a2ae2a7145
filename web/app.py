"""The web application: ``create_app(settings, engine)`` builds it; ``fundwatch serve`` runs it with uvicorn.

Every request goes through one middleware (:class:`SessionsAndHeaders`) that reads the signed session
cookie (or the trusted reverse proxy's user header), finds the user, enforces ``web.require_login`` for
reading, writes the cookie back when it changed and adds security headers. Pages are Jinja2 templates with
autoescaping; the only static file is one stylesheet.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import threading
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path
from urllib.parse import quote

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy.engine import Engine
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException

from errors import DatabaseError
from settings import Settings
from store.accounts import get_user
from store.engine import check_connection, read_session
from store.models_access import User
from web.balance import ConnectionShare
from web.formatting import FILTERS
from web.profile_files import ProfileFiles
from web.ranking import open_calls_index
from web.security import COOKIE, LoginLimiter, SessionCodec, new_token, password_stamp, resolve_secret

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
#: reachable without login even when ``web.require_login`` is on
PUBLIC_PATHS = ("/login", "/healthz", "/static/", "/unsubscribe/", "/feedback/", "/followup-link/")
_FEED = re.compile(r"/profiles/[^/]+/deadlines\.ics")


@dataclass
class WebState:
    settings: Settings
    engine: Engine
    profiles: ProfileFiles
    templates: Jinja2Templates
    codec: SessionCodec
    limiter: LoginLimiter
    trusted_proxies: frozenset[str]
    #: small per-process caches (e.g. the filter lists), keyed by name
    cache: dict = field(default_factory=dict)
    #: with several worker processes: their shared connection counts (web/balance.py)
    balance: ConnectionShare | None = None


class LoginRequired(Exception):
    """Raised by a page that needs a logged-in user; answered with a redirect to the login page."""

    def __init__(self, next_path: str = "/") -> None:
        super().__init__(next_path)
        self.next_path = next_path


def state(request: Request) -> WebState:
    return request.app.state.web


def current_user(request: Request) -> User | None:
    return getattr(request.state, "user", None)


def session_data(request: Request) -> dict:
    return request.state.session


def mark_session_changed(request: Request) -> None:
    request.state.session_changed = True


def csrf_token(request: Request) -> str:
    """This session's CSRF token (created, and the cookie set, on first use)."""
    session = session_data(request)
    token = session.get("csrf")
    if not token:
        token = session["csrf"] = new_token()
        mark_session_changed(request)
    return token


def flash(request: Request, message: str, kind: str = "ok") -> None:
    """A message shown once on the next page (after a redirect)."""
    session_data(request)["flash"] = [kind, message]
    mark_session_changed(request)


def safe_next(value: str | None) -> str:
    """A local path to return to after login; anything else (other sites, //host) becomes "/"."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    if any(ord(c) < 0x20 for c in value):
        return "/"
    return value


def render(request: Request, template: str, context: dict | None = None, status_code: int = 200) -> HTMLResponse:
    web = state(request)
    session = session_data(request)
    message = session.pop("flash", None)
    if message:
        mark_session_changed(request)
    user = current_user(request)
    values = {
        "request": request,
        "user": user,
        "flash": message,
        "csrf_token": lambda: csrf_token(request),
        "path": request.url.path,
        "current_url": request.url.path + (f"?{request.url.query}" if request.url.query else ""),
        "proxy_login": bool(web.settings.web.proxy_user_header) and getattr(request.state, "via_proxy", False),
    }
    values.update(context or {})
    return web.templates.TemplateResponse(request, template, values, status_code=status_code)


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _error_page(request: Request, status_code: int, title: str, message: str) -> Response:
    if _wants_json(request):
        return JSONResponse({"error": message}, status_code=status_code)
    if not hasattr(request.state, "session"):
        return PlainTextResponse(f"{title}\n{message}", status_code=status_code)
    return render(request, "error.html", {"title": title, "message": message}, status_code=status_code)


_ERRORS = {
    400: ("Felaktig begäran", "Begäran kunde inte tolkas."),
    401: ("Inloggning krävs", "Logga in för att se det här."),
    403: ("Åtkomst nekad", "Du har inte behörighet att göra det här."),
    404: ("Sidan finns inte", "Sidan eller posten du söker finns inte."),
    405: ("Metoden stöds inte", "Den här adressen tar inte emot den sortens begäran."),
    422: ("Ogiltiga uppgifter", "Uppgifterna kunde inte tolkas."),
    429: ("För många försök", "För många försök. Vänta en stund och försök igen."),
}


def client_address(request: Request) -> str:
    return request.client.host if request.client else ""


def _resolve_user(web: WebState, request: Request, session: dict) -> tuple[User | None, bool]:
    """(user, came from the proxy header)."""
    header = web.settings.web.proxy_user_header
    if header and client_address(request) in web.trusted_proxies:
        name = request.headers.get(header, "").strip().lower()
        if name:
            with read_session(web.engine) as db:
                user = get_user(db, name)
            if user is None:
                log.warning("reverse proxy sent unknown user %r in %s; treated as not logged in", name, header)
            return user, user is not None
    username = session.get("u")
    if not username:
        return None, False
    with read_session(web.engine) as db:
        user = get_user(db, username)
    if user is None or session.get("pv") != password_stamp(user.password_hash):
        return None, False
    return user, False


def _public(path: str, request: Request) -> bool:
    """Reachable without login when ``web.require_login`` is on: the public paths, and a calendar feed asked for
    with a token (the feed page checks the token itself)."""
    if path.startswith(PUBLIC_PATHS):
        return True
    return bool(_FEED.fullmatch(path)) and bool(request.query_params.get("token"))


def _normalise_addresses(text: str) -> frozenset[str]:
    out = set()
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        try:
            out.add(str(ipaddress.ip_address(part)))
        except ValueError:
            log.warning("web.trusted_proxies: %r is not an IP address; ignored", part)
    return frozenset(out)


#: headers every answer carries (unless the page set its own)
_SECURITY_HEADERS = (
    (
        "content-security-policy",
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'",
    ),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "same-origin"),
    ("x-frame-options", "DENY"),
)


class SessionsAndHeaders:
    """Every request: reads the signed session cookie (or the trusted reverse proxy's user header), finds the
    user, enforces ``web.require_login`` for reading, writes the cookie back when it changed, and adds the
    security headers. A plain ASGI middleware: the answer passes through untouched except for its headers."""

    def __init__(self, app, web: WebState) -> None:
        self.app = app
        self.web = web
        self.secure_cookie = web.settings.web.base_url.startswith("https://")

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        web = self.web
        request = Request(scope)
        session = web.codec.loads(request.cookies.get(COOKIE))
        request.state.session = session
        request.state.session_changed = False
        if session.get("u") or web.settings.web.proxy_user_header:
            user, via_proxy = await run_in_threadpool(_resolve_user, web, request, session)
        else:  # nobody to look up: no database work and no thread for an anonymous request
            user, via_proxy = None, False
        if user is None and session.get("u"):
            session.pop("u", None)
            session.pop("pv", None)
            request.state.session_changed = True
        request.state.user = user
        request.state.via_proxy = via_proxy

        async def send_with_headers(message) -> None:
            if message["type"] == "http.response.start":
                self._finish_headers(request, MutableHeaders(scope=message))
            await send(message)

        path = request.url.path
        if web.settings.web.require_login and user is None and not _public(path, request):
            if path.startswith("/api/") or path.endswith((".ics", ".csv")):
                response: Response = _error_page(request, 401, *_ERRORS[401])
            else:
                target = path + (f"?{request.url.query}" if request.url.query else "")
                response = RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
            await response(scope, receive, send_with_headers)
            return
        await self.app(scope, receive, send_with_headers)

    def _finish_headers(self, request: Request, headers: MutableHeaders) -> None:
        if request.state.session_changed:
            cookie = Response()
            if request.state.session:
                cookie.set_cookie(
                    COOKIE,
                    self.web.codec.dumps(request.state.session),
                    max_age=self.web.codec.max_age,
                    httponly=True,
                    samesite="lax",
                    secure=self.secure_cookie,
                    path="/",
                )
            else:
                cookie.delete_cookie(COOKIE, path="/")
            for name, value in cookie.raw_headers:
                if name == b"set-cookie":
                    headers.append("set-cookie", value.decode("latin-1"))
        for name, value in _SECURITY_HEADERS:
            headers.setdefault(name, value)
        if self.web.balance is not None and self.web.balance.should_close():
            headers["connection"] = "close"  # the client reconnects, and may land on a less busy worker
        if "text/html" in headers.get("content-type", ""):
            headers.setdefault("cache-control", "no-store")


def _warm_up(web: WebState) -> None:
    try:
        open_calls_index(web.engine, web.cache)
    except Exception:  # the pages build it on first use instead
        log.exception("warming up the index of open calls failed")


def create_app(settings: Settings, engine: Engine, profiles_dir: str | Path | None = None) -> FastAPI:
    """Build the web application for these settings and this (migrated) engine."""
    from web import (
        api,
        pages_activity,
        pages_auth,
        pages_call,
        pages_followup,
        pages_followup_link,
        pages_links,
        pages_profile,
        pages_report,
        pages_search,
        pages_sources,
        pages_status,
        pages_workshop,
    )

    folder = Path(profiles_dir) if profiles_dir is not None else settings.path(settings.paths.profiles_dir)
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    # templates ship with the code: not checking each one's file time on every page saves a stat per template
    templates.env.auto_reload = False
    templates.env.filters.update(FILTERS)
    templates.env.globals["quote"] = quote
    secret = resolve_secret(settings.web.secret_env, settings.secret(settings.web.secret_env))
    web = WebState(
        settings=settings,
        engine=engine,
        profiles=ProfileFiles(folder),
        templates=templates,
        codec=SessionCodec(secret, settings.web.session_hours * 3600),
        limiter=LoginLimiter(settings.web.login_max_attempts, settings.web.login_window_minutes * 60),
        trusted_proxies=_normalise_addresses(settings.web.trusted_proxies),
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        # the page functions run in worker threads: bounding how many run at once makes a busy process finish
        # requests one after another instead of sharing the CPU (and the interpreter lock) between many, which
        # halved the slowest pages' p95 with 20 clients ("Web UI benchmarks")
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.web.threads
        # each server process builds its index of the open calls (call pages, previews) in the background,
        # so that the first visitor does not wait for it
        threading.Thread(target=_warm_up, args=(web,), name="warm-up", daemon=True).start()
        yield

    app = FastAPI(title="fundwatch", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    app.state.web = web
    app.add_middleware(SessionsAndHeaders, web=web)

    @app.exception_handler(LoginRequired)
    async def _login_required(request: Request, exc: LoginRequired):
        if _wants_json(request):
            return _error_page(request, 401, *_ERRORS[401])
        return RedirectResponse(f"/login?next={quote(safe_next(exc.next_path), safe='')}", status_code=303)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException):
        title, message = _ERRORS.get(exc.status_code, ("Fel", "Något gick fel."))
        # a page may raise HTTPException with its own Swedish message; Starlette's default is the status phrase
        if isinstance(exc.detail, str) and exc.detail and exc.detail != HTTPStatus(exc.status_code).phrase:
            message = exc.detail
        response = _error_page(request, exc.status_code, title, message)
        for key, value in (exc.headers or {}).items():
            response.headers[key] = value
        return response

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError):
        fields = sorted({".".join(str(p) for p in e["loc"][1:]) for e in exc.errors()})
        return _error_page(request, 422, _ERRORS[422][0], f"Ogiltigt värde i: {', '.join(fields)}.")

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception):
        log.exception("error answering %s %s", request.method, request.url.path)
        return _error_page(request, 500, "Något gick fel", "Ett oväntat fel inträffade. Det har loggats.")

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> PlainTextResponse:
        try:
            check_connection(engine)
        except DatabaseError as exc:
            log.error("health check: %s", exc)
            return PlainTextResponse("database unreachable", status_code=503)
        return PlainTextResponse("ok")

    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    for module in (
        pages_search,
        pages_call,
        pages_followup,
        pages_followup_link,
        pages_profile,
        pages_workshop,
        pages_sources,
        pages_status,
        pages_report,
        pages_auth,
        pages_links,
        pages_activity,
        api,
    ):
        app.include_router(module.router)
    return app
