"""Diagrams: the graph model, Mermaid and DOT text (escaping, completeness), the run overlay, the CLI, diagrams/."""

from __future__ import annotations

import html
import importlib.util
import itertools
import json
import os
import random
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from workflow_cli.main import main

import workflow
from workflow.amazon.generate import payload
from workflow.core.compiled import compiled
from workflow.core.hazards import reserved_names
from workflow.diagram.dot import dot_escape, html_text, to_dot
from workflow.diagram.graphviz import dot_hash, graphviz_version, render, svg_stamp
from workflow.diagram.html import to_html
from workflow.diagram.mermaid import mermaid_escape, to_mermaid
from workflow.diagram.model import Graph, Label, graph, label_lines, run_title
from workflow.errors import DiagramError
from workflow.io.load import builtin_names
from workflow.run.scenario import Trace, TraceStep, simulate

ROOT = Path(__file__).resolve().parents[2]


def _tasks() -> ModuleType:
    """tasks.py, the repository's own upkeep (it keeps diagrams/ and the README's Mermaid current)."""
    spec = importlib.util.spec_from_file_location("tasks", ROOT / "tasks.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


tasks = _tasks()
DIAGRAMS = ROOT / "diagrams"
EXAMPLE = ROOT / tasks.EXAMPLE_RUN
IN_CI = bool(os.environ.get("CI"))
HAS_DOT = shutil.which("dot") is not None


def need_dot() -> None:
    """Skip without Graphviz on a developer's machine; in CI, where .ci/run installs it, fail instead."""
    if HAS_DOT:
        return
    if IN_CI:
        pytest.fail("Graphviz 'dot' is not installed, and CI must render the diagrams (see .ci/run)")
    pytest.skip("Graphviz 'dot' is not installed")


# ----------------------------------------------------------------------------------- reading the text back


def _unescape_dot(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), text)


def _unescape_label(text: str) -> str:
    """The text of a Graphviz HTML-like label: entities decoded, doubled backslashes single."""
    return html.unescape(text).replace("\\\\", "\\")


def _unescape_mermaid(text: str) -> str:
    return re.sub(r"#(\d+);", lambda m: chr(int(m.group(1))), text)


def _event_of(head: str) -> tuple[tuple[int, ...], bool, str]:
    """``(2, 4) ✗ event (after 10d)`` -> step numbers, refused, ``event (after 10d)``."""
    found = re.match(r"^(?:\((\d+(?:, \d+)*)\) )?(✗ )?(.*)$", head, re.S)
    assert found is not None
    steps = tuple(int(n) for n in found.group(1).split(", ")) if found.group(1) else ()
    return steps, bool(found.group(2)), found.group(3)


def _shown(event: str, timer: str | None) -> str:
    """How an event is written on its edge: with its timer, if it has one."""
    return f"{event} (after {timer})" if timer else event


Triple = tuple[str, str, str, tuple[str, ...], tuple[int, ...], bool]  # source, dest, event, rules, steps, refused


def read_dot(text: str) -> tuple[dict[str, str], list[Triple], list[str]]:
    """The states (id -> name), the labelled edges and the note's events of a DOT text ``to_dot`` wrote."""
    names: dict[str, str] = {}
    edges: list[Triple] = []
    note: list[str] = []
    for line in text.splitlines():
        node = re.match(r'^    (n\d+) \[label=(?:"((?:[^"\\]|\\.)*)"|<(.*?)<br/>)', line)
        if node:
            names[node.group(1)] = _unescape_dot(node.group(2)) if node.group(2) is not None else ""
            if node.group(3) is not None:
                names[node.group(1)] = _unescape_label(node.group(3))
            continue
        edge = re.match(r"^    (n\d+) -> (n\d+) \[label=<(.*)>(, .*)?\];$", line)
        if edge:
            refused = "style=dashed" in (edge.group(4) or "")
            for part in re.finditer(r"<b>(.*?)</b>(?:<br/><font [^>]*>(.*?)</font>)?", edge.group(3)):
                steps, _, event = _event_of(_unescape_label(part.group(1)))
                rules = _unescape_label((part.group(2) or "").replace("<br/>", " ")).replace(",", " ").split()
                edges.append((edge.group(1), edge.group(2), event, tuple(rules), steps, refused))
            continue
        loops = re.match(r"^    n_loops \[.*label=<(.*)>\];$", line)
        if loops:
            note = [_event_of(_unescape_label(x))[2] for x in re.findall(r"<b>(.*?)</b>", loops.group(1))]
    return names, edges, note


def read_mermaid(text: str) -> tuple[dict[str, str], list[Triple], list[str]]:
    """The states (id -> name), the labelled edges and the note's events of a Mermaid text ``to_mermaid`` wrote."""
    names: dict[str, str] = {}
    edges: list[Triple] = []
    note: list[str] = []
    for line in text.splitlines():
        node = re.match(r'^    (n\d+)[(\[]{1,2}"(.*)"[)\]]{1,2}:::\w+$', line)
        if node:
            names[node.group(1)] = _unescape_mermaid(node.group(2).split("<br/>")[0])
            continue
        edge = re.match(r'^    (n\d+) (-->|==>|-\.->)\|"(.*)"\| (n\d+)$', line)
        if edge:
            lines = edge.group(3).split("<br/>")
            i = 0
            while i < len(lines):
                steps, _, event = _event_of(_unescape_mermaid(lines[i]))
                i += 1
                rules: list[str] = []
                if i < len(lines) and lines[i].startswith("["):
                    while True:
                        rules += _unescape_mermaid(lines[i].strip("[]")).replace(",", " ").split()
                        i += 1
                        if lines[i - 1].endswith("]"):
                            break
                edges.append((edge.group(1), edge.group(4), event, tuple(rules), steps, edge.group(2) == "-.->"))
            continue
        loops = re.match(r'^    n_loops\["(.*)"\]:::note$', line)
        if loops:
            note = [_unescape_mermaid(x.split(" [")[0]) for x in loops.group(1).split("<br/>")[1:]]
    return names, edges, note


