"""A hostile client: each promise of the README driven over authenticated RPC as the demo
sales user (a rep), a plain employee or a manager, asserting the refusal and that nothing
changed (documents, custom fields, files, the mail gateway)."""
import base64
import tracemalloc
import zipfile
from unittest.mock import patch

from odoo.exceptions import AccessError, UserError

from .common import SecurityCase


class TestDocumentsAndFilesOverRpc(SecurityCase):
    """Points 6, 7, 9 and 12."""

    def setUp(self):
        super().setUp()
        self.mine.write({"line_ids": [(0, 0, {"line_type": "text", "name": "Inspection",
                                              "price_unit": 300.0})]})
        self.customer.email = "buyer@acme.example.com"

    def test_send_all_refuses_foreign_attachments(self):
        secret = self.env["ir.attachment"].create({
            "name": "salaries.pdf", "datas_fname": "salaries.pdf", "datas": b"U0VDUkVU",
            "res_model": "crm.lead", "res_id": self.theirs.id})
        orphan = self.env["ir.attachment"].create({
            "name": "orphan.pdf", "datas_fname": "orphan.pdf", "datas": b"U0VDUkVU"})
        quote = self.mine.create_document("quote")
        mails = self.env["mail.mail"].search_count([])
        template = self.env.ref("sale.email_template_edi_sale")
        for attachment in (secret, orphan):
            wizard = self.rpc(self.demo, "crm.document.send.all", "create", {
                "template_id": template.id, "attachment_ids": [(6, 0, attachment.ids)]},
                context={"active_model": "sale.order", "active_ids": quote.ids})
            with self.assertRaises(AccessError):
                self.rpc(self.demo, "crm.document.send.all", "action_send", [wizard],
                         context={"active_model": "sale.order", "active_ids": quote.ids})
        self.assertEqual(self.env["mail.mail"].search_count([]), mails)

    def test_sent_documents_stay_locked(self):
        quote = self.mine.create_document("quote")
        quote.action_mark_sent()
        sent = quote.cos_sent_date
        for user in (self.demo, self.env.ref("base.user_root")):
            with self.assertRaises(AccessError):
                self.rpc(user, "sale.order", "write", quote.ids, {"cos_sent_date": False})
        self.env.clear()
        self.assertEqual(quote.cos_sent_date, sent)
        with self.assertRaises(AccessError):
            self.rpc(self.demo, "sale.order", "create", {
                "partner_id": self.customer.id, "cos_sent_date": "2020-01-01"})

    def test_draft_invoice_is_validated_before_being_marked_sent(self):
        invoice = self.mine.create_document("invoice")
        with self.assertRaises(UserError):
            invoice.action_mark_sent()
        self.assertFalse(invoice.cos_sent_date)
        invoice.action_invoice_open()
        invoice.action_mark_sent()
        self.assertEqual(invoice.state, "open")
        self.assertTrue(invoice.cos_sent_date)

    def test_custom_field_definition_cannot_point_elsewhere(self):
        definition = self.env["crm.lead.custom.field"].create(
            {"name": "Roof type", "field_type": "char"})
        partner_field = self.env["ir.model.fields"].search(
            [("model", "=", "res.partner"), ("name", "=", "comment")])
        self.set_password(self.manager, "cos-manager")
        for vals in ({"field_name": "comment"}, {"field_id": partner_field.id}):
            with self.assertRaises(AccessError):
                self.rpc(self.manager, "crm.lead.custom.field", "write", definition.ids, vals)
        with self.assertRaises(AccessError):
            self.rpc(self.manager, "crm.lead.custom.field", "create",
                     {"name": "Sneaky", "field_type": "char", "field_id": partner_field.id})
        self.env.clear()
        self.assertEqual((definition.field_name, definition.field_id.model),
                         ("x_cos_roof_type", "crm.lead"))
        # Pointed elsewhere in the database all the same: removal and sync refuse to act.
        self.env.cr.execute("UPDATE crm_lead_custom_field SET field_id = %s WHERE id = %s",
                            (partner_field.id, definition.id))
        definition.invalidate_cache()
        self.env["crm.lead.custom.field"].clear_caches()
        with self.assertRaises(UserError):
            self.rpc(self.manager, "crm.lead.custom.field", "unlink", definition.ids)
        with self.assertRaises(UserError):
            self.rpc(self.manager, "crm.lead.custom.field", "write", definition.ids,
                     {"name": "Renamed"})
        self.assertTrue(partner_field.exists())
        self.assertNotIn("x_cos_roof_type", self.env["crm.lead.custom.field"]._field_names())

    def test_download_all_streams_and_names_are_safe(self):
        for name in ("..\\..\\evil.exe", "../up.txt", "bell\x07\nname.pdf"):
            self.env["ir.attachment"].create({
                "name": name, "datas_fname": name, "datas": base64.b64encode(b"x"),
                "res_model": "crm.lead", "res_id": self.mine.id})
        _name, handle = self.mine.sudo(self.demo)._attachments_zip()
        names = zipfile.ZipFile(handle).namelist()
        self.assertEqual(len(names), 3)
        for name in names:
            self.assertNotIn("/", name)
            self.assertNotIn("\\", name)
            self.assertNotIn("..", name)
            self.assertFalse(any(ord(char) < 32 for char in name), name)

    def test_download_all_reads_one_file_at_a_time(self):
        chunk = bytes(range(256)) * (4 * 1024 * 4)  # 4 MB each
        for index in range(8):
            self.env["ir.attachment"].create({
                "name": "scan%d.bin" % index, "datas": base64.b64encode(chunk + bytes([index])),
                "res_model": "crm.lead", "res_id": self.mine.id})
        self.mine.invalidate_cache()
        self.env["ir.attachment"].invalidate_cache()
        tracemalloc.start()
        try:
            _name, handle = self.mine.sudo(self.demo)._attachments_zip()
            _current, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        self.assertEqual(len(zipfile.ZipFile(handle).namelist()), 8)
        # 32 MB of files (43 MB in base64): the zip is built without holding them.
        self.assertLess(peak, 12 * 1024 * 1024, "peak %d bytes" % peak)


