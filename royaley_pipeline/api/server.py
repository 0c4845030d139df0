"""`royaley api`: serve the app with uvicorn, refusing an open API on a reachable address."""

from __future__ import annotations

import uvicorn

from royaley_pipeline.api.app import create_app
from royaley_pipeline.api.auth import check_bind
from royaley_pipeline.config import Settings


def serve(settings: Settings, host: str, port: int, log_level: str = "info") -> None:
    check_bind(host, settings.api_token)
    app = create_app(settings, api_token=settings.api_token)
    uvicorn.run(app, host=host, port=port, log_level=log_level)
