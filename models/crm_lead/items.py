from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class CrmLeadItems(models.Model):
    """The item lines of an opportunity, its amounts, and the expected revenue they give."""

    _inherit = "crm.lead"

    line_ids = fields.One2many("crm.lead.line", "lead_id", string="Items", copy=True)
    has_lines = fields.Boolean(compute="_compute_has_lines", string="Has items")
    amount_untaxed = fields.Monetary(
        compute="_compute_amounts", store=True, currency_field="currency_id",
        string="Untaxed amount")
    amount_tax = fields.Monetary(
        compute="_compute_amounts", store=True, currency_field="currency_id", string="Taxes")
    amount_total = fields.Monetary(
        compute="_compute_amounts", store=True, currency_field="currency_id", string="Total")

    @api.depends("line_ids")
    def _compute_has_lines(self):
        for lead in self:
            lead.has_lines = bool(lead.line_ids)

    @api.depends("line_ids.price_subtotal", "line_ids.price_tax", "line_ids.price_total")
    def _compute_amounts(self):
        for lead in self:
            lead.amount_untaxed = sum(lead.line_ids.mapped("price_subtotal"))
            lead.amount_tax = sum(lead.line_ids.mapped("price_tax"))
            lead.amount_total = sum(lead.line_ids.mapped("price_total"))

    def _revenue_from_lines(self):
        """Untaxed total of the lines in the company currency (Odoo's expected revenue)."""
        self.ensure_one()
        company_currency = self.company_id.currency_id or self.env.user.company_id.currency_id
        amount = sum(self.line_ids.mapped("price_subtotal"))
        if self.currency_id and self.currency_id != company_currency:
            amount = self.currency_id.with_context(date=fields.Date.context_today(self)).compute(
                amount, company_currency)
        return amount

    def _sync_revenue_from_lines(self):
        for lead in self.exists():
            revenue = lead._revenue_from_lines()
            if lead.planned_revenue != revenue:
                lead.planned_revenue = revenue

    @api.constrains("line_ids", "type")
    def _check_line_required(self):
        for lead in self:
            if lead.type == "opportunity" and not lead.line_ids and \
                    lead.company_id.crm_lead_line_required:
                raise ValidationError(_(
                    "The opportunity \"%s\" needs at least one item line: your company requires "
                    "one (CRM settings).") % lead.name)

    @api.onchange("line_ids", "currency_id")
    def _onchange_line_ids_revenue(self):
        if self.line_ids:
            self.planned_revenue = self._revenue_from_lines()
