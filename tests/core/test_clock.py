"""Clocks and business days: counting, adding, durations, and a simulated clock that only goes forward."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

import workflow
from workflow.core.clock import Duration, as_timestamp, format_time, is_business_day
from workflow.errors import TimeOutOfRange

UTC = dt.timezone.utc
MONDAY = dt.datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def at(text: str) -> dt.datetime:
    return as_timestamp(text)


def brute_count(start: dt.datetime, end: dt.datetime, holidays: frozenset[dt.date] = frozenset()) -> int:
    """Business dates d with start.date() < d <= end.date(), counted one by one."""
    n, day = 0, start.date()
    while day < end.date():
        day += dt.timedelta(days=1)
        n += day.weekday() < 5 and day not in holidays
    return n


stamps = st.datetimes(min_value=dt.datetime(2025, 1, 1), max_value=dt.datetime(2028, 12, 31), timezones=st.just(UTC))
holiday_sets = st.frozensets(st.dates(min_value=dt.date(2025, 1, 1), max_value=dt.date(2029, 6, 30)), max_size=12)


# ------------------------------------------------------------------------------------------ business_days_between


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [
        ("2026-03-02T09:00:00Z", "2026-03-02T17:00:00Z", 0),  # same day
        ("2026-03-02T09:00:00Z", "2026-03-03T08:00:00Z", 1),  # the next date counts, whatever the hour
        ("2026-03-02T09:00:00Z", "2026-03-06T09:00:00Z", 4),  # Monday to Friday
        ("2026-03-06T09:00:00Z", "2026-03-09T09:00:00Z", 1),  # Friday to Monday: the weekend does not count
        ("2026-03-07T09:00:00Z", "2026-03-08T09:00:00Z", 0),  # Saturday to Sunday
        ("2026-03-06T09:00:00Z", "2026-03-13T09:00:00Z", 5),  # a week
        ("2026-03-02T09:00:00Z", "2026-03-30T09:00:00Z", 20),  # four weeks
        ("2026-03-05T09:00:00Z", "2026-03-02T09:00:00Z", 0),  # backwards is nothing
    ],
)
def test_business_days_between_counts_weekdays(start: str, end: str, days: int) -> None:
    """business_days_between counts the weekdays after the start date up to the end date."""
    assert workflow.business_days_between(at(start), at(end)) == days


def test_business_days_between_skips_holidays() -> None:
    """A weekday holiday is not a business day; a holiday on a weekend changes nothing."""
    start, end = at("2026-03-06T09:00:00Z"), at("2026-03-13T09:00:00Z")
    assert workflow.business_days_between(start, end, {dt.date(2026, 3, 9)}) == 4
    assert workflow.business_days_between(start, end, {dt.date(2026, 3, 7)}) == 5
    assert workflow.business_days_between(start, end, {dt.date(2026, 3, 6)}) == 5  # the start date is not counted
    assert workflow.business_days_between(start, end, {dt.date(2026, 3, 13)}) == 4  # the end date is


def test_business_days_between_counts_a_repeated_holiday_once() -> None:
    """A holiday listed twice is still one day off."""
    start, end = at("2026-03-06T09:00:00Z"), at("2026-03-13T09:00:00Z")
    assert workflow.business_days_between(start, end, [dt.date(2026, 3, 9), dt.date(2026, 3, 9)]) == 4


@given(stamps, stamps, holiday_sets)
def test_business_days_between_matches_counting_one_by_one(
    a: dt.datetime, b: dt.datetime, holidays: frozenset[dt.date]
) -> None:
    """The closed form (whole weeks, then a table for the days left) agrees with counting each date one by one,
    weekends and holidays left out, and without holidays too."""
    assert workflow.business_days_between(a, b, holidays) == brute_count(a, b, holidays)
    assert workflow.business_days_between(a, b) == brute_count(a, b)


@given(stamps, st.integers(min_value=0, max_value=20), st.integers(min_value=0, max_value=86399), holiday_sets)
def test_business_days_between_matches_counting_over_short_spans(
    a: dt.datetime, days: int, seconds: int, holidays: frozenset[dt.date]
) -> None:
    """Over spans of up to three weeks (where the leftover days matter most), at any time of the end date, the
    closed form agrees with counting one by one, with and without holidays."""
    b = a + dt.timedelta(days=days, seconds=seconds)
    assert workflow.business_days_between(a, b, holidays) == brute_count(a, b, holidays)
    assert workflow.business_days_between(a, b) == brute_count(a, b)


def test_business_days_between_from_every_weekday_and_leftover() -> None:
    """Every start weekday and every number of leftover days (0 to 6), over zero to three whole weeks: the same
    as counting one by one, and the holidays given subtracted as counting skips them."""
    holidays = frozenset(MONDAY.date() + dt.timedelta(days=n) for n in (1, 5, 9, 17))  # Tue, Sat, Wed, Thu
    for offset in range(7):
        start = MONDAY + dt.timedelta(days=offset)
        for span in range(28):
            end = start + dt.timedelta(days=span)
            assert workflow.business_days_between(start, end) == brute_count(start, end), (offset, span)
            assert workflow.business_days_between(start, end, holidays) == brute_count(start, end, holidays)


@given(stamps, stamps, stamps, holiday_sets)
def test_business_days_between_adds_up(
    a: dt.datetime, b: dt.datetime, c: dt.datetime, holidays: frozenset[dt.date]
) -> None:
    """Counting a to b then b to c is counting a to c."""
    a, b, c = sorted((a, b, c))
    between = workflow.business_days_between
    assert between(a, b, holidays) + between(b, c, holidays) == between(a, c, holidays)


# ------------------------------------------------------------------------------------------ add_business_days


@pytest.mark.parametrize(
    ("start", "n", "end"),
    [
        ("2026-03-02T09:00:00Z", 0, "2026-03-02T09:00:00Z"),
        ("2026-03-02T09:00:00Z", 4, "2026-03-06T09:00:00Z"),
        ("2026-03-02T09:00:00Z", 5, "2026-03-09T09:00:00Z"),  # Monday + 5 = next Monday
        ("2026-03-06T17:30:00Z", 1, "2026-03-09T17:30:00Z"),  # Friday + 1 = Monday, same time of day
        ("2026-03-07T09:00:00Z", 1, "2026-03-09T09:00:00Z"),  # Saturday + 1 = Monday
        ("2026-03-05T09:00:00Z", 10, "2026-03-19T09:00:00Z"),  # across two weekends
    ],
)
def test_add_business_days_skips_weekends(start: str, n: int, end: str) -> None:
    """add_business_days moves forward by weekdays and keeps the time of day."""
    assert workflow.add_business_days(at(start), n) == at(end)


def test_add_business_days_skips_holidays() -> None:
    """add_business_days steps over a weekday holiday."""
    holidays = {dt.date(2026, 3, 9), dt.date(2026, 3, 10)}
    assert workflow.add_business_days(at("2026-03-06T09:00:00Z"), 1, holidays) == at("2026-03-11T09:00:00Z")


@given(stamps.filter(lambda d: d.weekday() < 5), st.integers(min_value=0, max_value=400))
def test_add_then_count_is_n_from_a_weekday(start: dt.datetime, n: int) -> None:
    """add_business_days(d, n) then business_days_between(d, ...) gives n back, from a weekday."""
    end = workflow.add_business_days(start, n)
    assert workflow.business_days_between(start, end) == n
    assert end.time() == start.time()


@given(stamps, st.integers(min_value=0, max_value=300), holiday_sets)
def test_add_then_count_is_n_with_holidays(start: dt.datetime, n: int, holidays: frozenset[dt.date]) -> None:
    """add_business_days then business_days_between gives n back from any start, holidays included."""
    end = workflow.add_business_days(start, n, holidays)
    assert workflow.business_days_between(start, end, holidays) == n
    if n:
        assert is_business_day(end.date(), holidays)
        assert workflow.business_days_between(start, end - dt.timedelta(days=1), holidays) == n - 1


# ------------------------------------------------------------------------------------------ parse_duration


@pytest.mark.parametrize(
    ("text", "seconds", "business_days"),
    [
        ("3d", 3 * 86400, 0),
        ("12h", 12 * 3600, 0),
        ("5bd", 0, 5),
        ("1d12h", 86400 + 12 * 3600, 0),
        ("2w", 14 * 86400, 0),
        ("30m", 1800, 0),
        ("90s", 90, 0),
        ("1d5bd", 86400, 5),
        (" 1D 12H ", 86400 + 12 * 3600, 0),
        ("5 bd", 0, 5),
        (3, 3 * 86400, 0),
        (0, 0, 0),
    ],
)
def test_parse_duration_reads_every_unit(text: str | int, seconds: int, business_days: int) -> None:
    """parse_duration reads w, d, h, m, s and bd, combined, in any case; a bare integer is days."""
    assert workflow.parse_duration(text) == Duration(seconds=seconds, business_days=business_days)


@pytest.mark.parametrize("text", ["", "  ", "3x", "d3", "-1d", "3d!", "1.5d", "bd", "3", "five days", "1d-2h"])
def test_parse_duration_refuses_what_is_not_a_duration(text: str) -> None:
    """parse_duration refuses a malformed text and says what it expected."""
    with pytest.raises(ValueError, match=r"not a duration: .*expected e\.g\. 3d"):
        workflow.parse_duration(text)


@pytest.mark.parametrize(("value", "words"), [(-1, "cannot be negative"), (True, "not a duration")])
def test_parse_duration_refuses_negative_and_bool(value: int, words: str) -> None:
    """parse_duration refuses a negative number of days and a boolean."""
    with pytest.raises(ValueError, match=words):
        workflow.parse_duration(value)


@given(st.integers(min_value=0, max_value=10**7), st.integers(min_value=0, max_value=500))
def test_duration_text_round_trips(seconds: int, business_days: int) -> None:
    """A duration's text parses back to the same duration."""
    d = Duration(seconds=seconds, business_days=business_days)
    assert workflow.parse_duration(str(d)) == d


