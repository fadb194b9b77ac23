import base64
import json
from collections import defaultdict
from html import escape as html_escape

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from odoo.addons.queue_job.job import job

from ..lib import bulk, guard, progress, spreadsheet, undo_data
from .crm_lead_import_engine.engine import UNDO_EXTRA_FIELDS

# The log's own fields: written by the import only (its options and undo data are replayed).
LOG_FIELDS = ("name", "date", "user_id", "state", "source_file", "options", "updated_count",
              "created_count", "rejected_count", "undo_data", "report_file", "report_name",
              "job_uuid")


class CrmLeadImportLog(models.Model):
    """One import of an opportunity spreadsheet: what it changed (to undo it) and its report.
    The import itself is crm.lead.import.engine's."""

    _name = "crm.lead.import.log"
    _inherit = ["mail.thread", "crm.background.job.mixin"]
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

    # ------------------------------------------------------------------ importing

    def _import(self, file_name, headers, rows, mapping, update_existing=True, overwrite=False,
                skip_invalid=False, formulas_as_text=False):
        """Validate and apply an import; returns the log (this one, or a new one when called on
        no log). Nothing is written when a row is invalid and skip_invalid is off: the log then
        only carries the error report. The import writes its log, and may close many
        opportunities at once (the milestone column): both allowed here only."""
        with guard.internal(guard.IMPORT_LOG, guard.CLOSE), bulk.spaced_collections():
            return self._import_file(file_name, headers, rows, mapping, update_existing,
                                     overwrite, skip_invalid, formulas_as_text)

    def _import_file(self, file_name, headers, rows, mapping, update_existing, overwrite,
                     skip_invalid, formulas_as_text=False):
        Engine = self.env["crm.lead.import.engine"]
        progress.phase("check", len(rows))
        plan, errors = Engine._prepare(headers, rows, mapping, update_existing, overwrite,
                                       formulas_as_text)
        log = self.create({"name": file_name or _("Import")}) if not self else self
        if errors and not skip_invalid:
            return log._record_failure(errors)
        progress.phase("write", len([entry for entry in plan if not entry[1] or entry[3]]))
        to_write, created, refused, after = Engine._write_plan(plan, skip_invalid)
        if refused:
            errors = sorted(errors + [(line, "", "", "", reason) for line, reason in refused],
                            key=lambda error: error[0])
        if to_write is None:
            return log._record_failure(errors)
        # The name read before the undo data is written (read after, it came back with them).
        log_name = log.name
        log._log_undo(to_write, created, after)
        progress.phase("notes", len(to_write) + len(created))
        Engine._post_summaries(log_name, [entry[1:] for entry in to_write], created,
                               {lead_id: name for lead_id, (_date, name) in after.items()})
        progress.advance(len(to_write) + len(created))
        log.write({
            "updated_count": len(to_write),
            "created_count": len(created),
            "rejected_count": len({e[0] for e in errors}),
        })
        if errors:
            log._attach_report(errors)
        return log

    def _record_failure(self, errors):
        """Nothing written: the log says so, with the report of the rows that stopped it."""
        self.write({"state": "failed", "rejected_count": len({e[0] for e in errors})})
        self._attach_report(errors)
        return self

    def _log_undo(self, to_write, created, after):
        """Keep what the import changed, grouped as lib/undo_data.py writes it: previous values,
        values written, write dates (``after``: {id: (write date, name)} read back)."""
        groups = defaultdict(list)
        for _line, lead, _vals, changes in to_write:
            names, olds, news = zip(*changes) if changes else ((), (), ())
            # Winning or losing also moves the stage, probability, lost reason: keep them.
            extra = tuple(name for name in UNDO_EXTRA_FIELDS if name not in names) \
                if "status" in names else ()
            groups[names + extra, names].append((lead.id,) + olds + (tuple(
                self._raw(lead, name) for name in extra) if extra else ()) + news)
        # As the ORM gives them: strings, to the second.
        write_dates = {lead_id: write_date[:19] for lead_id, (write_date, _name)
                       in after.items() if write_date}
        missing = [row[0] for rows in groups.values() for row in rows
                   if row[0] not in write_dates] + created.ids
        self.env["crm.lead"].browse(missing).invalidate_cache()
        # Fixed SQL; the ids are a parameter.
        self.env.cr.execute("SELECT id, date_trunc('second', write_date) FROM crm_lead "
                            "WHERE id = ANY(%s::int4[])", (bulk.pg_array(missing),))
        write_dates.update(self.env.cr.fetchall())
        self.undo_data = undo_data.encode(groups, created.ids, write_dates)

    @staticmethod
    def _raw(lead, name):
        value = lead[name]
        return value.id if hasattr(value, "ids") else value

    def _attach_report(self, errors):
        headers = [_("Line"), _("Cell"), _("Column"), _("Value"), _("Reason")]
        content = spreadsheet.write_xlsx(headers, [list(error) for error in errors],
                                         sheet_name=_("Rejected rows"))
        self.write({"report_file": base64.b64encode(content),
                    "report_name": "%s-errors.xlsx" % (self.name.rsplit(".", 1)[0])})

    # ------------------------------------------------------------------ background

    @api.model
    def _enqueue(self, file_name, content, mapping, update_existing, overwrite, skip_invalid,
                 formulas_as_text=False):
        """A large file: keep it on a queued log and import it in a queue_job job."""
        self.env["crm.lead.import.engine"]._check_mapping(mapping)
        with guard.internal(guard.IMPORT_LOG):
            log = self._create_queued(file_name, content, mapping, update_existing, overwrite,
                                      skip_invalid, formulas_as_text)
            queued = log.with_delay(description=_("Import of %(file)s") % {"file": log.name}
                                    )._run_in_background()
            log.job_uuid = queued.uuid
        return log

    def _create_queued(self, file_name, content, mapping, update_existing, overwrite,
                       skip_invalid, formulas_as_text=False):
        return self.create({
            "name": file_name or _("Import"),
            "state": "queued",
            "source_file": base64.b64encode(content),
            "options": json.dumps({
                "mapping": {str(col): key for col, key in mapping.items()},
                "update_existing": update_existing, "overwrite": overwrite,
                "skip_invalid": skip_invalid, "formulas_as_text": formulas_as_text}),
        })

    @job(default_channel="root")
    @api.multi
    def _run_in_background(self):
        """The import of a queued log, as its job (crm.background.job.mixin: exactly once
        in effect, the import and the log's "done" state committed together)."""
        self.ensure_one()
        return self._run_as_job(lambda log: log._import_queued())

    def _import_queued(self):
        if self.state != "queued":
            return "already %s" % self.state  # a run of this job that was committed
        # The options are checked again here (_prepare checks the mapping): the job replays
        # what the log says, and must not trust it.
        options = json.loads(self.options)
        mapping = {int(col): key for col, key in options["mapping"].items()}
        progress.phase("read", 0)
        headers, rows = self.env["crm.lead.import.engine"]._read_file(
            self.name, base64.b64decode(self.source_file))
        with guard.internal(guard.IMPORT_LOG):
            self.write({"state": "done"})
        self._import(self.name, headers, rows, mapping, bool(options["update_existing"]),
                     bool(options["overwrite"]), bool(options["skip_invalid"]),
                     bool(options.get("formulas_as_text")))
        self._notify_user()
        return "%s updated, %s created, %s rejected" % (
            self.updated_count, self.created_count, self.rejected_count)

    def _notify_user(self):
        """Tell whoever started the import (inbox or e-mail), with the error report."""
        attachments = []
        if self.report_file:
            attachments = [(self.report_name, base64.b64decode(self.report_file))]
        if self.state == "failed":
            body = _("<p>The import of %(file)s wrote nothing: %(count)d rows are invalid (see "
                     "the attached report).</p>") % {"file": html_escape(self.name),
                                                     "count": self.rejected_count}
        else:
            body = _("<p>The import of %(file)s is done: %(updated)d opportunities updated, "
                     "%(created)d created, %(rejected)d rows rejected.</p>") % {
                         "file": html_escape(self.name), "updated": self.updated_count,
                         "created": self.created_count, "rejected": self.rejected_count}
        self._notify_owner(body, _("Import of %s") % self.name, attachments)

    def _job_refused(self, message):
        with guard.internal(guard.IMPORT_LOG):
            self.write({"state": "failed"})
        self._notify_owner(_("<p>The import of %(file)s wrote nothing: %(reason)s</p>") % {
            "file": html_escape(self.name), "reason": html_escape(message)},
            _("Import of %s") % self.name)

    def _job_failed(self, reason):
        self._job_refused(reason)

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
        Engine = self.env["crm.lead.import.engine"]
        # Undo closes or reopens what the import did, many at once: allowed here only.
        with guard.internal(guard.CLOSE):
            for key, lead_ids in groups.items():
                Engine._write_grouped(
                    Lead, [(Lead.browse(i), dict(key), None) for i in lead_ids],
                    status_first=True)
        body = _("<p>The import of %s was undone.</p>") % html_escape(self.name)
        Engine._insert_notes([(lead, body) for lead in Lead.browse(
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
            undo = undo_data.decode(json.loads(self.undo_data))
            updated = {str(int(lead_id)): values for lead_id, values in undo["updated"].items()}
            created = [int(lead_id) for lead_id in undo["created"]]
            write_dates = dict(undo["write_dates"])
            after = dict(undo.get("after") or {})
        except (ValueError, TypeError, KeyError, AttributeError):
            raise invalid
        allowed = self.env["crm.lead.import.engine"]._importable_columns() | {"status"}
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
