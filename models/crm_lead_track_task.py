from odoo import api, fields, models

STATES = [
    ("waiting", "Waiting for the previous task"),
    ("open", "To do"),
    ("done", "Done"),
    ("cancelled", "Cancelled"),
]


class CrmLeadTrackTask(models.Model):
    """One task of an applied track; scheduled as an activity when it may start."""

    _name = "crm.lead.track.task"
    _description = "Task of an applied track"
    _order = "lead_track_id, sequence, id"

    lead_track_id = fields.Many2one("crm.lead.track", string="Applied track", required=True,
                                    ondelete="cascade", index=True)
    lead_id = fields.Many2one(related="lead_track_id.lead_id", store=True, readonly=True)
    sequence = fields.Integer()
    activity_type_id = fields.Many2one("mail.activity.type", required=True, ondelete="restrict")
    summary = fields.Char()
    note = fields.Html()
    user_id = fields.Many2one("res.users", string="Assigned to")
    date_deadline = fields.Date(string="Due date", required=True)
    state = fields.Selection(STATES, default="waiting", required=True)
    activity_id = fields.Many2one("mail.activity", ondelete="set null", index=True)
    date_done = fields.Date(string="Done on")

    @api.multi
    def name_get(self):
        return [(task.id, task.summary or task.activity_type_id.name) for task in self]

    def _schedule(self):
        """Create the activities of these tasks (in the opportunity's chatter)."""
        model_id = self.env["ir.model"]._get("crm.lead").id
        Activity = self.env["mail.activity"].with_context(mail_activity_quick_update=True)
        for task in self:
            task.activity_id = Activity.create({
                "res_model_id": model_id,
                "res_id": task.lead_id.id,
                "activity_type_id": task.activity_type_id.id,
                "summary": task.summary,
                "note": task.note,
                "user_id": task.user_id.id or self.env.uid,
                "date_deadline": task.date_deadline,
            })
            task.state = "open"

    def _finish(self, state):
        """The activity of these tasks was marked done (or deleted): record it and release
        what comes next."""
        self.sudo().write({"state": state, "date_done": fields.Date.context_today(self)})
        self.mapped("lead_track_id")._release()
