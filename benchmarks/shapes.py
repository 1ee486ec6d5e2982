"""Growth on the shapes that once cost out of proportion: loading (and validating) a long chain of states,
``from: '*'`` transitions expanding over many states, and ``fire`` on a case with a pending timer and a long
history. Prints one table per shape, sizes doubling; the growth is stated in BENCHMARKS.md.

    .venv/bin/python benchmarks/shapes.py            # the sizes BENCHMARKS.md reports
    .venv/bin/python benchmarks/shapes.py --quick    # small sizes: checks that every measurement runs
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import workflow
from workflow.core.hazards import CHECKS as HAZARDS
from workflow.core.validate import CHECKS


def chain(n: int) -> str:
    """``n`` states in a chain to a terminal state, one transition each."""
    states = "\n".join(f"  s{i}: {{{'initial: true' if i == 0 else ''}}}" for i in range(n))
    moves = "\n".join(f"  - {{event: go, from: s{i}, to: {f's{i + 1}' if i + 1 < n else 'end'}}}" for i in range(n))
    head = "name: chain\nversion: '1'\nstates:\n"
    return f"{head}{states}\n  end: {{terminal: true}}\nevents:\n  go: {{}}\ntransitions:\n{moves}\n"


def stars(n: int, loops: int) -> str:
    """A chain of ``n`` states with ``loops`` self-loop events from every state (``from: '*'``)."""
    events = "\n".join(f"  e{i}: {{}}" for i in range(loops))
    stay = "\n".join(f"  - {{event: e{i}, from: '*'}}" for i in range(loops))
    return chain(n).replace("  go: {}\n", f"  go: {{}}\n{events}\n") + stay + "\n"


TIMED = """
name: timed
version: "1"
states: {open: {initial: true}, closed: {terminal: true}}
events: {note: {}, expire: {}, close: {}}
transitions:
  - {event: note, from: open}
  - {event: expire, from: open, to: closed, after: 3650d}
  - {event: close, from: open, to: closed}
"""


def best(fn: Callable[[], object], repeats: int) -> float:
    """The fastest of ``repeats`` runs of ``fn``, in seconds."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def load_chain(sizes: list[int], repeats: int) -> None:
    print("load a chain of N states (YAML parsing most of it), and its structural checks alone")
    print(f"{'N':>8} {'load s':>10} {'µs/state':>10} {'checks s':>10} {'µs/state':>10}")
    for n in sizes:
        text = chain(n)
        defn = workflow.load(text=text, file="chain.yaml")

        def load(text: str = text) -> object:
            return workflow.load(text=text, file="chain.yaml")

        def checks(defn: workflow.Definition = defn) -> object:
            return [check(defn) for check in (*CHECKS, *HAZARDS)]

        t = best(load, repeats)
        c = best(checks, repeats)
        print(f"{n:>8} {t:>10.3f} {t / n * 1e6:>10.1f} {c:>10.4f} {c / n * 1e6:>10.2f}")


def load_stars(sizes: list[int], repeats: int) -> None:
    print("load N states with N/10 'from: *' self-loops (N*N/10 pairs; refused past the bound)")
    print(f"{'N':>8} {'pairs':>10} {'seconds':>10} {'µs/pair':>10}  outcome")
    for n in sizes:
        text = stars(n, max(1, n // 10))
        pairs = n + n * max(1, n // 10)

        def run(text: str = text) -> str:
            try:
                workflow.load(text=text, file="stars.yaml")
            except workflow.errors.DefinitionError:
                return "refused"
            return "loaded"

        outcome = run()
        t = best(run, repeats)
        print(f"{n:>8} {pairs:>10} {t:>10.3f} {t / pairs * 1e6:>10.2f}  {outcome}")


def fire_with_timer(sizes: list[int], repeats: int) -> None:
    print("fire on a case with a pending timer, after N steps in the timer's state")
    print(f"{'N':>8} {'µs/fire':>10}")
    defn = workflow.load(text=TIMED, file="timed.yaml")
    batch = 200
    for n in sizes:
        clock = workflow.SimulatedClock()
        case = workflow.Case(defn, clock=clock)
        for _ in range(n):
            case.fire("note")

        def run(case: workflow.Case = case) -> None:
            for _ in range(batch):
                case.fire("note")

        t = best(run, repeats)
        print(f"{n:>8} {t / batch * 1e6:>10.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="small sizes: check that every measurement runs")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    if args.quick:
        chains, star_sizes, histories, repeats = [100, 200], [50, 100], [100, 200], 1
    else:
        chains = [1_312, 2_625, 5_250, 10_500]  # 21,000 states pass the 1 MB file limit
        star_sizes = [125, 250, 500, 1_000]
        histories = [1_000, 2_000, 4_000, 8_000, 16_000, 32_000]
        repeats = args.repeats
    load_chain(chains, repeats)
    print()
    load_stars(star_sizes, repeats)
    print()
    fire_with_timer(histories, repeats)


if __name__ == "__main__":
    main()