def drawn_transitions(
    defn: workflow.Definition, reader: Any, text: str
) -> tuple[set[str], Counter[tuple[str, str, str, tuple[str, ...]]]]:
    """The state names and the (source, dest, event, rule ids) a diagram shows, the note spread on every state."""
    names, edges, note = reader(text)
    shown: Counter[tuple[str, str, str, tuple[str, ...]]] = Counter()
    for src, dst, event, rules, _, refused in edges:
        if not refused:
            shown[(names[src], names[dst], event, rules)] += 1
    guards = {
        _shown(t.event, t.timer.text if t.timer else None): tuple(dict.fromkeys(g.id for g in t.guards))
        for t in defn.transitions
    }
    for event in note:
        for s in defn.states:
            if not s.terminal:
                shown[(s.name, s.name, event, guards[event])] += 1
    return set(names.values()), shown


def expected_transitions(defn: workflow.Definition) -> Counter[tuple[str, str, str, tuple[str, ...]]]:
    return Counter(
        {
            (
                src,
                t.dest,
                _shown(t.event, t.timer.text if t.timer else None),
                tuple(dict.fromkeys(g.id for g in t.guards)),
            ): 1
            for t in defn.transitions
            for src in t.sources
        }
    )


# ----------------------------------------------------------------------------------- generated definitions

ALPHABET = st.sampled_from(list("abcxyzABZ019 _-.\"'<>&#;|\\/`%{}[]():=*!?,éüß中→✓"))
NAME = st.text(ALPHABET, min_size=1, max_size=10).filter(lambda s: s.strip() not in ("", "*", "="))


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


@st.composite
def definition_texts(draw: Any) -> str:
    """A valid definition as YAML text: random names (quotes, spaces, markup, unicode), a chain to a terminal
    state, extra transitions (some from several states, some self-loops, some guarded), maybe a '*' loop."""
    n_states = draw(st.integers(2, 6))
    n_terminal = draw(st.integers(1, min(2, n_states - 1)))
    states = draw(st.lists(NAME, min_size=n_states, max_size=n_states, unique=True))
    event_names = draw(st.lists(NAME, min_size=12, max_size=12, unique=True))
    assume(not reserved_names(states, event_names))  # names the state machine underneath reserves are refused
    events = iter(event_names)
    live, ends = states[: n_states - n_terminal], states[n_states - n_terminal :]
    lines = ["name: generated", 'version: "1"', "states:"]
    for i, name in enumerate(states):
        spec = "{initial: true}" if i == 0 else "{}"
        if name in ends:
            outcome = draw(st.sampled_from(["", ", outcome: success", ", outcome: failure", ", outcome: neutral"]))
            spec = f"{{terminal: true{outcome}}}"
        lines.append(f"  {_q(name)}: {spec}")
    transitions: list[str] = []
    guards = st.sampled_from(
        [
            "",
            ", guards: [{rule: patience.wait, source: S1}]",
            ", guards: [{rule: escalate.once, source: S2}, {rule: patience.wait, source: S3}]",
        ]
    )
    used: list[str] = []

    def add(sources: list[str], dest: str | None) -> None:
        event = next(events)
        used.append(event)
        to = f", to: {_q(dest)}" if dest is not None else ""
        transitions.append(f"  - {{event: {_q(event)}, from: [{', '.join(_q(s) for s in sources)}]{to}{draw(guards)}}}")

    chain = [*live, ends[0]]
    for a, b in itertools.pairwise(chain):
        add([a], b)
    for end in ends[1:]:
        add([draw(st.sampled_from(live))], end)
    for _ in range(draw(st.integers(0, 4))):
        sources = draw(st.lists(st.sampled_from(live), min_size=1, max_size=3, unique=True))
        dest = draw(st.one_of(st.none(), st.sampled_from(states)))
        add(sources, dest)
    if draw(st.booleans()):
        event = next(events)
        used.append(event)
        transitions.append(f'  - {{event: {_q(event)}, from: "*"}}')
    lines.append("events:")
    lines += [f"  {_q(e)}: {{}}" for e in used]
    lines.append("transitions:")
    lines += transitions
    return "\n".join(lines) + "\n"


@given(definition_texts())
def test_every_state_and_transition_appears_in_dot(text: str) -> None:
    """Every state and every (source, dest, event, guards) of a generated definition is drawn in DOT, once."""
    defn = workflow.load(text=text)
    names, shown = drawn_transitions(defn, read_dot, to_dot(graph(defn)))
    assert names == set(defn.state_names)
    assert shown == expected_transitions(defn)


