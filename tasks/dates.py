"""Find an article's publication time: every candidate the page offers, parsed robustly, the best one chosen.

Candidates come from JSON-LD (``datePublished``), meta tags (OpenGraph, Dublin Core, parsely, sailthru, ``date``),
``itemprop`` elements, ``<time>`` elements, the URL and, when the page offers none of those, htmldate's search
of the visible text. Each is parsed on its own (ISO 8601 variants, epoch seconds or milliseconds, RFC 2822,
common local formats with named zones), so one unreadable value never hides a good one. The chosen value is
the most trusted source's day, told as precisely as any candidate of that day tells it; a zone given by one
candidate of the page is lent to a zone-less time of the same day and hour, and a time that no candidate
zones stays without one (``precision`` says so) instead of being read as UTC.
"""
from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path

from dateutil import parser as dateutil_parser
from dateutil import tz

from tasks.config import read_data_file

# zone names news pages write after a time; dateutil knows only UTC/GMT by itself
ZONE_NAMES = {
    "UTC": 0, "GMT": 0, "Z": 0, "WET": 0, "WEST": 1, "BST": 1, "IST": 5.5, "CET": 1, "CEST": 2, "MEZ": 1,
    "MESZ": 2, "EET": 2, "EEST": 3, "MSK": 3, "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6,
    "PST": -8, "PDT": -7, "AKST": -9, "AKDT": -8, "HST": -10, "JST": 9, "KST": 9, "HKT": 8, "SGT": 8, "AEST": 10,
    "AEDT": 11, "ACST": 9.5, "AWST": 8, "NZST": 12, "NZDT": 13, "SAST": 2, "WAT": 1, "EAT": 3, "PKT": 5,
    "WIB": 7, "ICT": 7, "PHT": 8, "BRT": -3, "ART": -3,
}
TZINFOS = {name: tz.tzoffset(name, int(hours * 3600)) for name, hours in ZONE_NAMES.items()}
# source -> trust (lower wins); the names are what ``published_at_source`` records
SOURCES = ("jsonld", "meta", "itemprop", "time", "feed", "url", "text")  # and "record": a JSONL record's own field
EPOCH = re.compile(r"^\d{10}(\d{3})?(\.\d+)?$")
COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:T?(\d{2})(\d{2})(\d{2})?)?(Z|[+-]\d{2}:?\d{2})?$")
URL_DATE = re.compile(r"/((?:19|20)\d\d)[/-]?(0[1-9]|1[0-2])[/-]?(0[1-9]|[12]\d|3[01])(?:/|-|_|\.|$)")
HAS_DIGIT_TIME = re.compile(r"(?<![\d./])\d{1,2}[:h.]\d{2}(?![\d./])")  # 15:44, 15.44 Uhr, 10h30; not 23.07.2025
MIN_YEAR = 1990
DATA_FILE = Path(__file__).parent / "data" / "metadata.toml"
ENGLISH_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                  "November", "December")
CJK_DATE = re.compile(r"(\d{4})\s*[年년]\s*(\d{1,2})\s*[月월]\s*(\d{1,2})\s*[日일]?")
LETTER_WORD = re.compile(r"[^\W\d_]+\.?")
# a date written in running text: ISO, CJK, numeric day-month-year, or with a month's name (any language listed),
# with the time of day that follows it
TIME_TAIL = (r"(?:,?\s+(?:at\s+|um\s+|à\s+|alle\s+|a\s+las\s+|-\s+|kl\.\s+)?\d{1,2}(?::\d{2}|[.h]\d{2}\b)"
             r"(?:\s*[apAP]\.?[mM]\.?)?(?:\s+[A-Z]{2,5}\b)?)?")
WRITTEN_DATE = re.compile(
    r"(?:\d{4}-\d{1,2}-\d{1,2}(?:[T ]\d{1,2}:\d{2}(?::\d{2})?)?"
    r"|\d{4}\s*[年년]\s*\d{1,2}\s*[月월]\s*\d{1,2}\s*[日일]?"
    r"|\d{1,2}[./]\d{1,2}[./]\d{4}"
    r"|(?:\d{1,2}\.?\s+(?:de\s+)?)?[^\W\d_]{3,12}\.?,?\s+(?:de\s+)?(?:\d{1,2}(?:st|nd|rd|th)?\.?,?\s+(?:de\s+)?)?"
    r"\d{4}(?:\s*г\.)?)" + TIME_TAIL)
AMBIGUOUS_NUMERIC = re.compile(r"^0?([1-9]|1[0-2])/0?([1-9]|1[0-2])/\d{4}")  # dots are day-first (German, Russian...)
# dateutil fills what a text leaves out from a default: two defaults tell a missing day from the 1st
FIRST_DEFAULT, SECOND_DEFAULT = datetime(2000, 1, 1), datetime(2000, 1, 2)