def test_duration_after_adds_calendar_time_then_business_days() -> None:
    """'1d2bd' from Thursday: one day to Friday, then two business days to Tuesday."""
    assert workflow.parse_duration("1d2bd").after(at("2026-03-05T09:00:00Z")) == at("2026-03-10T09:00:00Z")


# ------------------------------------------------------------------------------------------ clocks


def test_simulated_clock_moves_only_when_told() -> None:
    """A simulated clock stays put until advanced or set."""
    clock = workflow.SimulatedClock("2026-03-02T09:00:00Z")
    assert clock.now() == clock.now() == MONDAY
    assert clock.advance("1d2h") == at("2026-03-03T11:00:00Z")
    assert clock.now() == at("2026-03-03T11:00:00Z")
    clock.set("2026-03-06T09:00:00Z")
    assert clock.advance("1bd") == at("2026-03-09T09:00:00Z")
    clock.set(clock.now())  # the same instant is not going back
    assert clock.now() == at("2026-03-09T09:00:00Z")


def test_simulated_clock_cannot_go_back() -> None:
    """Setting a simulated clock to an earlier time raises and leaves it where it was."""
    clock = workflow.SimulatedClock("2026-03-02T09:00:00Z")
    with pytest.raises(ValueError, match=r"cannot go back \(now 2026-03-02T09:00:00Z, asked 2026-03-01T09:00:00Z\)"):
        clock.set("2026-03-01T09:00:00Z")
    with pytest.raises(ValueError, match="cannot go back"):
        clock.set(MONDAY - dt.timedelta(seconds=1))
    assert clock.now() == MONDAY


