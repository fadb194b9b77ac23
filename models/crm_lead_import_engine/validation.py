from collections import OrderedDict

from psycopg2 import sql

from odoo import _, api, models
from odoo.exceptions import UserError

from ...lib import bulk, parsing, progress, spreadsheet
from ...lib.columns import CUSTOM_PREFIX, IMPORTABLE_KEYS, field_of
from ..crm_lead.core import clean_reference
from .cells import ImportRowError, StageMove
from .references import AMBIGUOUS

# Filled only when empty unless the "overwrite" option is on (and the custom fields, x_*).
PROTECTED_FIELDS = ("name", "status", "team_id", "contact_id")
# Opportunities read per query when the record rules need the ORM's search; else one query
# for a whole file: beyond a few thousand ids the planner reads the whole table, once per query
# (0.2 s on 1.1 million opportunities: 100,000 rows read in batches of 20,000 took 1.2 s).
READ_BATCH = 20000
SCAN_BATCH = 200000
# Columns whose cells convert the same whatever the row (their conversion is kept per value).
CONTEXT_FREE_KEYS = ("pipeline", "lost_reason", "expected_revenue", "probability",
                     "probability_tag", "owner", "due_date")


def same_float(old, new):
    """Equal as far as a spreadsheet keeps them: .xlsx numbers have 16 significant digits."""
    old, new = old or 0.0, new or 0.0
    return abs(old - new) <= max(1e-6, 1e-14 * max(abs(old), abs(new)))


class LeadState(dict):
    """An opportunity's stored values as the import compares them: many2one as ids, empty
    values as the ORM gives them; also readable as attributes (state.status)."""

    _name = "crm.lead"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Its attributes are its items (read as fast as attributes are).
        self.__dict__ = self


def _empty_as_orm(field, value):
    """A column's value from SQL as the ORM would give it (NULL: False, 0 or 0.0)."""
    if value is not None:
        return value
    if field.type in ("float", "monetary"):
        return 0.0
    if field.type == "integer":
        return 0
    return False


