from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class CrmStage(models.Model):
    _inherit = "crm.stage"

    stale_days = fields.Integer(
        string="Days until stale", default=0,
        help="An open opportunity of this stage without activity for this many days is marked "
             "stale (filter \"Stale\", marker on its card). 0: never.")

    @api.constrains("stale_days")
    def _check_stale_days(self):
        for stage in self:
            if stage.stale_days < 0:
                raise ValidationError(_("The days until stale cannot be negative (0: never)."))
