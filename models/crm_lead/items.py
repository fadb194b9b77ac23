from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class CrmLeadItems(models.Model):
    """The item lines of an opportunity and its amounts (their untaxed total is the
    opportunity's total value when there are lines: value.py)."""

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

    @api.constrains("line_ids", "type")
    def _check_line_required(self):
        for lead in self:
            if lead.type == "opportunity" and not lead.line_ids and \
                    lead.company_id.crm_lead_line_required:
                raise ValidationError(_(
                    "The opportunity \"%s\" needs at least one item line: your company requires "
                    "one (CRM settings).") % lead.name)
