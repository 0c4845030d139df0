"""`royaley api`: serve the app with uvicorn, refusing an open API on a reachable address."""

from __future__ import annotations

import os

import uvicorn

from royaley_pipeline.api.auth import TOKEN_VARIABLE, check_bind
from royaley_pipeline.config import Settings


def serve(settings: Settings, host: str, port: int, log_level: str = "info") -> None:
    token = os.environ.get(TOKEN_VARIABLE)
    check_bind(host, token)
    from royaley_pipeline.api.app import create_app

    app = create_app(settings, api_token=token)
    uvicorn.run(app, host=host, port=port, log_level=log_level)
