"""The ASGI app: the page, the catalog page, the JSON API and the font files.

Routes::

    GET  /                         upload page          GET /catalog   every family's specimen
    POST /api/identify             multipart field `file` or a raw image body -> `identify --json` object
    GET  /api/fonts                the catalog: family, name, weights, italic, files, webfont
    GET  /fonts/{id}/{weight}/{normal|italic}           a font file for @font-face
    GET  /api/specimen/{id}/{weight}/{normal|italic}.png?text=&size=   text drawn by the server
    GET  /healthz

Every error is JSON with one sentence in ``error``; bad uploads are 4xx, a full queue 503.
"""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from pathlib import Path

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from webapp.config import ServeConfig
from webapp.fonts import FontNotFoundError
from webapp.pool import QueueFullError
from webapp.service import Service
from webapp.upload import UploadError, read_upload

STATIC = Path(__file__).with_name("static")
log = logging.getLogger("uvicorn.error")  # uvicorn configures this logger in every worker
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; "
       "font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")


def _error_body(image: str, message: str) -> dict:
    from pipeline.output import error_dict

    return error_dict(image, message)


async def page(request: Request) -> Response:
    return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8")


async def catalog_page(request: Request) -> Response:
    return FileResponse(STATIC / "catalog.html", media_type="text/html; charset=utf-8")


async def healthz(request: Request) -> Response:
    svc: Service = request.app.state.service
    return JSONResponse({"status": "ok", "pending": svc.pool.pending, "capacity": svc.pool.capacity,
                         "verifies": bool(svc.identifier.verifies), "engine": svc.identifier.engine,
                         "max_upload_mb": svc.cfg.max_upload_mb})


async def api_fonts(request: Request) -> Response:
    return JSONResponse({"fonts": request.app.state.service.shelf.catalog()},
                        headers={"Cache-Control": "public, max-age=300"})


async def api_identify(request: Request) -> Response:
    svc: Service = request.app.state.service
    try:
        upload = await read_upload(request, svc.cfg.max_upload_bytes)
    except UploadError as e:
        return JSONResponse(_error_body("upload", str(e)), e.status)
    refused = svc.precheck(upload)
    if refused is not None:
        return JSONResponse(refused, 400)
    try:
        status, body = await svc.pool.run(svc.identify, upload)
    except QueueFullError:
        wait = svc.cfg.retry_after_s
        return JSONResponse(_error_body(upload.name, f"the server is busy; try again in {wait} seconds."),
                            503, headers={"Retry-After": str(wait)})
    return JSONResponse(body, status)


def _style(request: Request) -> tuple[str, int, bool]:
    """(family id, weight, italic) from the path; 404 for anything malformed."""
    p = request.path_params
    style = p["style"].removesuffix(".png")
    if style not in ("normal", "italic") or not 1 <= p["weight"] <= 1000:
        raise HTTPException(404, "no such font style")
    return p["family"], p["weight"], style == "italic"


async def font_file(request: Request) -> Response:
    family, weight, italic = _style(request)
    try:
        font = request.app.state.service.shelf.webfont(family, weight, italic)
    except FontNotFoundError as e:
        raise HTTPException(404, str(e)) from None
    return FileResponse(font.path, media_type=font.media_type,
                        headers={"Cache-Control": "public, max-age=86400"})


async def specimen(request: Request) -> Response:
    family, weight, italic = _style(request)
    text = request.query_params.get("text", "")
    try:
        size = int(request.query_params.get("size", "48"))
    except ValueError:
        raise HTTPException(400, "size must be a whole number of pixels") from None
    shelf = request.app.state.service.shelf
    try:
        png = await run_in_threadpool(shelf.specimen_png, family, weight, italic, text, size)
    except FontNotFoundError as e:
        raise HTTPException(404, str(e)) from None
    except OSError as e:  # glyphs.render.FontFileError: a file that does not draw
        raise HTTPException(404, f"cannot draw {family!r}: {e}") from None
    return Response(png, media_type="image/png", headers={"Cache-Control": "public, max-age=86400"})


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else "request refused"
    return JSONResponse({"error": detail[:1].upper() + detail[1:].rstrip(".") + "."}, exc.status_code,
                        headers=exc.headers)


async def server_error(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error on %s", request.url.path, exc_info=exc)
    return JSONResponse({"error": "Something went wrong on the server; the error was logged."}, 500)


class SecurityHeaders:
    """Pure ASGI middleware adding a strict Content-Security-Policy and nosniff."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] += [(b"content-security-policy", CSP.encode()),
                                       (b"x-content-type-options", b"nosniff"),
                                       (b"referrer-policy", b"no-referrer")]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def create_app(cfg: ServeConfig | None = None, service: Service | None = None) -> Starlette:
    """The app; the model, OCR and fonts load at start-up (lifespan) unless ``service`` is given."""
    cfg = cfg or ServeConfig()

    @asynccontextmanager
    async def lifespan(app: Starlette):
        if app.state.service is None:
            app.state.service = await run_in_threadpool(Service.load, cfg)
            log.info("worker ready: model, OCR and %d font families loaded", len(app.state.service.shelf.catalog()))
        yield
        app.state.service.pool.shutdown()

    routes = [
        Route("/", page), Route("/catalog", catalog_page), Route("/healthz", healthz),
        Route("/api/fonts", api_fonts), Route("/api/identify", api_identify, methods=["POST"]),
        Route("/fonts/{family:str}/{weight:int}/{style:str}", font_file),
        Route("/api/specimen/{family:str}/{weight:int}/{style:str}", specimen),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    app = Starlette(routes=routes, lifespan=lifespan, middleware=[Middleware(SecurityHeaders)],
                    exception_handlers={HTTPException: http_error, Exception: server_error})
    app.state.service = service
    return app


def app_from_env() -> Starlette:
    """uvicorn factory of every worker: the config comes from `serve` through the environment."""
    return create_app(ServeConfig.from_env())
