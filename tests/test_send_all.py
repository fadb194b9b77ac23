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
                active_model="res.partner", active_ids=self.customer.ids).create({})


class TestSendAllFromOpportunities(SuiteCase):
    """Send all on a list of opportunities: their quotes, invoices and purchase orders."""

    @classmethod
    def setUpClass(cls):
        # Built once for the class (each test runs in a savepoint).
        super().setUpClass()
        cls.customer.email = "buyer@acme.example.com"
        cls.vendor = cls.env["res.partner"].create({
            "name": "Vendor Co", "supplier": True, "email": "sales@vendor.example.com"})
        items = [(0, 0, {"line_type": "text", "name": "Inspection", "quantity": 1,
                         "price_unit": 300.0})]
        # new_opportunity() only reads the class's fixtures: the class stands for the test.
        cls.alpha = cls.new_opportunity(cls, name="Send Alpha", line_ids=items)
        cls.beta = cls.new_opportunity(cls, name="Send Beta", line_ids=items)
        cls.gamma = cls.new_opportunity(cls, name="Send Gamma", line_ids=items)
        cls.quote = cls.alpha.create_document("quote")
        cls.cancelled = cls.alpha.create_document("quote")
        cls.cancelled.action_cancel()
        cls.invoice = cls.alpha.create_document("invoice")
        cls.invoice.action_invoice_open()
        cls.draft_invoice = cls.beta.create_document("invoice")
        cls.purchase = cls.beta.create_document("purchase", vendor=cls.vendor)
        cls.waiting = cls.beta.create_document("purchase", vendor=cls.vendor)
        cls.waiting.write({"state": "to approve"})
        cls.gamma_quote = cls.gamma.create_document("quote")
        cls.Wizard = cls.env["crm.document.send.all"]

    def wizard(self, leads, domain=None, **values):
        context = {"active_model": "crm.lead", "active_ids": leads.ids}
        if domain is not None:
            context["active_domain"] = domain
        return self.Wizard.with_context(**context).create(values)

    def send(self, wizard, pdf=False):
        """Send; real PDFs (wkhtmltopdf, slow) when asked, else Odoo's test rendering."""
        if not pdf:
            wizard.action_send()
            return wizard
        with tempfile.TemporaryDirectory() as directory, patch.dict(
                odoo.tools.config.options, {"test_report_directory": directory}):
            wizard.action_send()
        return wizard

    def mailed(self):
        """{document: mail.mail} of every document of the three opportunities."""
        documents = (self.quote | self.cancelled | self.gamma_quote, self.invoice |
                     self.draft_invoice, self.purchase | self.waiting)
        result = {}
        for records in documents:
            for mail in self.env["mail.mail"].search([("model", "=", records._name),
                                                      ("res_id", "in", records.ids)]):
                result[records.browse(mail.res_id)] = mail
        return result

    def test_documents_of_the_ticked_opportunities_with_the_skip_rules(self):
        extra = self.env["ir.attachment"].create({
            "name": "conditions.pdf", "datas_fname": "conditions.pdf", "datas": b"JVBERi0="})
        wizard = self.wizard(self.alpha | self.beta, attachment_ids=[(6, 0, extra.ids)])
        self.assertEqual(wizard.res_model, "crm.lead")
        self.assertEqual(wizard.selected_count, 2)
        self.assertEqual(wizard.document_summary, "Quotes: 2, invoices: 2, purchase orders: 2")
        self.assertEqual(
            (wizard.quote_template_id, wizard.invoice_template_id, wizard.purchase_template_id),
            (self.env.ref("sale.email_template_edi_sale"),
             self.env.ref("account.email_template_edi_invoice"),
             self.env.ref("purchase.email_template_edi_purchase")))
        self.send(wizard, pdf=True)
        self.assertEqual((wizard.state, wizard.sent_count, wizard.skipped_count), ("done", 3, 3))
        mailed = self.mailed()
        self.assertEqual(set(mailed), {self.quote, self.invoice, self.purchase})
        self.assertEqual(mailed[self.purchase].email_to or mailed[
            self.purchase].recipient_ids.email, "sales@vendor.example.com")
        for document, mail in mailed.items():
            self.assertEqual(mail.state, "outgoing")
            self.assertIn("conditions.pdf", mail.attachment_ids.mapped("datas_fname"))
            self.assertEqual(len(mail.attachment_ids), 2, "the document's PDF and the extra")
            self.assertIn("(Send all)", document.message_ids[0].body)
        lines = wizard.skipped_list.split("\n")
        self.assertEqual(sorted(lines), sorted([
            "%s (%s): cancelled or rejected" % (self.cancelled.name, self.alpha.reference),
            "%s (%s): pending" % (self.draft_invoice.display_name, self.beta.reference),
            "%s (%s): pending" % (self.waiting.name, self.beta.reference)]))

    def test_kinds_and_templates(self):
        wizard = self.wizard(self.alpha | self.beta, send_invoices=False,
                             send_purchases=False)
        self.assertEqual(wizard.document_summary, "Quotes: 2")
        wizard.quote_template_id = self.env.ref("account.email_template_edi_invoice")
        with self.assertRaisesRegex(UserError, "not made for these documents \\(quotes\\)"):
            self.send(wizard)
        wizard.quote_template_id = False
        with self.assertRaisesRegex(UserError, "template of the quotes"):
            self.send(wizard)
        wizard.quote_template_id = self.env.ref("sale.email_template_edi_sale")
        self.send(wizard)
        self.assertEqual(set(self.mailed()), {self.quote})
        self.assertEqual((wizard.sent_count, wizard.skipped_count), (1, 1))
        nothing = self.wizard(self.alpha, send_quotes=False, send_invoices=False,
                              send_purchases=False)
        self.assertEqual(nothing.document_summary, "None")
        with self.assertRaisesRegex(UserError, "no quote, invoice or purchase order"):
            self.send(nothing)

    def test_whole_filter(self):
        leads = self.alpha | self.beta | self.gamma
        wizard = self.wizard(self.alpha, domain=[("id", "in", leads.ids)], use_domain=True,
                             send_invoices=False, send_purchases=False)
        self.assertEqual((wizard.selected_count, wizard.domain_count), (1, 3))
        self.assertEqual(wizard.domain_label, "All 3 records of the current filter")
        self.assertEqual(wizard.document_summary, "Quotes: 3")
        self.send(wizard)
        self.assertEqual(set(self.mailed()), {self.quote, self.gamma_quote})
        ticked = self.wizard(self.alpha, domain=[("id", "in", leads.ids)],
                             send_invoices=False, send_purchases=False)
        self.assertEqual(ticked.document_summary, "Quotes: 2", "only the ticked opportunity")

    def test_a_rep_sends_the_documents_they_may_read(self):
        self.alpha.user_id = self.rep
        self.beta.user_id = self.other_rep
        for document in (self.quote, self.cancelled, self.invoice, self.draft_invoice):
            document.write({"user_id": document.opportunity_id.user_id.id})
        wizard = self.Wizard.sudo(self.rep).with_context(
            active_model="crm.lead", active_ids=(self.alpha | self.beta).ids).create({})
        self.assertEqual(wizard.document_summary, "Quotes: 2, invoices: 1",
                         "Beta's documents are not the rep's; no purchase rights")
        self.send(wizard)
        self.assertEqual(set(self.mailed()), {self.quote, self.invoice})
