"""The rules account_suspension uses, and its events.

Each rule is tested allowing and refusing in the test module of the rule module that registers it
(``tests/amazon/rules/test_poa.py`` tests ``poa.*``); ``tests/test_house.py`` checks each id appears there.
"""

from __future__ import annotations

from _suspension import (
    EVENTS,
)

import workflow

#: every rule id account_suspension uses, each tested in tests/amazon/rules/
TESTED = (
    "advice.jeff_premature",
    "advice.no_legal_action",
    "advice.repeat_denials",
    "advice.seller_support",
    "appeals.closed",
    "escalate.after_review",
    "escalate.letter",
    "escalate.once",
    "escalate.strong_poa",
    "fraud.no_appeal",
    "patience.wait",
    "poa.addresses_all_issues",
    "poa.complete",
    "poa.genuine_documents",
    "poa.revised",
    "state.no_transition",
    "submit.deciding_team",
    "submit.in_writing",
)


def test_the_definition_uses_exactly_these_rules(suspension_def: workflow.Definition) -> None:
    """The rule ids account_suspension uses are exactly the ones listed (and tested in tests/amazon/rules/)."""
    assert suspension_def.rule_ids() == TESTED


def test_the_definition_knows_the_catalog_events(suspension_def: workflow.Definition) -> None:
    """The definition's events are the catalog's, so the parametrized tables of the rule tests cover them all."""
    assert set(suspension_def.event_names) == set(EVENTS)
