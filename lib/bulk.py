"""Bulk creation of records: what the ORM's create() does for one record, for many records in
one INSERT per batch.

Odoo 11 creates records one at a time (one INSERT, one round of recomputation and checks per
record). For thousands of rows of a simple model (no _inherits, no parent store) this module
inserts them in batches, then does what BaseModel._create() does after its INSERT: marks the
new records modified (caches invalidated, dependent stored fields recomputed), checks the
Python constraints and the record rules for create. Overrides of create() do not run: callers
do what those overrides would have done, in bulk. A stored computed field given in every row
is taken as given (the caller computed it in bulk) instead of being recomputed record by
record.
"""

import gc
import threading
from contextlib import contextmanager

BATCH = 5000
LOG_ACCESS = ("create_uid", "write_uid", "create_date", "write_date")
# Kinds of values pg_array() writes as they are, and those that compare equal across types.
INTEGERS = {int, type(None)}
NUMBERS = {bool, int, float}
# Field types whose column value depends on the value only (converted once per value).
PURE_TYPES = ("boolean", "integer", "float", "char", "text", "html", "selection", "date",
              "datetime", "many2one")


def insert_records(model, vals_list):
    """Create records of ``model`` from ``vals_list`` (dicts of stored fields that have a
    column: no one2many or many2many values) and return them in the order of ``vals_list``.
    Default values are those of ``model.default_get`` (computed once for all rows).
    Translated fields get the given value as their source term (no translation is added)."""
    if not vals_list:
        return model.browse()
    if model._inherits or model._parent_store or not model._log_access:
        raise ValueError("insert_records() does not handle _inherits, parent store or "
                         "models without log access columns (%s)" % model._name)
    model.check_access_rights("create")
    settable = {name for name, field in model._fields.items()
                if field.store and field.column_type and name != "id" and name not in LOG_ACCESS}
    names = set()
    for vals in vals_list:
        names.update(vals)
    unknown = names - settable
    if unknown:
        raise ValueError("insert_records(%s): not stored column fields: %s"
                         % (model._name, ", ".join(sorted(unknown))))
    given_everywhere = set.intersection(*(set(vals) for vals in vals_list))
    defaults = model.default_get(sorted(name for name in settable if name not in
                                        given_everywhere and not model._fields[name].compute))
    booleans = {name for name in settable if model._fields[name].type == "boolean" and
                not model._fields[name].compute}
    columns = sorted(names | set(defaults) | booleans)
    fields = [model._fields[name] for name in columns]
    empty = model.browse()
    # One array per column, unnested into rows: one short statement per batch instead of a
    # placeholder per value.
    arrays = ", ".join("%%s::%s[]" % field.column_type[1] for field in fields)
    uid = model.env.uid
    ids = []
    for start in range(0, len(vals_list), BATCH):
        batch = vals_list[start:start + BATCH]
        values = [_column(model, field, batch, defaults, empty) for field in fields]
        # Identifiers are the model's table and its stored fields (checked above); every
        # value is a parameter.
        model.env.cr.execute(
            'INSERT INTO "%s" (id, %s, create_uid, write_uid, create_date, write_date) '
            "SELECT nextval(%%s), row.*, %%s, %%s, now() AT TIME ZONE 'UTC', "
            "now() AT TIME ZONE 'UTC' FROM unnest(%s) AS row RETURNING id" % (
                model._table, ", ".join('"%s"' % name for name in columns), arrays),
            [model._sequence, uid, uid] + [pg_array(column) for column in values])
        # nextval() runs row after row: sorted ids follow the order of the rows.
        ids += sorted(row[0] for row in model.env.cr.fetchall())
    records = model.browse(ids)
    records.modified(model._fields)
    for name in given_everywhere:
        if model._fields[name].compute:
            records._recompute_done(model._fields[name])
    records._validate_fields(columns)
    if model.env.recompute and model.env.context.get("recompute", True):
        model.recompute()
    records.check_access_rule("create")
    return records


