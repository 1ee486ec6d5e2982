"""What guarding a ``Case`` against use by two threads costs, and what a lock in every case would have cost.

    python benchmarks/sharing.py [--events N] [--rounds R]

A case is not thread-safe; each ``decide``/``apply``/``fire``/``advance`` marks it as in use by its thread (one
atomic dict operation) so that a second thread is refused with ``ConcurrentUse``. Measured, as medians of
``R`` rounds of ``N`` events (one process, CPU-bound):

- ``fire`` µs per event on one case in one thread (the mark taken and released once per fire);
- the mark alone (``threading.get_ident`` and a dict ``get``/``setdefault``/``del``), in ns and as a share of a
  ``fire``, beside an uncontended ``threading.RLock`` taken and released;
- the memory an ``RLock`` in every case would add (tracemalloc, bytes per lock), beside a case's own bytes.

Not part of the tests: figures depend on the machine.
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time
import tracemalloc
from collections.abc import Callable

import workflow

START = "2026-03-02T09:00:00Z"
#: accepted every time and judged by the rules of its transition: the case stays in 'suspended'
EVENT: tuple[str, dict[str, object]] = ("contact_seller_support", {})


def suspended() -> workflow.Case:
    case = workflow.Case(workflow.load("account_suspension"), clock=workflow.SimulatedClock(START))
    case.fire("suspend", reason_class="performance", issues=["order_defect_rate"])
    return case


def fire_us(n: int) -> float:
    case = suspended()
    event, payload = EVENT
    t = time.perf_counter()
    for _ in range(n):
        case.fire(event, **payload)
    return (time.perf_counter() - t) / n * 1e6


def _loop_s(n: int) -> float:
    t = time.perf_counter()
    for _ in range(n):
        pass
    return time.perf_counter() - t


def mark_ns(n: int) -> float:
    in_use: dict[int, int] = {}
    get_ident = threading.get_ident
    key = 12345
    t = time.perf_counter()
    for _ in range(n):
        me = get_ident()
        if in_use.get(key) != me and in_use.setdefault(key, me) == me:
            del in_use[key]
    return (time.perf_counter() - t - _loop_s(n)) / n * 1e9


def rlock_ns(n: int) -> float:
    lock = threading.RLock()
    t = time.perf_counter()
    for _ in range(n):
        with lock:
            pass
    return (time.perf_counter() - t - _loop_s(n)) / n * 1e9


def bytes_each(make: Callable[[], object], n: int = 10_000) -> float:
    tracemalloc.start()
    held = [make() for _ in range(n)]
    size = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del held
    return size / n


def median(rounds: int, measure: Callable[[], float]) -> float:
    return statistics.median(measure() for _ in range(rounds))


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--events", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    n, r = args.events, args.rounds
    fire = median(r, lambda: fire_us(n))
    mark = median(r, lambda: mark_ns(n * 10))
    lock = median(r, lambda: rlock_ns(n * 10))
    case_b = bytes_each(suspended, 2_000)
    lock_b = bytes_each(threading.RLock)
    print(f"fire, one case, one thread:      {fire:8.2f} µs per event")
    print(f"in-use mark taken and released:  {mark:8.1f} ns ({mark / 1000 / fire:.1%} of a fire)")
    print(f"RLock taken and released:        {lock:8.1f} ns ({lock / 1000 / fire:.1%} of a fire)")
    print(f"a suspended case (one step):     {case_b:8.0f} B")
    print(f"an RLock per case would add:     {lock_b:8.0f} B ({lock_b / case_b:.0%} of the case)")


if __name__ == "__main__":
    main()