@dataclass(frozen=True)
class DateValue:
    """A parsed candidate: the moment, whether a time of day and a zone were given, and where it came from."""

    moment: datetime  # naive when ``zoned`` is False
    timed: bool
    zoned: bool
    source: str

    @property
    def day(self) -> date:
        return self.moment.date()

    @property
    def precision(self) -> str:
        """Return 'day', 'time' (a time of day without a zone) or 'zoned' (an exact instant)."""
        return "zoned" if self.zoned else "time" if self.timed else "day"

    def isoformat(self) -> str:
        if not self.timed:
            return self.day.isoformat()
        return self.moment.isoformat()


def parse_date(value, source: str = "meta", now: datetime | None = None) -> DateValue | None:
    """Parse one candidate value into a DateValue, or None when it is not a plausible publication time."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(int(value))
    if not isinstance(value, str):
        return None
    text = " ".join(value.split())
    if not text or len(text) > 80:
        return None
    parsed = _parse_epoch(text) or _parse_compact(text) or _parse_iso(text) or _parse_free(text)
    if parsed is None:
        return None
    moment, timed, zoned = parsed
    if moment.year < MIN_YEAR:
        return None
    latest = (now or datetime.now(timezone.utc)) + timedelta(days=2)
    if (moment if zoned else moment.replace(tzinfo=timezone.utc)) > latest:
        return None  # a date in the future is an event's, an expiry's, or a typo
    return DateValue(moment, timed, zoned, source)


def _parse_epoch(text: str):
    if not EPOCH.match(text):
        return None
    seconds = float(text)
    if len(text.split(".")[0]) == 13:
        seconds /= 1000
    try:
        return datetime.fromtimestamp(seconds, timezone.utc), True, True
    except (OverflowError, OSError, ValueError):
        return None


def _parse_compact(text: str):
    match = COMPACT.match(text)
    if not match:
        return None
    year, month, day, hour, minute, second, zone = match.groups()
    if zone:
        return _parse_iso(f"{year}-{month}-{day}T{hour or '00'}:{minute or '00'}:{second or '00'}{zone}")
    try:
        moment = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0))
    except ValueError:
        return None
    return moment, hour is not None, False


def _parse_iso(text: str):
    candidate = text.replace("Z", "+00:00") if text.endswith("Z") else text
    candidate = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", candidate)  # +0200 -> +02:00
    try:
        moment = datetime.fromisoformat(candidate)
    except ValueError:
        return None
    timed = bool(re.search(r"[T ]\d{1,2}:\d{2}", candidate))
    return moment, timed, moment.tzinfo is not None


@lru_cache(maxsize=1)
def load_month_words() -> tuple[dict, frozenset, re.Pattern]:
    """Return {month word: English month name}, the connector words of written dates and a pattern of the labels
    that mark an update (tasks/data)."""
    data = read_data_file(DATA_FILE)["dates"]
    words = {word.casefold(): ENGLISH_MONTHS[int(number) - 1] for number, names in data["months"].items()
             for word in names}
    return words, frozenset(data["connectors"]), re.compile("|".join(map(re.escape, data["updated_labels"])), re.I)


def translate_months(text: str) -> str:
    """Return a written date with its month's name in English and connector words dropped, for dateutil."""
    text = CJK_DATE.sub(r"\1-\2-\3", text)
    months, connectors, _ = load_month_words()

    def replace(match: re.Match) -> str:
        word = match.group().rstrip(".").casefold()
        if word in months:
            return months[word]
        return "" if word in connectors else match.group()

    return " ".join(LETTER_WORD.sub(replace, text).split())


def find_written_date(text: str, source: str = "text") -> DateValue | None:
    """Return the first date written in a short text ("Last updated: November 13, 2025 ・ 3 min read").

    A numeric date whose day and month could be swapped ("04/09/2024") is skipped: which is which depends on the
    writer's country, and a wrong guess is worse than none.
    """
    for match in WRITTEN_DATE.finditer(text):
        numeric = AMBIGUOUS_NUMERIC.match(match.group())
        if numeric and numeric[1] != numeric[2]:
            continue
        value = parse_date(match.group(), source)
        if value:
            return value
    return None


def is_update_label(text: str) -> bool:
    """Tell whether a text says that the date with it is a last update ("Updated:", "Aktualisiert am")."""
    return bool(load_month_words()[2].search(text))


