"""schemathesis against /openapi.json: generated requests to every operation answer no 5xx, and every answer
matches its schema (status, content type, headers, body). Bounded: a few dozen examples per operation."""

from __future__ import annotations

import tempfile
import warnings
from pathlib import Path

warnings.filterwarnings("ignore", category=DeprecationWarning)
import schemathesis  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.checks import positive_data_acceptance  # noqa: E402

import workflow  # noqa: E402
from workflow.store import open_store  # noqa: E402
from workflow.web import create_app  # noqa: E402

EXAMPLES = 30


def api_schema() -> schemathesis.BaseSchema:
    """The document, over a store holding a case of each lifecycle (ids ``a`` to ``e``: some requests find one)."""
    path = Path(tempfile.mkdtemp(prefix="workflow-conformance-")) / "cases.db"
    store = open_store(f"sqlite:///{path}", clock=workflow.SimulatedClock("2026-03-02T09:00:00Z"))
    for i, name in enumerate(workflow.builtin_names()):
        store.create(name, case_id="abcde"[i])
    store.fire("a", "suspend", {"reason_class": "performance", "issues": ["order_defect_rate"]})
    return schemathesis.openapi.from_asgi("/openapi.json", create_app(store))


schema = api_schema()


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_every_answer_matches_the_document(case: schemathesis.Case) -> None:
    """No 5xx, and each answer conforms to the OpenAPI document (status, content type, headers, body schema).

    One check is left out: that a schema-valid request is accepted. The document's event and case bodies are
    the same for every definition (an event's own payload schema is at GET /api/definitions/{name}), so an
    event a definition does not know, or facts it does not declare, is rightly refused with 422.
    """
    case.call_and_validate(excluded_checks=[positive_data_acceptance])
