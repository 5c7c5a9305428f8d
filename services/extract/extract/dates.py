"""Dates as inspectorates write them, normalised to ISO.

Seen in real reports: "9 to 13 February 2026", "10 October to 21 October 2022",
"28 February to 4 March 2025", "8 July 2019 to 12 July 2019", "19 November–30 November 2018",
"1 9 June 2019" (a space inside the digits), "28 November 2023".
"""

import re
from datetime import date

MONTHS = {
    m: i
    for i, names in enumerate(
        [("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
         ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
         ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
         ("december", "dec")],
        start=1,
    )
    for m in names
}
_MONTH = r"(?P<{}>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")"
_DAY = r"(?P<{}>\d\s?\d|\d)"
_YEAR = r"(?P<{}>(?:19|20)\d\d)"
_RANGE = re.compile(
    _DAY.format("d1") + r"(?:\s+" + _MONTH.format("m1") + r")?(?:\s+" + _YEAR.format("y1") + r")?"
    + r"\s*(?:to|–|-|—|and)\s*"
    + _DAY.format("d2") + r"\s+" + _MONTH.format("m2") + r"\s+" + _YEAR.format("y2"),
    re.IGNORECASE,
)
_SINGLE = re.compile(
    _DAY.format("d") + r"\s+" + _MONTH.format("m") + r"\s+" + _YEAR.format("y"), re.IGNORECASE
)


def _make(day: str, month: str, year: str) -> date | None:
    try:
        return date(int(year), MONTHS[month.lower()], int(day.replace(" ", "")))
    except (ValueError, KeyError):
        return None


def parse_date(text: str) -> date | None:
    """The first full date ("28 November 2023") in `text`."""
    m = _SINGLE.search(text)
    return _make(m["d"], m["m"], m["y"]) if m else None


def parse_date_range(text: str) -> tuple[date | None, date | None]:
    """(start, end) of the first date range in `text`; missing parts come from the end date."""
    m = _RANGE.search(text)
    if not m:
        single = parse_date(text)
        return single, single
    end = _make(m["d2"], m["m2"], m["y2"])
    if end is None:
        return None, None
    start = _make(m["d1"], m["m1"] or m["m2"], m["y1"] or m["y2"])
    if start and start > end and not m["y1"]:
        # "28 December to 8 January 2025": the start is in the year before.
        start = _make(m["d1"], m["m1"] or m["m2"], str(end.year - 1))
    return start, end