@lru_cache(maxsize=4096)
def _parse_free(text: str):
    """Parse RFC 2822 and local formats ("13 May 2026 15:44 CEST", "May 13, 2026", "13.05.2026", "20. Dezember
    2025", "2025年12月20日")."""
    cleaned = re.sub(r"(?i)^(published|posted|updated|on|le|am|il|el)\s*:?\s+", "", translate_months(text))
    cleaned = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", cleaned)
    cleaned = re.sub(r"\s+(um|à|a las|at|alle)\s+", " ", cleaned)
    if not re.search(r"\d{4}", cleaned):
        return None  # a day without a year is too weak to be a publication date
    dayfirst = bool(re.match(r"^\d{1,2}[./]\d{1,2}[./]\d{4}", cleaned))
    try:
        with warnings.catch_warnings():  # a zone name dateutil does not know leaves the time unzoned, as it should
            warnings.simplefilter("ignore", dateutil_parser.UnknownTimezoneWarning)
            moment = dateutil_parser.parse(cleaned, tzinfos=TZINFOS, dayfirst=dayfirst, fuzzy=False,
                                           default=FIRST_DEFAULT)
            if moment.day == FIRST_DEFAULT.day and dateutil_parser.parse(
                    cleaned, tzinfos=TZINFOS, dayfirst=dayfirst, default=SECOND_DEFAULT).day != moment.day:
                return None  # "March 2024": no day given (dateutil would lend one), not a publication day
    except (ValueError, OverflowError, TypeError):
        return None
    timed = bool(HAS_DIGIT_TIME.search(cleaned))
    if moment.tzinfo is not None and not timed:
        moment = moment.replace(tzinfo=None)
    return moment, timed, moment.tzinfo is not None


def date_from_url(url: str | None) -> DateValue | None:
    """Return the day a URL path carries (/2024/05/12/, /20240512/), if any."""
    match = URL_DATE.search(url or "")
    if not match:
        return None
    try:
        return DateValue(datetime(int(match[1]), int(match[2]), int(match[3])), False, False, "url")
    except ValueError:
        return None


def choose_date(candidates: list[DateValue]) -> DateValue | None:
    """Return the publication time: the most trusted source's day, as precisely as that day is told.

    A bare day takes the time of the most precise candidate of that day (a zoned instant before a time of day);
    a zone-less time takes the zone of a zoned candidate with the same wall-clock day and hour.
    """
    if not candidates:
        return None
    rank = {name: i for i, name in enumerate(SOURCES)}
    best = min(candidates, key=lambda c: (rank.get(c.source, len(rank)), -_precision_rank(c)))
    same_day = [c for c in candidates if _local_day(c) == _local_day(best)]
    precise = best if best.timed else max(same_day, key=lambda c: (_precision_rank(c), -rank.get(c.source, len(rank))))
    if precise.timed and not precise.zoned:
        for other in same_day:
            if other.zoned and other.moment.replace(tzinfo=None).replace(minute=0, second=0, microsecond=0) == \
                    precise.moment.replace(minute=0, second=0, microsecond=0):
                return DateValue(precise.moment.replace(tzinfo=other.moment.tzinfo), True, True, precise.source)
    chosen = DateValue(precise.moment, precise.timed, precise.zoned, best.source if precise.day == best.day
                       else precise.source)
    return told_in_local_zone(chosen, candidates)


LOCAL_ZONE_WINDOW = timedelta(hours=36)  # a candidate this close to the chosen instant tells the page's own zone


def told_in_local_zone(chosen: DateValue, candidates: list[DateValue]) -> DateValue:
    """Tell an instant given in UTC in the page's own offset, when another candidate of the page gives one.

    WordPress writes ``article:published_time`` in UTC while its theme prints ``<time datetime="...-05:00">``: the
    instant is the same, but its day in UTC is often the next one, not the day the publisher shows (a post of
    9:41 pm in New York is "2025-12-19T02:41Z"). The candidate nearest in time (the same instant first) gives the
    offset.
    """
    if not chosen.zoned or chosen.moment.utcoffset() != timedelta(0):
        return chosen
    local = [c for c in candidates if c.zoned and c.moment.utcoffset() not in (None, timedelta(0))
             and abs(c.moment - chosen.moment) <= LOCAL_ZONE_WINDOW]
    if not local:
        return chosen
    nearest = min(local, key=lambda c: abs(c.moment - chosen.moment))
    return DateValue(chosen.moment.astimezone(nearest.moment.tzinfo), True, True, chosen.source)


def _precision_rank(candidate: DateValue) -> int:
    return 2 if candidate.zoned else 1 if candidate.timed else 0


def _local_day(candidate: DateValue) -> date:
    """Return the day as the publisher wrote it (the wall-clock day of a zoned instant)."""
    return candidate.moment.date()
