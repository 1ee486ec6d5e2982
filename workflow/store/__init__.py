"""The case store: cases kept as their steps in SQLite (the default) or PostgreSQL, one transaction per event.

>>> import workflow
>>> from workflow.store import open_store
>>> store = open_store("sqlite://", clock=workflow.SimulatedClock("2026-03-02T09:00:00Z"))
>>> case = store.create("account_suspension", case_id="ACME-1")
>>> store.fire("ACME-1", "suspend", {"reason_class": "performance", "issues": ["order_defect_rate"]}).target
'suspended'
>>> store.get("ACME-1").version
1

Needs the ``store`` extra (``pip install 'seller-case-rules[store]'``): SQLAlchemy 2, Alembic and psycopg 3.
"""

from __future__ import annotations

from ..errors import CaseExists, CaseNotFound, ConflictError, StoreError
from .database import head_revision
from .records import (
    CasePage,
    CaseSummary,
    DueItem,
    Fired,
    MigrationReport,
    Mismatch,
    Moved,
    NotMoved,
    StoredCase,
    StoreStats,
    VerifyReport,
    Written,
)
from .store import MAX_ATTEMPTS, Store, comes_due, open_store, upgrade_store
from .wire import case_json, due_json, list_json, step_json

DEFAULT_URL = "sqlite:///workflow.db"

__all__ = [
    "DEFAULT_URL",
    "MAX_ATTEMPTS",
    "CaseExists",
    "CaseNotFound",
    "CasePage",
    "CaseSummary",
    "ConflictError",
    "DueItem",
    "Fired",
    "MigrationReport",
    "Mismatch",
    "Moved",
    "NotMoved",
    "Store",
    "StoreError",
    "StoreStats",
    "StoredCase",
    "VerifyReport",
    "Written",
    "case_json",
    "comes_due",
    "due_json",
    "head_revision",
    "list_json",
    "open_store",
    "step_json",
    "upgrade_store",
]