def test_simulated_clock_skips_its_holidays() -> None:
    """A simulated clock's business-day advance skips its own holidays."""
    clock = workflow.SimulatedClock("2026-03-06T09:00:00Z", holidays={dt.date(2026, 3, 9)})
    assert clock.advance("1bd") == at("2026-03-10T09:00:00Z")


def test_simulated_clock_refuses_a_bad_start() -> None:
    """A simulated clock refuses a start that is not a timestamp, saying what it expected."""
    with pytest.raises(ValueError, match="not a timestamp"):
        workflow.SimulatedClock("next Monday")


def test_timestamps_are_utc() -> None:
    """Naive and offset timestamps become aware UTC; format_time writes them with a Z."""
    assert as_timestamp("2026-03-02T10:00:00+01:00") == MONDAY
    assert as_timestamp(dt.datetime(2026, 3, 2, 9, 0)) == MONDAY
    assert format_time(as_timestamp("2026-03-02T10:00:00+01:00")) == "2026-03-02T09:00:00Z"


def test_system_clock_is_aware_utc() -> None:
    """The system clock gives an aware UTC time."""
    now = workflow.SystemClock().now()
    assert now.utcoffset() == dt.timedelta(0)


# ------------------------------------------------------------------------------------------ bounds and large counts


def add_one_by_one(start: dt.datetime, n: int, holidays: frozenset[dt.date]) -> dt.datetime:
    """add_business_days as a day-by-day walk: the definition the computed version must match."""
    out = start
    while n > 0:
        out += dt.timedelta(days=1)
        n -= is_business_day(out.date(), holidays)
    return out