class CrmLeadImportEngineValidation(models.AbstractModel):
    """Every row checked, and what it would change, before anything is written."""

    _inherit = "crm.lead.import.engine"

    def _lead_states(self, ids, columns, as_lists=False):
        """{id: LeadState} of the opportunities the file names that the user may read, read in
        one query per batch (the ORM's read() of a whole file took seconds); ``as_lists``: {id:
        [its values of ``columns`` but the id, in that order]} (no dictionary per row)."""
        Lead = self.env["crm.lead"].with_context(active_test=False)
        Lead.check_access_rights("read")
        states = {}
        columns = list(OrderedDict.fromkeys(["id"] + columns))
        unknown = [name for name in columns if name not in Lead._fields
                   or not Lead._fields[name].store or Lead._fields[name].type in (
                       "one2many", "many2many")]
        if unknown:
            raise UserError(_("These columns cannot be imported: %(columns)s.")
                            % {"columns": ", ".join(map(str, unknown))})
        # What Lead._search([("id", "in", ids)]) keeps (the trash filter and the record
        # rules, as the ORM writes them), in the query that reads the columns when that
        # condition reads crm_lead alone.
        where = Lead._where_calc([])
        Lead._apply_ir_rules(where, "read")
        from_clause, where_clause, where_params = where.get_sql()
        inline = from_clause == '"crm_lead"'
        query = sql.SQL("SELECT {} FROM crm_lead WHERE id = ANY(%s::int4[]) AND ({})").format(
            sql.SQL(", ").join(map(sql.Identifier, columns)),
            sql.SQL(where_clause if inline and where_clause else "TRUE"))
        empties = [_empty_as_orm(Lead._fields[name], None) for name in columns]
        batch = SCAN_BATCH if inline else READ_BATCH
        cr = self.env.cr
        for chunk in range(0, len(ids), batch):
            part = ids[chunk:chunk + batch]
            if not inline:
                part = Lead._search([("id", "in", part)])
            # Found through the primary key: for many ids the planner read the whole table
            # (100,000 of 1.1 million: 0.4 to 0.6 s, against 0.16 s). For this statement only
            # (set back below; a failure rolls back the savepoint, and the setting with it).
            cr.execute("SELECT current_setting('enable_seqscan')")
            planner = cr.fetchone()
            cr.execute("SELECT set_config('enable_seqscan', 'off', true)")
            # Identifiers are stored lead fields (checked above) and the ORM's condition; the
            # ids and the condition's values are parameters.
            cr.execute(query, [bulk.pg_array(list(part))] + (list(where_params) if inline else []))
            found = cr.fetchall()
            cr.execute("SELECT set_config('enable_seqscan', %s, true)", planner)
            for row in found:
                values = [empty if value is None else value for value, empty in zip(row, empties)]
                if as_lists:
                    states[values[0]] = values[1:]
                else:
                    state = LeadState(zip(columns, values))
                    states[state.id] = state
        return states

    @staticmethod
    def _is_empty(value):
        return value in (None, False, "") or (hasattr(value, "ids") and not value)

    @api.model
    def _prepare(self, headers, rows, mapping, update_existing=True, overwrite=False,
                 formulas_as_text=False):
        """Validate every row without writing anything. Formula cells (spreadsheet.Formula) are
        refused unless formulas_as_text.

        Returns (plan, errors): plan is a list of (line, lead or None, vals, changes) where
        changes is [(field name, old value, new value)] of what would really change; errors is a
        list of (line, cell, header, value, reason).
        """
        self._check_mapping(mapping)
        lookups = self._lookups(rows, mapping)
        formats = self._column_formats(rows, mapping, lookups)
        # Per column (in conversion order): its field, whether its cells convert once per text.
        ordered = [(col, key, key != "id" and field_of(key), key in CONTEXT_FREE_KEYS or
                    key.startswith(CUSTOM_PREFIX)) for col, key in sorted(
                        mapping.items(), key=lambda item: IMPORTABLE_KEYS.index(item[1])
                        if item[1] in IMPORTABLE_KEYS else len(IMPORTABLE_KEYS))]
        lead_fields = self.env["crm.lead"]._fields
        plan, errors, seen, converted = [], [], {}, {}
        # Looked up once (per cell below).
        formula, parse_int, leads = spreadsheet.Formula, parsing.parse_int, lookups["lead"]
        convert_once, convert_cell = self._convert_once, self._convert_cell
        stages = {}  # {(cell, pipeline): what _convert_cell() gives: it depends on them only}
        # The cells that are values as the files hold them most (no formula, no text to strip).
        plain = (int, float)
        for line, values in rows:
            progress.advance()
            row_errors = []

            def fail(col, raw, reason):
                row_errors.append((line, "%s%d" % (spreadsheet.column_letter(col), line),
                                   headers[col] if col < len(headers) else "", raw, reason))

            lead, vals = None, {}
            width = len(values)
            for col, key, field_name, context_free in ordered:
                raw = values[col] if col < width else ""
                if raw is None:
                    continue
                plain_cell = raw.__class__ in plain
                if not plain_cell and isinstance(raw, str) and not raw.strip():
                    continue
                if not plain_cell and isinstance(raw, formula) and not formulas_as_text:
                    fail(col, raw, _("This cell holds a formula (%(formula)s), not a value: "
                                     "type the value, or tick \"Import formulas as text\".")
                         % {"formula": raw})
                    if key == "id":
                        break
                    continue
                if key == "id":
                    try:
                        lead_id = raw if raw.__class__ is int else parse_int(raw)
                    except parsing.CellError:
                        lead_id = lookups["reference"].get(clean_reference(raw).lower())
                    if lead_id == AMBIGUOUS:
                        fail(col, raw, _("Several opportunities have the reference "
                                         "\"%(value)s\": give the ID.") % {"value": raw})
                        break
                    if not lead_id:
                        fail(col, raw, _("\"%(value)s\" is neither an opportunity ID nor the "
                                         "reference of an opportunity.") % {"value": raw})
                        break
                    lead = leads.get(lead_id)
                    if not lead or lead.type != "opportunity":
                        fail(col, raw, _("No opportunity has the ID %s.") % lead_id)
                        break
                    if lead_id in seen:
                        fail(col, raw, _("The ID %(id)s is already on line %(line)d.") % {
                            "id": lead_id, "line": seen[lead_id]})
                        break
                    seen[lead_id] = line
                    if not update_existing:
                        fail(col, raw, _("Updating existing opportunities is off."))
                        break
                    continue
                if context_free:
                    if plain_cell and key == "expected_revenue":
                        # What _convert_cell() gives a number (NumberColumn.parse()): amounts
                        # differ from row to row, none kept.
                        vals[field_name] = float(raw)
                        continue
                    # _convert_once(), its kept value looked up inline (per cell).
                    known = converted.get((key, raw.__class__, raw))
                    if known is not None and known[0]:
                        vals[field_name] = known[1]
                        continue
                elif key == "stage":
                    stage_key = (raw.__class__, raw, vals.get(
                        "team_id", lead.team_id if lead else False))
                    known = stages.get(stage_key)
                    if known is None:
                        try:
                            known = (True, convert_cell(key, raw, lead, lookups, vals, formats))
                        except ImportRowError as error:
                            known = (False, error)
                        stages[stage_key] = known
                    if known[0]:
                        vals[field_name] = known[1]
                    else:
                        fail(col, raw, known[1].args[0])
                    continue
                try:
                    if context_free:
                        value = convert_once(converted, key, raw, lookups, formats)
                    else:
                        value = convert_cell(key, raw, lead, lookups, vals, formats)
                except ImportRowError as error:
                    fail(col, raw, error.args[0])
                    continue
                if isinstance(value, StageMove):
                    vals["stage_id"] = value.stage_id
                else:
                    vals[field_name] = value
            if not row_errors and "reference" in vals:
                reason = self._reference_clash(vals["reference"], line, lead, lookups)
                if reason:
                    col = next(c for c, k in mapping.items() if k == "reference")
                    fail(col, values[col], reason)
            if not row_errors:
                if "lost_reason" in vals and vals.get("status", lead.status if lead else "open") \
                        != "lost":
                    col = next(c for c, k in mapping.items() if k == "lost_reason")
                    fail(col, values[col], _("A lost reason needs the milestone Lost."))
                stage = lookups["stage_by_id"].get(lead.stage_id) if lead and \
                    "team_id" in vals and "stage_id" not in vals else None
                if stage and stage.team_id and stage.team_id.id != vals["team_id"]:
                    col = next(c for c, k in mapping.items() if k == "pipeline")
                    fail(col, values[col], _("The current stage \"%s\" does not belong to this "
                                             "pipeline: give a stage too.") % stage.name)
                if not lead and not vals.get("name"):
                    fail(0, "", _("A new opportunity needs a name (no ID on this line)."))
                self._check_row_value(lead, vals, mapping, values, lookups, fail)
            if row_errors:
                errors.extend(row_errors)
                continue
            changes = self._changes(lead, vals, overwrite, lead_fields)
            # What changes, as values to write (the row's values when they all change).
            plan.append((line, lead, vals if not lead or len(changes) == len(vals) else
                         {f: new for f, _old, new in changes}, changes))
        return plan, errors

    def _convert_once(self, converted, key, raw, lookups, formats):
        """_convert_cell() of a cell whose value depends on its text only (an owner, a
        number...): converted once per distinct text, the same value or refusal after."""
        memo_key = (key, type(raw), raw)
        if memo_key not in converted:
            try:
                converted[memo_key] = (True, self._convert_cell(key, raw, None, lookups, {},
                                                                formats))
            except ImportRowError as error:
                converted[memo_key] = (False, error)
        ok, result = converted[memo_key]
        if not ok:
            raise result
        return result

    def _changes(self, lead, vals, overwrite, lead_fields=None):
        if not lead:
            return [(field_name, False, new) for field_name, new in vals.items()]
        changes = []
        lead_fields = lead_fields or self.env["crm.lead"]._fields
        for field_name, new in vals.items():
            field_type = lead_fields[field_name].type
            old = lead[field_name]
            if not overwrite and (field_name in PROTECTED_FIELDS or field_name.startswith(
                    "x_")) and not self._is_empty(old):
                continue
            if field_type in ("float", "monetary"):
                # same_float(), inline (per number of every row).
                old_number, new_number = old or 0.0, new or 0.0
                if abs(old_number - new_number) <= max(
                        1e-6, 1e-14 * max(abs(old_number), abs(new_number))):
                    continue
            elif field_type in ("char", "text") and isinstance(new, str):
                # Cells are read stripped: the spaces around a text are no change.
                if (old or "").strip() == new.strip():
                    continue
            elif (old or False) == (new or False):
                continue
            changes.append((field_name, old, new))
        if "lost_reason" in vals and any(name == "lost_reason" for name, _o, _n in changes):
            status = next((new for name, _o, new in changes if name == "status"), lead.status)
            if status != "lost":  # the milestone was kept (overwrite off): so is the reason
                changes = [change for change in changes if change[0] != "lost_reason"]
        return changes
