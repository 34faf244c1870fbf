"""Today's date, for what depends on it (an article dated later is not published yet): taken
from here only, so a test or a scripted build can fix it with SITE_BUILDER_TODAY=YYYY-MM-DD."""

from __future__ import annotations

import datetime as dt
import os

TODAY_VARIABLE = "SITE_BUILDER_TODAY"
ARCHIVE_ZONE = dt.timezone(dt.timedelta(hours=8), "CST")  # the archive's dates are China's


def today() -> dt.date:
    """The date in China now, or the one SITE_BUILDER_TODAY gives."""
    fixed = os.environ.get(TODAY_VARIABLE, "").strip()
    if fixed:
        try:
            return dt.date.fromisoformat(fixed)
        except ValueError:
            raise ValueError(f"{TODAY_VARIABLE}={fixed!r} is not a date (YYYY-MM-DD)") from None
    return dt.datetime.now(ARCHIVE_ZONE).date()


def is_scheduled(date: dt.date | None, year: int, today: dt.date) -> bool:
    """Dated after ``today`` (an article known only by its year: a later year)."""
    return date > today if date is not None else year > today.year
