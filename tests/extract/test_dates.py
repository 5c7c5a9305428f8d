from datetime import date

import pytest

from extract.dates import parse_date, parse_date_range


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("9 to 13 February 2026", date(2026, 2, 9), date(2026, 2, 13)),
        ("10 October to 21 October 2022", date(2022, 10, 10), date(2022, 10, 21)),
        ("28 February to 4 March 2025", date(2025, 2, 28), date(2025, 3, 4)),
        ("8 July 2019 to 12 July 2019", date(2019, 7, 8), date(2019, 7, 12)),
        ("19 November–30 November 2018", date(2018, 11, 19), date(2018, 11, 30)),
        ("1 9 June to 2 3 June 2019", date(2019, 6, 19), date(2019, 6, 23)),
        ("29 December to 9 January 2026", date(2025, 12, 29), date(2026, 1, 9)),
        ("28 November 2023", date(2023, 11, 28), date(2023, 11, 28)),
    ],
)
def test_date_range_forms(text, start, end):
    assert parse_date_range(text) == (start, end)


def test_no_date():
    assert parse_date_range("no dates here") == (None, None)
    assert parse_date("31 February 2024") is None
