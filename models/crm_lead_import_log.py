import base64
import json
from collections import OrderedDict, defaultdict
from html import escape as html_escape

import psycopg2
from psycopg2 import sql

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, except_orm

from odoo.addons.queue_job.job import job

from ..lib import guard, spreadsheet

# Columns the import may write; the others (reference, customer, contact name, currency, tags)
# are exported for reading and ignored on import.
WRITABLE_KEYS = ("id", "name", "pipeline", "stage", "milestone", "lost_reason",
                 "expected_revenue", "probability", "probability_tag", "owner", "due_date",
                 "contact_id")
# Filled only when empty unless the "overwrite" option is on.
PROTECTED_FIELDS = ("name", "status", "team_id", "contact_id")
# Written through the ORM (business logic attached), in this order; the other fields the
# import writes are plain columns, updated in SQL.
ORM_FIELDS_ORDER = ("team_id", "stage_id", "probability_tag_id", "probability", "user_id",
                    "lost_reason", "contact_id", "on_hold")
SQL_BATCH = 5000
# What crm.lead.write() does besides writing these columns, in SQL (leads of the import only):
# a new stage stamps its date; a new salesperson the assignation date (and the days to assign);
# a probability below 100 clears the closing date and gives the status it implies.
SQL_EXTRAS = {
    "stage_id": [("date_last_stage_update", "now() AT TIME ZONE 'UTC'")],
    "user_id": [("date_open", "now() AT TIME ZONE 'UTC'"),
                ("day_open", "abs(date_part('day', (now() AT TIME ZONE 'UTC') - "
                             "crm_lead.create_date))")],
    "probability": [("date_closed", "NULL"),
                    ("status", "CASE WHEN NOT crm_lead.active THEN 'lost' WHEN crm_lead.on_hold "
                               "THEN 'hold' ELSE 'open' END")],
}
# Besides the importable columns, what undo writes back (closing moved them).
UNDO_EXTRA_FIELDS = ("stage_id", "probability", "lost_reason", "on_hold")
# The log's own fields: written by the import only (its options and undo data are replayed).
LOG_FIELDS = ("name", "date", "user_id", "state", "source_file", "options", "updated_count",
              "created_count", "rejected_count", "undo_data", "report_file", "report_name")
FIELD_OF_KEY = {
    "name": "name", "pipeline": "team_id", "stage": "stage_id", "milestone": "status",
    "lost_reason": "lost_reason", "expected_revenue": "planned_revenue",
    "probability": "probability", "probability_tag": "probability_tag_id", "owner": "user_id",
    "due_date": "date_deadline", "contact_id": "contact_id",
}


class ImportRowError(Exception):
    pass


class _RollBack(Exception):
    """Leaves a savepoint rolled back."""


# What a row may raise when it is written: business rules, access, the database's checks.
WRITE_ERRORS = (except_orm, psycopg2.Error)


def _write_error_text(error):
    if isinstance(error, except_orm):
        return error.name
    diag = getattr(error, "diag", None)
    return (diag and diag.message_primary) or str(error).strip().split("\n")[0]


class LeadState(dict):
    """An opportunity's stored values as the import compares them: many2one as ids, empty
    values as the ORM gives them; also readable as attributes (state.status)."""

    _name = "crm.lead"

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name)


def _empty_as_orm(field, value):
    """A column's value from SQL as the ORM would give it (NULL: False, 0 or 0.0)."""
    if value is not None:
        return value
    if field.type in ("float", "monetary"):
        return 0.0
    if field.type == "integer":
        return 0
    return False


