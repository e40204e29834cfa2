"""The hub's HTTP endpoint (Starlette on uvicorn): carries bytes to :mod:`network`.

``POST /v1/bundle`` with ``Authorization: Bearer TOKEN`` and the bundle as the body;
the answer is the hub's bundle (200) or ``{"reason": …}`` with a 4xx. The body is read
completely, within the size limit, before anything is applied: a connection cut
mid-upload applies nothing. ``GET /v1/health`` says the hub is up. TLS is left to a
reverse proxy in front (README).

The token is checked here (401 at once); the upload is then applied in its community's
worker process (:mod:`workers`): uploads of different communities run side by side,
those of one community one after the other. Without a database URL (tests of the HTTP
layer alone) every upload is applied in this process, one at a time.
"""

from __future__ import annotations

from typing import Any

from app.i18n import t
from app.services.hub import network, workers

BUNDLE_TYPE = "application/x-mulin-bundle"


def _token(request: Any) -> str:
    auth = request.headers.get("authorization", "")
    return auth[7:].strip() if auth.lower().startswith("bearer ") else ""


async def _body(request: Any, limit: int) -> bytes | None:
    """The whole body, or None when it exceeds ``limit`` (read no further)."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _answer(answer: network.Answer) -> Any:
    from starlette.responses import JSONResponse, Response

    if answer.status != 200:
        return JSONResponse({"reason": answer.reason}, status_code=answer.status)
    headers = {"X-Mulin-Notes": str(len(answer.notes))}
    return Response(answer.body, media_type=BUNDLE_TYPE, headers=headers)


def make_app(limit: int = network.MAX_UPLOAD, db_url: str = "") -> Any:
    from contextlib import asynccontextmanager

    from starlette.applications import Starlette
    from starlette.concurrency import run_in_threadpool
    from starlette.requests import ClientDisconnect
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    async def upload(request: Any) -> Any:
        try:
            raw = await _body(request, limit)
        except ClientDisconnect:
            return JSONResponse({"reason": t("hub.net.cut")}, status_code=400)
        if raw is None:
            return JSONResponse({"reason": t("hub.net.too_big", mb=limit // (1024 * 1024))},
                                status_code=413)
        token = _token(request)
        if pool is None:
            return _answer(await run_in_threadpool(network.exchange_bundle, token, raw))
        community = await run_in_threadpool(network.token_community, token)
        if community is None:
            return JSONResponse({"reason": t("hub.net.bad_token")}, status_code=401)
        return _answer(await pool.exchange(community, token, raw))

    async def health(request: Any) -> Any:
        return JSONResponse({"status": "ok"})

    pool = workers.Workers(db_url) if db_url else None

    @asynccontextmanager
    async def lifespan(app: Any) -> Any:
        yield
        if pool is not None:
            await run_in_threadpool(pool.close)

    return Starlette(routes=[Route("/v1/bundle", upload, methods=["POST"]),
                             Route("/v1/health", health, methods=["GET"])],
                     lifespan=lifespan)


def serve(host: str, port: int, limit: int = network.MAX_UPLOAD, db_url: str = "") -> None:
    """Run until interrupted (``mulin hub serve``); ``db_url``: community workers."""
    import uvicorn

    uvicorn.run(make_app(limit, db_url), host=host, port=port, log_level="warning",
                workers=1)
