import os
from unittest.mock import patch

from odoo.exceptions import UserError, ValidationError

from .common import SuiteTransactionCase

MAIL_DIR = os.path.join(os.path.dirname(__file__), "mail")


class TestCommunication(SuiteTransactionCase):

    def setUp(self):
        super().setUp()
        Params = self.env["ir.config_parameter"]
        Params.set_param("mail.catchall.domain", "crm.example.com")
        Params.set_param("crm_opportunity_suite.drop_alias", "opportunity")
        self.contact.email = "ann.buyer@acme.example.com"
        # The "opportunity" alias is the test team's, whatever a browser check left behind.
        self.env["mail.alias"].search([("alias_name", "=", "opportunity")]).write(
            {"alias_name": False})
        self.lead = self.new_opportunity(name="Warehouse roof", contact_id=self.contact.id,
                                         user_id=self.rep.id)
        self.Thread = self.env["mail.thread"]

    def eml(self, name, **values):
        with open(os.path.join(MAIL_DIR, name), encoding="utf-8") as handle:
            text = handle.read()
        for key, value in values.items():
            text = text.replace("{%s}" % key, value)
        return text.encode("utf-8")

    def process(self, name, again=False, **values):
        content = self.eml(name, **values)
        if again:  # a new mail, not the same one received twice (same Message-ID)
            content = content.replace(b"Message-ID: <", b"Message-ID: <again-")
        return self.Thread.message_process(False, content)

    def process_bounced(self, name, again=False, **values):
        """Process a mail; the bodies of the bounces it caused."""
        with patch.object(type(self.Thread), "_routing_create_bounce_email") as bounce:
            self.process(name, again=again, **values)
        return [call[0][1] for call in bounce.call_args_list]

    def test_drop_address(self):
        token = self.lead.drop_token
        self.assertEqual(len(token), 20)
        self.assertNotIn(str(self.lead.id), token)
        self.assertEqual(self.lead.drop_address, "opportunity+%s@crm.example.com" % token)
        other = self.new_opportunity(name="Other")
        self.assertNotEqual(other.drop_token, token)
        self.assertFalse(self.lead.copy().drop_token == token)

    def test_mail_from_a_contact_is_stored_with_attachments(self):
        self.process("drop_from_customer.eml", token=self.lead.drop_token)
        message = self.lead.message_ids.filtered(
            lambda m: m.subject == "Roof plans for the warehouse")
        self.assertEqual(len(message), 1)
        self.assertEqual(message.author_id, self.contact)
        self.assertIn("Élodie will join", message.body)
        self.assertEqual(message.attachment_ids.mapped("name"), ["roof-plans.pdf"])
        self.assertEqual(message.attachment_ids.res_model, "crm.lead")

    def test_bcc_from_a_user(self):
        # Only the mail server's Delivered-To names the drop address (it was in Bcc).
        self.process("drop_bcc_from_user.eml", token=self.lead.drop_token.upper())
        self.assertTrue(self.lead.message_ids.filtered(
            lambda m: m.subject == "Our visit on Thursday"))

    def test_wrong_token_bounces_and_stores_nothing(self):
        before = self.env["mail.message"].search_count([])
        bounces = self.process_bounced("drop_from_customer.eml", token="zzzzzzzzzzzz")
        self.assertEqual(self.env["mail.message"].search_count([("model", "=", "crm.lead"),
                                                                ("res_id", "=", self.lead.id),
                                                                ("subject", "like", "Roof")]), 0)
        self.assertEqual(len(bounces), 1)
        self.assertIn("is not the address of an opportunity", bounces[0])
        self.assertFalse(self.env["mail.message"].search(
            [("subject", "=", "Roof plans for the warehouse"), ("id", ">", before)]).filtered(
            lambda m: m.model))

    def test_unknown_sender_review_or_bounce(self):
        self.process("drop_from_stranger.eml", token=self.lead.drop_token)
        self.assertFalse(self.lead.message_ids.filtered(
            lambda m: m.subject == "Best prices on tiles"))
        review = self.env["crm.lead.mail.review"].search([("lead_id", "=", self.lead.id)])
        self.assertEqual(review.subject, "Best prices on tiles")
        review.action_accept()
        self.assertTrue(self.lead.message_ids.filtered(
            lambda m: m.subject == "Best prices on tiles"))
        self.assertFalse(review.exists())
        self.env["ir.config_parameter"].set_param(
            "crm_opportunity_suite.drop_unknown_sender", "bounce")
        bounces = self.process_bounced("drop_from_stranger.eml", again=True,
                                       token=self.lead.drop_token)
        self.assertEqual(len(bounces), 1)
        self.assertIn("only our users", bounces[0])
        self.assertFalse(self.env["crm.lead.mail.review"].search([]))

    def test_new_opportunity_from_mail(self):
        team = self.team
        team.write({"alias_name": "opportunity", "use_leads": False,
                    "use_opportunities": True, "create_sender_contact": True})
        self.process("new_request.eml")
        lead = self.Lead.search([("name", "=", "Insulation of the laboratory")])
        self.assertEqual((lead.type, lead.team_id), ("opportunity", team))
        self.assertEqual(lead.partner_id.email, "marie.curie@labo.example.org")
        self.assertEqual(lead.partner_id.name, "Marie Curie", "created as a contact")

    def test_forwarded_mail_links_the_customer_not_the_user(self):
        self.team.write({"alias_name": "opportunity", "use_leads": False,
                         "use_opportunities": True, "create_sender_contact": True})
        self.process("forwarded_request.eml")
        lead = self.Lead.search([("name", "=", "New roof for the Lyon depot")])
        self.assertEqual(len(lead), 1, "named after the subject without its Fwd:")
        self.assertEqual(lead.user_id, self.rep, "owned by the rep who forwarded it")
        self.assertEqual(lead.partner_id.email, "paul.lefevre@depot-lyon.example.fr")
        self.assertEqual(lead.partner_id.name, "Paul Lefèvre")
        self.assertNotEqual(lead.partner_id, self.rep.partner_id)

    def test_link_a_contact_mail_to_an_opportunity(self):
        message = self.contact.message_post(body="<p>Can we move the visit?</p>",
                                            subject="Visit", message_type="email")
        wizard = self.env["crm.message.link"].with_context(
            active_model="res.partner", active_id=self.contact.id).create(
            {"message_id": message.id, "lead_id": self.lead.id})
        wizard.action_link()
        linked = self.lead.message_ids.filtered(lambda m: m.cos_linked_from_id == message)
        self.assertEqual(linked.body, message.body)
        with self.assertRaisesRegex(UserError, "already linked"):
            self.lead.link_message(message)
        stranger = self.env["res.partner"].create({"name": "Stranger"})
        other = stranger.message_post(body="Hi", message_type="email")
        with self.assertRaisesRegex(UserError, "one of the opportunity's contacts"):
            self.lead.link_message(other)

    def test_log_activity_counted_per_type_and_user(self):
        call = self.env.ref("mail.mail_activity_data_call")
        note = self.env.ref("crm_opportunity_suite.mail_activity_data_note")
        for activity_type in (call, call, note):
            self.env["crm.lead.activity.log"].sudo(self.rep).with_context(
                active_model="crm.lead", active_id=self.lead.id).create(
                {"activity_type_id": activity_type.id, "summary": "Spoke to Ann"}).action_log()
        groups = self.env["crm.activity.report"].read_group(
            [("lead_id", "=", self.lead.id)], ["mail_activity_type_id", "author_id"],
            ["mail_activity_type_id", "author_id"], lazy=False)
        counts = {(g["mail_activity_type_id"][0], g["author_id"][0]): g["__count"]
                  for g in groups}
        self.assertEqual(counts, {(call.id, self.rep.partner_id.id): 2,
                                  (note.id, self.rep.partner_id.id): 1})

    def test_note_with_tags_mention_and_recurring_reminder(self):
        tag = self.env["crm.note.tag"].create({"name": "T-Site survey"})
        self.env["crm.lead.note"].with_context(
            active_model="crm.lead", active_id=self.lead.id).create({
                "body": "<p>Check the roof slope</p>", "tag_ids": [(6, 0, tag.ids)],
                "partner_ids": [(6, 0, self.other_rep.partner_id.ids)],
                "remind_date": "2027-01-31", "remind_user_id": self.rep.id,
                "recurrence_interval": 1, "recurrence_unit": "months"}).action_add()
        note = self.lead.message_ids.filtered(lambda m: "Check the roof slope" in m.body)
        self.assertEqual(note.cos_note_tag_ids, tag)
        self.assertIn(self.other_rep.partner_id, note.partner_ids)
        tagged = self.env["mail.message"].search([("cos_note_tag_ids", "in", tag.ids)])
        self.assertEqual(tagged, note)
        reminder = self.lead.activity_ids
        self.assertEqual((reminder.user_id, reminder.date_deadline), (self.rep, "2027-01-31"))
        reminder.action_feedback()
        self.assertEqual(self.lead.activity_ids.date_deadline, "2027-02-28")

    def test_generated_links(self):
        self.env["crm.lead.custom.field"].create({"name": "Site", "field_type": "char"})
        self.lead.write({"name": "Toit & façade #2", "x_cos_site": "Lyon Part-Dieu"})
        template = self.env["crm.link.template"].create({
            "name": "New quote",
            "url": "https://quotes.example/new?title={name}&ref={reference}&site={Site}"
                   "&who={owner}"})
        url = template._render(self.lead)
        self.assertEqual(url, "https://quotes.example/new?title=Toit%20%26%20fa%C3%A7ade%20%232"
                              "&ref=" + self.lead.reference + "&site=Lyon%20Part-Dieu"
                              "&who=Rita%20Rep")
        self.assertIn('href="%s"' % url.replace("&", "&amp;"), self.lead.link_html)
        with self.assertRaisesRegex(ValidationError, "Unknown placeholders.*\\{nope\\}"):
            template.url = "https://quotes.example/?x={nope}"
        for bad in ("javascript:alert(1)//{name}", "{name}", "ftp://files.example/{name}",
                    "https://{name}"):
            with self.assertRaisesRegex(ValidationError, "http:// or https://"):
                template.url = bad