class CrmLeadImportLog(models.Model):
    """One import of an opportunity spreadsheet: what it changed (to undo it) and its report."""

    _name = "crm.lead.import.log"
    _inherit = ["mail.thread"]
    _description = "Opportunity import"
    _order = "id desc"

    name = fields.Char(string="File", required=True, readonly=True)
    date = fields.Datetime(default=fields.Datetime.now, readonly=True)
    user_id = fields.Many2one("res.users", string="Imported by", readonly=True,
                              default=lambda self: self.env.user)
    state = fields.Selection([("queued", "Running in the background"), ("done", "Imported"),
                              ("failed", "Nothing imported"), ("undone", "Undone")],
                             default="done", readonly=True)
    source_file = fields.Binary(string="Imported file", readonly=True, attachment=True)
    options = fields.Text(readonly=True, help="Mapping and options of a background import.")
    updated_count = fields.Integer(string="Updated", readonly=True)
    created_count = fields.Integer(string="Created", readonly=True)
    rejected_count = fields.Integer(string="Rejected", readonly=True)
    undo_data = fields.Text(readonly=True, help="Previous values of what the import changed.")
    report_file = fields.Binary(string="Error report", readonly=True, attachment=True)
    report_name = fields.Char(readonly=True)

    # ------------------------------------------------------------------ the log's own records

    @staticmethod
    def _check_internal(vals):
        given = [name for name in LOG_FIELDS if name in vals]
        if given and not guard.allowed(guard.IMPORT_LOG):
            raise AccessError(_("Imports are recorded by the import itself: their %(fields)s "
                                "cannot be written.") % {"fields": ", ".join(given)})

    @api.model
    def create(self, vals):
        self._check_internal(vals)
        return super().create(vals)

    @api.multi
    def write(self, vals):
        self._check_internal(vals)
        return super().write(vals)

    @api.model
    def _custom_columns(self):
        """Columns of the custom fields, as their definitions own them (checked there)."""
        # As superuser: the cached names for every user (see _field_names).
        return set(self.env["crm.lead.custom.field"].sudo()._field_names())

    @api.model
    def _importable_columns(self):
        """Every column the import (and its undo) may write: the fixed whitelist and the custom
        fields' own columns. Nothing else read from a mapping or a log reaches SQL."""
        return set(FIELD_OF_KEY.values()) | set(UNDO_EXTRA_FIELDS) | self._custom_columns()

    @api.model
    def _check_mapping(self, mapping):
        """{column index: key} as the wizard makes it: anything else (a log's options edited
        by hand, a hostile client) is refused before it is used."""
        custom = self._custom_columns()
        for col, key in mapping.items():
            valid = isinstance(col, int) and col >= 0 and isinstance(key, str) and (
                key in WRITABLE_KEYS or (key.startswith("custom:") and key[7:] in custom))
            if not valid:
                raise UserError(_("This column cannot be imported: %(column)s.")
                                % {"column": key})
        return mapping

    # ------------------------------------------------------------------ reading the file

    @api.model
    def _lang_formats(self):
        lang = self.env["res.lang"]._lang_get(self.env.user.lang or "en_US")
        return (lang.decimal_point or ".", lang.thousands_sep or "", lang.date_format or "%m/%d/%Y")

    @api.model
    def _mapping_choices(self):
        """(key, label) the user can map a column to."""
        headers = self.env["crm.lead"]._spreadsheet_headers()
        return [(key, label) for key, label in headers
                if key in WRITABLE_KEYS or key.startswith("custom:")]

    @api.model
    def _guess_mapping(self, headers):
        """Columns recognised by their header: the known aliases (English and French) of each
        importable column, or its label in the user's language (custom fields)."""
        aliases = {key: list(spreadsheet.COLUMN_ALIASES.get(key, [])) + [label]
                   for key, label in self._mapping_choices()}
        return spreadsheet.match_headers(headers, aliases)

    # ------------------------------------------------------------------ validation

    def _lookups(self, rows, mapping):
        Lead = self.env["crm.lead"].with_context(active_test=False)
        lookups = {"lead": {}, "team": defaultdict(list), "stage": defaultdict(list),
                   "reason": {}, "user": {}, "tag": {}, "partner": {}, "milestone": {},
                   "custom": {}, "options": {}, "stage_by_id": {}}
        id_columns = [col for col, key in mapping.items() if key == "id"]
        contact_columns = [col for col, key in mapping.items() if key == "contact_id"]

        def ints(columns):
            found = set()
            for _line, values in rows:
                for col in columns:
                    try:
                        number = spreadsheet.parse_int(values[col] if col < len(values) else "")
                    except ValueError:
                        continue
                    if number:
                        found.add(number)
            return found

        columns = ["type", "status", "team_id", "stage_id", "lost_reason", "active", "on_hold",
                   "probability", "partner_id", "reference"] + [
            key[7:] if key.startswith("custom:") else FIELD_OF_KEY[key]
            for key in mapping.values() if key != "id"]
        lookups["lead"] = self._lead_states(sorted(ints(id_columns)), columns)
        lookups["partner"] = {p.id: p for p in self.env["res.partner"].browse(
            sorted(ints(contact_columns))).exists()}
        for team in self.env["crm.team"].search([]):
            lookups["team"][team.name].append(team)
        for stage in self.env["crm.stage"].search([]):
            lookups["stage"][stage.name].append((stage.id, stage.team_id.id))
            lookups["stage_by_id"][stage.id] = stage
        lookups["reason"] = {r.name: r for r in self.env["crm.lost.reason"].search([])}
        for user in self.env["res.users"].search([("share", "=", False)]):
            lookups["user"].setdefault(user.name, user)
            lookups["user"].setdefault(user.login, user)
        lookups["tag"] = {t.name: t for t in self.env["crm.probability.tag"].search([])}
        for lang in ("en_US", "fr_FR"):
            labels = Lead._fields["status"]._description_selection(self.env(context=dict(
                self.env.context, lang=lang)))
            for key, label in labels:
                lookups["milestone"][spreadsheet.normalise_header(label)] = key
                lookups["milestone"][key] = key
        # As superuser: definitions (types, options) only; the values are written with the
        # user's rights.
        for definition in self.env["crm.lead.custom.field"].sudo().search(
                [("field_name", "!=", False)]):
            lookups["custom"][definition.field_name] = definition
        return lookups

    def _lead_states(self, ids, columns):
        """{id: LeadState} of the opportunities the file names that the user may read, read in
        one query per batch (the ORM's read() of a whole file took seconds)."""
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
        query = sql.SQL("SELECT {} FROM crm_lead WHERE id IN %s").format(
            sql.SQL(", ").join(map(sql.Identifier, columns)))
        for chunk in range(0, len(ids), SQL_BATCH):
            part = Lead.browse(ids[chunk:chunk + SQL_BATCH])
            readable = Lead._search([("id", "in", part.ids)])
            # Identifiers are stored lead fields (checked above); the ids, those the user may read
            # (_search), are a parameter.
            self.env.cr.execute(query, (tuple(readable) or (0,),))
            for row in self.env.cr.fetchall():
                state = LeadState({name: _empty_as_orm(Lead._fields[name], value)
                                   for name, value in zip(columns, row)})
                states[state.id] = state
        return states

    def _convert_cell(self, key, raw, lead, lookups, row_vals, formats):
        """Value to write for one cell (raises ImportRowError with the reason)."""
        decimal_point, thousands_sep, date_format = formats
        text = raw.strip() if isinstance(raw, str) else raw
        if key == "name":
            return str(text)
        if key == "pipeline":
            teams = lookups["team"].get(str(text), [])
            if len(teams) != 1:
                raise ImportRowError(_("No pipeline is named \"%s\" (names must match exactly).")
                                     % text if not teams else
                                     _("Several pipelines are named \"%s\".") % text)
            return teams[0].id
        if key == "stage":
            stages = lookups["stage"].get(str(text), [])
            if not stages:
                raise ImportRowError(_("No stage is named \"%s\" (names must match exactly).")
                                     % text)
            team_id = row_vals.get("team_id", lead.team_id if lead else False)
            fitting = [stage_id for stage_id, stage_team in stages
                       if not stage_team or stage_team == team_id]
            if not fitting:
                team = self.env["crm.team"].browse(team_id)
                raise ImportRowError(_("The stage \"%s\" does not belong to the pipeline \"%s\".")
                                     % (text, team.name or ""))
            return fitting[0]
        if key == "milestone":
            status = lookups["milestone"].get(spreadsheet.normalise_header(text))
            if not status:
                raise ImportRowError(_("Unknown milestone \"%s\": use Open, On hold, Won or Lost.")
                                     % text)
            return status
        if key == "lost_reason":
            return self._by_name(lookups["reason"], text) or self._reject(
                _("No lost reason is named \"%s\".") % text)
        if key in ("expected_revenue", "probability"):
            try:
                number = spreadsheet.parse_number(text, decimal_point, thousands_sep)
            except ValueError:
                raise ImportRowError(_("\"%s\" is not a number.") % text)
            if key == "probability" and not 0 <= number <= 100:
                raise ImportRowError(_("A probability is between 0 and 100."))
            return number
        if key == "probability_tag":
            return self._by_name(lookups["tag"], text) or self._reject(
                _("No probability tag is named \"%s\".") % text)
        if key == "owner":
            return self._by_name(lookups["user"], text) or self._reject(
                _("No user is named \"%s\".") % text)
        if key == "due_date":
            try:
                return fields.Date.to_string(spreadsheet.parse_date(text, date_format))
            except ValueError:
                raise ImportRowError(_("\"%s\" is not a date.") % text)
        if key == "contact_id":
            try:
                partner = lookups["partner"].get(spreadsheet.parse_int(text))
            except ValueError:
                partner = None
            if not partner:
                raise ImportRowError(_("No contact has the ID \"%s\".") % text)
            customer = self.env["res.partner"].browse(lead.partner_id if lead else [])
            if customer and partner.commercial_partner_id != customer.commercial_partner_id:
                raise ImportRowError(_("The contact %s does not belong to the customer %s.") % (
                    partner.display_name, customer.display_name))
            return partner.id
        if key.startswith("custom:"):
            definition = lookups["custom"][key[7:]]
            if definition.field_type == "selection" and key not in lookups["options"]:
                lookups["options"][key] = self._custom_options(definition)
            return self._convert_custom(definition, text, formats, lookups["options"].get(key))
        raise ImportRowError(_("This column cannot be imported."))

    @staticmethod
    def _by_name(records_by_name, text):
        """Id of the record named exactly ``text``, or None. (Callers translate their error
        message only when it is needed: translating one per cell took a second per 10,000
        rows.)"""
        record = records_by_name.get(str(text))
        return record.id if record else None

    @staticmethod
    def _reject(reason):
        raise ImportRowError(reason)

    @staticmethod
    def _custom_options(definition):
        """Values of a list custom field by their normalised label and by their value."""
        options = {spreadsheet.normalise_header(o.name): o.value for o in definition.option_ids}
        options.update({o.value: o.value for o in definition.option_ids})
        return options

    def _convert_custom(self, definition, text, formats, options=None):
        decimal_point, thousands_sep, date_format = formats
        kind = definition.field_type
        try:
            if kind == "integer":
                return spreadsheet.parse_int(spreadsheet.parse_number(
                    text, decimal_point, thousands_sep))
            if kind == "float":
                return spreadsheet.parse_number(text, decimal_point, thousands_sep)
            if kind == "date":
                return fields.Date.to_string(spreadsheet.parse_date(text, date_format))
        except ValueError:
            raise ImportRowError(_("\"%s\" is not a valid %s.") % (
                text, dict(definition._fields["field_type"]._description_selection(
                    self.env))[kind].lower()))
        if kind == "boolean":
            lowered = spreadsheet.normalise_header(text)
            if lowered in ("1", "yes", "oui", "true", "vrai", "x"):
                return True
            if lowered in ("0", "no", "non", "false", "faux"):
                return False
            raise ImportRowError(_("\"%s\" is not yes or no.") % text)
        if kind == "selection":
            options = options if options is not None else self._custom_options(definition)
            value = options.get(spreadsheet.normalise_header(text))
            if not value:
                raise ImportRowError(_("\"%s\" is not an option of \"%s\" (%s).") % (
                    text, definition.name, ", ".join(definition.option_ids.mapped("name"))))
            return value
        return str(text)

    @staticmethod
    def _is_empty(value):
        return value in (None, False, "") or (hasattr(value, "ids") and not value)

    @api.model
    def _prepare(self, headers, rows, mapping, update_existing=True, overwrite=False):
        """Validate every row without writing anything.

        Returns (plan, errors): plan is a list of (line, lead or None, vals, changes) where
        changes is [(field name, old value, new value)] of what would really change; errors is a
        list of (line, cell, header, value, reason).
        """
        self._check_mapping(mapping)
        lookups = self._lookups(rows, mapping)
        formats = self._lang_formats()
        ordered = sorted(mapping.items(), key=lambda item: WRITABLE_KEYS.index(item[1])
                         if item[1] in WRITABLE_KEYS else len(WRITABLE_KEYS))
        plan, errors, seen = [], [], {}
        for line, values in rows:
            row_errors = []

            def fail(col, raw, reason):
                row_errors.append((line, "%s%d" % (spreadsheet.column_letter(col), line),
                                   headers[col] if col < len(headers) else "", raw, reason))

            lead, vals = None, OrderedDict()
            for col, key in ordered:
                raw = values[col] if col < len(values) else ""
                if raw is None or (isinstance(raw, str) and not raw.strip()):
                    continue
                if key == "id":
                    try:
                        lead_id = spreadsheet.parse_int(raw)
                    except ValueError:
                        fail(col, raw, _("\"%s\" is not an opportunity ID.") % raw)
                        break
                    lead = lookups["lead"].get(lead_id)
                    if not lead or lead.type != "opportunity":
                        fail(col, raw, _("No opportunity has the ID %s.") % lead_id)
                        break
                    if lead_id in seen:
                        fail(col, raw, _("The ID %s is already on line %d.") % (lead_id,
                                                                              seen[lead_id]))
                        break
                    seen[lead_id] = line
                    if not update_existing:
                        fail(col, raw, _("Updating existing opportunities is off."))
                        break
                    continue
                field_name = key[7:] if key.startswith("custom:") else FIELD_OF_KEY[key]
                try:
                    vals[field_name] = self._convert_cell(key, raw, lead, lookups, vals, formats)
                except ImportRowError as error:
                    fail(col, raw, error.args[0])
            if not row_errors:
                if "lost_reason" in vals and vals.get("status", lead.status if lead else "open") \
                        != "lost":
                    col = next(c for c, k in mapping.items() if k == "lost_reason")
                    fail(col, values[col], _("A lost reason needs the milestone Lost."))
                stage = lookups["stage_by_id"].get(lead.stage_id) if lead else None
                if "team_id" in vals and "stage_id" not in vals and stage and stage.team_id \
                        and stage.team_id.id != vals["team_id"]:
                    col = next(c for c, k in mapping.items() if k == "pipeline")
                    fail(col, values[col], _("The current stage \"%s\" does not belong to this "
                                             "pipeline: give a stage too.") % stage.name)
                if not lead and not vals.get("name"):
                    fail(0, "", _("A new opportunity needs a name (no ID on this line)."))
            if row_errors:
                errors.extend(row_errors)
                continue
            changes = self._changes(lead, vals, overwrite)
            plan.append((line, lead, OrderedDict((f, new) for f, _old, new in changes)
                         if lead else vals, changes))
        return plan, errors

    def _changes(self, lead, vals, overwrite):
        changes = []
        lead_fields = self.env["crm.lead"]._fields
        for field_name, new in vals.items():
            if not lead:
                changes.append((field_name, False, new))
                continue
            field = lead_fields[field_name]
            old = lead[field_name]
            protected = field_name in PROTECTED_FIELDS or field_name.startswith("x_")
            if protected and not overwrite and not self._is_empty(old):
                continue
            if field.type == "float":
                if abs((old or 0.0) - (new or 0.0)) < 1e-6:
                    continue
            elif (old or False) == (new or False):
                continue
            changes.append((field_name, old, new))
        if lead and any(name == "lost_reason" for name, _o, _n in changes):
            status = next((new for name, _o, new in changes if name == "status"), lead.status)
            if status != "lost":  # the milestone was kept (overwrite off): so is the reason
                changes = [change for change in changes if change[0] != "lost_reason"]
        return changes

    # ------------------------------------------------------------------ writing

    def _import(self, file_name, headers, rows, mapping, update_existing=True, overwrite=False,
                skip_invalid=False):
        """Validate and apply an import; returns the log (this one, or a new one when called on
        no log). Nothing is written when a row is invalid and skip_invalid is off: the log then
        only carries the error report. The import writes its log, and may close many
        opportunities at once (the milestone column): both allowed here only."""
        with guard.internal(guard.IMPORT_LOG, guard.CLOSE):
            return self._import_file(file_name, headers, rows, mapping, update_existing,
                                     overwrite, skip_invalid)

    def _import_file(self, file_name, headers, rows, mapping, update_existing, overwrite,
                     skip_invalid):
        plan, errors = self._prepare(headers, rows, mapping, update_existing, overwrite)
        log = self.create({"name": file_name or _("Import")}) if not self else self
        if errors and not skip_invalid:
            log.write({"state": "failed", "rejected_count": len({e[0] for e in errors})})
            log._attach_report(errors)
            return log
        to_write = [(line, lead, vals, changes) for line, lead, vals, changes in plan
                    if lead and changes]
        to_create = [(line, vals) for line, lead, vals, _changes in plan if not lead]
        Lead = self.env["crm.lead"].with_context(tracking_disable=True)
        try:
            with self.env.cr.savepoint():
                created = self._apply(Lead, to_write, to_create)
        except WRITE_ERRORS:
            # A row refused by the database or a business rule (e.g. items required on a new
            # opportunity): find which, one row at a time, then write only the others, or
            # nothing at all.
            self.env.clear()
            refused = self._refused_rows(Lead, to_write, to_create)
            errors = sorted(errors + [(line, "", "", "", reason) for line, reason in refused],
                            key=lambda error: error[0])
            if not skip_invalid:
                log.write({"state": "failed", "rejected_count": len({e[0] for e in errors})})
                log._attach_report(errors)
                return log
            refused_lines = {line for line, _reason in refused}
            to_write = [entry for entry in to_write if entry[0] not in refused_lines]
            to_create = [entry for entry in to_create if entry[0] not in refused_lines]
            created = self._apply(Lead, to_write, to_create)
        log._log_undo(to_write, created)
        log._post_summaries([entry[1:] for entry in to_write], created)
        log.write({
            "updated_count": len(to_write),
            "created_count": len(created),
            "rejected_count": len({e[0] for e in errors}),
        })
        if errors:
            log._attach_report(errors)
        return log

    def _apply(self, Lead, to_write, to_create):
        """Write the planned changes and create the new opportunities; returns those."""
        self._write_grouped(Lead, [entry[1:] for entry in to_write])
        created = Lead.browse()
        for _line, vals in to_create:
            created |= Lead.create(dict(vals, type="opportunity"))
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

    def _log_undo(self, to_write, created):
        """Keep what the import changed: previous values, values written, write dates."""
        undo = {"updated": {}, "created": created.ids}
        for _line, lead, _vals, changes in to_write:
            old_values = {name: old for name, old, _new in changes}
            if "status" in old_values:
                # Winning or losing also moves the stage, probability, lost reason: keep them.
                for name in ("stage_id", "probability", "lost_reason", "on_hold"):
                    old_values.setdefault(name, self._raw(lead, name))
            undo["updated"][str(lead.id)] = old_values
        ids = [int(i) for i in undo["updated"]] + created.ids
        self.env["crm.lead"].browse(ids).invalidate_cache()
        # As the ORM gives them: strings, to the second. Fixed SQL; the ids are a parameter.
        self.env.cr.execute("SELECT id, date_trunc('second', write_date) FROM crm_lead "
                            "WHERE id IN %s", (tuple(ids) or (0,),))
        undo["write_dates"] = {str(lead_id): write_date
                               for lead_id, write_date in self.env.cr.fetchall()}
        undo["after"] = {str(lead.id): {name: new for name, _old, new in changes}
                         for _line, lead, _vals, changes in to_write}
        self.undo_data = json.dumps(undo)

    @staticmethod
    def _raw(lead, name):
        value = lead[name]
        return value.id if hasattr(value, "ids") else value

    def _write_grouped(self, Lead, to_write, status_first=False):
        """Write what the rows change in as few statements as possible: fields with business
        logic through the ORM, one write() per (field, value) in a fixed order; then every plain
        column, and the columns whose side effects are reproduced in SQL (SQL_EXTRAS), in one
        UPDATE per batch of rows. The status may move the stage and the probability: written
        last on import, first on undo (then the exact previous stage and probability are
        written back)."""
        by_field = defaultdict(lambda: defaultdict(list))
        for lead, vals, _changes in to_write:
            for name, value in vals.items():
                by_field[name][value].append(lead.id)

        def write_status():
            for status, ids in by_field.get("status", {}).items():
                Lead.browse(ids).write({"status": status})

        if status_first:
            write_status()
        sql = OrderedDict()
        # A stage change on leads given an open probability in the same rows: crm.lead.write()
        # would set the stage's probability (overwritten next) and recompute closing fields.
        given_open = {i for v, ids in by_field.get("probability", {}).items() if v < 100
                      for i in ids}
        if given_open:
            stages = self.env["crm.stage"].browse(list(by_field.get("stage_id", {})))
            for stage in stages.filtered(lambda st: st.probability < 100):
                ids = by_field["stage_id"][stage.id]
                sql.setdefault("stage_id", []).extend(
                    (i, stage.id) for i in ids if i in given_open)
                by_field["stage_id"][stage.id] = [i for i in ids if i not in given_open]
        for name in ORM_FIELDS_ORDER:
            for value, ids in by_field.get(name, {}).items():
                if not ids or (name == "probability" and value < 100) or (
                        name == "user_id" and value):
                    continue
                Lead.browse(ids).write({name: value})
        owners = [(i, v) for v, ids in by_field.get("user_id", {}).items() if v for i in ids]
        teams = {}
        if owners:
            sql["user_id"] = owners
            # Fixed SQL; the ids are a parameter.
            self.env.cr.execute("SELECT id, team_id FROM crm_lead WHERE id IN %s",
                                (tuple(i for i, _v in owners),))
            teams = dict(self.env.cr.fetchall())
        open_probabilities = [(i, v) for v, ids in by_field.get("probability", {}).items()
                              if v < 100 for i in ids]
        if open_probabilities:
            sql["probability"] = open_probabilities
        for name, values in by_field.items():
            if name not in ORM_FIELDS_ORDER and name != "status":
                sql[name] = [(i, v) for v, ids in values.items() for i in ids]
        self._sql_update(Lead, sql)
        if owners:
            self._move_to_owner_team(Lead, owners, teams)
        if not status_first:
            write_status()

    def _move_to_owner_team(self, Lead, owners, teams):
        """A lead whose sales channel its new salesperson is not a member of moves to the
        salesperson's channel, as crm's constraint does (through the ORM, few leads)."""
        groups = defaultdict(list)
        for lead_id, user_id in owners:
            groups[(user_id, teams.get(lead_id))].append(lead_id)
        for (user_id, team_id), lead_ids in groups.items():
            team = Lead.with_context(team_id=team_id)._onchange_user_values(user_id).get(
                "team_id")
            new_team_id = team.id if hasattr(team, "ids") else team
            if team is not None and new_team_id != team_id:
                Lead.browse(lead_ids).write({"team_id": new_team_id})

    def _sql_update(self, Lead, columns):
        """Write {column: [(lead id, value)]} in one UPDATE per batch of leads, access checked.
        Each column's SQL_EXTRAS (what crm.lead.write() does when it changes) are set in the
        same statement for the leads given that column; the stored fields depending on the
        other (plain) columns are recomputed."""
        rows = defaultdict(dict)
        for name, pairs in columns.items():
            for lead_id, value in pairs:
                rows[lead_id][name] = value
        if not rows:
            return
        ids = sorted(rows)
        records = Lead.browse(ids)
        records.check_access_rights("write")
        records.check_access_rule("write")
        names = list(columns)
        # Identifiers below come from this whitelist only (and SQL_EXTRAS, fixed).
        unknown = set(names) - self._importable_columns()
        if unknown:
            raise UserError(_("These columns cannot be imported: %(columns)s.")
                            % {"columns": ", ".join(sorted(map(str, unknown)))})
        sets, touched = [], []
        for index, name in enumerate(names):
            assignments = [(name, "v.v%d" % index)] + SQL_EXTRAS.get(name, [])
            for column, expression in assignments:
                sets.append('"%s" = CASE WHEN v.s%d THEN %s ELSE crm_lead."%s" END' % (
                    column, index, expression, column))
                touched.append(column)
        row_sql = "(%s" + "".join(", %%s::boolean, %%s::%s" % Lead._fields[name].column_type[1]
                                  for name in names) + ")"
        aliases = ", ".join("s%d, v%d" % (index, index) for index in range(len(names)))
        for chunk in range(0, len(ids), SQL_BATCH):
            part = ids[chunk:chunk + SQL_BATCH]
            params = [self.env.uid]
            for lead_id in part:
                params.append(lead_id)
                row = rows[lead_id]
                for name in names:
                    value = row.get(name)
                    params += [name in row, None if value is False else value]
            # Identifiers are whitelisted (above) or fixed; every value is a parameter.
            self.env.cr.execute(
                "UPDATE crm_lead SET %s, write_uid = %%s, write_date = now() AT TIME ZONE 'UTC' "
                "FROM (VALUES %s) AS v(id, %s) WHERE crm_lead.id = v.id"
                % (", ".join(sets), ",".join([row_sql] * len(part)), aliases), params)
        records.invalidate_cache(touched + ["write_date", "write_uid"])
        plain = [name for name in names if name not in SQL_EXTRAS]
        if plain:
            records.modified(plain)
            records.recompute()

    def _post_summaries(self, to_write, created):
        """One note per opportunity saying what the import changed, inserted in bulk (posting
        them one by one, with notifications to nobody, took most of the import's time)."""
        Lead = self.env["crm.lead"]
        labels, shown = {}, {}

        def display(name, value):
            key = (name, value)
            if key not in shown:
                shown[key] = html_escape(str(self._display(Lead._fields[name], value)))
            return shown[key]

        header = _("<p>Updated by the import of %s:</p><ul>%s</ul>")
        file_name = html_escape(self.name)
        notes = []
        for lead, _vals, changes in to_write:
            items = []
            for name, old, new in changes:
                if name not in labels:
                    labels[name] = html_escape(
                        Lead._fields[name].get_description(self.env)["string"])
                items.append("<li>%s: %s &#8594; %s</li>" % (
                    labels[name], display(name, old), display(name, new)))
            notes.append((lead, header % (file_name, "".join(items))))
        created_body = _("<p>Created by the import of %s.</p>") % file_name
        notes += [(lead, created_body) for lead in created]
        self._insert_notes(notes)

    def _insert_notes(self, notes):
        self.env["crm.lead"]._post_bulk_notes({lead.id: body for lead, body in notes})

    def _display(self, field, value):
        if value in (None, False, ""):
            return "\u2014"
        if field.type == "many2one":
            return self.env[field.comodel_name].browse(value).display_name
        if field.type == "selection":
            return dict(field._description_selection(self.env)).get(value, value)
        return value

    def _attach_report(self, errors):
        headers = [_("Line"), _("Cell"), _("Column"), _("Value"), _("Reason")]
        content = spreadsheet.write_xlsx(headers, [list(error) for error in errors],
                                         sheet_name=_("Rejected rows"))
        self.write({"report_file": base64.b64encode(content),
                    "report_name": "%s-errors.xlsx" % (self.name.rsplit(".", 1)[0])})

    # ------------------------------------------------------------------ background

    @api.model
    def _enqueue(self, file_name, content, mapping, update_existing, overwrite, skip_invalid):
        """A large file: keep it on a queued log and import it in a queue_job job."""
        self._check_mapping(mapping)
        with guard.internal(guard.IMPORT_LOG):
            log = self._create_queued(file_name, content, mapping, update_existing, overwrite,
                                      skip_invalid)
        log.with_delay(description=_("Import of %(file)s") % {"file": log.name}
                       )._run_in_background()
        return log

    def _create_queued(self, file_name, content, mapping, update_existing, overwrite,
                       skip_invalid):
        return self.create({
            "name": file_name or _("Import"),
            "state": "queued",
            "source_file": base64.b64encode(content),
            "options": json.dumps({
                "mapping": {str(col): key for col, key in mapping.items()},
                "update_existing": update_existing, "overwrite": overwrite,
                "skip_invalid": skip_invalid}),
        })

    @job(default_channel="root")
    @api.multi
    def _run_in_background(self):
        self.ensure_one()
        if self.state != "queued":
            return
        # The options are checked again here (_prepare checks the mapping): the job replays
        # what the log says, and must not trust it.
        options = json.loads(self.options)
        mapping = {int(col): key for col, key in options["mapping"].items()}
        headers, rows = spreadsheet.read_table(self.name, base64.b64decode(self.source_file))
        with guard.internal(guard.IMPORT_LOG):
            self.write({"state": "done"})
        self._import(self.name, headers, rows, mapping, bool(options["update_existing"]),
                     bool(options["overwrite"]), bool(options["skip_invalid"]))
        self._notify_user()

    def _notify_user(self):
        """Tell whoever started the import (inbox and e-mail), with the error report."""
        attachments = []
        if self.report_file:
            attachments = [(self.report_name, base64.b64decode(self.report_file))]
        if self.state == "failed":
            body = _("<p>The import of %s wrote nothing: %d rows are invalid (see the attached "
                     "report).</p>") % (html_escape(self.name), self.rejected_count)
        else:
            body = _("<p>The import of %s is done: %d opportunities updated, %d created, %d rows "
                     "rejected.</p>") % (html_escape(self.name), self.updated_count,
                                         self.created_count, self.rejected_count)
        self.message_post(body=body, subject=_("Import of %s") % self.name,
                          partner_ids=self.user_id.partner_id.ids, attachments=attachments,
                          subtype="mail.mt_comment")

    # ------------------------------------------------------------------ undo

    @api.multi
    def action_undo(self):
        """Restore what this import changed; refused when those opportunities changed since."""
        self.ensure_one()
        if self.state != "done" or not self.undo_data:
            raise UserError(_("This import cannot be undone: it wrote nothing or was undone."))
        later = self.search([("id", ">", self.id), ("state", "=", "done")], limit=1)
        if later:
            raise UserError(_("Undo the later import \"%s\" first.") % later.name)
        undo = self._checked_undo_data()
        Lead = self.env["crm.lead"].with_context(active_test=False, tracking_disable=True)
        ids = [int(i) for i in undo["updated"]] + undo["created"]
        leads = Lead.browse(ids).exists()
        changed = leads.filtered(lambda l: l.write_date != undo["write_dates"].get(str(l.id)) or any(
            self._raw(l, name) != value for name, value in undo["after"].get(str(l.id), {}).items()))
        if changed or len(leads) != len(ids):
            raise UserError(_(
                "These opportunities changed after the import, it cannot be undone: %s")
                % (", ".join(changed.mapped("reference")) or _("some were deleted")))
        groups = defaultdict(list)
        for lead_id, old_values in undo["updated"].items():
            key = tuple(sorted(old_values.items()))
            groups[key].append(int(lead_id))
        # Undo closes or reopens what the import did, many at once: allowed here only.
        with guard.internal(guard.CLOSE):
            for key, lead_ids in groups.items():
                self._write_grouped(Lead, [(Lead.browse(i), dict(key), None) for i in lead_ids],
                                    status_first=True)
        body = _("<p>The import of %s was undone.</p>") % html_escape(self.name)
        self._insert_notes([(lead, body) for lead in Lead.browse(
            [int(i) for i in undo["updated"]])])
        # The opportunities it created go to the trash (restorable), however many: the import
        # made them, it is not a bulk delete.
        created = Lead.browse(undo["created"])
        created.check_access_rights("write")
        created.check_access_rule("write")
        created._move_to_trash()
        with guard.internal(guard.IMPORT_LOG):
            self.write({"state": "undone"})
        return True

    def _checked_undo_data(self):
        """The undo data, checked before anything of it is used: only importable columns with
        plain values, opportunities given by id, created ones made by the importing user."""
        invalid = UserError(_("The undo data of this import is invalid: it cannot be undone."))
        try:
            undo = json.loads(self.undo_data)
            updated = {str(int(lead_id)): values for lead_id, values in undo["updated"].items()}
            created = [int(lead_id) for lead_id in undo["created"]]
            write_dates = dict(undo["write_dates"])
            after = dict(undo.get("after") or {})
        except (ValueError, TypeError, KeyError, AttributeError):
            raise invalid
        allowed = self._importable_columns() | {"status"}
        plain = (str, int, float, bool, type(None))
        for values in list(updated.values()) + list(after.values()):
            if not isinstance(values, dict) or not set(values) <= allowed or not all(
                    isinstance(value, plain) for value in values.values()):
                raise invalid
        if created:
            # Fixed SQL; the ids and the importing user are parameters.
            self.env.cr.execute("SELECT count(*) FROM crm_lead WHERE id IN %s AND "
                                "create_uid IS DISTINCT FROM %s", (tuple(created),
                                                                   self.user_id.id))
            if self.env.cr.fetchone()[0]:
                raise invalid
        return {"updated": updated, "created": created, "write_dates": write_dates,
                "after": after}
