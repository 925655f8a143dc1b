"""The ``Allow`` header of an ``OPTIONS`` answer, naming every method of the path.

Litestar answers ``OPTIONS`` with a handler made for the first route built on a path;
when a router's handlers share a path, the app's route for it gains the others'
methods but keeps that handler, whose ``Allow`` then names only the first ones."""

from __future__ import annotations

from typing import Any

from litestar.datastructures import MutableScopeHeaders
from litestar.routes import HTTPRoute
from litestar.types import Message, Scope


async def allow_every_method(message: Message, scope: Scope) -> None:
    """A send hook: the ``Allow`` of an ``OPTIONS`` answer from the app's own route."""
    if message["type"] != "http.response.start" or scope.get("method") != "OPTIONS":
        return
    headers = MutableScopeHeaders.from_message(message)
    methods = _methods_by_path(scope["app"]).get(scope.get("path_template", ""))
    if "allow" in headers and methods:
        headers["Allow"] = ", ".join(sorted(methods))


def _methods_by_path(app: Any) -> dict[str, set[str]]:
    return {
        route.path_format: set(route.methods)
        for route in app.routes
        if isinstance(route, HTTPRoute)
    }
