from odoo import _, api, fields, models
from odoo.exceptions import UserError


class CrmLeadBulkClose(models.TransientModel):
    """Close the selected or all filtered opportunities as won or lost (sales managers)."""

    _name = "crm.lead.bulk.close"
    _description = "Close opportunities in bulk"

    outcome = fields.Selection([("won", "Won"), ("lost", "Lost")], required=True,
                               default="lost")
    lost_reason_id = fields.Many2one("crm.lost.reason", string="Lost reason")
    scope = fields.Selection(
        [("selected", "The selected opportunities"), ("filter", "All the filtered opportunities")],
        required=True, default="selected")
    selected_count = fields.Integer(string="Selected opportunities", readonly=True)
    filter_count = fields.Integer(string="Filtered opportunities", readonly=True)

    @api.model
    def default_get(self, field_names):
        values = super().default_get(field_names)
        values["selected_count"] = len(self.env.context.get("active_ids") or [])
        values["filter_count"] = len(self._leads("filter"))
        return values

    def _leads(self, scope):
        context = self.env.context
        if scope == "filter":
            return self.env["crm.lead"].search(context.get("active_domain") or [])
        return self.env["crm.lead"].with_context(active_test=False).browse(
            context.get("active_ids") or []).exists()

    @api.multi
    def action_close(self):
        self.ensure_one()
        if self.outcome == "lost" and not self.lost_reason_id:
            raise UserError(_("Give the lost reason of the opportunities closed as lost."))
        leads = self._leads(self.scope)
        if not leads:
            raise UserError(_("There is no opportunity to close."))
        count = leads.action_close(won=self.outcome == "won", lost_reason=self.lost_reason_id)
        return {"type": "ir.actions.act_window_close", "infos": {"closed": count}}