@given(stamps, st.integers(min_value=0, max_value=5000), holiday_sets)
def test_add_business_days_matches_walking_day_by_day_for_large_n(
    start: dt.datetime, n: int, holidays: frozenset[dt.date]
) -> None:
    """The computed add_business_days equals the day-by-day walk, for counts spanning many years."""
    assert workflow.add_business_days(start, n, holidays) == add_one_by_one(start, n, holidays)


def test_add_business_days_handles_the_largest_duration_at_once() -> None:
    """36,500 business days from a Monday is exactly 7,300 weeks later (no holidays)."""
    assert workflow.add_business_days(MONDAY, 36_500) == MONDAY + dt.timedelta(weeks=7_300)


@pytest.mark.parametrize("text", ["36501d", "99999999999999d", "36501bd", "5300w", "36500d1s", 36_501])
def test_parse_duration_refuses_a_duration_past_the_bound(text: str | int) -> None:
    """parse_duration refuses more than 36,500 days (or business days) and names the bound."""
    with pytest.raises(ValueError, match=r"duration too long.*at most 36500"):
        workflow.parse_duration(text)


def test_parse_duration_accepts_the_bound_itself() -> None:
    """Exactly 36,500 days and 36,500 business days are allowed."""
    assert workflow.parse_duration("36500d36500bd") == Duration(seconds=36_500 * 86400, business_days=36_500)


@pytest.mark.parametrize("duration", ["2d", "1bd", "1s"])
def test_advancing_past_year_9999_raises_a_value_error_and_keeps_the_clock(duration: str) -> None:
    """A clock moved past 9999-12-31 raises TimeOutOfRange (a ValueError) and stays where it was."""
    clock = workflow.SimulatedClock("9999-12-31T23:59:59Z")
    with pytest.raises(ValueError, match="past the last date the clock can hold") as info:
        clock.advance(duration)
    assert isinstance(info.value, TimeOutOfRange)
    assert clock.now() == at("9999-12-31T23:59:59Z")


@given(
    st.datetimes(min_value=dt.datetime(1, 1, 1), max_value=dt.datetime(9999, 12, 31), timezones=st.just(UTC)),
    st.integers(min_value=-2, max_value=12),
    st.one_of(st.just(frozenset()), holiday_sets),
)
def test_advance_business_days_is_advance_by_a_duration(
    start: dt.datetime, days: int, holidays: frozenset[dt.date]
) -> None:
    """``advance_business_days`` (``add_business_days`` with the clock's holidays: a table lookup for short moves
    without them) lands where ``advance`` does, or raises as it does near the year 9999 and leaves the clock where
    it was."""
    fast, slow = workflow.SimulatedClock(start, holidays), workflow.SimulatedClock(start, holidays)
    try:
        expected: dt.datetime | None = slow.advance(Duration(business_days=days))
    except TimeOutOfRange:
        expected = None
    if expected is None:
        with pytest.raises(TimeOutOfRange):
            fast.advance_business_days(days)
        assert fast.now() == start
    else:
        assert fast.advance_business_days(days) == expected == fast.now()


@pytest.mark.parametrize("days", [1, 5, 6])
def test_advance_business_days_past_year_9999_raises(days: int) -> None:
    """From the last Friday a clock can hold, any business day is past the end: TimeOutOfRange, clock unchanged."""
    clock = workflow.SimulatedClock("9999-12-31T09:00:00Z")  # a Friday
    with pytest.raises(TimeOutOfRange, match="past the last date"):
        clock.advance_business_days(days)
    assert clock.now() == at("9999-12-31T09:00:00Z")


def test_advance_business_days_from_every_weekday_and_time() -> None:
    """Each start weekday (and a time late in the day), each short move: the same as ``add_business_days``."""
    for offset in range(7):
        for hour in (0, 23):
            start = MONDAY.replace(hour=hour) + dt.timedelta(days=offset)
            for days in range(12):
                clock = workflow.SimulatedClock(start)
                assert clock.advance_business_days(days) == workflow.add_business_days(start, days), (offset, days)
