"""Account health as a decision table: a metrics snapshot in, a verdict out, every fired rule named and cited.

The table (``definitions/tables/account_health.yaml``) is data: for each metric the rule that judges it, its
parameters (target, window) for each marketplace, and what a breach means. The rules are code, registered
under their catalog ids (``workflow.amazon.rules.health``). A snapshot is YAML or JSON, in this project's names::

    marketplace: IN
    metrics: {order_defect_rate: 0.004, cancel_rate: 2.2%, valid_tracking_rate: {books: 0.93, toys: 0.98}}
    account: {months_above_threshold: 8, emergency_contact: true}

or as Amazon's account health report (``performanceMetrics`` with ``orderDefectRate``, ``lateShipmentRate``,
``preFulfillmentCancellationRate`` ...). The verdict's ``action`` is the ``account_suspension`` event it allows:
``suspend``, ``warn`` or none; ``to_event`` gives it with its payload.

>>> from workflow.amazon.health import evaluate
>>> verdict = evaluate({"marketplace": "IN", "metrics": {"cancel_rate": 0.022}})
>>> verdict.level, [f.rule for f in verdict.fired], verdict.action
('suspension_allowed', ['health.cancel_rate'], 'suspend')
>>> evaluate({"marketplace": "UK", "metrics": {"cancel_rate": 0.022}}).level
'healthy'
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Annotated, Any

import attrs

from workflow.amazon.rules.health import Reading, aha_status, ahr_band, off_target
from workflow.core.rules import REGISTRY, TABLE
from workflow.core.structure import (
    DETAILED,
    Constraint,
    NonEmpty,
    Nullable,
    PathKey,
    at_least,
    describe_value,
    min_items,
    one_of,
    structure,
)
from workflow.errors import DefinitionError, MetricsError, Problem, UnknownMarketplace
from workflow.io.load import Builder, definitions_dir
from workflow.io.source import Located, parse, read

#: verdict levels, least to most severe
LEVELS = ("healthy", "warning", "category_restriction", "suspension_allowed")
#: what a breach of a metric can mean
BREACHES = ("suspension_allowed", "category_restriction", "warning")
MEANING = {
    "suspension_allowed": "Amazon warns, and may deactivate the account: a contractual metric.",
    "category_restriction": (
        "Amazon may stop seller-fulfilled offers in the categories that miss it; the account is not suspended for it."
    ),
    "warning": "A warning only: this metric never suspends an account.",
    "protected": "Account Health Assurance holds: a warning, not a deactivation.",
}
RATING = "account_health_rating"
#: the account_suspension events a verdict drives
ACTIONS = {"healthy": None, "warning": "warn", "category_restriction": "warn", "suspension_allowed": "suspend"}


# --------------------------------------------------------------------------------------------- the table


@attrs.frozen
class Marketplace:
    code: str
    name: str
    ids: tuple[str, ...]


@attrs.frozen
class MetricRule:
    """One row of the table: a metric, the rule that judges it, its parameters, and what a breach means."""

    metric: str
    rule: str
    source: str
    params: Mapping[str, Any]
    on_breach: str
    contractual: bool
    report_fields: tuple[str, ...] = ()
    description: str = ""
    by_marketplace: Mapping[str, tuple[str | None, Mapping[str, Any]]] = attrs.field(factory=dict)

    def resolved(self, marketplace: str) -> tuple[Mapping[str, Any], str]:
        """The parameters and the source that hold in ``marketplace``."""
        source, params = self.by_marketplace.get(marketplace, (None, {}))
        return MappingProxyType({**self.params, **params}), source or self.source


@attrs.frozen
class RatingRule:
    rule: str
    source: str
    params: Mapping[str, Any]
    at_risk: str
    unhealthy: str
    report_fields: tuple[str, ...] = ()


@attrs.frozen
class ProtectionRule:
    rule: str
    source: str
    params: Mapping[str, Any]


@attrs.frozen
class Table:
    """The account-health decision table, validated."""

    name: str
    version: str
    description: str
    marketplaces: Mapping[str, Marketplace]
    default_marketplace: str
    metrics: tuple[MetricRule, ...]
    rating: RatingRule | None
    protection: ProtectionRule | None
    origin: str | None = attrs.field(default=None, eq=False)

    def rule_ids(self) -> tuple[str, ...]:
        ids = [m.rule for m in self.metrics]
        ids += [r.rule for r in (self.rating, self.protection) if r is not None]
        return tuple(sorted(ids))

    def marketplace(self, given: str | None) -> str | None:
        """The marketplace code for a code or a marketplace id; the default for ``None``; ``None`` if unknown."""
        if given is None:
            return self.default_marketplace
        for code, mp in self.marketplaces.items():
            if given.upper() == code or given in mp.ids:
                return code
        return None

    def metric_names(self) -> dict[str, str]:
        """Every name a snapshot may use for a metric (ours and the report's) -> the table's metric name."""
        names = {m.metric: m.metric for m in self.metrics}
        for m in self.metrics:
            names.update(dict.fromkeys(m.report_fields, m.metric))
        if self.rating is not None:
            names[RATING] = RATING
            names.update(dict.fromkeys(self.rating.report_fields, RATING))
        return names


# What a table file holds, as records the core's converter structures; ``build_table`` reads them back as plain
# data with every default filled in.
Scalar = str | bool | int | float
Params = Annotated[dict[str, Scalar | tuple[Scalar, ...]], Nullable(dict)]
Fields = Annotated[tuple[NonEmpty, ...], Nullable(tuple)]


@attrs.frozen
class MarketplaceDoc:
    name: str = ""
    ids: Fields = ()
    default: bool = False


@attrs.frozen
class MarketplaceParams:
    """A metric's own source and parameters in one marketplace."""

    source: NonEmpty | None = None
    params: Params = attrs.field(factory=dict)


@attrs.frozen
class MetricDoc:
    rule: NonEmpty
    source: NonEmpty
    description: str = ""
    params: Params = attrs.field(factory=dict)
    on_breach: one_of(BREACHES) = attrs.field(kw_only=True)  # type: ignore[valid-type]
    contractual: bool = attrs.field(kw_only=True)
    report_fields: Fields = ()
    marketplaces: Annotated[dict[str, MarketplaceParams], Nullable(dict)] = attrs.field(factory=dict)


@attrs.frozen
class RatingDoc:
    rule: NonEmpty
    source: NonEmpty
    params: Params = attrs.field(factory=dict)
    at_risk: one_of(LEVELS[1:]) = attrs.field(kw_only=True)  # type: ignore[valid-type]
    unhealthy: one_of(LEVELS[1:]) = attrs.field(kw_only=True)  # type: ignore[valid-type]
    report_fields: Fields = ()


@attrs.frozen
class ProtectionDoc:
    rule: NonEmpty
    source: NonEmpty
    params: Params = attrs.field(factory=dict)


@attrs.frozen
class TableDoc:
    """A decision table file."""

    kind: one_of(("decision_table",))  # type: ignore[valid-type]
    name: NonEmpty
    version: NonEmpty | float
    description: str = ""
    marketplaces: Annotated[dict[str, MarketplaceDoc], min_items(1)] = attrs.field(kw_only=True)
    metrics: Annotated[dict[str, MetricDoc], min_items(1)] = attrs.field(kw_only=True)
    rating: RatingDoc | None = None
    protection: ProtectionDoc | None = None


def tables_dir() -> Path:
    """Where the built-in decision tables live: ``tables/`` beside the built-in definitions."""
    return definitions_dir() / "tables"


def builtin_tables() -> tuple[str, ...]:
    """The names of the built-in decision tables."""
    return tuple(p.stem for p in sorted(tables_dir().glob("*.yaml")))


_TABLES: dict[tuple[str, int, int], Table] = {}


def load_table(path: str | Path | None = None, *, text: str | None = None, file: str | None = None) -> Table:
    """The account-health table: the built-in one, a file by ``path``, or YAML ``text``; every fault located."""
    if text is not None:
        return build_table(parse(text, file=file, error=DefinitionError))
    target = Path(path) if path is not None else tables_dir() / "account_health.yaml"
    stat = target.stat() if target.exists() else None
    key = (str(target.resolve()), stat.st_mtime_ns, stat.st_size) if stat is not None else None
    if key is not None and key in _TABLES:
        return _TABLES[key]
    table = build_table(read(target, error=DefinitionError))
    if key is not None:
        _TABLES[key] = table
    return table


def build_table(located: Located) -> Table:
    """Shape-check the table, resolve its rules and parameters, and check what a breach may mean."""
    doc, faults = structure(located.data, TableDoc)
    b = Builder(located)
    for p, m in faults:
        b.fault(p, m)
    if doc is None:
        raise DefinitionError(b.in_order())
    data = DETAILED.unstructure(doc)
    marketplaces = {
        code: Marketplace(code=code, name=v["name"], ids=tuple(v["ids"])) for code, v in data["marketplaces"].items()
    }
    defaults = [code for code, v in data["marketplaces"].items() if v["default"]]
    if len(defaults) != 1:
        b.fault(
            ("marketplaces",), f"exactly one marketplace is the default (got {len(defaults)}: {', '.join(defaults)})"
        )
    metrics = []
    for metric, row in data["metrics"].items():
        path: PathKey = ("metrics", metric)
        ref = _rule(b, path, row, metric)
        if row["on_breach"] == "suspension_allowed" and not row["contractual"]:
            b.fault(
                (*path, "on_breach"),
                f"'{metric}' is not contractual, so its breach cannot allow a suspension (A-HEALTH-UK: only "
                "contractual metrics do); use category_restriction or warning",
            )
        overrides: dict[str, tuple[str | None, Mapping[str, Any]]] = {}
        for code, spec in row["marketplaces"].items():
            if code not in marketplaces:
                b.fault(
                    (*path, "marketplaces", code), f"unknown marketplace '{code}' (known: {', '.join(marketplaces)})"
                )
                continue
            if ref is not None:
                b.rule_params((*path, "marketplaces", code, "params"), REGISTRY[ref], spec["params"])
            overrides[code] = (spec["source"], MappingProxyType(dict(spec["params"])))
        for code, (_src, params) in [("", (None, row["params"])), *overrides.items()]:
            target = params.get("target")
            if isinstance(target, int | float) and not isinstance(target, bool) and not 0 < target <= 1:
                where = (*path, "params", "target") if not code else (*path, "marketplaces", code, "params", "target")
                b.fault(where, f"a rate target is a fraction between 0 and 1 (got {target})")
        if ref is not None:
            metrics.append(
                MetricRule(
                    metric=metric,
                    rule=ref,
                    source=row["source"],
                    params=MappingProxyType(_with_defaults(ref, row["params"])),
                    on_breach=row["on_breach"],
                    contractual=row["contractual"],
                    report_fields=tuple(row["report_fields"]),
                    description=row["description"],
                    by_marketplace=MappingProxyType(overrides),
                )
            )
    rating = None
    if data["rating"] is not None:
        r = data["rating"]
        ref = _rule(b, ("rating",), r, RATING)
        if ref is not None:
            params = _with_defaults(ref, r["params"])
            if not b.problems and not float(params["healthy_from"]) > float(params["at_risk_from"]) >= 0:
                b.fault(("rating", "params"), "expected healthy_from > at_risk_from >= 0")
            rating = RatingRule(
                rule=ref,
                source=r["source"],
                params=MappingProxyType(params),
                at_risk=r["at_risk"],
                unhealthy=r["unhealthy"],
                report_fields=tuple(r["report_fields"]),
            )
    protection = None
    if data["protection"] is not None:
        pr = data["protection"]
        ref = _rule(b, ("protection",), pr, None)
        if ref is not None:
            protection = ProtectionRule(
                rule=ref, source=pr["source"], params=MappingProxyType(_with_defaults(ref, pr["params"]))
            )
    if b.problems:
        raise DefinitionError(b.problems)
    return Table(
        name=data["name"],
        version=str(data["version"]),
        description=" ".join(data["description"].split()),
        marketplaces=MappingProxyType(marketplaces),
        default_marketplace=defaults[0],
        metrics=tuple(metrics),
        rating=rating,
        protection=protection,
        origin=located.file,
    )


def _rule(b: Builder, path: PathKey, row: Mapping[str, Any], metric: str | None) -> str | None:
    """The row's rule id if it is a registered table rule that judges ``metric`` and takes the row's params."""
    ref = b.rule_ref(path, {"rule": row["rule"], "source": row["source"], "params": row["params"]}, (TABLE,))
    if ref is None:
        return None
    reads = REGISTRY[ref.id].reads
    if metric is not None and metric not in reads:
        b.fault((*path, "rule"), f"rule '{ref.id}' judges {', '.join(reads) or 'no metric'}, not '{metric}'")
        return None
    return ref.id


def _with_defaults(rule_id: str, params: Mapping[str, Any]) -> dict[str, Any]:
    return {**REGISTRY[rule_id].params, **params}


# --------------------------------------------------------------------------------------------- snapshots


@attrs.frozen
class Snapshot:
    """A metrics snapshot, checked: values by the table's metric names, and what it says about the account."""

    metrics: Mapping[str, Any]
    account: Mapping[str, Any] = attrs.field(factory=dict)
    marketplace: str | None = None
    as_of: dt.datetime | None = None
    notes: tuple[str, ...] = ()
    file: str | None = None


NonNegative = Annotated[
    float, Constraint("a number >= 0", lambda v: None if v >= 0 else f"expected a number >= 0 (got {v!r})", ("nn",))
]


@attrs.frozen
class AccountDoc:
    """What a snapshot says about the account (each unknown unless given)."""

    aha_enrolled: bool | None = None  # Amazon's enrolment notice for Account Health Assurance
    months_above_threshold: at_least(0) | None = None  # type: ignore[valid-type]  # months the rating held at 250+
    days_below_threshold: at_least(0) | None = None  # type: ignore[valid-type]  # days below 250 in those months
    emergency_contact: bool | None = None  # a valid emergency phone number is on file
    professional_plan: bool | None = None
    unreachable_hours: NonNegative | None = None  # hours Amazon tried and failed to reach
    fraud_suspected: bool | None = None


@attrs.frozen
class SnapshotHead:
    marketplace: NonEmpty | None = None
    as_of: dt.datetime | None = None
    account: Annotated[AccountDoc, Nullable(dict)] = attrs.field(factory=AccountDoc)
    description: str = ""


@attrs.frozen
class OursDoc(SnapshotHead):
    """A metrics snapshot in this project's names."""

    metrics: dict[str, Any] = attrs.field(kw_only=True)


@attrs.frozen
class ReportDoc(SnapshotHead):
    """Amazon's account health report."""

    performanceMetrics: Annotated[tuple[dict[str, Any], ...], min_items(1)] = attrs.field(kw_only=True)
    accountStatuses: Any = None


def read_snapshot(
    path: str | Path | None = None, *, text: str | None = None, file: str | None = None, table: Table | None = None
) -> Snapshot:
    """Read a snapshot file (or ``text``), in this project's names or as Amazon's report; every fault located."""
    if text is not None:
        located = parse(text, file=file, error=MetricsError)
    else:
        if path is None:
            raise MetricsError([Problem("no snapshot given")])
        located = read(path, error=MetricsError)
    return build_snapshot(located, table or load_table())


def snapshot_from(data: Mapping[str, Any], table: Table | None = None) -> Snapshot:
    """A snapshot from plain data (a mapping, as ``read_snapshot`` would parse it)."""
    return build_snapshot(Located(data=data, lines={}, file=None), table or load_table())


def build_snapshot(located: Located, table: Table) -> Snapshot:
    data = located.data
    is_report = isinstance(data, Mapping) and "performanceMetrics" in data
    doc, faults = structure(data, ReportDoc if is_report else OursDoc)
    problems = [located.problem(p, m) for p, m in faults]
    if doc is None:
        raise MetricsError(problems)
    head = DETAILED.unstructure(doc)
    marketplace = head["marketplace"]
    if marketplace is not None and table.marketplace(marketplace) is None:
        known = ", ".join(table.marketplaces)
        problems.append(located.problem(("marketplace",), f"unknown marketplace '{marketplace}' (known: {known})"))
    notes: list[str] = []
    if is_report:
        entry_path, entry, marketplace = _report_entry(located, table, head, problems)
        raw = {k: v for k, v in (entry or {}).items() if k in table.metric_names()}
    else:
        entry_path, raw = ("metrics",), head["metrics"]
    names = table.metric_names()
    metrics: dict[str, Any] = {}
    for key, value in raw.items():
        path = (*entry_path, key)
        metric = names.get(key)
        if metric is None:
            known = ", ".join(m.metric for m in table.metrics) + (f", {RATING}" if table.rating else "")
            problems.append(located.problem(path, f"unknown metric '{key}' (known: {known}, or the report's names)"))
            continue
        if metric in metrics:
            problems.append(located.problem(path, f"'{metric}' is given twice (as '{key}' too)"))
            continue
        checked = _metric_value(located, path, value, metric == RATING, problems, notes)
        if checked is not None:
            metrics[metric] = checked
    if problems:
        raise MetricsError(problems)
    account = {k: v for k, v in head["account"].items() if v is not None}
    return Snapshot(
        metrics=MappingProxyType(metrics),
        account=MappingProxyType(account),
        marketplace=table.marketplace(marketplace) if marketplace is not None else None,
        as_of=head["as_of"],
        notes=tuple(notes),
        file=located.file,
    )


def _report_entry(
    located: Located, table: Table, head: Mapping[str, Any], problems: list[Problem]
) -> tuple[PathKey, Mapping[str, Any] | None, str | None]:
    """The report's entry for the snapshot's marketplace (or its only one), and that marketplace."""
    entries = head["performanceMetrics"]
    wanted = table.marketplace(head["marketplace"]) if head["marketplace"] is not None else None
    found = []
    for i, entry in enumerate(entries):
        code = table.marketplace(str(entry.get("marketplaceId"))) if entry.get("marketplaceId") else None
        found.append((i, entry, code))
    if wanted is not None:
        match = [f for f in found if f[2] == wanted]
        if not match and len(found) == 1 and found[0][2] is None:
            match = found
    elif len(found) == 1:
        match = found
    else:
        match = [f for f in found if f[2] == table.default_marketplace]
    if not match:
        ids = ", ".join(str(e.get("marketplaceId")) for _, e, _ in found)
        where = wanted or table.default_marketplace
        problems.append(
            located.problem(("performanceMetrics",), f"no entry for marketplace {where} (the report covers: {ids})")
        )
        return ("performanceMetrics",), None, wanted
    i, entry, code = match[0]
    return ("performanceMetrics", i), entry, wanted or code


def _metric_value(
    located: Located, path: PathKey, value: Any, rating: bool, problems: list[Problem], notes: list[str]
) -> Any:
    """A rate (a fraction 0-1, or a string like '2.5%'), a mapping of scope to rate, or a report object."""
    if isinstance(value, Mapping):
        if "rate" in value:
            return _metric_value(located, (*path, "rate"), value["rate"], rating, problems, notes)
        if rating:
            for key in ("score", "rating", "accountHealthRating"):
                if key in value:
                    return _metric_value(located, (*path, key), value[key], rating, problems, notes)
            if "ahrStatus" in value:
                notes.append(
                    f"{path[-1]} gives a status ({value['ahrStatus']}), not a score: the rating was not judged"
                )
                return None
            problems.append(located.problem(path, "expected a rating from 0 to 1000 (a number, or {score: N})"))
            return None
        if not value:
            problems.append(located.problem(path, "expected a rate, or a mapping of categories to rates"))
            return None
        out = {}
        for scope, v in value.items():  # categories, or a report's mfn / afn
            if isinstance(v, Mapping) and "rate" not in v:  # one level of scopes: a scope's value is a rate
                problems.append(located.problem((*path, str(scope)), "expected a rate, not a mapping"))
                continue
            checked = _metric_value(located, (*path, str(scope)), v, rating, problems, notes)
            if isinstance(checked, Mapping):
                problems.append(located.problem((*path, str(scope)), "expected a rate, not a mapping"))
            elif checked is not None:
                out[str(scope)] = checked
        return MappingProxyType(out) if len(out) == len(value) else None
    number = _number(value)
    high = 1000.0 if rating else 1.0
    if number is None or not 0 <= number <= high:
        what = "a rating from 0 to 1000" if rating else "a rate: a fraction from 0 to 1, or a percentage such as '2.5%'"
        problems.append(located.problem(path, f"expected {what} (got {describe_value(value)})"))
        return None
    return number


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and abs(value) > 10**15:  # no rate or rating; too large for a float, maybe
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str) and value.strip().endswith("%"):
        try:
            return float(value.strip()[:-1]) / 100
        except ValueError:
            return None
    return None


