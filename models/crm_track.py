from odoo import _, api, fields, models
from odoo.exceptions import UserError


class CrmTrack(models.Model):
    """A predefined, ordered set of tasks applied to opportunities (Capsule's "tracks")."""

    _name = "crm.track"
    _description = "Track of tasks"
    _order = "name"

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    release_in_order = fields.Boolean(
        string="Release in order", help="Only the first task is scheduled when the track is applied; each next task "
             "appears when the previous one is done.")
    task_ids = fields.One2many("crm.track.task", "track_id", string="Tasks", copy=True)
    task_count = fields.Integer(compute="_compute_task_count", string="Number of tasks")
    description = fields.Text(translate=True)

    @api.depends("task_ids")
    def _compute_task_count(self):
        for track in self:
            track.task_count = len(track.task_ids)

    @api.multi
    def _check_applicable(self):
        for track in self:
            if not track.task_ids:
                raise UserError(_("The track \"%s\" has no task: add tasks to it first.")
                                % track.name)
