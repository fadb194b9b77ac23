from odoo import api, fields, models

KINDS = [
    ("quote", "Quote"),
    ("invoice", "Customer invoice"),
    ("purchase", "Purchase order"),
]
FORMS = {
    "sale.order": "sale.view_order_form",
    "account.invoice": "account.invoice_form",
    "purchase.order": "purchase.purchase_order_form",
}


class CrmLeadDocumentAdd(models.TransientModel):
    """Create a quote, invoice or purchase order from an opportunity's items."""

    _name = "crm.lead.document.add"
    _inherit = ["crm.lead.wizard.mixin"]
    _description = "Add a document to an opportunity"

    kind = fields.Selection(KINDS, string="Document", required=True, default="quote")
    vendor_id = fields.Many2one("res.partner", string="Vendor",
                                domain=[("supplier", "=", True)])

    @api.multi
    def action_create(self):
        """Create the draft document and open it, to review before confirming it."""
        self.ensure_one()
        document = self.lead_id.create_document(self.kind, vendor=self.vendor_id or None)
        return {
            "type": "ir.actions.act_window",
            "res_model": document._name,
            "res_id": document.id,
            "view_mode": "form",
            "views": [(self.env.ref(FORMS[document._name]).id, "form")],
            "target": "current",
        }
