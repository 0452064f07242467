"""The application: routes, secure headers, error pages, and the job queue's worker."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from glasshouse import __version__
from glasshouse.server import admin, api, log_api, pages
from glasshouse.server.auth import LoginRequired
from glasshouse.server.settings import ServerSettings
from glasshouse.server.worker import Worker
from glasshouse.storage import tlog
from glasshouse.storage.db import Database

CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)


def create_app(settings: ServerSettings, db: Database | None = None) -> FastAPI:
    """The app for ``settings``; the schema must already be migrated (see ``migrate``)."""
    database = db or Database(settings.database_url)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # the transparency log's name and key: created on first start, then checked
        with database.write() as session:
            identity = tlog.ensure_identity(
                session, origin=settings.log_origin, key=settings.log_key
            )
        database.info[tlog.INFO_IDENTITY] = identity
        worker: Worker | None = None
        if settings.worker:
            worker = Worker(
                database,
                poll_seconds=settings.worker_poll_seconds,
                webhook_timeout=settings.webhook_timeout_seconds,
                sweep_minutes=settings.sweep_minutes,
                expiring_days=settings.expiring_days,
            )
            worker.start()
        app.state.worker = worker
        try:
            yield
        finally:
            if worker is not None:
                worker.stop()
            if db is None:
                database.dispose()

    app = FastAPI(
        title="Glasshouse",
        version=__version__,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=lifespan,
    )
    app.state.db = database
    app.state.settings = settings
    app.state.worker = None

    @app.middleware("http")
    async def secure_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if not request.url.path.startswith("/static/"):
            headers.setdefault("Cache-Control", "no-store")
        if request.url.scheme == "https":
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, _exc: LoginRequired) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if request.method != "GET":
            return pages.render(
                request, None, "error.html", status=401, code=401, message="Log in first."
            )
        return RedirectResponse(f"/login?next={_quote(target)}", status_code=303)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": exc.detail}, exc.status_code, headers=exc.headers)
        message = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        return pages.render(
            request,
            None,
            "error.html",
            status=exc.status_code,
            code=exc.status_code,
            message=message,
        )

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        problems = [
            f"{'/'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', '')}"
            for e in exc.errors()[:5]
        ]
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": problems}, 422)
        return pages.render(
            request, None, "error.html", status=422, code=422, message="; ".join(problems)
        )

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    app.include_router(api.router)
    app.include_router(log_api.router)
    app.include_router(pages.router)
    app.include_router(admin.router)
    app.mount(
        "/static", StaticFiles(directory=str(Path(__file__).with_name("static"))), name="static"
    )
    return app


def _quote(path: str) -> str:
    from urllib.parse import quote

    return quote(path, safe="/")


__all__ = ["create_app"]
