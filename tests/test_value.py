"""The opportunity's value (issue 17, points 2 and 3): fixed or per period for N periods, typed
in the opportunity's currency; its total converted to the company currency is the expected
revenue that the pipeline, the reports and the export use."""
from odoo.exceptions import ValidationError

from ..hooks import add_value_columns
from .common import SuiteCase


class ValueMixin(object):

    def set_rates(self, *currency_rates):
        """Rates of the day: 1 company currency unit = rate units of each currency."""
        Rate = self.env["res.currency.rate"]
        for currency, rate in zip(currency_rates[::2], currency_rates[1::2]):
            Rate.search([("currency_id", "=", currency.id)]).unlink()
            Rate.create({"currency_id": currency.id, "rate": rate, "name": "2000-01-01"})

    def prepare_currencies(self):
        self.usd = self.env.user.company_id.currency_id
        self.other = self.env.ref("base.EUR") if self.usd != self.env.ref("base.EUR") \
            else self.env.ref("base.USD")
        self.other.active = True
        # 1 company unit = 2 units of the other currency.
        self.set_rates(self.usd, 1.0, self.other, 2.0)


class TestValue(ValueMixin, SuiteCase):

    def setUp(self):
        super().setUp()
        self.prepare_currencies()

    def test_basis_times_duration(self):
        lead = self.new_opportunity(value_amount=1000.0, value_basis="month", value_duration=12)
        self.assertEqual((lead.value_total, lead.planned_revenue), (12000.0, 12000.0))
        for basis, duration, total in (("hour", 40, 40000.0), ("day", 5, 5000.0),
                                       ("week", 3, 3000.0), ("quarter", 4, 4000.0),
                                       ("year", 2, 2000.0), ("fixed", 7, 1000.0)):
            lead.write({"value_basis": basis, "value_duration": duration})
            self.assertEqual((lead.value_total, lead.planned_revenue), (total, total), basis)
        fixed = self.new_opportunity(value_amount=250.5)
        self.assertEqual((fixed.value_basis, fixed.value_duration, fixed.planned_revenue),
                         ("fixed", 1, 250.5))

    def test_the_form_shows_the_total_before_saving(self):
        """What the form's onchange returns when the user picks "per month" (the client sends
        every field of the view)."""
        spec = self.Lead._onchange_spec()
        values = {"name": "Draft", "type": "opportunity", "currency_id": self.other.id,
                  "company_id": self.env.user.company_id.id, "line_ids": [],
                  "value_amount": 100.0, "value_basis": "fixed", "value_duration": 12,
                  "value_total": 100.0, "planned_revenue": 50.0}
        values["value_basis"] = "month"
        result = self.Lead.onchange(values, "value_basis", spec)["value"]
        self.assertEqual(result["value_total"], 1200.0)
        self.assertAlmostEqual(result["planned_revenue"], 600.0, places=6)

    def test_duration_is_at_least_one(self):
        lead = self.new_opportunity(value_amount=100.0, value_basis="week", value_duration=2)
        with self.assertRaises(ValidationError):
            lead.write({"value_duration": 0})
        with self.assertRaises(ValidationError):
            self.new_opportunity(value_amount=1.0, value_basis="day", value_duration=-3)

    def test_value_in_the_opportunity_currency_converted_for_the_company(self):
        lead = self.new_opportunity(currency_id=self.other.id, value_amount=1000.0,
                                    value_basis="month", value_duration=12)
        self.assertEqual(lead.value_total, 12000.0, "in the opportunity's currency")
        self.assertAlmostEqual(lead.planned_revenue, 6000.0, places=6)
        lead.currency_id = self.usd
        self.assertAlmostEqual(lead.planned_revenue, 12000.0, places=6)
        # What the pipeline sums (read_group, as the kanban columns and list totals).
        lead.currency_id = self.other
        self.new_opportunity(value_amount=500.0, user_id=self.rep.id)
        groups = self.Lead.read_group([("team_id", "=", self.team.id)],
                                      ["team_id", "planned_revenue"], ["team_id"])
        self.assertAlmostEqual(groups[0]["planned_revenue"], 6500.0, places=6)

    def test_direct_write_of_the_expected_revenue(self):
        """planned_revenue written alone (crm, other modules, RPC) is a fixed value of that
        amount in the company currency, converted to the opportunity's currency."""
        lead = self.new_opportunity(currency_id=self.other.id, value_amount=10.0,
                                    value_basis="month", value_duration=12)
        lead.write({"planned_revenue": 500.0})
        self.assertEqual((lead.value_basis, lead.value_amount), ("fixed", 1000.0))
        self.assertAlmostEqual(lead.planned_revenue, 500.0, places=6)
        created = self.new_opportunity(planned_revenue=300.0)
        self.assertEqual((created.value_basis, created.value_amount, created.planned_revenue),
                         ("fixed", 300.0, 300.0))
        created_other = self.new_opportunity(planned_revenue=300.0, currency_id=self.other.id)
        self.assertEqual(created_other.value_amount, 600.0)
        # Given with the value, the value decides.
        lead.write({"planned_revenue": 1.0, "value_amount": 20.0, "value_basis": "year",
                    "value_duration": 3})
        self.assertAlmostEqual(lead.planned_revenue, 30.0, places=6)
        # The same revenue written again (crm's lead to opportunity conversion does) keeps the
        # value per period.
        lead.write({"planned_revenue": lead.planned_revenue, "probability": 40})
        self.assertEqual((lead.value_basis, lead.value_duration, lead.value_amount),
                         ("year", 3, 20.0))

    def test_lead_conversion_keeps_the_value(self):
        lead = self.new_opportunity(type="lead", value_amount=100.0, value_basis="week",
                                    value_duration=10, partner_id=self.customer.id)
        lead.convert_opportunity(self.customer.id)
        self.assertEqual((lead.type, lead.value_basis, lead.value_duration, lead.planned_revenue),
                         ("opportunity", "week", 10, 1000.0))

    def test_lines_override_the_value(self):
        lead = self.new_opportunity(currency_id=self.other.id, value_amount=100.0,
                                    value_basis="month", value_duration=12)
        lead.write({"line_ids": [(0, 0, {"line_type": "text", "name": "Survey",
                                         "quantity": 2, "price_unit": 300.0})]})
        self.assertEqual(lead.value_total, 600.0)
        self.assertAlmostEqual(lead.planned_revenue, 300.0, places=6)
        lead.write({"planned_revenue": 99999.0})
        self.assertAlmostEqual(lead.planned_revenue, 300.0, places=6, msg="the lines decide")
        lead.line_ids.unlink()
        self.assertEqual(lead.value_total, 1200.0, "the typed value is back")
        self.assertAlmostEqual(lead.planned_revenue, 600.0, places=6)

    def test_duplicate_copies_the_value(self):
        lead = self.new_opportunity(currency_id=self.other.id, value_amount=80.0,
                                    value_basis="day", value_duration=15)
        copy = lead.duplicate_as("Copy")
        self.assertEqual((copy.currency_id, copy.value_amount, copy.value_basis,
                          copy.value_duration, copy.value_total),
                         (self.other, 80.0, "day", 15, 1200.0))
        self.assertAlmostEqual(copy.planned_revenue, 600.0, places=6)

    def test_value_changes_are_tracked(self):
        lead = self.new_opportunity(value_amount=10.0)
        lead.write({"value_basis": "month", "value_duration": 6})
        tracked = lead.message_ids[0].tracking_value_ids.mapped("field")
        self.assertTrue({"value_basis", "value_duration", "planned_revenue"} <= set(tracked),
                        tracked)

    def test_sales_insights_use_the_total_in_the_company_currency(self):
        lead = self.new_opportunity(currency_id=self.other.id, value_amount=1000.0,
                                    value_basis="month", value_duration=12,
                                    user_id=self.rep.id)
        lead.write({"status": "won"})
        data = self.env["crm.sales.insight"].compute({"team_ids": [self.team.id]})
        rep = next(rep for rep in data["reps"] if rep["user_id"] == self.rep.id)
        self.assertEqual(rep["won_value"], 6000.0)
        row = self.env["crm.opportunity.insight.report"].search([("lead_id", "=", lead.id)])
        self.assertAlmostEqual(row.won_revenue, 6000.0, places=6)
        crm_row = self.env["crm.opportunity.report"].search([("id", "=", lead.id)])
        self.assertAlmostEqual(crm_row.total_revenue, 6000.0, places=6)


