import secrets
from html import escape as html_escape

from odoo import _, api, fields, models, tools

from ...lib import guard, mail_gateway
from .chatter import NOTES_BATCH

# Drop address tokens: random (secrets), not derived from the ID; no look-alike characters.
# 32 characters, 20 of them: 100 bits.
TOKEN_CHARS = "abcdefghijkmnpqrstuvwxyz23456789"
TOKEN_LENGTH = 20
AUTOMATIC_SENDERS = ("mailer-daemon", "postmaster", "noreply", "no-reply", "donotreply",
                     "do-not-reply")


def is_automatic_mail(message, email_from):
    """Whether a mail was sent by a machine (auto-reply, bounce, mailing list): such mail is
    never answered with a bounce, which would loop or hit a forged sender (RFC 3834)."""
    auto_submitted = (message.get("Auto-Submitted") or "no").strip().lower()
    precedence = (message.get("Precedence") or "").strip().lower()
    if auto_submitted != "no" or precedence in ("bulk", "junk", "list", "auto_reply"):
        return True
    if message.get("X-Autoreply") or message.get("X-Autorespond") or \
            message.get("X-Auto-Response-Suppress") or message.get("List-Id"):
        return True
    if (message.get("Return-Path") or "").strip() == "<>":
        return True
    addresses = tools.email_split(email_from or "")
    return not addresses or addresses[0].split("@")[0].lower() in AUTOMATIC_SENDERS


