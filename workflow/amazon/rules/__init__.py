"""The rules, registered by catalog id. Importing this package registers every rule module."""

from __future__ import annotations

from workflow.amazon.rules import (  # noqa: F401  (registration)
    advice,
    catalog,
    escalation,
    health,
    ip,
    lifecycle,
    linked,
    poa,
    submit,
    verification,
)
from workflow.core.rules import ADVICE, GUARD, REGISTRY, STATE, Context, Rule, fact, get, register

__all__ = ["ADVICE", "GUARD", "REGISTRY", "STATE", "Context", "Rule", "fact", "get", "register"]
