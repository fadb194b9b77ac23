from odoo import api, fields, models

from ..lib import bulk

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
    # auto_join: the record rules' lead_id.* conditions are a join (see crm.lead.line).
    lead_id = fields.Many2one(related="lead_track_id.lead_id", store=True, readonly=True,
                              auto_join=True)
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
        """Create the activities of these tasks (in the opportunities' chatter), in bulk."""
        if not self:
            return
        model_id = self.env["ir.model"]._get("crm.lead").id
        rows = self.read(["lead_id", "activity_type_id", "summary", "note", "user_id",
                          "date_deadline"], load="_classic_write")
        activities = self.env["mail.activity"]._create_bulk([{
            "res_model_id": model_id,
            "res_id": row["lead_id"],
            "activity_type_id": row["activity_type_id"],
            "summary": row["summary"],
            "note": row["note"],
            "user_id": row["user_id"] or self.env.uid,
            "date_deadline": row["date_deadline"],
        } for row in rows])
        pairs = list(zip([row["id"] for row in rows], activities.ids))
        for start in range(0, len(pairs), bulk.BATCH):
            chunk = pairs[start:start + bulk.BATCH]
            # Only the number of row placeholders is formatted in; every value is a parameter.
            self.env.cr.execute(
                "UPDATE crm_lead_track_task AS task SET activity_id = link.activity_id, "
                "state = 'open', write_uid = %%s, write_date = now() AT TIME ZONE 'UTC' "
                "FROM (VALUES %s) AS link (id, activity_id) WHERE task.id = link.id"
                % ", ".join(["(%s, %s)"] * len(chunk)),
                [self.env.uid] + [value for pair in chunk for value in pair])
        self.modified(["activity_id", "state", "write_uid", "write_date"])

    def _finish(self, state):
        """The activity of these tasks was marked done (or deleted): record it and release
        what comes next."""
        # As superuser: the activity was just done or deleted with the user's rights; only its
        # task's state and date follow.
        self.sudo().write({"state": state, "date_done": fields.Date.context_today(self)})
        self.mapped("lead_track_id")._release()
