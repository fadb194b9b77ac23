from odoo import _, api, fields, models
from odoo.exceptions import UserError


class CrmLeadTrackApply(models.TransientModel):
    """Apply a track to one opportunity (form button) or to the selected ones (list)."""

    _name = "crm.lead.track.apply"
    _description = "Apply a track"

    track_id = fields.Many2one("crm.track", string="Track", required=True)
    end_date = fields.Date(string="End date", required=True,
                           help="The tasks are due a number of working days before this date.")
    lead_ids = fields.Many2many("crm.lead", string="Opportunities")
    lead_count = fields.Integer(compute="_compute_lead_count", string="Opportunities")

    @api.model
    def default_get(self, field_names):
        values = super().default_get(field_names)
        context = self.env.context
        if context.get("active_model") == "crm.lead":
            leads = self.env["crm.lead"].browse(
                context.get("active_ids") or [context.get("active_id")]).exists()
            values["lead_ids"] = [(6, 0, leads.ids)]
            deadlines = set(leads.mapped("date_deadline"))
            if len(deadlines) == 1 and not values.get("end_date"):
                values["end_date"] = deadlines.pop() or False
        return values

    @api.depends("lead_ids")
    def _compute_lead_count(self):
        for wizard in self:
            wizard.lead_count = len(wizard.lead_ids)

    @api.multi
    def action_apply(self):
        self.ensure_one()
        if not self.lead_ids:
            raise UserError(_("Select the opportunities to apply the track to."))
        self.lead_ids.apply_track(self.track_id, self.end_date)
        return {"type": "ir.actions.act_window_close"}
