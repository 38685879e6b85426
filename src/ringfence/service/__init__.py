"""The decision service: FastAPI app factory, routes, console pages."""

from ringfence.service.app import configure_logging, create_app
from ringfence.service.runtime import Runtime
from ringfence.service.settings import ServiceSettings

__all__ = ["Runtime", "ServiceSettings", "configure_logging", "create_app"]