@given(definition_texts())
def test_every_state_and_transition_appears_in_mermaid(text: str) -> None:
    """Every state and every (source, dest, event, guards) of a generated definition is drawn in Mermaid, once."""
    defn = workflow.load(text=text)
    names, shown = drawn_transitions(defn, read_mermaid, to_mermaid(graph(defn)))
    assert names == set(defn.state_names)
    assert shown == expected_transitions(defn)


@pytest.mark.parametrize("name", builtin_names())
def test_builtin_definitions_are_drawn_whole(name: str) -> None:
    """Every built-in definition's states and transitions are all in its DOT and its Mermaid."""
    defn = workflow.load(name)
    g = graph(defn)
    for reader, text in ((read_dot, to_dot(g)), (read_mermaid, to_mermaid(g))):
        names, shown = drawn_transitions(defn, reader, text)
        assert names == set(defn.state_names)
        assert shown == expected_transitions(defn)


@settings(max_examples=15)
@given(definition_texts())
def test_graphviz_reads_the_escaped_names_back(text: str) -> None:
    """Graphviz parses the DOT of generated names and draws every state and event name as written."""
    need_dot()
    defn = workflow.load(text=text)
    svg = render(to_dot(graph(defn)), "svg").decode()
    texts = [t.text or "" for t in ET.fromstring(svg[svg.index("<svg") :]).iter("{http://www.w3.org/2000/svg}text")]
    drawn = "\n".join(texts)
    for name in (*defn.state_names, *defn.event_names):
        assert " ".join(name.split()) in " ".join(drawn.split())


@pytest.mark.parametrize("name", ["]", "[", "]]>", "a]b"])
def test_graphviz_draws_bracket_names(name: str) -> None:
    """A terminal state and an event named with brackets (a lone ']' among them) are drawn by Graphviz."""
    need_dot()
    text = (
        "name: t\nversion: '1'\nstates:\n  a: {initial: true}\n"
        f"  {json.dumps(name)}: {{terminal: true, outcome: success}}\n"
        f"events: {{{json.dumps(name)}: {{}}}}\n"
        f"transitions: [{{event: {json.dumps(name)}, from: a, to: {json.dumps(name)}}}]\n"
    )
    svg = render(to_dot(graph(workflow.load(text=text))), "svg").decode()
    texts = [t.text for t in ET.fromstring(svg[svg.index("<svg") :]).iter("{http://www.w3.org/2000/svg}text")]
    assert texts.count(name) == 2  # the state and the event


@pytest.mark.parametrize("char", ["\x01", "\x1f", "\t", "\x7f"])
def test_graphviz_draws_names_with_control_characters(char: str) -> None:
    """Names holding a control character (YAML can write one as an escape) still reach an SVG."""
    need_dot()
    escaped = json.dumps(char)[1:-1]
    text = (
        "name: t\nversion: '1'\nstates:\n  a: {initial: true}\n"
        f'  "p{escaped}q": {{}}\n  "x{escaped}y": {{terminal: true}}\n'
        f'events: {{"e{escaped}f": {{}}, go: {{}}}}\n'
        f'transitions: [{{event: "e{escaped}f", from: a, to: "p{escaped}q"}}, {{event: go, from: "p{escaped}q", '
        f'to: "x{escaped}y"}}]\n'
    )
    defn = workflow.load(text=text)
    assert "x" + char + "y" in defn.state_names
    svg = render(to_dot(graph(defn)), "svg").decode()
    texts = [t.text or "" for t in ET.fromstring(svg[svg.index("<svg") :]).iter("{http://www.w3.org/2000/svg}text")]
    assert any(t.startswith("x") and t.endswith("y") for t in texts)


def test_descriptions_reach_the_svg_tooltips_as_written() -> None:
    """A state's description, backslashes, quotes and markup included, is its tooltip in the SVG."""
    need_dot()
    description = 'a\\b \\N "q" <i>&'
    defn = workflow.load(
        text=(
            "name: t\nversion: '1'\nstates:\n"
            f"  a: {{initial: true, description: {json.dumps(description)}}}\n"
            "  b: {terminal: true}\nevents: {go: {}}\ntransitions: [{event: go, from: a, to: b}]\n"
        )
    )
    svg = render(to_dot(graph(defn)), "svg").decode()
    titles = [a.get("{http://www.w3.org/1999/xlink}title") for a in ET.fromstring(svg[svg.index("<svg") :]).iter()]
    assert description in titles


# ----------------------------------------------------------------------------------- what the drawing shows

NASTY = """
name: 'say "hi" & <go>'
version: "1"
states:
  'a "quoted" state': {initial: true}
  'back\\slash #35; | %% `tick` [x] {y}': {}
  'done <b>ok</b>': {terminal: true, outcome: success}
  'lost & gone': {terminal: true, outcome: failure}
  'parked': {terminal: true}
events:
  'go "now"': {}
  'line|pipe': {}
  'stop': {}
  'park': {}
  'ask #support': {}
transitions:
  - {event: 'go "now"', from: 'a "quoted" state', to: 'back\\slash #35; | %% `tick` [x] {y}'}
  - {event: 'line|pipe', from: 'back\\slash #35; | %% `tick` [x] {y}', to: 'done <b>ok</b>',
     guards: [{rule: patience.wait, source: S}]}
  - {event: stop, from: ['a "quoted" state', 'back\\slash #35; | %% `tick` [x] {y}'], to: 'lost & gone'}
  - {event: park, from: 'a "quoted" state', to: parked}
  - {event: 'ask #support', from: "*"}
"""


