from odoo import _, api, fields, models


class AccountInvoice(models.Model):
    _name = "account.invoice"
    _inherit = ["account.invoice", "crm.opportunity.document"]

    _cos_locked_fields = ("partner_id", "currency_id", "payment_term_id", "comment",
                          "fiscal_position_id", "date_due", "name", "reference")
    _cos_line_field = "invoice_line_ids"

    opportunity_id = fields.Many2one(
        "crm.lead", string="Opportunity", index=True, ondelete="set null",
        domain=[("type", "=", "opportunity")])

    @api.multi
    def action_cos_print(self):
        return self.env.ref("account.account_invoices").report_action(self)

    def _cos_mark_sent_refusal(self):
        # A draft has no number and the lock would block its validation (which writes the
        # due date and the reference): validate it first, as Send all requires.
        if self.state == "draft":
            return _("Validate the invoice %(name)s before marking it sent to the customer.") % {
                "name": self.display_name}
        return None

    def _cos_send_skip_reason(self):
        if self.state == "draft":
            return "pending"
        if self.state == "cancel":
            return "cancelled"
        return None


class AccountInvoiceLine(models.Model):
    _name = "account.invoice.line"
    _inherit = ["account.invoice.line", "crm.opportunity.document.line"]

    _cos_document_field = "invoice_id"
