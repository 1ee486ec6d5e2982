"""The exit statuses every command keeps to (the contract in DESIGN.md).

A command returns ``OK`` or ``FAILED`` (or nothing, for ``OK``), or raises; it never exits by itself. The group
in ``main`` turns the returned status into the process's exit status, and every error into ``INPUT`` (or the
status its table gives) with one line on stderr.
"""

from __future__ import annotations

#: done, and everything held
OK = 0
#: done, and something did not hold: an expectation, a strict run's blocked step, a check, an invariant
FAILED = 1
#: the input is wrong: a file, a name, YAML, an event, a payload, a limit, a missing Graphviz
INPUT = 2