@pytest.fixture(scope="module")
def nasty() -> workflow.Definition:
    return workflow.load(text=NASTY)


def test_dot_escapes_quotes_backslashes_and_markup(nasty: workflow.Definition) -> None:
    """DOT writes quotes and backslashes escaped in plain strings, and & < > as entities in HTML labels."""
    dot = to_dot(graph(nasty))
    assert 'n0 [label="a \\"quoted\\" state"' in dot
    assert 'n1 [label="back\\\\slash #35; | %% `tick` [x] {y}"' in dot
    assert "n2 [label=<done &lt;b&gt;ok&lt;/b&gt;<br/>" in dot
    assert "n3 [label=<lost &amp; gone<br/>" in dot
    assert "<b>go &quot;now&quot;</b>" in dot
    assert 'digraph "say \\"hi\\" & <go>" {' in dot
    assert "<b>ok</b>" not in dot


def test_mermaid_escapes_with_entity_codes(nasty: workflow.Definition) -> None:
    """Mermaid writes markup characters as #NNN; codes, so no name can end a label or open a tag."""
    mmd = to_mermaid(graph(nasty))
    assert 'n0("a #34;quoted#34; state"):::initial' in mmd
    assert 'n1("back#92;slash #35;35; #124; #37;#37; #96;tick#96; #91;x#93; #123;y#125;"):::state' in mmd
    assert 'n2(["done #60;b#62;ok#60;/b#62;<br/>(end: success)"]):::success' in mmd
    assert 'n3[["lost #38; gone<br/>(end: failure)"]]:::failure' in mmd
    assert '-->|"go #34;now#34;"|' in mmd
    for line in mmd.splitlines():
        if "-->|" in line:  # a label holds exactly the two quotes that delimit it
            assert line.count('"') == 2


def test_escape_functions_round_trip() -> None:
    """Unescaping what the escapers wrote gives back the text, for DOT strings and Mermaid labels."""
    text = 'a"b\\c#1;d|e<f>&g`h%i\nj'
    assert _unescape_dot(dot_escape(text)) == text
    assert _unescape_mermaid(mermaid_escape(text)) == text
    assert "\n" not in dot_escape(text) and "\n" not in mermaid_escape(text)


def test_control_characters_are_drawn_as_pictures() -> None:
    """Control characters no XML can carry become their Unicode pictures in DOT, HTML labels and Mermaid."""
    assert dot_escape("a\x01b\x1fc") == "a\u2401b\u241fc"
    assert html_text("a\x01b") == "a\u2401b"
    assert mermaid_escape("a\x01b") == "a\u2401b"


def test_initial_and_terminal_states_are_marked(nasty: workflow.Definition) -> None:
    """The initial state is pointed at from the start dot; terminal states are styled by outcome, apart."""
    g = graph(nasty)
    kinds = {n.name: (n.kind, n.initial) for n in g.nodes}
    assert kinds == {
        'a "quoted" state': ("normal", True),
        "back\\slash #35; | %% `tick` [x] {y}": ("normal", False),
        "done <b>ok</b>": ("success", False),
        "lost & gone": ("failure", False),
        "parked": ("neutral", False),
    }
    dot = to_dot(g)
    assert "n_start -> n0;" in dot
    assert 'fillcolor="#d8f0d8", color="#2e7d32"' in dot.splitlines()[7]  # n2, success: green
    assert 'fillcolor="#f8d7d7", color="#c62828"' in dot.splitlines()[8]  # n3, failure: red
    assert "end: success" in dot and "end: failure" in dot
    mmd = to_mermaid(g)
    assert "n_start --> n0" in mmd
    assert ":::success" in mmd and ":::failure" in mmd and ":::neutral" in mmd


def test_self_loops_of_every_state_become_one_note(suspension_def: workflow.Definition) -> None:
    """contact_seller_support, allowed in every non-terminal state, is one note, not seven loops."""
    g = graph(suspension_def)
    assert [lab.event for lab in g.everywhere] == ["contact_seller_support"]
    loops = [e for e in g.edges if e.loop]
    assert [(g.node(e.source).name, [lab.event for lab in e.labels]) for e in loops] == [
        ("poa_submitted", ["follow_up"])
    ]
    assert to_dot(g).count("contact_seller_support") == 1
    assert to_mermaid(g).count("contact_seller_support") == 1


def test_edges_carry_their_guards(suspension_def: workflow.Definition) -> None:
    """Each edge is labelled with its event and the ids of the rules that guard it, in definition order."""
    g = graph(suspension_def)
    by = {(g.node(e.source).name, g.node(e.dest).name, e.labels[0].event): e.labels[0].rules for e in g.edges}
    assert by[("rejected", "escalated", "escalate")] == (
        "fraud.no_appeal",
        "escalate.after_review",
        "escalate.strong_poa",
        "escalate.letter",
        "escalate.once",
    )
    assert by[("poa_submitted", "poa_submitted", "follow_up")] == ("patience.wait",)
    assert by[("active", "warning", "warn")] == ()


def test_output_is_deterministic(suspension_def: workflow.Definition) -> None:
    """The same definition, loaded twice from its text, gives the same Mermaid and DOT bytes."""
    text = (ROOT / "definitions" / "account_suspension.yaml").read_text()
    other = workflow.load(text=text)
    assert to_dot(graph(other)) == to_dot(graph(suspension_def))
    assert to_mermaid(graph(other)) == to_mermaid(graph(suspension_def))


