from odoo.exceptions import ValidationError

from .common import SuiteCase


class TestLines(SuiteCase):

    def setUp(self):
        super().setUp()
        self.tax = self.env["account.tax"].create({
            "name": "VAT 20% (suite test)",
            "amount": 20.0,
            "amount_type": "percent",
            "type_tax_use": "sale",
        })
        self.service = self.env["product.product"].create({
            "name": "Consulting day", "type": "service", "list_price": 800.0,
            "taxes_id": [(6, 0, self.tax.ids)]})
        self.stock_item = self.env["product.product"].create({
            "name": "Pallet of bricks", "type": "consu", "list_price": 250.0})

    def set_rates(self, *currency_rates):
        Rate = self.env["res.currency.rate"]
        for currency, rate in zip(currency_rates[::2], currency_rates[1::2]):
            Rate.search([("currency_id", "=", currency.id)]).unlink()
            Rate.create({"currency_id": currency.id, "rate": rate, "name": "2000-01-01"})

    def test_subtotals_with_discount_and_taxes(self):
        lead = self.new_opportunity(line_ids=[
            (0, 0, {"line_type": "product", "product_id": self.service.id,
                    "name": "Consulting", "quantity": 3, "price_unit": 800.0, "discount": 10.0,
                    "tax_ids": [(6, 0, self.tax.ids)]}),
            (0, 0, {"line_type": "text", "name": "Travel costs", "quantity": 1,
                    "price_unit": 120.0}),
            (0, 0, {"line_type": "stock", "product_id": self.stock_item.id,
                    "name": "Bricks", "quantity": 2, "price_unit": 250.0}),
        ])
        consulting, travel, bricks = lead.line_ids
        self.assertAlmostEqual(consulting.price_subtotal, 2160.0)
        self.assertAlmostEqual(consulting.price_tax, 432.0)
        self.assertAlmostEqual(consulting.price_total, 2592.0)
        self.assertAlmostEqual(travel.price_subtotal, 120.0)
        self.assertAlmostEqual(bricks.price_subtotal, 500.0)
        self.assertAlmostEqual(lead.amount_untaxed, 2780.0)
        self.assertAlmostEqual(lead.amount_tax, 432.0)
        self.assertAlmostEqual(lead.amount_total, 3212.0)
        self.assertAlmostEqual(lead.planned_revenue, 2780.0)

    def test_lines_drive_expected_revenue(self):
        lead = self.new_opportunity(planned_revenue=999.0)
        self.assertEqual(lead.planned_revenue, 999.0)  # no lines: typed by hand
        line = self.env["crm.lead.line"].create({
            "lead_id": lead.id, "line_type": "text", "name": "Survey", "price_unit": 300.0})
        self.assertAlmostEqual(lead.planned_revenue, 300.0)
        line.quantity = 4
        self.assertAlmostEqual(lead.planned_revenue, 1200.0)
        lead.write({"line_ids": [(0, 0, {"line_type": "text", "name": "Report",
                                         "price_unit": 100.0})]})
        self.assertAlmostEqual(lead.planned_revenue, 1300.0)
        lead.line_ids.unlink()
        self.assertAlmostEqual(lead.planned_revenue, 999.0)  # the typed value again

    def test_onchange_computes_revenue_before_saving(self):
        lead = self.Lead.new({"name": "Draft", "type": "opportunity",
                              "currency_id": self.env.user.company_id.currency_id.id,
                              "line_ids": [(0, 0, {"line_type": "text", "name": "Work",
                                                   "quantity": 2, "price_unit": 50.0})]})
        self.assertAlmostEqual(lead.planned_revenue, 100.0)  # computed on the draft

    def test_foreign_currency_converted_to_company_currency(self):
        company_currency = self.env.user.company_id.currency_id
        other = self.env["res.currency"].search(
            [("id", "!=", company_currency.id)], limit=1)
        self.set_rates(company_currency, 1.0, other, 2.0)
        lead = self.new_opportunity(currency_id=other.id, line_ids=[
            (0, 0, {"line_type": "text", "name": "Work", "quantity": 1, "price_unit": 1000.0})])
        self.assertAlmostEqual(lead.amount_untaxed, 1000.0)
        self.assertAlmostEqual(lead.planned_revenue, 500.0)

    def test_company_currency_change_converts_expected_revenue_again(self):
        # A company without journal items, whose currency may still change.
        base_currency = self.env.user.company_id.currency_id
        company = self.env["res.company"].create({"name": "New branch",
                                                  "currency_id": base_currency.id})
        other = self.env["res.currency"].search([("id", "!=", base_currency.id)], limit=1)
        self.set_rates(base_currency, 1.0, other, 2.0)
        lead = self.new_opportunity(company_id=company.id, currency_id=other.id, line_ids=[
            (0, 0, {"line_type": "text", "name": "Work", "quantity": 1, "price_unit": 1000.0})])
        self.assertAlmostEqual(lead.planned_revenue, 500.0)
        company.currency_id = other
        self.assertAlmostEqual(lead.planned_revenue, 1000.0)

    def test_default_currency_is_company_currency(self):
        lead = self.new_opportunity()
        self.assertEqual(lead.currency_id, self.env.user.company_id.currency_id)

    def test_product_onchange_fills_the_line(self):
        lead = self.new_opportunity()
        line = self.env["crm.lead.line"].new({"lead_id": lead.id, "line_type": "product",
                                              "product_id": self.service.id})
        line._onchange_product_id()
        self.assertIn("Consulting day", line.name)
        self.assertEqual(line.price_unit, 800.0)
        self.assertEqual(line.tax_ids, self.tax)

    def test_line_type_rules(self):
        lead = self.new_opportunity()
        Line = self.env["crm.lead.line"]
        with self.assertRaises(ValidationError):
            Line.create({"lead_id": lead.id, "line_type": "text", "name": "X",
                         "product_id": self.service.id})
        with self.assertRaises(ValidationError):
            Line.create({"lead_id": lead.id, "line_type": "product", "name": "X"})
        with self.assertRaises(ValidationError):
            Line.create({"lead_id": lead.id, "line_type": "stock", "name": "X",
                         "product_id": self.service.id})
        with self.assertRaises(ValidationError):
            Line.create({"lead_id": lead.id, "line_type": "text", "name": "X",
                         "discount": 120})

    def test_company_setting_requires_a_line(self):
        self.env.user.company_id.crm_lead_line_required = True
        with self.assertRaisesRegex(ValidationError, "needs at least one item line"):
            self.new_opportunity(name="Empty")
        lead = self.new_opportunity(line_ids=[(0, 0, {"line_type": "text", "name": "Work",
                                                      "price_unit": 10.0})])
        self.assertEqual(len(lead.line_ids), 1)
        with self.assertRaisesRegex(ValidationError, "needs at least one item line"):
            lead.write({"line_ids": [(5, 0, 0)]})
        with self.assertRaisesRegex(ValidationError, "needs at least one item line"):
            lead.line_ids.unlink()
        lead.invalidate_cache()
        self.assertEqual(len(lead.line_ids), 1)  # nothing deleted
        # Leads (before qualification) are not opportunities yet.
        plain_lead = self.Lead.create({"name": "Enquiry", "type": "lead"})
        with self.assertRaisesRegex(ValidationError, "needs at least one item line"):
            plain_lead.write({"type": "opportunity"})

    def test_setting_is_offered_in_crm_settings(self):
        settings = self.env["res.config.settings"].create({"crm_lead_line_required": True})
        settings.execute()
        self.assertTrue(self.env.user.company_id.crm_lead_line_required)

    def test_contact_person_must_belong_to_the_customer(self):
        lead = self.new_opportunity(contact_id=self.contact.id)
        self.assertEqual(lead.contact_id, self.contact)
        stranger = self.env["res.partner"].create({"name": "Somebody Else"})
        with self.assertRaisesRegex(ValidationError, "does not belong"):
            lead.contact_id = stranger

    def test_duplicate_copies_lines(self):
        lead = self.new_opportunity(line_ids=[(0, 0, {"line_type": "text", "name": "Work",
                                                      "price_unit": 10.0})])
        copy = lead.copy()
        self.assertEqual(copy.line_ids.mapped("name"), ["Work"])
        self.assertNotEqual(copy.line_ids, lead.line_ids)