class CrmLeadDropAddress(models.Model):
    """Mail: each opportunity's drop address (mail sent, forwarded or copied to it is stored
    on the opportunity); whether the sender of a mail is one of our users."""

    _inherit = "crm.lead"

    # Indexed by its unique constraint (a second index only made every write slower).
    drop_token = fields.Char(string="Drop address token", copy=False, readonly=True)
    drop_address = fields.Char(
        compute="_compute_drop_address", string="Drop address",
        help="Mail sent, forwarded or copied (Bcc) to this address is stored on the "
             "opportunity, with its attachments.")

    _sql_constraints = [
        ("drop_token_uniq", "unique (drop_token)", "Two opportunities cannot share a drop address."),
    ]

    def _compute_drop_address(self):
        # As superuser: settings users may not read; only the address built from them is shown.
        params = self.env["ir.config_parameter"].sudo()
        alias = params.get_param("crm_opportunity_suite.drop_alias") or "opportunity"
        domain = params.get_param("mail.catchall.domain")
        for lead in self:
            lead.drop_address = lead.drop_token and domain and "%s+%s@%s" % (
                alias, lead.drop_token, domain)

    @staticmethod
    def _new_drop_token():
        return "".join(secrets.choice(TOKEN_CHARS) for _index in range(TOKEN_LENGTH))

    @api.model_cr
    def init(self):
        result = super().init()
        # Opportunities without a drop token, or with a token of an earlier version (shorter:
        # md5(random()) at install, 60 bits later): a new cryptographic token each. Their old
        # drop addresses stop working, which is the point.
        cr = self.env.cr
        # Fixed SQL; values are parameters.
        cr.execute("SELECT id FROM crm_lead WHERE drop_token IS NULL OR length(drop_token) < %s",
                   (TOKEN_LENGTH,))
        ids = [row[0] for row in cr.fetchall()]
        # Rows per UPDATE: as many as the notes inserted at once.
        for chunk in range(0, len(ids), NOTES_BATCH):
            part = ids[chunk:chunk + NOTES_BATCH]
            # Only the number of row placeholders is formatted in; ids and tokens are parameters.
            # None of write()'s side effects is wanted: no user changed the opportunities (no
            # write date), nothing depends on the token, the cache is empty at module loading.
            cr.execute("UPDATE crm_lead SET drop_token = v.token FROM (VALUES %s) AS v(id, token) "
                       "WHERE crm_lead.id = v.id" % ",".join(["(%s, %s)"] * len(part)),
                       [value for lead_id in part for value in (lead_id,
                                                                self._new_drop_token())])
        return result

    @api.model
    def create(self, vals):
        return super().create(dict(vals, drop_token=self._new_drop_token()))

    @api.model
    def _drop_address_routes(self, message, message_dict):
        """Routes of a mail sent to drop addresses, or None when it is sent to none. An
        unknown token bounces; a sender who is neither a user nor one of the opportunity's
        contacts bounces or waits in the review list (setting)."""
        # As superuser: settings the mail gateway's user may not read.
        params = self.env["ir.config_parameter"].sudo()
        alias = (params.get_param("crm_opportunity_suite.drop_alias") or "opportunity").lower()
        recipients = ",".join(tools.decode_message_header(message, header) for header in (
            "Delivered-To", "To", "Cc", "Resent-To", "Resent-Cc"))
        tokens = []
        for address in tools.email_split(recipients):
            local = address.split("@")[0].lower()
            if local.startswith(alias + "+") and len(local) > len(alias) + 1:
                tokens.append(local[len(alias) + 1:])
        if not tokens:
            return None
        Thread = self.env["mail.thread"]
        email_from = tools.decode_message_header(message, "From")
        # Looked up as superuser: the mail gateway's user may not see the opportunity (its
        # token is the secret that grants the right to write to it).
        leads = self.sudo().with_context(active_test=False).search([("drop_token", "in", tokens)])
        automatic = is_automatic_mail(message, email_from)
        if not leads:
            if automatic:  # never answer an auto-reply or a bounce: mail loops, backscatter
                return []
            Thread._routing_create_bounce_email(email_from, _(
                "<p>Your mail was not delivered: %s is not the address of an opportunity.</p>")
                % html_escape(", ".join("%s+%s" % (alias, token) for token in tokens)), message)
            return []
        policy = params.get_param("crm_opportunity_suite.drop_unknown_sender") or "review"
        trusted = self._mail_sender_trusted(message)
        routes = []
        for lead in leads:
            if not guard.allowed(guard.DROP_ACCEPT) and \
                    not lead._drop_sender_allowed(email_from, trusted):
                if automatic:
                    continue
                if policy == "bounce" or not self.env["crm.lead.mail.review"]._fits(message):
                    Thread._routing_create_bounce_email(email_from, _(
                        "<p>Your mail was not delivered: only our users and the contacts of "
                        "this opportunity may write to this address.</p>"), message)
                else:
                    self.env["crm.lead.mail.review"]._hold(lead, message, message_dict)
                continue
            route = Thread.message_route_verify(
                message, message_dict, ("crm.lead", lead.id, {}, self.env.uid, None),
                update_author=True, assert_model=True, create_fallback=False)
            if route:
                routes.append(route)
        return routes

    def _drop_sender_allowed(self, email_from, trusted=True):
        """Whether mail from this sender may be stored on the opportunity: one of our users
        (when the From of the mail can be ``trusted``: see _mail_sender_trusted), or one of
        its contacts (customer, its people, the contact person, the lead's e-mail)."""
        self.ensure_one()
        emails = [email.lower() for email in tools.email_split(email_from)]
        if not emails:
            return False
        # Whole addresses compared: "b@x.com" is not "bob@x.com".
        lead_emails = {email.lower() for email in tools.email_split(self.email_from or "")}
        if lead_emails.intersection(emails):
            return True
        # Fixed SQL; the addresses are a parameter. As superuser below: the partners and users
        # found are only compared with the sender; nothing of them is returned.
        self.env.cr.execute("SELECT id FROM res_partner WHERE lower(email) IN %s",
                            (tuple(emails),))
        partners = self.env["res.partner"].sudo().browse([row[0] for row in
                                                          self.env.cr.fetchall()])
        if trusted and self.env["res.users"].sudo().search_count(
                [("partner_id", "in", partners.ids), ("share", "=", False)]):
            return True
        customer = self.partner_id.commercial_partner_id
        return any(partner == self.contact_id or (
            customer and partner.commercial_partner_id == customer) for partner in partners)

    @api.model
    def _mail_sender_trusted(self, message):
        """Whether the From of a mail (``email.message.Message``) may be taken at its word to
        recognise one of our users. Anyone can write any From: with the system parameter
        ``crm_opportunity_suite.mail_authserv_id`` set to our mail server's authserv-id, only a
        mail that server found vouched for by the sender's domain (its Authentication-Results
        header: DMARC, aligned DKIM or SPF) counts as our user's. Without it, the From is
        trusted, as Odoo does: the mail server must refuse forged mail (SPF, DKIM, DMARC)."""
        # As superuser: a setting the mail gateway's user may not read.
        server = self.env["ir.config_parameter"].sudo().get_param(
            "crm_opportunity_suite.mail_authserv_id")
        if not server:
            return True
        addresses = tools.email_split(tools.decode_message_header(message, "From"))
        return bool(addresses) and mail_gateway.sender_vouched(message, server, addresses[0])
