"""workflow: a rules engine for an Amazon seller account in trouble, as a cited state machine.

>>> import workflow
>>> case = workflow.Case(workflow.load("account_suspension"), clock=workflow.SimulatedClock("2026-03-02T09:00:00Z"))
>>> decision = case.decide("suspend", reason_class="performance", issues=["order_defect_rate"])
>>> decision.accepted, case.state            # judged, nothing changed yet
(True, 'active')
>>> case.apply(decision).target              # fire(...) is apply(decide(...))
'suspended'
"""

from __future__ import annotations

from workflow.amazon.payloads import Document, EscalationLetter, PlanOfAction, RootCause
from workflow.amazon.rules import REGISTRY as RULES
from workflow.amazon.rules import Rule
from workflow.core.case import Case, Decision
from workflow.core.clock import (
    Clock,
    Duration,
    SimulatedClock,
    SystemClock,
    add_business_days,
    business_days_between,
    parse_duration,
)
from workflow.core.history import Finding, Step
from workflow.core.model import Definition, Event, RuleRef, State, Transition
from workflow.errors import (
    DefinitionError,
    DefinitionMismatch,
    DocumentError,
    FactsError,
    NotFound,
    PayloadError,
    Problem,
    RuleFailure,
    ScenarioError,
    SnapshotError,
    StaleDecision,
    UnjudgedDecision,
    UnknownEvent,
    WorkflowError,
)
from workflow.io.load import builtin_names, load, load_file
from workflow.io.snapshot import replay
from workflow.run.explain import explain
from workflow.run.group import CaseGroup, GroupStep
from workflow.run.scenario import Trace, load_scenario, run_scenario, simulate
from workflow.run.walks import random_walks

__version__ = "0.1.0"

__all__ = [
    "RULES",
    "Case",
    "CaseGroup",
    "Clock",
    "Decision",
    "Definition",
    "DefinitionError",
    "DefinitionMismatch",
    "Document",
    "DocumentError",
    "Duration",
    "EscalationLetter",
    "Event",
    "FactsError",
    "Finding",
    "GroupStep",
    "NotFound",
    "PayloadError",
    "PlanOfAction",
    "Problem",
    "RootCause",
    "Rule",
    "RuleFailure",
    "RuleRef",
    "ScenarioError",
    "SimulatedClock",
    "SnapshotError",
    "StaleDecision",
    "State",
    "Step",
    "SystemClock",
    "Trace",
    "Transition",
    "UnjudgedDecision",
    "UnknownEvent",
    "WorkflowError",
    "__version__",
    "add_business_days",
    "builtin_names",
    "business_days_between",
    "explain",
    "load",
    "load_file",
    "load_scenario",
    "parse_duration",
    "random_walks",
    "replay",
    "run_scenario",
    "simulate",
]