def test_svg_is_deterministic(suspension_def: workflow.Definition) -> None:
    """Two renderings of one definition are the same bytes, stamped with the DOT's hash."""
    need_dot()
    dot = to_dot(graph(suspension_def))
    first, second = render(dot, "svg"), render(dot, "svg")
    assert first == second
    stamp = svg_stamp(first.decode())
    assert stamp is not None and stamp[1] == dot_hash(dot)
    assert "Generated by graphviz" not in first.decode()


def test_png_is_a_png(suspension_def: workflow.Definition) -> None:
    """PNG comes back from Graphviz as PNG bytes."""
    need_dot()
    assert render(to_dot(graph(suspension_def)), "png").startswith(b"\x89PNG\r\n\x1a\n")


# ----------------------------------------------------------------------------------- the run on top


def overlay_of(g: Graph) -> list[tuple[int, str, str, str, bool, tuple[str, ...]]]:
    """Every numbered label of a graph: (step, source, dest, event, refused, rule ids of a refusal)."""
    out = []
    for e in g.edges:
        for lab in e.labels:
            for n in lab.steps:
                rules = lab.rules if e.refused else ()
                out.append((n, g.node(e.source).name, g.node(e.dest).name, lab.event, e.refused, rules))
    return sorted(out)


def expected_overlay(trace: Trace) -> list[tuple[int, str, str, str, bool, tuple[str, ...]]]:
    defn = trace.definition
    out: list[tuple[int, str, str, str, bool, tuple[str, ...]]] = []
    for ts in trace.steps:
        s = ts.step
        if s.accepted:
            out.append((s.index + 1, s.source, s.target, s.event, False, ()))
        else:
            dests = {t.dest for t in defn.transitions if t.event == s.event and s.source in t.sources}
            dest = next(iter(dests)) if len(dests) == 1 else s.source
            out.append((s.index + 1, s.source, dest, s.event, True, s.blocked_by))
    return sorted(out)


def check_overlay(trace: Trace) -> None:
    g = graph(trace.definition, trace)
    assert overlay_of(g) == expected_overlay(trace)
    visited = {trace.initial_state} | {t.step.source for t in trace.steps}
    visited |= {t.step.target for t in trace.steps if t.step.accepted}
    assert {n.name for n in g.nodes if n.visited} == visited
    assert [n.name for n in g.nodes if n.final] == [trace.final_state]
    numbers = sorted(t.step.index + 1 for t in trace.steps)
    for reader, text in ((read_dot, to_dot(g)), (read_mermaid, to_mermaid(g))):
        _, edges, _ = reader(text)
        assert sorted(n for *_, steps, _ in edges for n in steps) == numbers
        refused = sorted(n for *_, steps, r in edges if r for n in steps)
        assert refused == sorted(t.step.index + 1 for t in trace.steps if not t.step.accepted)


def test_example_run_overlay() -> None:
    """The example run: five accepted steps numbered on their edges, step 2 dashed with its refusing rule."""
    trace = simulate(EXAMPLE)
    g = graph(trace.definition, trace)
    assert overlay_of(g) == [
        (1, "active", "suspended", "suspend", False, ()),
        (2, "suspended", "poa_submitted", "submit_poa", True, ("poa.addresses_all_issues",)),
        (3, "suspended", "poa_submitted", "submit_poa", False, ()),
        (4, "poa_submitted", "rejected", "reject", False, ()),
        (5, "rejected", "poa_submitted", "submit_poa", False, ()),
        (6, "poa_submitted", "reinstated", "reinstate", False, ()),
    ]
    check_overlay(trace)
    dot = to_dot(g)
    assert "<b>(2) ✗ submit_poa</b>" in dot and "style=dashed" in dot
    assert re.search(r'n7 \[[^\n]*penwidth=4, color="#1565c0"', dot)  # reinstated, where the run ended
    mmd = to_mermaid(g)
    assert 'n2 -.->|"(2) ✗ submit_poa<br/>[poa.addresses_all_issues]"| n3' in mmd
    assert "class n7 final" in mmd


def random_trace(defn: workflow.Definition, seed: int, length: int) -> Trace:
    """A run of random events (mostly ones the state has a transition for), as a ``Trace``."""
    rng = random.Random(seed)
    clock = workflow.SimulatedClock("2026-03-02T09:00:00Z")
    case = workflow.Case(defn, clock=clock)
    table = compiled(defn).table
    for _ in range(length):
        clock.advance(f"{rng.randint(0, 6)}bd")
        case.advance()
        here = tuple(table[case.state])
        event = defn.event(rng.choice(here)) if here and rng.random() < 0.8 else rng.choice(defn.events)
        case.fire_payload(event.name, payload(rng, event, defn))
    steps = tuple(TraceStep(step=s, expect=None, met=True) for s in case.history)
    return Trace(defn, defn.initial.name, case.state, steps, case)


@given(st.sampled_from(builtin_names()), st.integers(0, 10_000), st.integers(1, 25))
def test_overlay_marks_exactly_the_steps_of_a_run(name: str, seed: int, length: int) -> None:
    """For random runs of every built-in definition (timers included), each step is numbered on exactly one
    edge, and refused ones are dashed with their rule ids."""
    check_overlay(random_trace(workflow.load(name), seed, length))


