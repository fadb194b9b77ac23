"""The undo data of an opportunity import (crm.lead.import.log), as JSON.

Its first form repeated every column name and write date per opportunity: {"updated": {id:
{column: previous value}}, "created": [id], "write_dates": {id: date}, "after": {id: {column:
value written}}}; for 100,000 rows that was 29 MB and about 2 s to build and write. encode()
writes the same in a compact form: {"version": 2, "created": [id], "write_dates": [[date,
[id]]], "updated": [[previous columns, written columns, [[id, previous value..., value
written...]]]]}, the opportunities grouped by the columns they changed. decode() reads either
form back as the first (logs written before keep their undo).
"""
import json
from collections import OrderedDict

VERSION = 2


def encode(groups, created, write_dates):
    """groups: {(previous columns, written columns): [(id, previous value..., value
    written...)]}; created: [id]; write_dates: {id: write date}."""
    dates = OrderedDict()
    for lead_id, write_date in write_dates.items():
        dates.setdefault(write_date, []).append(lead_id)
    return json.dumps({
        "version": VERSION, "created": list(created),
        "write_dates": [[write_date, ids] for write_date, ids in dates.items()],
        "updated": [[list(old_names), list(new_names), rows]
                    for (old_names, new_names), rows in groups.items()],
    }, separators=(",", ":"))


def decode(undo):
    """The first form of undo data ``undo`` (parsed JSON) of either form, ids as strings.
    Raises ValueError, TypeError, KeyError or AttributeError when it is neither; the values
    are for the caller to check."""
    if undo.get("version") != VERSION:
        return undo
    updated, after, write_dates = {}, {}, {}
    for old_names, new_names, rows in _lists(undo["updated"], 3):
        old_names, new_names = _lists(old_names), _lists(new_names)
        split = 1 + len(old_names)
        for row in _lists(rows, split + len(new_names)):
            lead_id = str(int(row[0]))
            updated[lead_id] = dict(zip(old_names, row[1:split]))
            after[lead_id] = dict(zip(new_names, row[split:]))
    for write_date, ids in _lists(undo["write_dates"], 2):
        for lead_id in _lists(ids):
            write_dates[str(int(lead_id))] = write_date
    return {"updated": updated, "created": _lists(undo["created"]),
            "write_dates": write_dates, "after": after}


def _lists(value, width=None):
    """``value``, a list (of lists of ``width`` items each when given), or TypeError."""
    if not isinstance(value, list) or (width is not None and not all(
            isinstance(item, list) and len(item) == width for item in value)):
        raise TypeError("the undo data is not of the form it should have")
    return value
