import re
import secrets
from html import escape as html_escape, unescape as html_unescape

from odoo import _, api, fields, models, tools

from .chatter import NOTES_BATCH

# Drop address tokens: random (secrets), not derived from the ID; no look-alike characters.
# 32 characters, 20 of them: 100 bits.
TOKEN_CHARS = "abcdefghijkmnpqrstuvwxyz23456789"
TOKEN_LENGTH = 20
FORWARDED_FROM = re.compile(r"^\s*(?:>\s*)*(?:From|De)\s*:\s*(.+)$", re.IGNORECASE | re.MULTILINE)
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
    on the opportunity) and new opportunities from a sales team's alias."""

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
        routes = []
        for lead in leads:
            if not self.env.context.get("cos_drop_accept") and \
                    not lead._drop_sender_allowed(email_from):
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

    def _drop_sender_allowed(self, email_from):
        """Whether mail from this sender may be stored on the opportunity: one of our users,
        or one of its contacts (customer, its people, the contact person, the lead's
        e-mail)."""
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
        if self.env["res.users"].sudo().search_count(
                [("partner_id", "in", partners.ids), ("share", "=", False)]):
            return True
        customer = self.partner_id.commercial_partner_id
        return any(partner == self.contact_id or (
            customer and partner.commercial_partner_id == customer) for partner in partners)

    @api.model
    def message_new(self, msg_dict, custom_values=None):
        """A new opportunity from a mail (a sales team's alias, e.g. opportunity@): linked to
        the external party of the conversation, created as a contact when unknown. A user
        forwarding a customer's mail links the customer, not the user."""
        author = self.env["res.partner"].browse(msg_dict.get("author_id") or [])
        email_from = msg_dict.get("from") or msg_dict.get("email_from") or ""
        # As superuser: only whether the author is an internal user is used.
        is_user = bool(author and self.env["res.users"].sudo().search_count(
            [("partner_id", "=", author.id), ("share", "=", False)]))
        if is_user:
            original = self._forwarded_sender(msg_dict.get("body") or "", author)
            if original:
                email_from = original
                author = self.env["res.partner"].browse()
        # Through the alias of a sales team that asks for it (the alias defaults name the
        # team): the external party is created as a contact when unknown. Otherwise crm's
        # behaviour: no partner created.
        team = self.env["crm.team"].browse((custom_values or {}).get("team_id") or [])
        if not author and email_from and team.create_sender_contact:
            author = self._partner_for(email_from)
        if author:
            msg_dict = dict(msg_dict, author_id=author.id, **({"from": email_from}
                                                              if is_user else {}))
        return super().message_new(msg_dict, custom_values=custom_values)

    @api.model
    def _forwarded_sender(self, body, forwarder):
        """The "From:" of the mail a user forwarded (in the forwarded part of the body), if it
        is not the user."""
        # Not html2plaintext: it drops "<name@domain>" of a plain-text mail as an HTML tag.
        text = re.sub(r"<(?:br|/p|/div|/li|/tr)\b[^>]*>", "\n", body, flags=re.IGNORECASE)
        text = html_unescape(re.sub(r"<[^>@]*>", "", text))
        for line in FORWARDED_FROM.findall(text):
            name, email = self.env["res.partner"]._parse_partner_name(line.strip())
            if not email or (forwarder.email and forwarder.email.lower() == email.lower()):
                continue
            return "%s <%s>" % (name, email) if name and name != email else email
        return False

    @api.model
    def _partner_for(self, email_from):
        """The contact with this e-mail address, created when unknown."""
        emails = tools.email_split(email_from)
        if not emails:
            return self.env["res.partner"]
        # Fixed SQL; the address is a parameter.
        self.env.cr.execute("SELECT id FROM res_partner WHERE lower(email) = %s AND active "
                            "ORDER BY id LIMIT 1", (emails[0].lower(),))
        row = self.env.cr.fetchone()
        if row:
            return self.env["res.partner"].browse(row[0])
        name, email = self.env["res.partner"]._parse_partner_name(email_from)
        # As superuser: the mail gateway's user may not create contacts; only the sender's
        # name and address are set. Over RPC (message_new), a user who may not create the
        # opportunity is refused after this, and the contact is rolled back with it.
        return self.env["res.partner"].sudo().create({"name": name or email, "email": email})
