"""Injected clocks and business-day arithmetic. Nothing else in the package reads the wall clock."""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections.abc import Collection
from typing import Protocol

import attrs

from workflow.core.structure import parse_timestamp
from workflow.errors import TimeOutOfRange

UTC = dt.timezone.utc

#: where a simulated clock starts unless told otherwise (scenarios without ``start``, random walks, exploration):
#: a Monday, the day the payload catalog's documents are dated from
DEFAULT_START = "2026-03-02T09:00:00Z"

MAX_DAYS = 36_500  # the longest duration: about 100 years of calendar days, and as many business days


class Clock(Protocol):
    """Anything with ``now()`` returning an aware UTC datetime."""

    def now(self) -> dt.datetime: ...


class SystemClock:
    """The wall clock (UTC)."""

    def now(self) -> dt.datetime:
        return dt.datetime.now(UTC)


def as_timestamp(value: str | dt.datetime) -> dt.datetime:
    """An aware UTC datetime from an ISO 8601 string or a datetime (naive means UTC)."""
    stamp = parse_timestamp(value)
    if stamp is None:
        raise ValueError(f"not a timestamp: {value!r} (expected e.g. 2026-03-02T09:00:00Z)")
    return stamp


class SimulatedClock:
    """A clock that moves only when told: ``advance`` by a duration, or ``set`` to a later time."""

    def __init__(self, start: str | dt.datetime = DEFAULT_START, holidays: Collection[dt.date] = ()):
        self._now = as_timestamp(start)
        self.holidays = frozenset(holidays)

    def now(self) -> dt.datetime:
        return self._now

    def set(self, when: str | dt.datetime) -> None:
        stamp = as_timestamp(when)
        if stamp < self._now:
            raise ValueError(f"the clock cannot go back (now {format_time(self._now)}, asked {format_time(stamp)})")
        self._now = stamp

    def advance(self, duration: Duration | str) -> dt.datetime:
        d = parse_duration(duration) if isinstance(duration, str) else duration
        self._now = d.after(self._now, self.holidays)  # raises TimeOutOfRange and leaves the clock as it was
        return self._now

    def advance_business_days(self, days: int) -> dt.datetime:
        """``advance(Duration(business_days=days))`` without building a ``Duration``: ``add_business_days`` with
        the clock's holidays (random walks move the clock so before every step)."""
        try:
            self._now = add_business_days(self._now, days, self.holidays)
        except OverflowError:
            raise _past_the_end(self._now, Duration(business_days=days)) from None  # the clock stays as it was
        return self._now


def format_time(stamp: dt.datetime) -> str:
    """``2026-03-02T09:00:00Z``."""
    return stamp.astimezone(UTC).isoformat().replace("+00:00", "Z")


def is_business_day(day: dt.date, holidays: Collection[dt.date] = ()) -> bool:
    """Monday to Friday, and not a holiday."""
    return day.weekday() < 5 and day not in holidays


def add_business_days(start: dt.datetime, days: int, holidays: Collection[dt.date] = ()) -> dt.datetime:
    """``start`` moved forward by ``days`` business days, keeping the time of day.

    Computed, not counted: whole weeks at once, then the remaining weekdays, then one more business day for each
    weekday holiday passed on the way (repeated, since the extra days may pass holidays of their own). Without
    holidays, a week or less is one table lookup. ``OverflowError`` past the last date a datetime can hold.
    """
    if days <= 0:
        return start
    if not holidays and days < 6:
        return start + _SHORT_SPANS[start.weekday()][days]
    end = start + dt.timedelta(days=_weekday_span(start.date(), days))
    if not holidays:
        return end
    skipped = sorted(h for h in set(holidays) if h.weekday() < 5 and h > start.date())
    extra = bisect.bisect_right(skipped, end.date())
    counted = extra
    while extra:
        end += dt.timedelta(days=_weekday_span(end.date(), extra))
        now_counted = bisect.bisect_right(skipped, end.date())
        extra, counted = now_counted - counted, now_counted
    return end


def _weekday_span(start: dt.date, n: int) -> int:
    """How many calendar days from ``start`` to the ``n``-th weekday after it (``n`` > 0; holidays ignored)."""
    weekday = start.weekday()
    back = max(0, weekday - 4)  # from a Saturday or Sunday, count as from the Friday before
    weeks, rest = divmod(n, 5)
    span = weeks * 7 + rest + (2 if rest and weekday - back + rest >= 5 else 0)
    return span - back