def test_self_loop_of_every_state_taken_in_a_run(suspension_def: workflow.Definition) -> None:
    """A taken contact_seller_support is drawn as a numbered loop on the state it was taken in."""
    case = workflow.Case(suspension_def, clock=workflow.SimulatedClock("2026-03-02T09:00:00Z"))
    case.fire("suspend", reason_class="performance", issues=["order_defect_rate"])
    case.fire("contact_seller_support", question="why?")
    trace = Trace(suspension_def, "active", case.state, tuple(TraceStep(s, None, True) for s in case.history), case)
    g = graph(suspension_def, trace)
    assert overlay_of(g) == [
        (1, "active", "suspended", "suspend", False, ()),
        (2, "suspended", "suspended", "contact_seller_support", False, ()),
    ]
    check_overlay(trace)


LINKED_RUN = ROOT / "examples" / "linked_accounts_suspended_together.yaml"


def test_run_of_named_cases_numbers_steps_by_their_place_in_the_trace() -> None:
    """A run of several cases numbers its steps 1..n in trace order, each on one edge with its own case's name."""
    trace = simulate(LINKED_RUN)
    assert trace.final_states is not None and len(trace.final_states) == 3
    g = graph(trace.definition, trace)
    carried = sorted(
        (n, case, g.node(e.source).name, g.node(e.dest).name, lab.event, e.refused)
        for e in g.edges
        for lab in e.labels
        for n, case in zip(lab.steps, lab.cases, strict=True)
    )
    expected = [
        (n, ts.case, ts.step.source, ts.step.target if ts.step.accepted else "", ts.step.event, not ts.step.accepted)
        for n, ts in enumerate(trace.steps, start=1)
    ]
    # a refused step's edge points where the event would have gone: compare all but that destination
    assert [(n, c, s, e, r) for n, c, s, _, e, r in carried] == [(n, c, s, e, r) for n, c, s, _, e, r in expected]
    assert all(x[3] == y[3] for x, y in zip(carried, expected, strict=True) if not x[5])
    # the one suspension fired at books set off the same event at toys and garden, each numbered apart
    mmd = to_mermaid(g)
    assert '==>|"(2) books, (3) toys, (4) garden: suspend"|' in mmd
    assert '-.->|"(5) garden: ✗ open_new_account<br/>[linked.no_new_accounts]"|' in mmd
    assert "(1, 2, 1)" not in mmd
    assert {n.name for n in g.nodes if n.final} == set(trace.final_states.values())
    assert g.title.endswith("a run ending in books: permanently_deactivated, toys: suspended, garden: suspended")
    title = run_title(trace, LINKED_RUN.stem)
    assert title.endswith("(final states: books: permanently_deactivated, toys: suspended, garden: suspended)")
    assert "<b>(7) books: deactivate_permanently</b>" in to_dot(g)


def test_steps_of_one_case_on_one_edge_are_grouped_under_its_name() -> None:
    """Several steps on one edge are listed case by case, each case after its own step numbers."""
    label = Label(event="suspend", steps=(2, 3, 5), cases=("books", "toys", "books"))
    assert label_lines(label)[0] == "(2, 5) books, (3) toys: suspend"
    assert label_lines(Label(event="suspend", steps=(2, 5)))[0] == "(2, 5) suspend"


def test_html_of_a_run_of_named_cases_names_each_steps_case() -> None:
    """The HTML steps table of a run of several cases has a case column, numbers by trace place, all final states."""
    trace = simulate(LINKED_RUN)
    assert trace.final_states is not None
    page = to_html(graph(trace.definition, trace), trace, svg=None)
    assert "<th>step</th><th>case</th>" in page
    rows = re.findall(r"<tr(?: class=\"refused\")?><td>(\d+)</td><td>([^<]*)</td>", page)
    assert rows == [(str(n), ts.case) for n, ts in enumerate(trace.steps, start=1)]
    assert "final states: <b>books: permanently_deactivated, toys: suspended, garden: suspended</b>" in page
    one = simulate(EXAMPLE)
    assert "<th>case</th>" not in to_html(graph(one.definition, one), one, svg=None)


def test_a_run_of_another_definition_is_refused(nasty: workflow.Definition) -> None:
    """Drawing a run on a definition it was not run on is an error naming both."""
    trace = simulate(EXAMPLE)
    with pytest.raises(DiagramError, match=r"the run is of definition 'account_suspension' 1\.0\.0, not of"):
        graph(nasty, trace)


# ----------------------------------------------------------------------------------- HTML


def test_html_is_self_contained_with_the_steps() -> None:
    """The HTML page has the drawing inline and the steps with refusing rules' sentences and sources."""
    trace = simulate(EXAMPLE)
    g = graph(trace.definition, trace)
    page = to_html(g, trace, svg=render(to_dot(g), "svg").decode() if HAS_DOT else None)
    assert page.startswith("<!DOCTYPE html>")
    assert "<script" not in page and "<link" not in page and "src=" not in page and "@import" not in page
    assert set(re.findall(r"https?://[^\s\"']+", page)) <= {
        "http://www.w3.org/2000/svg",
        "http://www.w3.org/1999/xlink",
    }
    assert "poa.addresses_all_issues" in page
    assert "which no root cause in the plan of action answers" in page
    assert "[A-POA (&quot;an explanation for every issue&quot;) [S]]" in page
    assert page.count("<tr") == 1 + len(trace.steps)
    assert (
        '<tr class="refused"><td>2</td><td>2026-03-03T09:00:00Z</td><td>submit_poa</td><td>suspended (stays)</td>'
        "<td>refused by<ul>"
    ) in page