class TestMailGateway(SecurityCase):
    """Point 11."""

    def setUp(self):
        super().setUp()
        self.env["ir.config_parameter"].set_param("mail.catchall.domain", "crm.example.com")
        self.Thread = self.env["mail.thread"]

    def mail(self, token, sender="Someone <someone@elsewhere.example>", headers="",
             body="Hello"):
        return ("Return-Path: <x@elsewhere.example>\r\nFrom: %s\r\n"
                "To: opportunity+%s@crm.example.com\r\nSubject: Hi\r\n"
                "Message-ID: <%s-%s@elsewhere.example>\r\n%s"
                "Content-Type: text/plain\r\n\r\n%s\r\n" % (
                    sender, token, token, abs(hash(headers + body)), headers, body)).encode()

    def bounces(self, content):
        with patch.object(type(self.Thread), "_routing_create_bounce_email") as bounce:
            self.Thread.message_process(False, content)
        return bounce.call_count

    def test_sender_is_compared_whole(self):
        self.mine.email_from = "bob@x.example"
        self.assertFalse(self.mine._drop_sender_allowed("b@x.example"))
        self.assertFalse(self.mine._drop_sender_allowed("ob@x.example"))
        self.assertTrue(self.mine._drop_sender_allowed("Bob <BOB@x.example>"))

    def test_no_bounce_to_machines(self):
        self.assertEqual(self.bounces(self.mail("nosuchtoken")), 1, "a person gets one")
        for sender, headers in (
                ("Auto <someone@elsewhere.example>", "Auto-Submitted: auto-replied\r\n"),
                ("List <someone@elsewhere.example>", "Precedence: bulk\r\n"),
                ("MAILER-DAEMON@elsewhere.example", ""),
                ("Ooo <someone@elsewhere.example>", "X-Autoreply: yes\r\n")):
            self.assertEqual(self.bounces(self.mail("nosuchtoken", sender, headers)), 0,
                             (sender, headers))
        self.env["ir.config_parameter"].set_param(
            "crm_opportunity_suite.drop_unknown_sender", "bounce")
        self.assertEqual(self.bounces(self.mail(self.mine.drop_token, headers=(
            "Auto-Submitted: auto-replied\r\n"))), 0)

    def test_review_keeps_no_huge_mail(self):
        self.env["ir.config_parameter"].set_param("crm_opportunity_suite.review_max_bytes",
                                                  "2000")
        Review = self.env["crm.lead.mail.review"]
        self.Thread.message_process(False, self.mail(self.mine.drop_token, body="small"))
        self.assertEqual(Review.search_count([("lead_id", "=", self.mine.id)]), 1)
        self.assertEqual(self.bounces(self.mail(self.mine.drop_token, body="x" * 5000)), 1)
        self.assertEqual(Review.search_count([("lead_id", "=", self.mine.id)]), 1)

    def test_tokens_are_long_and_old_ones_replaced(self):
        self.assertGreaterEqual(len(self.mine.drop_token), 20)  # 32 symbols: 100 bits
        self.env.cr.execute("UPDATE crm_lead SET drop_token = 'abc123' WHERE id = %s",
                            (self.mine.id,))
        self.Lead.init()
        self.mine.invalidate_cache()
        self.assertEqual(len(self.mine.drop_token), 20)
        self.assertNotEqual(self.mine.drop_token, self.mine2.drop_token)

    def test_rpc_context_cannot_accept_a_stranger(self):
        # Accepting a held mail is the review's own action (a flag of the server thread):
        # a client that knows the drop token and sends the old context key gets it held.
        content = self.mail(self.mine.drop_token, body="Cheap tiles").decode()
        self.rpc(self.demo, "mail.thread", "message_process", False, content,
                 context={"cos_drop_accept": True})
        self.mine.invalidate_cache()
        self.assertFalse(self.mine.message_ids.filtered(lambda m: "Cheap tiles" in (m.body or "")))
        review = self.env["crm.lead.mail.review"].search([("lead_id", "=", self.mine.id)])
        self.assertEqual(len(review), 1, "held for review")
        review.action_accept()
        self.mine.invalidate_cache()
        self.assertTrue(self.mine.message_ids.filtered(lambda m: "Cheap tiles" in (m.body or "")))