def pg_array(values):
    """The values as one PostgreSQL array literal ('{1,NULL,"text"}'), to pass as a single
    parameter: psycopg2 writes a list as ARRAY[...], an expression per element that the
    server parses (most of an INSERT's time for thousands of rows). Values other than None,
    booleans, numbers and text (bytes, dates) are left to psycopg2 (the list is returned)."""
    types = set(map(type, values))
    if types <= INTEGERS:  # ids: the most frequent
        return "{%s}" % ",".join(["NULL" if value is None else str(value) for value in values])
    if types == {bool}:  # which rows give a column
        return "{%s}" % ",".join(["t" if value else "f" for value in values])
    if types == {float}:  # amounts: a float's repr needs no quote
        return "{%s}" % ",".join(map(repr, values))
    if types == {str} and values:  # texts (notes, names): most differ, each quoted
        # Joined by a character no text sent to PostgreSQL holds, then escaped at once.
        joined = "\x00".join(values)
        if joined.count("\x00") == len(values) - 1:
            return '{"%s"}' % joined.replace("\\", "\\\\").replace('"', '\\"').replace(
                "\x00", '","')
    # Each distinct value is written once; keyed by type too when True, 1 and 1.0 (equal in
    # a set) could meet.
    mixed = len(types & NUMBERS) > 1
    keys = list(zip(map(type, values), values)) if mixed else values
    try:
        distinct = set(keys)
    except TypeError:  # a value that cannot be hashed
        return values
    literals = {}
    for key in distinct:
        value = key[1] if mixed else key
        if value is None:
            literals[key] = "NULL"
        elif value is True or value is False:
            literals[key] = "t" if value else "f"
        elif isinstance(value, int):
            literals[key] = str(value)
        elif isinstance(value, (str, float)):
            # Quoted: a float's repr or a text, backslashes and double quotes escaped.
            text = repr(value) if isinstance(value, float) else value
            literals[key] = '"%s"' % text.replace("\\", "\\\\").replace('"', '\\"')
        else:
            return values
    return "{%s}" % ",".join([literals[key] for key in keys])


def _column(model, field, batch, defaults, empty):
    """The column values of ``field`` for the rows of ``batch``, as the ORM's create() writes
    them. For the field types whose conversion depends on the value only, each distinct value
    is checked (selection) and converted once."""
    name = field.name
    default = defaults.get(name, False)
    if field.type not in PURE_TYPES:
        return [_convert(model, field, vals.get(name, default), dict(defaults, **vals), empty)
                for vals in batch]
    raw = [vals.get(name, default) for vals in batch]
    try:
        converted = {value: _convert(model, field, value, {}, empty) for value in set(raw)}
    except TypeError:  # a value that cannot be hashed
        return [_convert(model, field, value, {}, empty) for value in raw]
    return [converted[value] for value in raw]


def _convert(model, field, value, row, empty):
    if value and hasattr(field, "selection"):
        model._check_selection_field_value(field.name, value)
    return field.convert_to_column(value, empty, row)


_collections = {"lock": threading.Lock(), "depth": 0, "enabled": None}


@contextmanager
def spaced_collections():
    """Work that keeps millions of small objects alive (an import of 100,000 rows): Python's
    cyclic garbage collector, run every 700 allocations, walked them again and again (about
    a sixth of the time); run every 100,000 it still took 1.5 to 2 s of an import of 100,000
    rows (26 s), each object kept walked in two generations, the oldest walked whole. For the
    duration of the block its automatic runs are off: memory is still freed as soon as an
    object is no longer used, only reference cycles wait for the next collection after the
    block. Back on when the last of the blocks running in the process ends."""
    with _collections["lock"]:
        if not _collections["depth"]:
            _collections["enabled"] = gc.isenabled()
            gc.disable()
        _collections["depth"] += 1
    try:
        yield
    finally:
        with _collections["lock"]:
            _collections["depth"] -= 1
            if not _collections["depth"] and _collections["enabled"]:
                gc.enable()