def test_html_without_graphviz_carries_the_mermaid_source(nasty: workflow.Definition) -> None:
    """Without an SVG the page holds the Mermaid source, HTML-escaped, and says how to get the picture."""
    g = graph(nasty)
    page = to_html(g, svg=None)
    assert "Graphviz is not installed" in page and "apt-get install graphviz" in page
    assert html.escape(to_mermaid(g)) in page
    assert "<b>ok</b>" not in page


# ----------------------------------------------------------------------------------- CLI

runner = CliRunner()


def test_cli_mermaid_by_default() -> None:
    """`workflow diagram NAME` prints the Mermaid flowchart."""
    result = runner.invoke(main, ["diagram", "account_suspension"])
    assert result.exit_code == 0, result.output
    assert result.output == to_mermaid(graph(workflow.load("account_suspension")))


def test_cli_format_from_output_suffix(tmp_path: Path) -> None:
    """`-o FILE.dot` writes DOT and says so on stderr."""
    out = tmp_path / "x.dot"
    result = runner.invoke(main, ["diagram", "account_suspension", "-o", str(out)])
    assert result.exit_code == 0
    assert out.read_text() == to_dot(graph(workflow.load("account_suspension")))
    assert result.stderr.startswith(f"wrote {out} (dot, ")


@pytest.mark.parametrize("fmt", ["svg", "png"])
def test_cli_without_graphviz(fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """svg and png without Graphviz: one line saying so and how to install it, exit 2."""
    monkeypatch.setenv("PATH", str(tmp_path))
    result = runner.invoke(main, ["diagram", "account_suspension", "--format", fmt])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"workflow: error: --format {fmt} needs Graphviz, and its 'dot' program was not found on the PATH; "
        "install Graphviz (apt-get install graphviz, or brew install graphviz), "
        "or use --format mermaid or --format dot, which need nothing\n"
    )


def test_cli_scenario_draws_the_committed_run() -> None:
    """`workflow diagram --scenario EXAMPLE --format dot` prints what diagrams/ holds for the example run."""
    result = runner.invoke(main, ["diagram", "--scenario", str(EXAMPLE), "--format", "dot"])
    assert result.exit_code == 0
    assert result.stdout == tasks.builtin_diagrams(EXAMPLE, svg=False)[f"{tasks.run_stem(EXAMPLE)}.dot"].decode()
    assert 'label="account_suspension 1.0.0 — run: strong_poa_after_one_rejection (final state: reinstated)"' in (
        result.stdout
    )


