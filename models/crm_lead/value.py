from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from ...lib import bulk

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
# What the expected revenue of an opportunity without lines is computed from
# (_revenue_of_rows()), and what that needs of an opportunity's stored values besides.
REVENUE_FIELDS = VALUE_FIELDS + ("currency_id",)
REVENUE_STATE_FIELDS = frozenset(REVENUE_FIELDS + ("company_id",))
REVENUE_SET = frozenset(REVENUE_FIELDS)


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

    @staticmethod
    def _typed_total(amount, basis, duration):
        """The typed value times its duration (the value alone when fixed)."""
        if basis and basis != "fixed":
            return (amount or 0.0) * (duration or 0)
        return amount or 0.0

    def _value_total(self):
        """The total value in the opportunity's currency: the lines' untaxed total when there
        are lines, else the value times its duration (the value alone when fixed)."""
        self.ensure_one()
        if self.line_ids:
            return self.amount_untaxed
        return self._typed_total(self.value_amount, self.value_basis, self.value_duration)

    @api.depends("value_amount", "value_basis", "value_duration", "line_ids", "amount_untaxed")
    def _compute_value_total(self):
        for lead in self:
            lead.value_total = lead._value_total()

    def _company_currency(self):
        company = self.company_id or self.env.user.company_id
        return company.currency_id

    def _revenue_of_value(self, today):
        """The total value converted to the company currency at the rate of ``today``."""
        self.ensure_one()
        return self._converted(self._value_total(), self.currency_id,
                               self._company_currency(), today)

    @staticmethod
    def _converted(total, currency, target, today):
        if currency and target and currency != target and total:
            return currency.with_context(date=today).compute(total, target)
        return total

    @api.depends("value_amount", "value_basis", "value_duration", "line_ids",
                 "line_ids.price_subtotal", "amount_untaxed", "currency_id", "company_id",
                 "company_id.currency_id")
    def _compute_planned_revenue(self):
        today = fields.Date.context_today(self)
        for lead in self:
            lead.planned_revenue = lead._revenue_of_value(today)

    @api.model
    def _revenue_of_rows(self, rows, states=None):
        """{id: expected revenue} of the opportunities without lines among ``rows`` ({id:
        {field: new value}}: what the import writes in SQL) whose value, basis, duration or
        currency change, for the import to write it in the same UPDATE. Through the ORM,
        reading the values of 10,000 opportunities prefetched every field of each and the
        recompute wrote one UPDATE per distinct value: the import of 10,000 values took 40 s
        instead of 5. Opportunities with lines are left to the ORM.

        ``states``: {id: mapping of (at least) its stored value_amount, value_basis,
        value_duration, currency_id and company_id (ids or False), as they are now} of the
        opportunities the caller has already read (the import's first read): not read again
        (at 100,000 rows, each pass over the opportunities cost up to a second)."""
        ids = [lead_id for lead_id, row in rows.items() if not REVENUE_SET.isdisjoint(row)]
        if not ids:
            return {}
        states = states or {}
        today = fields.Date.context_today(self)
        Currency = self.env["res.currency"]
        default_currency = self.env.user.company_id.currency_id.id
        cr = self.env.cr
        known = [lead_id for lead_id in ids if lead_id in states]
        found = []
        if known:
            # Fixed SQL; the ids are a parameter.
            cr.execute("SELECT DISTINCT lead_id FROM crm_lead_line "
                       "WHERE lead_id = ANY(%s::int4[])", (bulk.pg_array(known),))
            with_lines = {row[0] for row in cr.fetchall()}
            cr.execute("SELECT id, currency_id FROM res_company")
            company_currency = dict(cr.fetchall())
            found = [(lead_id, state["value_amount"], state["value_basis"],
                      state["value_duration"], state["currency_id"],
                      company_currency.get(state["company_id"]) or default_currency)
                     for lead_id, state in zip(known, map(states.get, known))
                     if lead_id not in with_lines]
        unknown = [lead_id for lead_id in ids if lead_id not in states]
        if unknown:
            # Fixed SQL; the default currency and the ids are parameters.
            cr.execute("""
                SELECT l.id, l.value_amount, l.value_basis, l.value_duration, l.currency_id,
                       coalesce(c.currency_id, %s)
                FROM crm_lead l LEFT JOIN res_company c ON c.id = l.company_id
                WHERE l.id IN %s
                  AND NOT EXISTS (SELECT 1 FROM crm_lead_line x WHERE x.lead_id = l.id)""",
                       (default_currency, tuple(unknown)))
            found += cr.fetchall()
        revenues = {}
        for lead_id, amount, basis, duration, currency_id, target_id in found:
            row = rows[lead_id]
            if len(row) == 1 and "value_amount" in row:
                # The value alone given (most files): the other columns as they are.
                amount = row["value_amount"]
            else:
                amount = row.get("value_amount", amount)
                basis = row.get("value_basis", basis)
                duration = row.get("value_duration", duration)
                currency_id = row.get("currency_id", currency_id)
            # _typed_total(), inline (per row).
            if basis and basis != "fixed":
                total = (amount or 0.0) * (duration or 0)
            else:
                total = amount or 0.0
            # What _converted() does, the records made only for a conversion (most rows are
            # in the company currency).
            if total and currency_id and target_id and currency_id != target_id:
                total = self._converted(total, Currency.browse(currency_id),
                                        Currency.browse(target_id), today)
            revenues[lead_id] = total
        return revenues

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
            company = self.env["res.company"].browse(vals.get("company_id")) or lead.company_id
            groups.setdefault((currency, company), []).append(lead.id)
        if unchanged and vals:
            super(CrmLeadValue, unchanged).write(vals)
        for (currency, company), ids in groups.items():
            super(CrmLeadValue, self.browse(ids)).write(
                dict(vals, **self._value_from_revenue(revenue, currency, company)))
        return True
