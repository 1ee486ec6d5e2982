"""Shared fixtures: the built-in definitions, a simulated clock, a fresh case."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

import workflow

settings.register_profile("ci", max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))

START = "2026-03-02T09:00:00Z"  # a Monday


@pytest.fixture(scope="session")
def suspension_def() -> workflow.Definition:
    return workflow.load("account_suspension")


@pytest.fixture
def clock() -> workflow.SimulatedClock:
    return workflow.SimulatedClock(START)


@pytest.fixture
def case(suspension_def: workflow.Definition, clock: workflow.SimulatedClock) -> workflow.Case:
    return workflow.Case(suspension_def, clock=clock)
