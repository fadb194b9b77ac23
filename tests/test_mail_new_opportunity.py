"""New opportunities from mail (issue 17, point 8): the name without reply/forward prefixes,
the customer a user wrote to (the alias in Bcc), the owner, and forged senders. Real MIME
messages through mail.thread.message_process."""
import email
import os
import unittest

from odoo.exceptions import AccessError

from ..lib.mail_gateway import clean_subject, sender_vouched
from .common import RpcCase

MAIL_DIR = os.path.join(os.path.dirname(__file__), "mail")
SERVER = "mx.crm.example.com"


class TestCleanSubject(unittest.TestCase):

    def test_prefixes_in_english_and_french(self):
        for subject, name in (
                ("TR: Fwd: Roof repair", "Roof repair"),
                ("Re: RE : TR : Réfection de la toiture", "Réfection de la toiture"),
                ("FW: fwd:Roof", "Roof"),
                ("Tr\u00a0: Re\u202f: Devis", "Devis"),
                ("Re[2]: Re(3): RE^2: Quote", "Quote"),
                ("[EXTERNAL] RE: [Ext] TR: Roof", "Roof"),
                ("[EXTERNE] Fwd: [External email] Toit", "Toit"),
                ("  Roof repair  ", "Roof repair"),
                ("Re:", ""),
                (None, ""),
        ):
            self.assertEqual(clean_subject(subject), name, subject)

    def test_words_and_other_tags_are_kept(self):
        for subject in ("Réf : devis 12", "Renovation: roof", "Trade fair: stand",
                        "[Project X] Re: Roof", "Roof (re: quote)", "Fwd quote: roof",
                        "Objet : toiture", "Retour: toiture"):
            self.assertEqual(clean_subject(subject), subject)


class TestSenderVouched(unittest.TestCase):

    def vouched(self, *headers):
        message = email.message_from_string("".join(
            "Authentication-Results: %s\n" % header for header in headers) +
            "From: Rita <rita@example.com>\n\nHi\n")
        return sender_vouched(message, SERVER, "rita@example.com")

    def test_our_server_vouches(self):
        self.assertTrue(self.vouched(SERVER + "; dmarc=pass (p=reject) header.from=example.com"))
        self.assertTrue(self.vouched(SERVER + "; spf=fail smtp.mailfrom=x@other.example; "
                                              "dkim=pass header.d=example.com header.s=k1"))
        self.assertTrue(self.vouched(SERVER + " 1; spf=pass smtp.mailfrom=rita@example.com"))
        self.assertTrue(self.vouched(SERVER + "; dkim=pass header.d=mail.example.com"))

    def test_failures_and_other_servers_do_not(self):
        self.assertFalse(self.vouched())
        self.assertFalse(self.vouched(SERVER + "; dmarc=fail header.from=example.com"))
        self.assertFalse(self.vouched(SERVER + "; dkim=pass header.d=evil.example"))
        self.assertFalse(self.vouched(SERVER + "; spf=pass smtp.mailfrom=a@evil.example"))
        self.assertFalse(self.vouched(SERVER + "; dmarc=pass header.from=evil.example"))
        # Written by the sender (or a server on the way), not by ours.
        self.assertFalse(self.vouched("mx.evil.example; dmarc=pass header.from=example.com"))
        self.assertFalse(self.vouched("mx.crm.example.com.evil.example; dmarc=pass"))


