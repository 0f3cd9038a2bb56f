"""Render the OpenAPI document of the application, byte for byte stable."""

from __future__ import annotations

import json

from litestar import Litestar


def render_openapi(app: Litestar | None = None) -> str:
    """Return the OpenAPI document as sorted, indented JSON.

    Without ``app``, builds the route table without keys or a database.
    """
    if app is None:
        from ccus.app import openapi_app

        app = openapi_app()
    schema = app.openapi_schema.to_schema()
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
