"""The web desk and REST API: a FastAPI app built by `create_app(settings)`."""

from otklik.web.app import create_app

__all__ = ["create_app"]
