import tempfile
from unittest.mock import patch

import odoo
from odoo.exceptions import UserError

from .common import SuiteCase


class TestSendAll(SuiteCase):

    def setUp(self):
        super().setUp()
        self.customer.email = "buyer@acme.example.com"
        self.lead = self.new_opportunity(name="Roof Alpha", line_ids=[
            (0, 0, {"line_type": "text", "name": "Inspection", "quantity": 1,
                    "price_unit": 300.0})])
        self.quotes = self.env["sale.order"]
        for _index in range(3):
            self.quotes |= self.lead.create_document("quote")
        self.quotes[2].action_cancel()
        self.invoices = self.lead.create_document("invoice") | self.lead.create_document(
            "invoice")
        self.invoices[0].action_invoice_open()
        self.extra = self.env["ir.attachment"].create({
            "name": "conditions.pdf", "datas_fname": "conditions.pdf", "datas": b"JVBERi0="})

    def send_all(self, records, **values):
        wizard = self.env["crm.document.send.all"].with_context(
            active_model=records._name, active_ids=records.ids).create(values)
        directory = tempfile.mkdtemp()
        with patch.dict(odoo.tools.config.options, {"test_report_directory": directory}):
            wizard.action_send()
        return wizard

    def mails_for(self, records):
        return self.env["mail.mail"].search([
            ("model", "=", records._name), ("res_id", "in", records.ids)])

    def test_quotes_skip_cancelled_and_attach_the_pdf(self):
        template = self.env["mail.template"].create({
            "name": "Our quote", "model_id": self.env["ir.model"]._get("sale.order").id,
            "subject": "Quote ${object.name}", "email_to": "${object.partner_id.email}",
            "body_html": "<p>Please find our quote.</p>"})
        wizard = self.send_all(self.quotes, template_id=template.id,
                               attachment_ids=[(6, 0, self.extra.ids)])
        self.assertEqual((wizard.sent_count, wizard.skipped_count), (2, 1))
        self.assertIn(self.quotes[2].name, wizard.skipped_list)
        self.assertIn("cancelled", wizard.skipped_list)
        mails = self.mails_for(self.quotes)
        self.assertEqual(len(mails), 2)
        self.assertEqual(set(mails.mapped("state")), {"outgoing"}, "queued, not sent at once")
        for mail in mails:
            names = set(mail.attachment_ids.mapped("datas_fname"))
            self.assertIn("conditions.pdf", names)
            order = self.env["sale.order"].browse(mail.res_id)
            self.assertIn("%s.pdf" % order.name, names)
            self.assertEqual(mail.email_to, "buyer@acme.example.com")

    def test_invoices_skip_drafts_and_missing_addresses(self):
        wizard = self.send_all(self.invoices)
        self.assertEqual(wizard.template_id, self.env.ref("account.email_template_edi_invoice"))
        self.assertEqual((wizard.sent_count, wizard.skipped_count), (1, 1))
        self.assertIn("pending", wizard.skipped_list)
        mail = self.mails_for(self.invoices)
        self.assertEqual(len(mail), 1)
        self.assertTrue(mail.attachment_ids, "the template's own report is attached")
        self.customer.email = False
        wizard = self.send_all(self.invoices[0])
        self.assertEqual((wizard.sent_count, wizard.skipped_count), (0, 1))
        self.assertIn("no e-mail address", wizard.skipped_list)

    def test_wrong_template_and_wrong_list(self):
        with self.assertRaisesRegex(UserError, "not made for these documents"):
            self.send_all(self.quotes, template_id=self.env.ref(
                "account.email_template_edi_invoice").id)
        with self.assertRaisesRegex(UserError, "Send all works from"):
            self.env["crm.document.send.all"].with_context(
                active_model="crm.lead", active_ids=self.lead.ids).create({})
