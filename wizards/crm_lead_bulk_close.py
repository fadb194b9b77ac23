from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError


class CrmLeadBulkClose(models.TransientModel):
    """Close the selected or all filtered opportunities as won or lost (sales managers); above
    a threshold, in the background (crm.background.operation)."""

    _name = "crm.lead.bulk.close"
    _inherit = "crm.list.selection.mixin"
    _description = "Close opportunities in bulk"

    outcome = fields.Selection([("won", "Won"), ("lost", "Lost")], required=True,
                               default="lost")
    lost_reason_id = fields.Many2one("crm.lost.reason", string="Lost reason")
    background_note = fields.Char(compute="_compute_background_note",
                                  string="In the background")

    @api.depends("use_domain", "selected_count", "domain_count")
    def _compute_background_note(self):
        Operation = self.env["crm.background.operation"]
        for wizard in self:
            count = wizard.domain_count if wizard.use_domain else wizard.selected_count
            wizard.background_note = Operation._background_note("close", count)

    @api.multi
    def action_close(self):
        self.ensure_one()
        if self.outcome == "lost" and not self.lost_reason_id:
            raise UserError(_("Give the lost reason of the opportunities closed as lost."))
        leads = self._list_records(self.use_domain)
        if not leads:
            raise UserError(_("There is no opportunity to close."))
        Operation = self.env["crm.background.operation"]
        if len(leads) > Operation._threshold("close"):
            return self._close_in_background(leads)
        count = leads.action_close(won=self.outcome == "won", lost_reason=self.lost_reason_id)
        return {"type": "ir.actions.act_window_close", "infos": {"closed": count}}

    def _close_in_background(self, leads):
        # What the job would refuse at once is refused now (it checks it all again).
        if not self.env.user.has_group("sales_team.group_sale_manager"):
            raise AccessError(_("Only sales managers may close opportunities in bulk."))
        leads.check_access_rights("write")
        leads.check_access_rule("write")
        won = self.outcome == "won"
        if won:
            name = _("Close %(count)d opportunities as won") % {"count": len(leads)}
        else:
            name = _("Close %(count)d opportunities as lost") % {"count": len(leads)}
        return self.env["crm.background.operation"]._start("close", name, leads, {
            "won": won, "lost_reason_id": self.lost_reason_id.id}).action_open()
