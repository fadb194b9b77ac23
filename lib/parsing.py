"""Numbers, dates, identifiers and milestones as people type them in spreadsheets, with no ORM.

A cell alone is often ambiguous (``1,234`` is a thousand in English and one and a bit in
French; ``03/04/2025`` is March or April), so each column's convention is worked out from all
of its cells: the user's language decides only when no cell settles it. A cell is then read in
its column's convention or refused with a reason (``CellError.code``, translated by the
import); no character is ever dropped to make a number (``Q3 2024`` is not 32024).
"""
import datetime
import re

from .spreadsheet import normalise_header

# Group separators besides the comma and the point: spaces (French Excel writes a no-break or
# narrow no-break space) and the Swiss apostrophe.
SPACES = ("\u00a0", "\u202f", "\u2009")
# A currency symbol may stand before or after an amount, a percent sign after a probability.
CURRENCY_SYMBOLS = "€$£¥"
_BODY = re.compile(r"^(?:\d|[.,]\d)[\d.,' ]*$")
_SCIENTIFIC = re.compile(r"^\d+(?:\.\d+)?[eE][+-]?\d+$")
_NUMERIC_DATE = re.compile(
    r"^(\d{1,2})([/.\-])(\d{1,2})\2(\d{4}|\d{2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_INTEGER = re.compile(r"^[+-]?\d+$")

# Every natural spelling of the milestones in English and French, compared once normalised
# (lower case, no accents, punctuation as spaces): agreement (gagné, gagnée, gagnés) included.
MILESTONE_WORDS = {
    "open": ("open", "opened", "reopened", "ouvert", "ouverte", "ouverts", "ouvertes",
             "en cours", "in progress", "rouvert", "rouverte"),
    "hold": ("on hold", "hold", "onhold", "held", "paused", "en attente", "en pause",
             "suspendu", "suspendue", "suspendus", "suspendues"),
    "won": ("won", "win", "gagne", "gagnee", "gagnes", "gagnees", "remporte", "remportee",
            "remportes", "remportees"),
    "lost": ("lost", "lose", "perdu", "perdue", "perdus", "perdues"),
}
MILESTONES = {word: status for status, words in MILESTONE_WORDS.items() for word in words}


class CellError(ValueError):
    """A cell that cannot be read: ``code`` says why, ``params`` what the message needs."""

    def __init__(self, code, **params):
        super().__init__(code)
        self.code = code
        self.params = params


def milestone_of(text):
    """The status a milestone word means (open, hold, won, lost), or None."""
    return MILESTONES.get(normalise_header(text))


def parse_int(value):
    """An identifier: a whole number and nothing else (``OPP00012`` is not 12)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise CellError("not_integer")
    if isinstance(value, (int, float)):
        if value != int(value):
            raise CellError("not_integer")
        return int(value)
    text = str(value).strip()
    if not text:
        return None
    if not _INTEGER.match(text):
        raise CellError("not_integer")
    return int(text)


def _number_body(text, percent=False):
    """(sign, body) of a number typed as text, its currency symbol (or percent sign) set
    apart; None when anything else is in it."""
    text = text.strip().replace("\u2212", "-")
    for space in SPACES:
        text = text.replace(space, " ")
    affixes = CURRENCY_SYMBOLS + ("%" if percent else "")
    if text[:1] in affixes:
        text = text[1:].strip()
    elif text[-1:] in affixes:
        text = text[:-1].strip()
    sign = ""
    if text[:1] in "+-":
        sign, text = text[0], text[1:].strip()
    if not text or not text[-1].isdigit() or not (_BODY.match(text) or _SCIENTIFIC.match(text)):
        return None
    return sign, text


def _decimal_hint(body):
    """The decimal separator this number proves ("." or ","), or None when it reads either
    way (``1,234``) or has none."""
    points, commas = body.count("."), body.count(",")
    if points and commas:
        return "." if body.rfind(".") > body.rfind(",") else ","
    if not points and not commas:
        return None
    mark = "." if points else ","
    if points + commas > 1:
        return "," if mark == "." else "."
    left, right = body.split(mark)
    if " " in left or "'" in left:
        return mark  # grouped with spaces already: the mark is the decimal separator
    if len(right) == 3 and 1 <= len(left) <= 3 and left != "0":
        return None
    return mark


def _read_body(body, decimal):
    """The number ``body`` is in the convention whose decimal separator is ``decimal``, or
    None when it does not fit that convention."""
    if _SCIENTIFIC.match(body):
        return float(body) if decimal == "." else None
    if body.count(decimal) > 1:
        return None
    whole, _mark, fraction = body.partition(decimal)
    if _mark and not fraction.isdigit():
        return None
    if whole and not whole.isdigit():
        separators = set(re.sub(r"\d", "", whole))
        if len(separators) != 1 or separators & {decimal}:
            return None
        groups = whole.split(separators.pop())
        if not 1 <= len(groups[0]) <= 3 or groups[0][0] == "0" or any(len(group) != 3 for group in groups[1:]) \
                or not all(group.isdigit() for group in groups):
            return None
        whole = "".join(groups)
    return float("%s.%s" % (whole or "0", fraction or "0"))


class NumberColumn(object):
    """The numbers of one column: the decimal separator most of its cells prove (the user's
    language when none does); a cell that proves the other one is refused, not misread."""

    def __init__(self, values, decimal_point=".", percent=False):
        self.percent = percent
        votes = {".": 0, ",": 0}
        for value in values:
            if isinstance(value, str) and value.strip():
                parts = _number_body(value, percent)
                hint = parts and _decimal_hint(parts[1])
                if hint:
                    votes[hint] += 1
        default = "," if decimal_point == "," else "."
        if votes["."] == votes[","]:
            self.decimal = default
        else:
            self.decimal = "." if votes["."] > votes[","] else ","

    def parse(self, value):
        """A float, None when empty; CellError otherwise."""
        if value is None or value == "":
            return None
        if isinstance(value, bool) or isinstance(value, (datetime.date, datetime.datetime)):
            raise CellError("not_number")
        if isinstance(value, (int, float)):
            return float(value)
        text = str(value).strip()
        if not text:
            return None
        parts = _number_body(text, self.percent)
        if not parts:
            raise CellError("not_number")
        sign, body = parts
        number = _read_body(body, self.decimal)
        if number is None:
            if _decimal_hint(body) not in (None, self.decimal):
                raise CellError("decimal_comma" if self.decimal == "." else "decimal_point")
            raise CellError("not_number")
        return -number if sign == "-" else number

    def parse_int(self, value):
        number = self.parse(value)
        if number is not None and number != int(number):
            raise CellError("not_integer")
        return None if number is None else int(number)


def _date_order(first, second):
    """"dmy" or "mdy" when the cell can only be read one way, else None."""
    if first > 12 >= second:
        return "dmy"
    if second > 12 >= first:
        return "mdy"
    return None


class DateColumn(object):
    """The dates of one column: day first or month first as its unambiguous cells say (the
    user's language when none does). A column that has both: the cells of the smaller camp
    and the ambiguous ones are refused. ISO dates (2025-03-04) are always read."""

    def __init__(self, values, day_first=False):
        votes = {"dmy": 0, "mdy": 0}
        for value in values:
            match = isinstance(value, str) and _NUMERIC_DATE.match(value.strip())
            if match:
                order = _date_order(int(match.group(1)), int(match.group(3)))
                if order:
                    votes[order] += 1
        self.mixed = bool(votes["dmy"] and votes["mdy"])
        if votes["dmy"] == votes["mdy"]:
            self.order = "dmy" if day_first else "mdy"
        else:
            self.order = "dmy" if votes["dmy"] > votes["mdy"] else "mdy"

    def parse(self, value):
        """A date, None when empty; CellError otherwise."""
        if value is None or value == "":
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        if not isinstance(value, str):
            raise CellError("not_date")
        text = value.strip()
        if not text:
            return None
        try:
            match = _ISO_DATE.match(text)
            if match:
                return datetime.date(*map(int, match.groups()))
            match = _NUMERIC_DATE.match(text)
            if not match:
                raise CellError("not_date")
            first, second, year = int(match.group(1)), int(match.group(3)), match.group(4)
            year = int(year) + (2000 if len(year) == 2 else 0)
            order = _date_order(first, second)
            if order and order != self.order:
                raise CellError("day_first" if order == "dmy" else "month_first")
            if not order and self.mixed:
                raise CellError("date_ambiguous")
            if self.order == "dmy":
                return datetime.date(year, second, first)
            return datetime.date(year, first, second)
        except ValueError as error:
            if isinstance(error, CellError):
                raise
            raise CellError("not_date")


def day_first(date_format):
    """Whether a language's date format (Odoo's, e.g. %d/%m/%Y) puts the day first."""
    day, month = date_format.find("%d"), date_format.find("%m")
    return 0 <= day < month