def test_cli_html_without_graphviz(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """html without Graphviz still works: the Mermaid source and a note, exit 0."""
    monkeypatch.setenv("PATH", str(tmp_path))
    result = runner.invoke(main, ["diagram", "--scenario", str(EXAMPLE), "--format", "html"])
    assert result.exit_code == 0
    assert '<pre class="mermaid-source">' in result.stdout and "<svg" not in result.stdout


def test_cli_svg_with_a_run(tmp_path: Path) -> None:
    """`--scenario FILE --format svg` draws the run: the refused attempt's label is in the SVG."""
    need_dot()
    out = tmp_path / "run.svg"
    result = runner.invoke(main, ["diagram", "--scenario", str(EXAMPLE), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "(2) ✗ submit_poa" in out.read_text()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope"], "workflow: error: no built-in definition 'nope' (known: "),
        (["--scenario", "nofile.yaml"], "workflow: error: nofile.yaml: cannot read file: No such file or directory\n"),
        ([], "Error: give DEFINITION, or --scenario FILE (which names its definition)"),
        (["account_suspension", "--format", "gif"], "Error: Invalid value for '--format'"),
    ],
)
def test_cli_input_errors(args: list[str], message: str) -> None:
    """A wrong definition, scenario or format: exit 2 and a message that names it."""
    result = runner.invoke(main, ["diagram", *args])
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""


def test_cli_scenario_of_another_definition(tmp_path: Path) -> None:
    """A DEFINITION that is not the scenario's own is a usage error, exit 2."""
    other = tmp_path / "other.yaml"
    other.write_text(NASTY)
    result = runner.invoke(main, ["diagram", str(other), "--scenario", str(EXAMPLE)])
    assert result.exit_code == 2
    assert "runs definition 'account_suspension', not '" in result.stderr


def test_tasks_diagrams_regenerates_and_checks(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`tasks.py diagrams --dir D` writes every diagram; --check passes, then fails on a stale or orphan file."""
    need_dot()

    def run(check: bool) -> int:
        return int(tasks.update_diagrams(tmp_path, EXAMPLE, tmp_path / "none.md", check=check))

    assert run(check=False) == 0
    expected = {f"{n}{s}" for n in [*builtin_names(), tasks.run_stem(EXAMPLE)] for s in tasks.DIAGRAM_SUFFIXES}
    assert {p.name for p in tmp_path.iterdir()} == expected
    assert run(check=True) == 0
    (tmp_path / "account_suspension.mmd").write_text("flowchart LR\n")
    (tmp_path / "gone.dot").write_text("digraph {}\n")
    capsys.readouterr()
    assert run(check=True) == 1
    out = capsys.readouterr()
    assert f"stale: {tmp_path / 'account_suspension.mmd'}" in out.out
    assert f"orphan: {tmp_path / 'gone.dot'}" in out.out
    assert "run 'python3 tasks.py diagrams' to regenerate them" in out.err


def test_tasks_diagrams_brings_a_readme_up_to_date(tmp_path: Path) -> None:
    """`tasks.py diagrams --readme F` rewrites F's marked Mermaid block; --check reports it while stale."""
    need_dot()
    readme = tmp_path / "README.md"
    readme.write_text("# x\n\n<!-- diagrams/account_suspension.mmd -->\n```mermaid\nflowchart LR\n```\n")

    def run(check: bool) -> int:
        return int(tasks.update_diagrams(tmp_path / "d", EXAMPLE, readme, check=check))

    assert run(check=True) == 1
    assert run(check=False) == 0
    mmd = (tmp_path / "d" / "account_suspension.mmd").read_text()
    assert readme.read_text() == f"# x\n\n<!-- diagrams/account_suspension.mmd -->\n```mermaid\n{mmd}```\n"
    assert run(check=True) == 0


def test_workflow_diagrams_is_not_a_user_command() -> None:
    """The repository's upkeep is tasks.py's: `workflow diagrams` is no command (the user's is `workflow diagram`)."""
    result = runner.invoke(main, ["diagrams"])
    assert result.exit_code == 2
    assert "No such command 'diagrams'" in result.stderr


# ----------------------------------------------------------------------------------- diagrams/ is fresh

STEMS = [*builtin_names(), tasks.run_stem(tasks.EXAMPLE_RUN)]


@pytest.fixture(scope="module")
def fresh() -> dict[str, bytes]:
    return tasks.builtin_diagrams(EXAMPLE, svg=False)


@pytest.mark.parametrize("name", [f"{stem}{s}" for stem in STEMS for s in (".mmd", ".dot")])
def test_committed_text_diagram_is_fresh(name: str, fresh: dict[str, bytes]) -> None:
    """Each committed .mmd and .dot is what the definitions draw now (regenerate: `python3 tasks.py diagrams`)."""
    path = DIAGRAMS / name
    assert path.exists(), f"{path} is missing: run 'python3 tasks.py diagrams'"
    assert path.read_bytes() == fresh[name], f"{path} is stale: run 'python3 tasks.py diagrams'"


@pytest.mark.parametrize("stem", STEMS)
def test_committed_svg_was_drawn_from_the_current_dot(stem: str, fresh: dict[str, bytes]) -> None:
    """Each committed .svg records the hash of the DOT it was drawn from, and that is today's DOT."""
    path = DIAGRAMS / f"{stem}.svg"
    assert path.exists(), f"{path} is missing: run 'python3 tasks.py diagrams'"
    stamp = svg_stamp(path.read_text())
    assert stamp is not None, f"{path} was not made by 'python3 tasks.py diagrams'"
    assert stamp[1] == dot_hash(fresh[f"{stem}.dot"].decode()), f"{path} is stale: run 'python3 tasks.py diagrams'"


@pytest.mark.parametrize("stem", STEMS)
def test_committed_svg_is_what_graphviz_draws(stem: str, fresh: dict[str, bytes]) -> None:
    """With the Graphviz version that drew it, re-rendering a committed .svg gives the same bytes."""
    need_dot()
    path = DIAGRAMS / f"{stem}.svg"
    stamp = svg_stamp(path.read_text())
    assert stamp is not None
    if stamp[0] != graphviz_version():
        pytest.skip(f"{path} was drawn by Graphviz {stamp[0]}, this is {graphviz_version()}; the hash test holds")
    assert path.read_bytes() == render(fresh[f"{stem}.dot"].decode(), "svg")


def test_no_orphan_diagrams() -> None:
    """diagrams/ holds nothing that no built-in definition or the example run draws."""
    expected = {f"{stem}{s}" for stem in STEMS for s in tasks.DIAGRAM_SUFFIXES}
    present = {p.name for p in DIAGRAMS.iterdir() if p.suffix in tasks.DIAGRAM_SUFFIXES}
    assert present - expected == set()


def test_every_committed_dot_renders() -> None:
    """Graphviz renders every diagrams/*.dot without an error."""
    need_dot()
    files = sorted(DIAGRAMS.glob("*.dot"))
    assert files
    for f in files:
        done = subprocess.run(["dot", "-Tsvg", str(f)], capture_output=True, check=False)
        assert done.returncode == 0, f"{f}: {done.stderr.decode()}"


def test_readme_shows_the_main_lifecycle(fresh: dict[str, bytes]) -> None:
    """The README carries the main lifecycle's current Mermaid inline (regenerate: `python3 tasks.py diagrams`)."""
    readme = (ROOT / "README.md").read_text()
    mmd = fresh["account_suspension.mmd"].decode()
    assert f"<!-- diagrams/account_suspension.mmd -->\n```mermaid\n{mmd}```" in readme
    assert tasks.embed(readme, fresh) == readme


def test_embed_refreshes_marked_blocks_only() -> None:
    """`embed` replaces the block under a diagrams/NAME.mmd marker and leaves every other block alone."""
    doc = (
        "# t\n<!-- diagrams/x.mmd -->\n```mermaid\nold\n```\n"
        "```mermaid\nmine\n```\n<!-- diagrams/unknown.mmd -->\n```mermaid\nkept\n```\n"
    )
    out = tasks.embed(doc, {"x.mmd": b"flowchart LR\n"})
    assert out == doc.replace("old\n", "flowchart LR\n")
