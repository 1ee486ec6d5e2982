"""What the store and service tests fire: a suspension, a plan of action, and an appeal walked through.

Plain data, as a caller of ``store.fire`` or of the HTTP API sends it.
"""

from __future__ import annotations

from typing import Any

SUSPEND: dict[str, Any] = {"reason_class": "performance", "issues": ["order_defect_rate"]}
POA: dict[str, Any] = {
    "root_causes": [{"issue": "order_defect_rate", "text": "late carrier hand-off in December"}],
    "corrective_actions": ["moved to two-day carrier pickup"],
    "preventive_measures": ["daily late-shipment report reviewed by the owner"],
    "documents": [{"kind": "invoice", "genuine": True}],
}
#: (event, payload, days waited before it): suspended, an appeal (which opens a follow-up
#: after the seller's patience), refusals, a follow-up, more information, a reinstatement
APPEAL: list[tuple[str, dict[str, Any], int]] = [
    ("suspend", SUSPEND, 0),
    ("escalate", {}, 1),
    ("submit_poa", {"poa": POA, "channel": "email"}, 1),
    ("follow_up", {}, 2),
    ("follow_up", {}, 9),
    ("request_info", {}, 1),
    ("provide_info", {"documents": [{"kind": "invoice"}]}, 1),
    ("reinstate", {}, 1),
]
