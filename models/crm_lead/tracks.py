from html import escape as html_escape

from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import MissingError, UserError

from ...lib import bulk


class CrmLeadTracks(models.Model):
    """Tracks: an ordered set of tasks applied to opportunities, due working days before an
    end date; one can be chosen when the opportunity is created."""

    _inherit = "crm.lead"

    applied_track_ids = fields.One2many("crm.lead.track", "lead_id", string="Tracks")
    track_id = fields.Many2one(
        "crm.track", string="Track", compute="_compute_track_id", readonly=False,
        help="Track to apply when the opportunity is created.")
    track_end_date = fields.Date(
        string="Track end date", compute="_compute_track_id", readonly=False,
        help="End date of the track applied at creation (by default the due date).")

    def _compute_track_id(self):
        for lead in self:
            lead.track_id = False
            lead.track_end_date = False

    @api.model
    def create(self, vals):
        vals = dict(vals)
        track = self.env["crm.track"].browse(vals.pop("track_id", False) or [])
        end_date = vals.pop("track_end_date", False) or vals.get("date_deadline")
        if track and not end_date:
            raise UserError(_("Give the end date of the track \"%s\" (or a due date).")
                            % track.name)
        lead = super().create(vals)
        if track:
            lead.apply_track(track, end_date)
        return lead

    @api.multi
    def apply_track(self, track, end_date):
        """Apply a track to these opportunities: its tasks are due the given number of working
        days before end_date. Refused when one of them already runs this track."""
        track._check_applicable()
        if not end_date:
            raise UserError(_("Give the end date of the track \"%s\".") % track.name)
        self.check_access_rights("write")
        self.check_access_rule("write")
        running = self.env["crm.lead.track"].search([
            ("lead_id", "in", self.ids), ("track_id", "=", track.id), ("state", "=", "active")])
        if running:
            raise UserError(_(
                "The track \"%(track)s\" is already in progress on %(opportunities)s: complete "
                "or remove it first.") % {
                    "track": track.name,
                    "opportunities": ", ".join(running.mapped("lead_id.display_name"))})
        end = fields.Date.from_string(end_date)
        templates = track.task_ids.sorted(lambda t: (t.sequence, t.id))
        default_company = self.env.user.company_id
        deadlines = {}  # due dates of the templates per working calendar
        # Fixed SQL; the ids are a parameter: write access to them was checked above.
        self.env.cr.execute("SELECT id, company_id, user_id FROM crm_lead WHERE id IN %s",
                            (tuple(self.ids),))
        stored = {row[0]: row[1:] for row in self.env.cr.fetchall()}
        if set(self.ids) - set(stored):
            raise MissingError(_("Record does not exist or has been deleted."))
        # As superuser: write access to these opportunities was checked above; the applied
        # tracks and their tasks are the addon's bookkeeping for them.
        applied = bulk.insert_records(self.env["crm.lead.track"].sudo(), [{
            "lead_id": lead_id, "track_id": track.id, "end_date": end_date}
            for lead_id in self.ids])
        tasks = [(template.activity_type_id.id,
                  template.summary or template.activity_type_id.summary, template.note,
                  template.assignee == "user", template.user_id.id)
                 for template in templates]
        # What _release() schedules on a new track: its first task (released in order) or all.
        released = [0] if track.release_in_order else range(len(tasks))
        model_id = self.env["ir.model"]._get("crm.lead").id
        task_vals, activity_vals = [], []
        for lead_id, applied_id in zip(self.ids, applied.ids):
            company_id, owner_id = stored[lead_id]
            calendar = (self.env["res.company"].browse(company_id) if company_id
                        else default_company).resource_calendar_id
            if calendar.id not in deadlines:
                cache = {}
                deadlines[calendar.id] = [fields.Date.to_string(applied._working_day_before(
                    calendar, end, template.offset_days, cache)) for template in templates]
            for index, (type_id, summary, note, given_user, user_id) in enumerate(tasks):
                task_vals.append({
                    "lead_track_id": applied_id,
                    "lead_id": lead_id,
                    "sequence": index,
                    "activity_type_id": type_id,
                    "summary": summary,
                    "note": note,
                    "user_id": user_id if given_user else (owner_id or self.env.uid),
                    "date_deadline": deadlines[calendar.id][index],
                    "state": "waiting",
                })
            for index in released:
                vals = task_vals[index - len(tasks)]
                vals["state"] = "open"
                activity_vals.append({
                    "res_model_id": model_id, "res_id": lead_id, "activity_type_id":
                    vals["activity_type_id"], "summary": vals["summary"], "note": vals["note"],
                    "user_id": vals["user_id"] or SUPERUSER_ID,
                    "date_deadline": vals["date_deadline"]})
        # The released tasks' activities, scheduled as _release() does (as superuser too, see
        # the applied tracks above), then the tasks with their activities.
        activities = self.env["mail.activity"].sudo()._create_bulk(activity_vals)
        opened = iter(activities.ids)
        for vals in task_vals:
            if vals["state"] == "open":
                vals["activity_id"] = next(opened)
        # As superuser: see the applied tracks above.
        bulk.insert_records(self.env["crm.lead.track.task"].sudo(), task_vals)
        body = _("<p>Track \"%(track)s\" applied, to be completed by %(date)s.</p>") % {
            "track": html_escape(track.name), "date": html_escape(end_date)}
        self._post_bulk_notes({lead.id: body for lead in self})
        return applied
