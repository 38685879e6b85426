"""The FastAPI app factory.

``create_app(settings)`` builds an app around one :class:`Runtime`; its lifespan runs
migrations, loads the live snapshot (or publishes the configured / embedded default one)
and starts the background workers (ALLOW batch flusher, webhook deliverer).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from ringfence.service import (
    console,
    routes_admin,
    routes_book,
    routes_channels,
    routes_decide,
    routes_findings,
)
from ringfence.service.errors import install_error_handlers
from ringfence.service.fastpath import FastPath
from ringfence.service.limits import BodyLimit
from ringfence.service.models import DecideRequest
from ringfence.service.runtime import Runtime
from ringfence.service.settings import ServiceSettings

__all__ = ["configure_logging", "create_app", "worker_app"]

_TAGS = [
    {"name": "decide", "description": "The gateway's hot path (role `gateway`)."},
    {"name": "book", "description": "Organisations, accounts and API keys (role `analyst`)."},
    {"name": "review", "description": "Analyst review and four-eyes overrides."},
    {"name": "detection", "description": "Detection findings (role `detector`) and the "
     "cases analysts review (confirm, dismiss, four eyes for a suspend)."},
    {"name": "channels", "description": "Intermediaries: agreements (admin), end-customer "
     "attestation and statuses (role `intermediary`, its own channel only), scorecards."},
    {"name": "decisions", "description": "The decision log and replay."},
    {"name": "events", "description": "Status-change events (also sent to webhooks)."},
    {"name": "audit", "description": "The hash-chained audit log."},
    {"name": "admin", "description": "Snapshots, policies, tokens, webhooks (role `admin`)."},
    {"name": "operations", "description": "Health, readiness and metrics (no token)."},
]


def configure_logging(level: int = logging.INFO) -> None:
    """JSON logs on stdout through structlog (one object per line)."""
    structlog.configure(
        processors=[structlog.contextvars.merge_contextvars, structlog.processors.add_log_level,
                    structlog.processors.TimeStamper(fmt="iso", utc=True),
                    structlog.processors.format_exc_info, structlog.processors.JSONRenderer()],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        cache_logger_on_first_use=True)


def create_app(settings: ServiceSettings | None = None, *, runtime: Runtime | None = None
               ) -> FastAPI:
    settings = settings or ServiceSettings.from_env()
    rt = runtime or Runtime(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if not rt.started:
            rt.start()
        yield
        rt.stop()

    app = FastAPI(
        title="ringfence decision service",
        version="0.1.0",
        summary="Ownership-based access decisions for an AI model provider.",
        description="Onboard organisations, decide per request (ALLOW / DENY / REVIEW with "
        "reasons), publish snapshots, review and override with four eyes, audit everything. "
        "Every route but /healthz, /readyz and /metrics takes `Authorization: Bearer "
        "<token>`; errors are `{\"error\": {\"code\", \"message\", \"details\"}}`.",
        openapi_tags=_TAGS,
        lifespan=lifespan,
    )
    app.state.runtime = rt
    install_error_handlers(app, pages=console.error_page)
    if settings.fast_path:
        app.add_middleware(FastPath, runtime=rt)
    # added last: the outermost layer, before the fast path; every route's body limit
    app.add_middleware(BodyLimit, per_path={"/v1/findings": settings.findings_max_bytes})
    app.include_router(routes_decide.router)
    app.include_router(routes_book.router)
    app.include_router(routes_admin.router)
    app.include_router(routes_findings.router)
    app.include_router(routes_channels.router)
    console.install(app)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            from fastapi.openapi.utils import get_openapi

            schema = get_openapi(title=app.title, version=app.version, summary=app.summary,
                                 description=app.description, routes=app.routes,
                                 tags=app.openapi_tags)
            # /v1/decide validates its body itself (the hot path); publish its schema here
            extra = DecideRequest.model_json_schema(ref_template="#/components/schemas/{model}")
            comps = schema.setdefault("components", {}).setdefault("schemas", {})
            comps.update(extra.pop("$defs", {}))
            comps["DecideRequest"] = extra
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

    @app.get("/healthz", tags=["operations"])
    async def healthz() -> dict[str, str]:
        """The process is up."""
        return {"status": "ok"}

    @app.get("/readyz", tags=["operations"], responses={503: {"description": "not ready"}})
    async def readyz() -> Response:
        """Ready once a snapshot is loaded and the hot-path state is built."""
        state = rt.holder.state
        if state is None:
            return JSONResponse({"status": "not ready", "why": "no snapshot loaded"},
                                status_code=503)
        body: dict[str, Any] = {"status": "ready", "snapshot_id": state.snapshot_id,
                                "policy": {"name": state.policy.name,
                                           "version": state.policy.version},
                                **state.counts()}
        return JSONResponse(body)

    @app.get("/metrics", tags=["operations"], response_class=Response)
    async def metrics(_request: Request) -> Response:
        """Prometheus text format."""
        return Response(generate_latest(rt.metrics.registry), media_type=CONTENT_TYPE_LATEST)

    return app


def worker_app() -> FastAPI:
    """One worker of ``ringfence serve --workers N`` (uvicorn calls this factory in each
    worker process): JSON logs, settings from the environment."""
    configure_logging()
    return create_app()
