"""The teams resource: building it from a teams file, looking teams up, and finding it on a definition."""

from __future__ import annotations

import pytest

import workflow
from workflow.amazon.teams import Team, TeamDoc, Teams, TeamsDoc, build_teams, teams_of
from workflow.core.resources import RESOURCES
from workflow.errors import ResourceError


def doc(**teams: TeamDoc) -> TeamsDoc:
    return TeamsDoc(teams=teams, default_enforcer="perf")


PERF = TeamDoc(name="Seller Performance", enforces=("performance", "policy"), decides=("appeals",))
QUALITY = TeamDoc(name="Product Quality", enforces=("ip", "performance"))


def test_build_teams_keys_each_team_by_its_id() -> None:
    """Each team keeps its file's fields and gains its key as ``id``."""
    teams = build_teams(doc(perf=PERF, quality=QUALITY))
    assert teams.ids() == ("perf", "quality")
    assert teams["perf"] == Team(id="perf", name="Seller Performance", decides=("appeals",), enforces=PERF.enforces)


def test_build_teams_reports_every_unknown_team_with_its_path() -> None:
    """A default enforcer and a ``part_of`` that name no team are both reported, each with its place in the file."""
    with pytest.raises(ResourceError) as caught:
        build_teams(TeamsDoc(teams={"ert": TeamDoc(name="ERT", part_of="catalog")}, default_enforcer="nobody"))
    assert [path for path, _ in caught.value.faults] == [("default_enforcer",), ("teams", "ert", "part_of")]


def test_enforcer_is_the_first_team_claiming_the_reason_class() -> None:
    """Teams are asked in file order; an unclaimed or absent reason class goes to the default enforcer."""
    teams = build_teams(doc(perf=PERF, quality=QUALITY))
    assert teams.enforcer("performance") == "perf"
    assert teams.enforcer("ip") == "quality"
    assert teams.enforcer("fraud") == "perf"
    assert teams.enforcer(None) == "perf"


def test_name_falls_back_to_the_id_or_the_enforcing_team() -> None:
    """A known team is called by its name, an unknown one by its id, none as the enforcing team."""
    teams = build_teams(doc(perf=PERF))
    assert [teams.name("perf"), teams.name("x"), teams.name(None)] == ["Seller Performance", "x", "the enforcing team"]


def test_teams_is_a_read_only_mapping() -> None:
    """Teams reads like a mapping of id to team, and its mapping cannot be changed in place."""
    teams = build_teams(doc(perf=PERF))
    assert len(teams) == 1 and list(teams) == ["perf"] and teams.get("x") is None
    with pytest.raises(TypeError):
        teams.by_id["x"] = teams["perf"]  # type: ignore[index]


def test_teams_of_reads_the_definitions_resource() -> None:
    """account_suspension carries the built-in teams; a holder without them has none."""
    teams = teams_of(workflow.load("account_suspension"))
    assert "seller_performance" in teams.ids()
    assert teams_of({}) == Teams()


def test_teams_is_registered_as_a_resource_with_its_default_file() -> None:
    """The pack registers ``teams`` with its record and its default file, empty when unreadable."""
    kind = RESOURCES["teams"]
    assert (kind.record, kind.default_file) == (TeamsDoc, "teams.yaml")
    assert kind.empty() == Teams()