class TestValueMigration(ValueMixin, SuiteCase):
    """The update to 11.0.1.1.0 (pre-migration) and the install (pre_init_hook): opportunities
    that had no typed value keep their expected revenue."""

    def test_existing_revenues_are_kept(self):
        self.prepare_currencies()
        same = self.new_opportunity(name="Typed", planned_revenue=1234.5)
        foreign = self.new_opportunity(name="Foreign", currency_id=self.other.id)
        lines = self.new_opportunity(name="Lines", line_ids=[(0, 0, {
            "line_type": "text", "name": "Survey", "quantity": 1, "price_unit": 70.0})])
        leads = same | foreign | lines
        # As before the update: no value (the basis is NOT NULL, as the update leaves it), the
        # revenue typed in the company currency.
        self.env.cr.execute("""
            UPDATE crm_lead SET value_amount = NULL, value_duration = NULL,
                   planned_revenue = CASE WHEN id = %s THEN 500 ELSE planned_revenue END
            WHERE id IN %s""", (foreign.id, tuple(leads.ids)))
        leads.invalidate_cache()
        self.assertEqual(add_value_columns(self.env.cr), 1, "one value converted")
        leads.invalidate_cache()
        self.assertEqual([(l.value_basis, l.value_duration, l.value_amount) for l in leads],
                         [("fixed", 1, 1234.5), ("fixed", 1, 1000.0), ("fixed", 1, 0.0)])
        # Computed again (anything the update or a user changes), the revenue stays.
        leads.modified(["value_amount"])
        leads.recompute()
        self.assertEqual([round(l.planned_revenue, 6) for l in leads], [1234.5, 500.0, 70.0])
        self.assertEqual(add_value_columns(self.env.cr), 0, "run twice: nothing left to fill")