class TestMailNewOpportunity(RpcCase):

    def setUp(self):
        super().setUp()
        Params = self.env["ir.config_parameter"]
        Params.set_param("mail.catchall.domain", "crm.example.com")
        self.contact.email = "ann.buyer@acme.example.com"
        # The alias is this team's, whatever a browser check left in the database.
        self.env["mail.alias"].search([("alias_name", "=", "opportunity")]).write(
            {"alias_name": False})
        self.team.write({"alias_name": "opportunity", "use_leads": False,
                         "use_opportunities": True, "create_sender_contact": True})
        self.Thread = self.env["mail.thread"]

    def process(self, name="sent_to_customer_bcc.eml", headers=(), **values):
        with open(os.path.join(MAIL_DIR, name), encoding="utf-8") as handle:
            text = handle.read()
        for key, value in values.items():
            text = text.replace("{%s}" % key, value)
        text = "".join("%s\n" % header for header in headers) + text
        lead_id = self.Thread.message_process(False, text.encode("utf-8"))
        return self.Lead.browse(lead_id)

    def test_mail_to_a_customer_with_the_alias_in_bcc(self):
        lead = self.process(to="Ann Buyer <ann.buyer@acme.example.com>",
                            cc="Oscar Rep <oscar.rep@example.com>")
        self.assertEqual(lead.name, "Réfection de la toiture", "no TR : nor Fwd:")
        self.assertEqual(lead.partner_id, self.contact, "the recipient, not the rep")
        self.assertEqual(lead.user_id, self.rep, "the rep who wrote owns it")
        self.assertEqual((lead.type, lead.team_id), ("opportunity", self.team))
        message = lead.message_ids.filtered(lambda m: m.message_type == "email")
        self.assertEqual(message.subject, "TR : Fwd: Réfection de la toiture",
                         "the mail itself keeps its subject")
        self.assertEqual(message.author_id, self.rep.partner_id)

    def test_first_external_recipient_wins(self):
        # Our users and the alias domain's addresses are skipped, To before Cc.
        lead = self.process(to="Oscar Rep <oscar.rep@example.com>, "
                               "info@crm.example.com",
                            cc="Ann Buyer <ann.buyer@acme.example.com>, "
                               "Bruno <bruno@client.example.fr>")
        self.assertEqual(lead.partner_id, self.contact)

    def test_unknown_recipient_created_only_when_the_team_asks(self):
        lead = self.process(to="Bruno Client <bruno@client.example.fr>", cc="")
        self.assertEqual((lead.partner_id.name, lead.partner_id.email),
                         ("Bruno Client", "bruno@client.example.fr"))
        self.team.create_sender_contact = False
        lead = self.process(to="Zoe <zoe@client.example.fr>", cc="",
                            headers=["Message-ID: <another@example.com>"])
        self.assertFalse(lead.partner_id, "no contact created, and never the rep")
        self.assertIn("zoe@client.example.fr", lead.email_from)
        self.assertEqual(lead.user_id, self.rep)

    def test_a_user_writing_to_the_alias_alone_is_not_the_customer(self):
        lead = self.process(to="opportunity@crm.example.com", cc="")
        self.assertFalse(lead.partner_id)
        self.assertFalse(lead.email_from)
        self.assertEqual(lead.user_id, self.rep)

    def test_an_external_sender_stays_the_customer(self):
        # A customer writing to someone else with the alias in copy: the customer is linked.
        text = self.eml_text().replace("Rita Rep <rita.rep@example.com>",
                                       "Ann Buyer <ann.buyer@acme.example.com>")
        text = text.replace("{to}", "Bruno <bruno@client.example.fr>").replace("{cc}", "")
        lead = self.Lead.browse(self.Thread.message_process(False, text.encode("utf-8")))
        self.assertEqual(lead.partner_id, self.contact)
        self.assertFalse(lead.user_id)

    def eml_text(self):
        with open(os.path.join(MAIL_DIR, "sent_to_customer_bcc.eml"), encoding="utf-8") as f:
            return f.read()

    def test_nothing_left_of_the_subject(self):
        text = self.eml_text().replace(
            "=?utf-8?q?TR_=3A_Fwd=3A_R=C3=A9fection_de_la_toiture?=", "RE: TR:")
        text = text.replace("{to}", "Ann Buyer <ann.buyer@acme.example.com>").replace(
            "{cc}", "")
        lead = self.Lead.browse(self.Thread.message_process(False, text.encode("utf-8")))
        self.assertEqual(lead.name, "Opportunity from Ann Buyer")
        self.rep.lang = "fr_FR"
        text = text.replace("Message-ID: <", "Message-ID: <fr-")
        lead = self.Lead.browse(self.Thread.message_process(False, text.encode("utf-8")))
        self.assertEqual(lead.name, "Opportunité de Ann Buyer", "in the rep's language")

    def test_forged_user_sender_is_not_trusted_when_the_server_is_known(self):
        self.env["ir.config_parameter"].set_param("crm_opportunity_suite.mail_authserv_id",
                                                  SERVER)
        for number, header in enumerate((
                "", SERVER + "; dmarc=fail (p=none) header.from=example.com",
                "mx.evil.example; dmarc=pass header.from=example.com")):
            headers = ["Message-ID: <forged-%d@example.com>" % number]
            if header:
                headers.append("Authentication-Results: " + header)
            lead = self.process(to="Ann Buyer <ann.buyer@acme.example.com>", cc="",
                                headers=headers)
            self.assertNotEqual(lead.partner_id, self.contact, header)
            self.assertFalse(lead.user_id, "a forged From owns nothing: %s" % header)
        lead = self.process(to="Ann Buyer <ann.buyer@acme.example.com>", cc="", headers=[
            "Authentication-Results: %s; dkim=pass header.d=example.com; "
            "dmarc=pass header.from=example.com" % SERVER])
        self.assertEqual((lead.partner_id, lead.user_id), (self.contact, self.rep))

    def test_forged_user_cannot_write_to_a_drop_address(self):
        self.env["ir.config_parameter"].set_param("crm_opportunity_suite.mail_authserv_id",
                                                  SERVER)
        lead = self.new_opportunity(name="Warehouse roof", user_id=self.rep.id)
        with open(os.path.join(MAIL_DIR, "drop_bcc_from_user.eml"), encoding="utf-8") as f:
            text = f.read().replace("{token}", lead.drop_token)
        self.Thread.message_process(False, text.encode("utf-8"))
        subject = "Our visit on Thursday"
        self.assertFalse(lead.message_ids.filtered(lambda m: m.subject == subject))
        self.assertEqual(self.env["crm.lead.mail.review"].search(
            [("lead_id", "=", lead.id)]).subject, subject, "held for review")
        text = ("Authentication-Results: %s; dmarc=pass header.from=example.com\n" % SERVER +
                text.replace("Message-ID: <", "Message-ID: <vouched-"))
        self.Thread.message_process(False, text.encode("utf-8"))
        self.assertTrue(lead.message_ids.filtered(lambda m: m.subject == subject))

    def test_rpc_client_cannot_claim_a_checked_sender(self):
        # message_new called directly (not through the mail gateway): the From is not known to
        # be checked, so a user's address gives no ownership nor recipient swap.
        self.team.member_ids |= self.demo
        result = self.rpc(self.demo, "crm.lead", "message_new", {
            "from": "Rita Rep <rita.rep@example.com>", "author_id": self.rep.partner_id.id,
            "to": "Ann Buyer <ann.buyer@acme.example.com>", "subject": "Re: Roof",
            "body": "<p>Hi</p>"}, {"team_id": self.team.id, "type": "opportunity"})
        lead = self.Lead.browse(getattr(result, "id", result))
        self.assertEqual(lead.name, "Roof")
        self.assertNotEqual(lead.partner_id, self.contact)
        self.assertNotEqual(lead.user_id, self.rep)

    def test_routes_are_not_processed_over_rpc(self):
        self.theirs = self.new_opportunity(name="Oscar's secret", user_id=self.other_rep.id)
        # Odoo 11's message_route_process runs each route as the user it names: called over
        # RPC, a rep would post on (or create) any record as the superuser.
        before = len(self.theirs.message_ids)
        with self.assertRaises(AccessError):
            self.rpc(self.demo, "mail.thread", "message_route_process", "x",
                     {"body": "<p>Injected</p>", "subject": "Injected",
                      "message_type": "comment", "message_id": "<injected@example.com>"},
                     [["crm.lead", self.theirs.id, {}, 1, None]])
        self.theirs.invalidate_cache()
        self.assertEqual(len(self.theirs.message_ids), before)
