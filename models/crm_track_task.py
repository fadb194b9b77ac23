from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

ASSIGNEES = [
    ("owner", "Opportunity owner"),
    ("user", "A given user"),
]


class CrmTrackTask(models.Model):
    """One task of a track: what activity to schedule, for whom, how long before the end."""

    _name = "crm.track.task"
    _description = "Task of a track"
    _order = "track_id, sequence, id"

    track_id = fields.Many2one("crm.track", required=True, ondelete="cascade", index=True)
    sequence = fields.Integer(default=10)
    activity_type_id = fields.Many2one(
        "mail.activity.type", string="Activity type", required=True, ondelete="restrict",
        domain="['|', ('res_model_id', '=', False), ('res_model_id.model', '=', 'crm.lead')]")
    summary = fields.Char(translate=True)
    note = fields.Html(translate=True)
    assignee = fields.Selection(ASSIGNEES, required=True, default="owner")
    user_id = fields.Many2one("res.users", string="User", domain=[("share", "=", False)])
    offset_days = fields.Integer(
        string="Working days before the end", default=0,
        help="The task is due this many working days (company calendar: weekends and company "
             "leaves skipped) before the end date given when the track is applied.")

    @api.constrains("assignee", "user_id", "offset_days")
    def _check_assignee(self):
        for task in self:
            if task.assignee == "user" and not task.user_id:
                raise ValidationError(_("Choose the user of the task \"%s\".")
                                      % (task.summary or task.activity_type_id.name))
            if task.offset_days < 0:
                raise ValidationError(_("A task is due on or before the end date: the number "
                                        "of working days before the end cannot be negative."))
