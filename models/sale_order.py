from odoo import api, models


class SaleOrder(models.Model):
    _name = "sale.order"
    _inherit = ["sale.order", "crm.opportunity.document"]

    _cos_locked_fields = ("partner_id", "partner_invoice_id", "partner_shipping_id",
                          "pricelist_id", "currency_id", "payment_term_id", "validity_date",
                          "note", "client_order_ref", "fiscal_position_id", "date_order")
    _cos_line_field = "order_line"

    @api.multi
    def action_cos_print(self):
        return self.env.ref("sale.action_report_saleorder").report_action(self)

    def _cos_send_skip_reason(self):
        """Why Send all leaves this quote out (None: it is sent)."""
        if self.state == "cancel":
            return "cancelled"
        return None


class SaleOrderLine(models.Model):
    _name = "sale.order.line"
    _inherit = ["sale.order.line", "crm.opportunity.document.line"]

    _cos_document_field = "order_id"