def business_days_between(start: dt.datetime, end: dt.datetime, holidays: Collection[dt.date] = ()) -> int:
    """How many business days have passed: business dates ``d`` with ``start.date() < d <= end.date()``.

    Computed, not counted: five for each whole week, then the weekdays among the days left over (a table by
    the start's weekday and the number left, 0 to 6), less the weekday holidays in the span.
    """
    first, last = start.date(), end.date()
    if last <= first:
        return 0
    weeks, rest = divmod((last - first).days, 7)
    count = weeks * 5 + _WEEKDAYS_AFTER[first.weekday()][rest]
    if holidays:
        count -= sum(1 for h in set(holidays) if first < h <= last and h.weekday() < 5)
    return count


#: per weekday of a start date (Monday 0), how many of the ``n`` dates after it are weekdays, for ``n`` from 0 to 6
_WEEKDAYS_AFTER = tuple(tuple(sum((wd + k) % 7 < 5 for k in range(1, n + 1)) for n in range(7)) for wd in range(7))

#: per weekday of the start (Monday 0), how far ``n`` business days take it, for ``n`` from 0 to 5 (holidays aside)
_SHORT_SPANS = tuple(
    tuple(dt.timedelta(days=_weekday_span(dt.date(2024, 1, 1 + wd), n) if n else 0) for n in range(6))
    for wd in range(7)
)

_PART = re.compile(r"(\d+)\s*(bd|w|d|h|m|s)")
_UNITS = {"w": 7 * 86400, "d": 86400, "h": 3600, "m": 60, "s": 1}


@attrs.frozen
class Duration:
    """Calendar time plus business days: ``1d12h`` or ``5bd``."""

    seconds: int = 0
    business_days: int = 0

    def after(self, start: dt.datetime, holidays: Collection[dt.date] = ()) -> dt.datetime:
        """``start`` moved by this duration; ``TimeOutOfRange`` (a ``ValueError``) past the year 9999."""
        try:
            return add_business_days(start + dt.timedelta(seconds=self.seconds), self.business_days, holidays)
        except OverflowError:
            raise _past_the_end(start, self) from None

    def __str__(self) -> str:
        parts = []
        rest = self.seconds
        for unit in ("d", "h", "m", "s"):
            n, rest = divmod(rest, _UNITS[unit])
            if n:
                parts.append(f"{n}{unit}")
        if self.business_days:
            parts.append(f"{self.business_days}bd")
        return "".join(parts) or "0s"


def _past_the_end(start: dt.datetime, duration: Duration) -> TimeOutOfRange:
    return TimeOutOfRange(start, str(duration))


def parse_duration(text: str | int) -> Duration:
    """Parse ``3d``, ``12h``, ``5bd``, ``1d12h``, ``2w`` (a bare integer means days)."""
    if isinstance(text, bool):
        raise ValueError(f"not a duration: {text!r}")
    if isinstance(text, int):
        if text < 0:
            raise ValueError(f"a duration cannot be negative: {text}")
        if text > MAX_DAYS:
            raise ValueError(f"duration too long: {text} days (at most {MAX_DAYS} days)")
        return Duration(seconds=text * 86400)
    compact = text.strip().lower().replace(" ", "")
    pos = 0
    seconds = 0
    bdays = 0
    for m in _PART.finditer(compact):
        if m.start() != pos:
            break
        if len(m.group(1).lstrip("0")) > 12:  # far past any bound below; not worth converting
            raise ValueError(f"duration too long: {text!r} (at most {MAX_DAYS} days and {MAX_DAYS} business days)")
        n, unit = int(m.group(1)), m.group(2)
        if unit == "bd":
            bdays += n
        else:
            seconds += n * _UNITS[unit]
        pos = m.end()
    if not compact or pos != len(compact):
        raise ValueError(f"not a duration: {text!r} (expected e.g. 3d, 12h, 5bd or 1d12h; units w, d, h, m, s, bd)")
    if seconds > MAX_DAYS * 86400 or bdays > MAX_DAYS:
        raise ValueError(f"duration too long: {text!r} (at most {MAX_DAYS} days and {MAX_DAYS} business days)")
    return Duration(seconds=seconds, business_days=bdays)
