from odoo import api, fields, models


class PurchaseOrder(models.Model):
    _name = "purchase.order"
    _inherit = ["purchase.order", "crm.opportunity.document"]

    _cos_locked_fields = ("partner_id", "currency_id", "payment_term_id", "notes",
                          "fiscal_position_id", "date_order", "partner_ref")
    _cos_line_field = "order_line"

    opportunity_id = fields.Many2one(
        "crm.lead", string="Opportunity", index=True, ondelete="set null",
        domain=[("type", "=", "opportunity")])

    @api.multi
    def action_cos_print(self):
        return self.env.ref("purchase.action_report_purchase_order").report_action(self)

    def _cos_send_skip_reason(self):
        if self.state == "to approve":
            return "pending"
        if self.state == "cancel":
            return "cancelled"
        return None


class PurchaseOrderLine(models.Model):
    _name = "purchase.order.line"
    _inherit = ["purchase.order.line", "crm.opportunity.document.line"]

    _cos_document_field = "order_id"
