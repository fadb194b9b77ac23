from html import escape as html_escape

from odoo import _, api, fields, models
from odoo.exceptions import UserError

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
        rows = self.read(["company_id", "user_id"], load="_classic_write")
        # As superuser: write access to these opportunities was checked above; the applied
        # tracks and their tasks are the addon's bookkeeping for them.
        applied = bulk.insert_records(self.env["crm.lead.track"].sudo(), [{
            "lead_id": row["id"], "track_id": track.id, "end_date": end_date} for row in rows])
        task_vals = []
        for row, applied_track in zip(rows, applied):
            calendar = (self.env["res.company"].browse(row["company_id"]) if row["company_id"]
                        else default_company).resource_calendar_id
            if calendar.id not in deadlines:
                cache = {}
                deadlines[calendar.id] = [fields.Date.to_string(applied._working_day_before(
                    calendar, end, template.offset_days, cache)) for template in templates]
            for index, template in enumerate(templates):
                task_vals.append({
                    "lead_track_id": applied_track.id,
                    "lead_id": row["id"],
                    "sequence": index,
                    "activity_type_id": template.activity_type_id.id,
                    "summary": template.summary or template.activity_type_id.summary,
                    "note": template.note,
                    "user_id": template.user_id.id if template.assignee == "user" else (
                        row["user_id"] or self.env.uid),
                    "date_deadline": deadlines[calendar.id][index],
                })
        # As superuser: see the applied tracks above.
        bulk.insert_records(self.env["crm.lead.track.task"].sudo(), task_vals)
        applied._release()
        body = _("<p>Track \"%(track)s\" applied, to be completed by %(date)s.</p>") % {
            "track": html_escape(track.name), "date": html_escape(end_date)}
        self._post_bulk_notes({lead.id: body for lead in self})
        return applied
