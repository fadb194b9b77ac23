import json
from html import escape as html_escape

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from odoo.addons.queue_job.job import job

from ..lib import guard, progress

# Each kind: (what it acts on, the system parameter of its threshold, the default threshold).
THRESHOLDS = {
    "close": ("crm_opportunity_suite.background_opportunities", 500),
    "track": ("crm_opportunity_suite.background_opportunities", 500),
    "send": ("crm_opportunity_suite.background_documents", 50),
}
DOCUMENT_MODELS = ("sale.order", "account.invoice", "purchase.order")
# Records per call of the work (progress is reported between calls). A bulk close or a track
# is one transaction whatever the size; Send all commits each chunk with its marker.
CLOSE_CHUNK = 500
TRACK_CHUNK = 200
SEND_CHUNK = 10
# Written by the operation itself only.
OPERATION_FIELDS = ("name", "kind", "date", "user_id", "state", "res_model", "params",
                    "total_count", "done_count", "sent_count", "skipped_count", "skipped_list",
                    "result", "job_uuid")


class CrmBackgroundOperation(models.Model):
    """A bulk close, a track added or a Send all on more records than the threshold: queued
    by the dialog, run by a queue_job job as the user who asked, followed here (state,
    progress) and notified (inbox or e-mail) when it is done."""

    _name = "crm.background.operation"
    _inherit = ["mail.thread", "crm.background.job.mixin"]
    _description = "Background operation"
    _order = "id desc"

    name = fields.Char(string="Operation", required=True, readonly=True)
    kind = fields.Selection([("close", "Bulk close"), ("track", "Add a track"),
                             ("send", "Send all")], required=True, readonly=True)
    date = fields.Datetime(default=fields.Datetime.now, readonly=True)
    user_id = fields.Many2one("res.users", string="Started by", readonly=True,
                              default=lambda self: self.env.user)
    state = fields.Selection([("queued", "Running in the background"), ("done", "Done"),
                              ("failed", "Failed")], default="queued", readonly=True)
    res_model = fields.Char(string="Records of", readonly=True)
    params = fields.Text(readonly=True, help="What to do, on which records.")
    total_count = fields.Integer(string="Records", readonly=True)
    done_count = fields.Integer(string="Records done", readonly=True,
                                help="Send all: records whose chunk is committed.")
    sent_count = fields.Integer(string="Sent", readonly=True)
    skipped_count = fields.Integer(string="Skipped", readonly=True)
    skipped_list = fields.Text(string="Skipped documents", readonly=True)
    result = fields.Text(readonly=True)

    def _progress_total_before_start(self):
        return self.total_count

    # ------------------------------------------------------------------ the records

    @staticmethod
    def _check_internal(vals):
        given = [name for name in OPERATION_FIELDS if name in vals]
        if given and not guard.allowed(guard.BACKGROUND):
            raise AccessError(_("Background operations are recorded by the operations "
                                "themselves: their %(fields)s cannot be written.")
                              % {"fields": ", ".join(given)})

    @api.model
    def create(self, vals):
        self._check_internal(vals)
        if not guard.allowed(guard.BACKGROUND):
            raise AccessError(_("Background operations are started from their dialogs."))
        return super().create(vals)

    @api.multi
    def write(self, vals):
        self._check_internal(vals)
        return super().write(vals)

    @api.multi
    def unlink(self):
        self.check_access_rights("unlink")
        self.check_access_rule("unlink")
        if any(operation.state == "queued" for operation in self):
            raise UserError(_("An operation running in the background cannot be deleted."))
        return super().unlink()

    # ------------------------------------------------------------------ starting

    @api.model
    def _threshold(self, kind):
        param, default = THRESHOLDS[kind]
        # As superuser: a setting sales users may not read; only the threshold is used.
        return int(self.env["ir.config_parameter"].sudo().get_param(param, default))

    @api.model
    def _background_note(self, kind, count):
        """What a dialog says when its action will run in the background, else False."""
        threshold = self._threshold(kind)
        if count <= threshold:
            return False
        return _("More than %(threshold)d records: this runs in the background. You can "
                 "follow it in CRM > Pipeline > Background operations and will be notified "
                 "(inbox or e-mail) when it is done.") % {"threshold": threshold}

    @api.model
    def _start(self, kind, name, records, params):
        """Queue ``kind`` on ``records`` for the current user; returns the operation. The
        caller checked what it could (rights, values); the job checks it all again, as the
        same user, when it runs."""
        with guard.internal(guard.BACKGROUND):
            operation = self.create({
                "name": name, "kind": kind, "user_id": self.env.uid,
                "res_model": records._name, "total_count": len(records),
                "params": json.dumps(dict(params, ids=records.ids)),
            })
            queued = operation.with_delay(description=name)._run_operation()
            operation.job_uuid = queued.uuid
        return operation

    @api.multi
    def action_open(self):
        """The operation in a dialog (what the dialogs that started it show next)."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.name,
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "views": [(self.env.ref("crm_opportunity_suite."
                                    "crm_background_operation_view_form_dialog").id, "form")],
            "target": "new",
        }

    # ------------------------------------------------------------------ the job

    @job(default_channel="root")
    @api.multi
    def _run_operation(self):
        self.ensure_one()
        return self._run_as_job(lambda operation: operation._perform(),
                                atomic=self.kind != "send")

    def _perform(self):
        if self.state != "queued":
            return "already %s" % self.state  # a run of this job that was committed
        params = self._checked_params()
        return {"close": self._perform_close, "track": self._perform_track,
                "send": self._perform_send}[self.kind](params)

    def _checked_params(self):
        """The parameters, checked before anything of them is used: the job replays what the
        record says and must not trust it."""
        invalid = UserError(_("The parameters of this operation are invalid."))
        try:
            params = json.loads(self.params or "")
            params["ids"] = [int(record_id) for record_id in params["ids"]]
        except (ValueError, TypeError, KeyError):
            raise invalid
        if self.res_model not in (DOCUMENT_MODELS if self.kind == "send" else ("crm.lead",)):
            raise invalid
        return params

    def _records(self, ids):
        """Those of these records the user may still see (archived ones included), as
        ordered."""
        found = set(self.env[self.res_model].with_context(active_test=False).search(
            [("id", "in", ids)]).ids)
        return self.env[self.res_model].with_context(active_test=False).browse(
            [record_id for record_id in ids if record_id in found])

    def _perform_close(self, params):
        won = bool(params.get("won"))
        reason = self.env["crm.lost.reason"].browse(int(params.get("lost_reason_id") or 0)
                                                    or []).exists()
        leads = self._records(params["ids"])
        progress.phase("close", len(leads))
        closed = 0
        for start in range(0, len(leads), CLOSE_CHUNK):
            chunk = leads[start:start + CLOSE_CHUNK]
            closed += chunk.action_close(won=won, lost_reason=reason)
            progress.advance(len(chunk))
        if won:
            message = _("%(count)d opportunities closed as won.") % {"count": closed}
        else:
            message = _("%(count)d opportunities closed as lost (%(reason)s).") % {
                "count": closed, "reason": reason.name}
        return self._finish(message)

    def _perform_track(self, params):
        track = self.env["crm.track"].browse(int(params.get("track_id") or 0)).exists()
        if not track:
            raise UserError(_("The track of this operation no longer exists."))
        end_date = fields.Date.to_string(fields.Date.from_string(params.get("end_date")))
        leads = self._records(params["ids"])
        progress.phase("track", len(leads))
        for start in range(0, len(leads), TRACK_CHUNK):
            chunk = leads[start:start + TRACK_CHUNK]
            chunk.apply_track(track, end_date)
            progress.advance(len(chunk))
        return self._finish(_("The track \"%(track)s\" was added to %(count)d opportunities.")
                            % {"track": track.name, "count": len(leads)})

    def _perform_send(self, params):
        """Send all, chunk after chunk: each chunk's e-mails (queued in the mail queue), chatter
        notes and the operation's count of documents done are committed together, so that a
        new run of the job goes on after the last chunk committed and sends nothing twice."""
        ids = params["ids"]
        wizard = self.env["crm.document.send.all"].with_context(
            active_model=self.res_model).create({
                "res_model": self.res_model,
                "template_id": int(params.get("template_id") or 0) or False,
                "attachment_ids": [(6, 0, [int(i) for i in params.get("attachment_ids", [])])],
            })
        wizard._check_send_options()
        progress.phase("send", len(ids), done=self.done_count)
        for start in range(self.done_count, len(ids), SEND_CHUNK):
            part = ids[start:start + SEND_CHUNK]
            with self.env.cr.savepoint():
                sent, skipped = wizard._send_documents(
                    {self.res_model: self._records(part)}, {self.res_model: wizard.template_id},
                    wizard.attachment_ids)
                with guard.internal(guard.BACKGROUND):
                    self.write({
                        "done_count": start + len(part),
                        "sent_count": self.sent_count + sent,
                        "skipped_count": self.skipped_count + len(skipped),
                        "skipped_list": "\n".join(filter(None, [self.skipped_list] + skipped)),
                    })
            self._commit_chunk()
            progress.advance(len(part))
        return self._finish(_("%(sent)d documents e-mailed, %(skipped)d skipped.") % {
            "sent": self.sent_count, "skipped": self.skipped_count})

    def _finish(self, message):
        with guard.internal(guard.BACKGROUND):
            self.write({"state": "done", "result": message})
        self._notify_owner(_("<p>%(operation)s: done. %(result)s</p>") % {
            "operation": html_escape(self.name), "result": html_escape(message)}, self.name)
        return message

    def _job_refused(self, message):
        with guard.internal(guard.BACKGROUND):
            self.write({"state": "failed", "result": message})
        self._notify_owner(_("<p>%(operation)s: refused. %(done)s %(reason)s</p>") % {
            "operation": html_escape(self.name), "done": html_escape(self._done_text()),
            "reason": html_escape(message)}, self.name)

    def _job_failed(self, reason):
        with guard.internal(guard.BACKGROUND):
            self.write({"state": "failed", "result": reason})
        self._notify_owner(_("<p>%(operation)s: failed. %(done)s %(reason)s</p>") % {
            "operation": html_escape(self.name), "done": html_escape(self._done_text()),
            "reason": html_escape(reason)}, self.name)

    def _done_text(self):
        """What a failed operation leaves: nothing, or the chunks of Send all committed."""
        if self.kind == "send" and self.done_count:
            return _("%(done)d of %(total)d documents were handled (%(sent)d e-mailed), the "
                     "others were not.") % {"done": self.done_count, "total": self.total_count,
                                            "sent": self.sent_count}
        return _("Nothing was changed.")
