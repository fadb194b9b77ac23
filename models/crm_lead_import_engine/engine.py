from collections import defaultdict
from html import escape as html_escape

import psycopg2

from odoo import _, api, models
from odoo.exceptions import UserError, except_orm

from ...lib import bulk, file_limits, progress, spreadsheet
from ...lib.columns import COLUMN_ALIASES, CUSTOM_PREFIX, FIELD_OF_KEY, IMPORTABLE_KEYS

# Besides the importable columns, what undo writes back (closing moved them).
UNDO_EXTRA_FIELDS = ("stage_id", "probability", "lost_reason", "on_hold")
# And what the import changes as a side effect, which its undo data records: the expected
# revenue that the value gives (computed again from the value undo writes back).
SIDE_EFFECT_FIELDS = ("planned_revenue",)


class _RollBack(Exception):
    """Leaves a savepoint rolled back."""


# What a row may raise when it is written: business rules, access, the database's checks.
WRITE_ERRORS = (except_orm, psycopg2.Error)


def _write_error_text(error):
    if isinstance(error, except_orm):
        return error.name
    diag = getattr(error, "diag", None)
    return (diag and diag.message_primary) or str(error).strip().split("\n")[0]


class CrmLeadImportEngine(models.AbstractModel):
    """The import of an opportunity spreadsheet: which columns it may write, every row checked
    (validation.py, cells.py), then written in bulk (writer.py) with a note on each
    opportunity. Called by the import wizard (dry run) and the import log, which records each
    import, its report and what undo needs."""

    _name = "crm.lead.import.engine"
    _description = "Opportunity import engine"

    # ------------------------------------------------------------------ columns

    @api.model
    def _custom_columns(self):
        """Columns of the custom fields, as their definitions own them (checked there)."""
        # As superuser: the cached names for every user (see _field_names).
        return set(self.env["crm.lead.custom.field"].sudo()._field_names())

    @api.model
    def _importable_columns(self):
        """Every column the import (and its undo) may write: the fixed whitelist and the custom
        fields' own columns. Nothing else read from a mapping or a log reaches SQL."""
        return set(FIELD_OF_KEY.values()) | set(UNDO_EXTRA_FIELDS) | set(SIDE_EFFECT_FIELDS) | \
            self._custom_columns()

    @api.model
    def _check_mapping(self, mapping):
        """{column index: key} as the wizard makes it: anything else (a log's options edited
        by hand, a hostile client) is refused before it is used."""
        custom = self._custom_columns()
        for col, key in mapping.items():
            valid = isinstance(col, int) and col >= 0 and isinstance(key, str) and (
                key in IMPORTABLE_KEYS or (key.startswith(CUSTOM_PREFIX)
                                           and key[len(CUSTOM_PREFIX):] in custom))
            if not valid:
                raise UserError(_("This column cannot be imported: %(column)s.")
                                % {"column": key})
        return mapping

    @api.model
    def _read_file(self, file_name, content):
        """(headers, rows) of an uploaded file, within the limits of the system parameters
        crm_opportunity_suite.import_max_rows, import_max_cells and import_max_xlsx_mb (raises
        spreadsheet.SpreadsheetError)."""
        # As superuser: settings sales users may not read; only the limits are used.
        params = self.env["ir.config_parameter"].sudo()
        limits = file_limits.Limits(*(
            int(params.get_param("crm_opportunity_suite.import_max_%s" % name, default))
            for name, default in (("rows", file_limits.MAX_ROWS),
                                  ("cells", file_limits.MAX_CELLS),
                                  ("xlsx_mb", file_limits.MAX_XLSX_MB))))
        with bulk.spaced_collections():
            return spreadsheet.read_table(file_name, content, limits)

    @api.model
    def _lang_formats(self):
        lang = self.env["res.lang"]._lang_get(self.env.user.lang or "en_US")
        return (lang.decimal_point or ".", lang.thousands_sep or "", lang.date_format or "%m/%d/%Y")

    @api.model
    def _mapping_choices(self):
        """(key, label) the user can map a column to."""
        headers = self.env["crm.lead"]._spreadsheet_headers()
        return [(key, label) for key, label in headers
                if key in IMPORTABLE_KEYS or key.startswith(CUSTOM_PREFIX)]

    @api.model
    def _guess_mapping(self, headers):
        """Columns recognised by their header: the known aliases (English and French) of each
        importable column, or its label in the user's language (custom fields)."""
        aliases = {key: list(COLUMN_ALIASES.get(key, [])) + [label]
                   for key, label in self._mapping_choices()}
        return spreadsheet.match_headers(headers, aliases)

    # ------------------------------------------------------------------ writing

    def _write_plan(self, plan, skip_invalid):
        """Write what _prepare() planned: (to_write, created, refused, after). to_write holds
        the (line, lead, vals, changes) of the opportunities updated, created those created;
        refused is [(line, reason)] of the rows the database or a business rule refused: when
        there are some and skip_invalid is off, nothing is written (to_write and created are
        None); after is {id: (write date, name)} of the updated opportunities read after the
        write (side_effects.py; empty here)."""
        to_write = [(line, lead, vals, changes) for line, lead, vals, changes in plan
                    if lead and changes]
        to_create = [(line, vals) for line, lead, vals, _changes in plan if not lead]
        Lead = self.env["crm.lead"].with_context(tracking_disable=True)
        try:
            with self.env.cr.savepoint():
                return to_write, self._apply(Lead, to_write, to_create), [], {}
        except WRITE_ERRORS:
            # A row refused by the database or a business rule (e.g. items required on a new
            # opportunity): find which, one row at a time, then write only the others, or
            # nothing at all.
            self.env.clear()
            refused = self._refused_rows(Lead, to_write, to_create)
            if not skip_invalid:
                return None, None, refused, {}
            refused_lines = {line for line, _reason in refused}
            to_write = [entry for entry in to_write if entry[0] not in refused_lines]
            to_create = [entry for entry in to_create if entry[0] not in refused_lines]
            return to_write, self._apply(Lead, to_write, to_create), refused, {}

    def _apply(self, Lead, to_write, to_create):
        """Write the planned changes and create the new opportunities; returns those."""
        self._write_grouped(Lead, [entry[1:] for entry in to_write])
        progress.advance(len(to_write))
        created = Lead.browse()
        for _line, vals in to_create:
            created |= Lead.create(dict(vals, type="opportunity"))
            progress.advance()
        return created

    def _refused_rows(self, Lead, to_write, to_create):
        """[(line, reason)] of the rows that cannot be written, each tried alone; writes
        nothing."""
        refused = []
        try:
            with self.env.cr.savepoint():
                for entry in to_write + to_create:
                    single = ([entry], []) if len(entry) == 4 else ([], [entry])
                    try:
                        with self.env.cr.savepoint():
                            self._apply(Lead, *single)
                    except WRITE_ERRORS as error:
                        self.env.clear()
                        refused.append((entry[0], _write_error_text(error)))
                raise _RollBack()
        except _RollBack:
            self.env.clear()
        return refused

    # ------------------------------------------------------------------ notes

    def _post_summaries(self, file_name, to_write, created, names=None):
        """One note per opportunity saying what the import changed, inserted in bulk (posting
        them one by one, with notifications to nobody, took most of the import's time).
        ``names``: {lead id: its name} read after the write (crm.lead._post_bulk_notes())."""
        Lead = self.env["crm.lead"]
        # Per column: "<li>label: " with its label in the user's language (get_description()
        # also built every other attribute of the field), each value as shown, worked out
        # once, its field and whether it is a number.
        columns = {}
        header = _("<p>Updated by the import of %(file)s:</p><ul>%(changes)s</ul>")
        file_name = html_escape(file_name)
        # The note around its changes, formatted once (unless the marker is in the texts).
        marker = "\x00changes\x00"
        around = (header % {"file": file_name, "changes": marker}).split(marker)
        lead_fields, display = Lead._fields, self._display

        def column_of(name, shown):
            field = lead_fields[name]
            return ("<li>%s: " % html_escape(field._description_string(self.env)), shown, field,
                    field.type in ("float", "monetary", "integer"))

        def text(value, shown, field, number):
            # A number (not zero: shown as empty) is shown as str() writes it, which
            # html_escape() leaves as it is: not kept (most amounts differ).
            if number and value.__class__ in (int, float) and value:
                return str(value)
            shown_text = shown.get(value)
            if shown_text is None:
                shown_text = shown[value] = html_escape(str(display(field, value)))
            return shown_text

        for name, shown in self._linked_names(to_write).items():
            columns[name] = column_of(name, shown)
        # {lead id: note}; text() inline below for the values already shown (per value of
        # every change of every row).
        bodies, numbers = {}, (int, float)
        one_text = len(around) == 2
        for lead, _vals, changes in to_write:
            parts = [around[0]] if one_text else []
            for name, old, new in changes:
                column = columns.get(name)
                if column is None:
                    column = columns[name] = column_of(name, {})
                start, shown, field, number = column
                old_text = str(old) if number and old and old.__class__ in numbers else \
                    shown.get(old)
                if old_text is None:
                    old_text = text(old, shown, field, number)
                new_text = str(new) if number and new and new.__class__ in numbers else \
                    shown.get(new)
                if new_text is None:
                    new_text = text(new, shown, field, number)
                parts += (start, old_text, " &#8594; ", new_text, "</li>")
            if one_text:
                parts.append(around[1])
                bodies[lead.id] = "".join(parts)
            else:
                bodies[lead.id] = header % {"file": file_name, "changes": "".join(parts)}
        created_body = _("<p>Created by the import of %s.</p>") % file_name
        for lead in created:
            bodies[lead.id] = created_body
        self.env["crm.lead"]._post_bulk_notes(bodies, names)

    def _linked_names(self, to_write):
        """{many2one column: {id: its display name, escaped}} of the records the changes
        name, each column's read at once (a stage or user at a time was most of the notes'
        time on a small file)."""
        lead_fields = self.env["crm.lead"]._fields
        linked = {name for name, field in lead_fields.items() if field.type == "many2one"}
        ids = defaultdict(set)
        for _lead, _vals, changes in to_write:
            for name, old, new in changes:
                if name in linked:
                    ids[name].update((old, new))
        names = {}
        for name, values in ids.items():
            records = self.env[lead_fields[name].comodel_name].browse(
                sorted(value for value in values if value not in (None, False, "")))
            names[name] = {record.id: html_escape(str(record.display_name))
                           for record in records}
        return names

    def _insert_notes(self, notes, names=None):
        self.env["crm.lead"]._post_bulk_notes({lead.id: body for lead, body in notes}, names)

    def _display(self, field, value):
        if value in (None, False, ""):
            return "\u2014"
        if field.type == "many2one":
            return self.env[field.comodel_name].browse(value).display_name
        if field.type == "selection":
            return dict(field._description_selection(self.env)).get(value, value)
        return value
