from odoo import _, api, fields, models
from odoo.addons import decimal_precision as dp
from odoo.exceptions import ValidationError

LINE_TYPES = [
    ("text", "Free text"),
    ("product", "Product or service"),
    ("stock", "Stock item"),
]


class CrmLeadLine(models.Model):
    _name = "crm.lead.line"
    _description = "Opportunity item line"
    _order = "lead_id, sequence, id"

    # auto_join: the record rules' lead_id.* conditions are a join, not a search of every
    # opportunity of the user (30,000 ids in an IN list at each check).
    lead_id = fields.Many2one(
        "crm.lead", string="Opportunity", required=True, ondelete="cascade", index=True,
        auto_join=True)
    sequence = fields.Integer(default=10)
    line_type = fields.Selection(LINE_TYPES, string="Item type", required=True, default="product")
    product_id = fields.Many2one(
        "product.product", string="Product", ondelete="restrict",
        domain="[('sale_ok', '=', True)]")
    name = fields.Text(string="Description", required=True)
    quantity = fields.Float(
        digits=dp.get_precision("Product Unit of Measure"), required=True, default=1.0)
    price_unit = fields.Float(string="Unit price", digits=dp.get_precision("Product Price"))
    discount = fields.Float(string="Discount (%)", digits=dp.get_precision("Discount"))
    tax_ids = fields.Many2many(
        "account.tax", "crm_lead_line_tax_rel", "line_id", "tax_id", string="Taxes",
        domain="[('type_tax_use', '=', 'sale')]")
    currency_id = fields.Many2one(
        related="lead_id.currency_id", store=True, readonly=True, string="Currency")
    company_id = fields.Many2one(
        related="lead_id.company_id", store=True, readonly=True, string="Company")
    price_subtotal = fields.Monetary(compute="_compute_amounts", store=True, string="Subtotal")
    price_tax = fields.Monetary(compute="_compute_amounts", store=True, string="Tax amount")
    price_total = fields.Monetary(compute="_compute_amounts", store=True, string="Total")

    @api.depends("quantity", "price_unit", "discount", "tax_ids", "currency_id")
    def _compute_amounts(self):
        for line in self:
            price = line.price_unit * (1 - (line.discount or 0.0) / 100.0)
            taxes = line.tax_ids.compute_all(
                price, line.currency_id, line.quantity, product=line.product_id,
                partner=line.lead_id.partner_id)
            line.price_subtotal = taxes["total_excluded"]
            line.price_total = taxes["total_included"]
            line.price_tax = taxes["total_included"] - taxes["total_excluded"]

    @api.constrains("line_type", "product_id")
    def _check_product(self):
        for line in self:
            if line.line_type == "text" and line.product_id:
                raise ValidationError(_("A free-text item cannot have a product."))
            if line.line_type != "text" and not line.product_id:
                raise ValidationError(_("Choose a product for the item \"%s\".") % line.name)
            if line.line_type == "stock" and line.product_id.type == "service":
                raise ValidationError(_(
                    "The service \"%s\" cannot be a stock item.") % line.product_id.display_name)

    @api.constrains("discount")
    def _check_discount(self):
        for line in self:
            if not 0 <= line.discount <= 100:
                raise ValidationError(_("A discount must be between 0 and 100%."))

    @api.onchange("line_type")
    def _onchange_line_type(self):
        if self.line_type == "text":
            self.product_id = False
        domain = [("sale_ok", "=", True)]
        if self.line_type == "stock":
            domain.append(("type", "!=", "service"))
        return {"domain": {"product_id": domain}}

    @api.onchange("product_id")
    def _onchange_product_id(self):
        product = self.product_id
        if not product:
            return
        lead = self.lead_id
        self.name = product.display_name
        price = product.lst_price
        company_currency = lead.company_id.currency_id or self.env.user.company_id.currency_id
        if lead.currency_id and lead.currency_id != company_currency:
            price = company_currency.compute(price, lead.currency_id)
        self.price_unit = price
        company = lead.company_id or self.env.user.company_id
        self.tax_ids = product.taxes_id.filtered(lambda t: t.company_id == company)

    @api.multi
    def unlink(self):
        leads = self.mapped("lead_id")
        with self.env.cr.savepoint():
            res = super().unlink()
            leads = leads.exists()
            leads._check_line_required()
        return res