# --------------------------------------------------------------------------------------------- verdicts


@attrs.frozen
class Fired:
    """A rule that fired: what it found, what that means, and where the rule comes from."""

    rule: str
    level: str
    message: str
    meaning: str
    source: str
    metric: str | None = None


@attrs.frozen
class Restriction:
    """A restriction short of suspension: seller-fulfilled offers stopped in one scope (a category)."""

    rule: str
    metric: str
    scope: str


@attrs.frozen
class Verdict:
    """The table's verdict on a snapshot: the level, every rule that fired and why, and any restrictions."""

    table: str
    version: str
    marketplace: str
    level: str
    fired: tuple[Fired, ...]
    restrictions: tuple[Restriction, ...] = ()
    protected: bool = False
    evaluated: tuple[str, ...] = ()
    not_given: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    values: Mapping[str, Any] = attrs.field(factory=dict, eq=False, repr=False)  # the snapshot's, as judged

    @property
    def action(self) -> str | None:
        """The ``account_suspension`` event the verdict allows: ``suspend``, ``warn``, or ``None`` when healthy."""
        return ACTIONS[self.level]

    def to_json(self) -> dict[str, Any]:
        return {
            "table": self.table,
            "version": self.version,
            "marketplace": self.marketplace,
            "level": self.level,
            "action": self.action,
            "protected": self.protected,
            "fired": [
                {
                    "rule": f.rule,
                    "level": f.level,
                    "metric": f.metric,
                    "message": f.message,
                    "meaning": f.meaning,
                    "source": f.source,
                }
                for f in self.fired
            ],
            "restrictions": [{"rule": r.rule, "metric": r.metric, "scope": r.scope} for r in self.restrictions],
            "evaluated": list(self.evaluated),
            "not_given": list(self.not_given),
            "notes": list(self.notes),
        }


