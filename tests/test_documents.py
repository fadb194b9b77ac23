import odoo
from odoo.exceptions import UserError
from odoo.tests.common import get_db_name

from .common import SuiteCase


class TestDocuments(SuiteCase):

    def setUp(self):
        super().setUp()
        self.euro = self.env.ref("base.EUR")
        self.euro.active = True
        self.tax = self.env["account.tax"].create({
            "name": "Suite VAT 20%", "amount": 20.0, "amount_type": "percent",
            "type_tax_use": "sale"})
        self.product = self.env["product.product"].create({
            "name": "Slate roof tile", "type": "consu", "list_price": 3.0,
            "taxes_id": [(6, 0, self.tax.ids)]})
        self.lead = self.new_opportunity(
            name="Roof Alpha", currency_id=self.euro.id, user_id=self.rep.id,
            line_ids=[
                (0, 0, {"line_type": "product", "product_id": self.product.id,
                        "name": "Slate roof tile", "quantity": 400, "price_unit": 2.5,
                        "discount": 10, "tax_ids": [(6, 0, self.tax.ids)]}),
                (0, 0, {"line_type": "text", "name": "Scaffolding for two days",
                        "quantity": 1, "price_unit": 600.0})])
        self.vendor = self.env["res.partner"].create({"name": "Tile Supplies", "supplier": True})

    def test_quote_prefilled_from_the_lines(self):
        wizard = self.env["crm.lead.document.add"].with_context(
            active_model="crm.lead", active_id=self.lead.id).create({"kind": "quote"})
        action = wizard.action_create()
        quote = self.env["sale.order"].browse(action["res_id"])
        self.assertEqual((quote.state, quote.opportunity_id, quote.partner_id,
                          quote.currency_id, quote.origin),
                         ("draft", self.lead, self.customer, self.euro, self.lead.reference))
        tile, text = quote.order_line.sorted("id")
        self.assertEqual((tile.product_id, tile.product_uom_qty, tile.price_unit,
                          tile.discount, tile.tax_id),
                         (self.product, 400, 2.5, 10, self.tax))
        self.assertEqual((text.product_id, text.name, text.price_unit),
                         (self.env.ref("crm_opportunity_suite.product_text_line"),
                          "Scaffolding for two days", 600.0))
        self.assertFalse(text.tax_id)
        self.assertAlmostEqual(quote.amount_untaxed, 900.0 + 600.0)
        self.assertAlmostEqual(quote.amount_tax, 180.0)
        self.assertAlmostEqual(quote.amount_untaxed, self.lead.amount_untaxed)
        self.assertAlmostEqual(quote.amount_total, self.lead.amount_total)
        self.assertEqual(self.lead.order_ids, quote)

    def test_invoice_and_purchase_order(self):
        invoice = self.lead.create_document("invoice")
        self.assertEqual((invoice.type, invoice.currency_id, invoice.opportunity_id),
                         ("out_invoice", self.euro, self.lead))
        self.assertAlmostEqual(invoice.amount_untaxed, 1500.0)
        self.assertAlmostEqual(invoice.amount_tax, 180.0)
        text = invoice.invoice_line_ids.filtered(lambda l: not l.product_id)
        self.assertEqual(text.name, "Scaffolding for two days")
        self.assertEqual(self.lead.invoice_count, 1)
        with self.assertRaisesRegex(UserError, "vendor"):
            self.lead.create_document("purchase")
        order = self.lead.create_document("purchase", vendor=self.vendor)
        self.assertEqual((order.partner_id, order.currency_id, order.opportunity_id),
                         (self.vendor, self.euro, self.lead))
        self.assertEqual(sorted(order.order_line.mapped("price_unit")), [2.25, 600.0],
                         "the discount is in the unit price")
        self.assertEqual(self.lead.purchase_count, 1)
        empty = self.new_opportunity(name="No items")
        with self.assertRaisesRegex(UserError, "Add items"):
            empty.create_document("quote")

    def test_sent_document_is_locked(self):
        quote = self.lead.create_document("quote")
        mission = self.env["project.task"].create({
            "name": "Visit", "is_mission": True, "opportunity_id": self.lead.id})
        quote.action_mark_sent()
        self.assertTrue(quote.cos_sent_date)
        self.assertIn("Marked as sent to the customer", quote.message_ids[0].body)
        with self.assertRaisesRegex(UserError, "can no longer be changed. Duplicate it"):
            quote.write({"partner_id": self.vendor.id})
        with self.assertRaisesRegex(UserError, "can no longer be changed"):
            quote.order_line[0].write({"price_unit": 1.0})
        with self.assertRaisesRegex(UserError, "can no longer be changed"):
            self.env["sale.order.line"].create({
                "order_id": quote.id, "product_id": self.product.id, "name": "More",
                "product_uom_qty": 1, "product_uom": self.product.uom_id.id, "price_unit": 1})
        with self.assertRaisesRegex(UserError, "can no longer be changed"):
            quote.unlink()
        quote.cos_mission_id = mission  # assigning a mission is not a change of content
        self.assertEqual(quote.cos_mission_id, mission)
        copy = quote.copy()
        self.assertFalse(copy.cos_sent_date)
        copy.write({"note": "Second version"})
        draft = self.lead.create_document("quote")
        draft.unlink()
        self.assertFalse(draft.exists())

    def test_sent_document_write_refused_over_rpc(self):
        quote = self.env.ref("crm_opportunity_suite.sale_order_fitout_sent")
        self.assertTrue(quote.cos_sent_date)
        with self.assertRaisesRegex(UserError, "can no longer be changed"):
            odoo.service.model.dispatch("execute_kw", [
                get_db_name(), self.env.ref("base.user_root").id, "admin", "sale.order",
                "write", [quote.ids, {"note": "changed"}]])

    def test_quote_pdf_shows_lines_and_totals(self):
        quote = self.lead.create_document("quote")
        text = self.pdf_text(self.env.ref("sale.action_report_saleorder"), quote)
        self.assertIn(quote.name, text)
        self.assertIn("Slate roof tile", text)
        self.assertIn("Scaffolding for two days", text)
        self.assertIn("1,680.00", text)
