"""The HTTP API and the case inspector over the case store (``workflow serve``), an ASGI app on Starlette.

>>> import workflow
>>> from starlette.testclient import TestClient
>>> from workflow.store import open_store
>>> from workflow.web import create_app
>>> store = open_store("sqlite://", clock=workflow.SimulatedClock("2026-03-02T09:00:00Z"))
>>> client = TestClient(create_app(store))
>>> client.post("/api/cases", json={"definition": "account_suspension", "id": "ACME-1"}).status_code
201
>>> answer = client.post("/api/cases/ACME-1/events", json={"event": "escalate"}).json()
>>> answer["step"]["accepted"], answer["case"]["version"]
(False, 1)

Needs the ``web`` extra (``pip install 'seller-case-rules[web]'``): Starlette, uvicorn, Jinja2, python-multipart.
"""

from __future__ import annotations

from .app import create_app
from .service import Service, Settings

__all__ = ["Service", "Settings", "create_app"]