def evaluate(
    snapshot: Snapshot | Mapping[str, Any], table: Table | None = None, *, marketplace: str | None = None
) -> Verdict:
    """Judge ``snapshot`` with ``table`` (default: the built-in one) for ``marketplace`` (default: the snapshot's,
    else the table's default). Raises ``MetricsError`` for a malformed snapshot given as plain data, and
    ``UnknownMarketplace`` for a marketplace the table does not know."""
    tbl = table or load_table()
    snap = snapshot if isinstance(snapshot, Snapshot) else snapshot_from(snapshot, tbl)
    code = tbl.marketplace(marketplace) if marketplace is not None else snap.marketplace or tbl.default_marketplace
    if code is None:
        raise UnknownMarketplace(str(marketplace), tuple(tbl.marketplaces))
    reading = Reading(metrics=snap.metrics, account=snap.account, marketplace=code, as_of=snap.as_of)
    fired: list[Fired] = []
    restrictions: list[Restriction] = []
    evaluated: list[str] = []
    not_given: list[str] = []
    for row in tbl.metrics:
        if row.metric not in snap.metrics:
            not_given.append(row.metric)
            continue
        params, source = row.resolved(code)
        evaluated.append(row.rule)
        message = REGISTRY[row.rule].check(reading, params)
        if message is None:
            continue
        fired.append(Fired(row.rule, row.on_breach, message, MEANING[row.on_breach], source, row.metric))
        if row.on_breach == "category_restriction":
            value = snap.metrics[row.metric]
            for scope, _ in off_target(value, float(params["target"]), "at_least"):
                restrictions.append(Restriction(row.rule, row.metric, scope or "the affected categories"))
    if tbl.rating is not None:
        rating = tbl.rating
        if RATING in snap.metrics:
            evaluated.append(rating.rule)
            message = REGISTRY[rating.rule].check(reading, rating.params)
            if message is not None:
                band = ahr_band(float(snap.metrics[RATING]), rating.params)
                level = rating.at_risk if band == "at_risk" else rating.unhealthy
                meaning = "The at-risk banner: a warning." if band == "at_risk" else "Eligible for deactivation."
                fired.append(Fired(rating.rule, level, message, meaning, rating.source, RATING))
        else:
            not_given.append(RATING)
    level = max((f.level for f in fired), key=LEVELS.index, default="healthy")
    notes = list(snap.notes)
    protected = False
    if tbl.protection is not None:
        pr = tbl.protection
        evaluated.append(pr.rule)
        message = REGISTRY[pr.rule].check(reading, pr.params)
        if message is not None:
            protected = True
            if level == "suspension_allowed":
                level = "warning"
                fired.append(Fired(pr.rule, "warning", message, MEANING["protected"], pr.source))
            else:
                notes.append(f"{pr.rule}: {message}")
        elif snap.account:
            _, why = aha_status(snap.account, pr.params)
            notes.append(f"{pr.rule}: not protected: {why}.")
    return Verdict(
        table=tbl.name,
        version=tbl.version,
        marketplace=code,
        level=level,
        fired=tuple(fired),
        restrictions=tuple(restrictions),
        protected=protected,
        evaluated=tuple(evaluated),
        not_given=tuple(not_given),
        notes=tuple(notes),
        values=snap.metrics,
    )


def to_event(verdict: Verdict) -> tuple[str, dict[str, Any]] | None:
    """The ``account_suspension`` event the verdict allows, with its payload; ``None`` when healthy.

    ``suspend`` cites every metric whose breach allows a suspension as the notice's issues; ``warn`` names the
    first metric that fired and its value.
    """
    if verdict.action is None:
        return None
    if verdict.action == "suspend":
        issues = [f.metric for f in verdict.fired if f.level == "suspension_allowed" and f.metric is not None]
        return "suspend", {"reason_class": "performance", "issues": issues}
    first = next((f for f in verdict.fired if f.metric is not None), None)
    if first is None or first.metric is None:
        return "warn", {"policy": "account_health"}
    payload: dict[str, Any] = {"metric": first.metric}
    if isinstance(verdict.values.get(first.metric), float):
        payload["value"] = verdict.values[first.metric]
    return "warn", payload


__all__ = [
    "LEVELS",
    "Fired",
    "MetricsError",
    "Restriction",
    "Snapshot",
    "Table",
    "Verdict",
    "builtin_tables",
    "evaluate",
    "load_table",
    "read_snapshot",
    "snapshot_from",
    "to_event",
]
