from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

# Capsule's value basis: a fixed value, or a value per period for a number of periods.
VALUE_BASES = [
    ("fixed", "Fixed"),
    ("hour", "Per hour"),
    ("day", "Per day"),
    ("week", "Per week"),
    ("month", "Per month"),
    ("quarter", "Per quarter"),
    ("year", "Per year"),
]
# The fields a user types the value with: when one of them is written, planned_revenue given
# in the same values is left out (they decide it).
VALUE_FIELDS = ("value_amount", "value_basis", "value_duration")


class CrmLeadValue(models.Model):
    """The opportunity's value as the user types it, in the opportunity's currency: fixed, or
    per hour / day / week / month / quarter / year for a number of periods. Its total (value ×
    duration, or the untaxed total of the item lines when there are some) converted to the
    company currency is Odoo's expected revenue (planned_revenue), the figure the pipeline,
    crm's reports and the sales insights sum."""

    _inherit = "crm.lead"

    value_amount = fields.Monetary(
        string="Value", currency_field="currency_id", default=0.0, track_visibility="onchange",
        help="The value of the opportunity in its currency: the whole value when it is fixed, "
             "else the value of one period (hour, day, week, month, quarter or year).")
    value_basis = fields.Selection(
        VALUE_BASES, string="Value basis", required=True, default="fixed",
        track_visibility="onchange",
        help="Fixed, or a value per period paid for a number of periods (the duration).")
    value_duration = fields.Integer(
        string="Duration", default=1, track_visibility="onchange",
        help="Number of periods (hours, days, weeks, months, quarters or years) the value is "
             "for; at least 1.")
    value_total = fields.Monetary(
        string="Total value", currency_field="currency_id", compute="_compute_value_total",
        help="The value times the duration, in the opportunity's currency; with item lines, "
             "their untaxed total.")
    planned_revenue = fields.Float(
        compute="_compute_planned_revenue", store=True, readonly=False,
        help="The total value converted to the company currency at today's rate. Writing it "
             "directly (other modules, RPC) gives a fixed value of that amount in the company "
             "currency, converted to the opportunity's currency.")

    @api.constrains("value_basis", "value_duration")
    def _check_value_duration(self):
        bases = dict(VALUE_BASES)
        for lead in self:
            if lead.value_basis not in bases:
                raise ValidationError(_("Unknown value basis \"%(basis)s\".") % {
                    "basis": lead.value_basis})
            if lead.value_duration < 1:
                raise ValidationError(_(
                    "The duration of the value of \"%(name)s\" must be at least 1 (a number "
                    "of periods).") % {"name": lead.name})

    def _value_total(self):
        """The total value in the opportunity's currency: the lines' untaxed total when there
        are lines, else the value times its duration (the value alone when fixed)."""
        self.ensure_one()
        if self.line_ids:
            return self.amount_untaxed
        if self.value_basis and self.value_basis != "fixed":
            return self.value_amount * (self.value_duration or 0)
        return self.value_amount

    @api.depends("value_amount", "value_basis", "value_duration", "line_ids", "amount_untaxed")
    def _compute_value_total(self):
        for lead in self:
            lead.value_total = lead._value_total()

    def _company_currency(self):
        company = self.company_id or self.env.user.company_id
        return company.currency_id

    @api.depends("value_amount", "value_basis", "value_duration", "line_ids",
                 "line_ids.price_subtotal", "amount_untaxed", "currency_id", "company_id",
                 "company_id.currency_id")
    def _compute_planned_revenue(self):
        today = fields.Date.context_today(self)
        for lead in self:
            total = lead._value_total()
            target = lead._company_currency()
            if lead.currency_id and target and lead.currency_id != target and total:
                total = lead.currency_id.with_context(date=today).compute(total, target)
            lead.planned_revenue = total

    # ------------------------------------------------------------------ direct writes

    def _value_from_revenue(self, amount, currency, company):
        """The values that make ``amount`` (in the company currency) the expected revenue:
        a fixed value, converted to the opportunity's ``currency``."""
        target = company.currency_id or self.env.user.company_id.currency_id
        if currency and target and currency != target and amount:
            amount = target.with_context(date=fields.Date.context_today(self)).compute(
                amount, currency)
        return {"value_amount": amount or 0.0, "value_basis": "fixed"}

    @api.model
    def create(self, vals):
        if "planned_revenue" in vals:
            vals = dict(vals)
            revenue = vals.pop("planned_revenue")
            if not any(name in vals for name in VALUE_FIELDS) and not vals.get("line_ids"):
                defaults = self.default_get(["currency_id", "company_id"])
                currency = self.env["res.currency"].browse(
                    vals.get("currency_id") or defaults.get("currency_id"))
                company = self.env["res.company"].browse(
                    vals.get("company_id") or defaults.get("company_id"))
                vals.update(self._value_from_revenue(revenue, currency, company))
        return super().create(vals)

    @api.multi
    def write(self, vals):
        if "planned_revenue" not in vals:
            return super().write(vals)
        vals = dict(vals)
        revenue = vals.pop("planned_revenue")
        if any(name in vals for name in VALUE_FIELDS):
            return super().write(vals)
        # Each opportunity whose expected revenue really changes and that has no lines (their
        # total is its expected revenue) gets a fixed value of that amount.
        groups, unchanged = {}, self.browse()
        for lead in self:
            if lead.line_ids or abs((lead.planned_revenue or 0.0) - (revenue or 0.0)) < 1e-9:
                unchanged |= lead
                continue
            currency = self.env["res.currency"].browse(vals.get("currency_id")) \
                or lead.currency_id
            groups.setdefault((currency, lead.company_id), []).append(lead.id)
        if unchanged and vals:
            super(CrmLeadValue, unchanged).write(vals)
        for (currency, company), ids in groups.items():
            super(CrmLeadValue, self.browse(ids)).write(
                dict(vals, **self._value_from_revenue(revenue, currency, company)))
        return True
