import re
from html import unescape as html_unescape

from odoo import _, api, models, tools

from ...lib import guard, mail_gateway

FORWARDED_FROM = re.compile(r"^\s*(?:>\s*)*(?:From|De)\s*:\s*(.+)$", re.IGNORECASE | re.MULTILINE)


class CrmLeadMailNew(models.Model):
    """A new opportunity from a mail sent, forwarded or blind-copied to a sales team's alias
    (e.g. opportunity@): named after the subject without its Re:/Fwd:/TR: prefixes, linked to
    the external party of the conversation, owned by the user who sent it."""

    _inherit = "crm.lead"

    @api.model
    def message_new(self, msg_dict, custom_values=None):
        """The external party is the sender, unless the sender is one of our users (a From
        that can be trusted, see _mail_sender_trusted): then it is the first recipient (To,
        then Cc) who is neither one of our users nor an address of the alias domain (the user
        wrote to a customer with the alias in Bcc), else the "From:" of the mail the user
        forwarded; that user owns the opportunity if they may own opportunities. The party's
        contact is linked, created when unknown if the team's alias asks for it (otherwise
        the opportunity keeps its address only, as crm does for unknown senders)."""
        custom_values = dict(custom_values or {})
        author = self.env["res.partner"].browse(msg_dict.get("author_id") or [])
        team = self.env["crm.team"].browse(custom_values.get("team_id") or [])
        create = bool(team.create_sender_contact)
        sender = self._mail_internal_sender(author)
        email_from = msg_dict.get("from") or msg_dict.get("email_from") or ""
        values = {}
        if sender:
            party = self._first_external_recipient(msg_dict) or self._forwarded_sender(
                msg_dict.get("body") or "", author)
            # Never the user as the customer: the party, or nobody.
            email_from = party or ""
            author = self._partner_for(party, create=create) if party else \
                self.env["res.partner"]
            values.update({"from": party or False, "author_id": author.id or False})
            if sender.has_group("sales_team.group_sale_salesman"):
                custom_values.setdefault("user_id", sender.id)
        elif not author and email_from and create:
            author = self._partner_for(email_from)
            values["author_id"] = author.id or False
        name = mail_gateway.clean_subject(msg_dict.get("subject"))
        if not name:
            lang = sender.lang or self.env.context.get("lang")
            name = self.with_context(lang=lang)._mail_default_name(
                author.name or (tools.email_split(email_from) or [""])[0])
        values["subject"] = name
        return super().message_new(dict(msg_dict, **values), custom_values=custom_values)

    @api.model
    def _mail_default_name(self, party):
        return _("Opportunity from %(party)s") % {"party": party or _("an unknown sender")}

    @api.model
    def _mail_internal_sender(self, author):
        """The internal user who sent the mail being processed (its author), if its From can
        be trusted."""
        if not author or not guard.allowed(guard.MAIL_SENDER):
            return self.env["res.users"]
        # As superuser: the mail gateway's user may not read users; only whether the author
        # is an internal user, their language and groups are used.
        return self.env["res.users"].sudo().search(
            [("partner_id", "=", author.id), ("share", "=", False)], limit=1)

    @api.model
    def _internal_addresses(self, emails):
        """Of these addresses (lower case), those of our users and of the alias domain."""
        domain = (self.env["ir.config_parameter"].sudo().get_param("mail.catchall.domain") or
                  "").lower()
        internal = {email for email in emails if domain and email.endswith("@" + domain)}
        if emails:
            # Fixed SQL; the addresses are a parameter. Only addresses are returned.
            self.env.cr.execute("""
                SELECT lower(p.email) FROM res_users u JOIN res_partner p ON p.id = u.partner_id
                WHERE u.share IS NOT TRUE AND lower(p.email) IN %s""", (tuple(emails),))
            internal.update(row[0] for row in self.env.cr.fetchall())
        return internal

    @api.model
    def _first_external_recipient(self, msg_dict):
        """The first address of To, then Cc, that is neither one of our users' nor of the
        alias domain (the alias, drop addresses), with its name: "Name <address>"."""
        recipients = tools.email_split_and_format(
            ",".join(msg_dict.get(key) or "" for key in ("to", "cc")))
        parsed = [self.env["res.partner"]._parse_partner_name(recipient)
                  for recipient in recipients]
        internal = self._internal_addresses([email.lower() for _name, email in parsed
                                             if email])
        for name, email in parsed:
            if email and email.lower() not in internal:
                return "%s <%s>" % (name, email) if name and name != email else email
        return False

    @api.model
    def _forwarded_sender(self, body, forwarder):
        """The "From:" of the mail a user forwarded (in the forwarded part of the body), if it
        is not one of our users."""
        # Not html2plaintext: it drops "<name@domain>" of a plain-text mail as an HTML tag.
        text = re.sub(r"<(?:br|/p|/div|/li|/tr)\b[^>]*>", "\n", body, flags=re.IGNORECASE)
        text = html_unescape(re.sub(r"<[^>@]*>", "", text))
        for line in FORWARDED_FROM.findall(text):
            name, email = self.env["res.partner"]._parse_partner_name(line.strip())
            if not email or (forwarder.email and forwarder.email.lower() == email.lower()) or \
                    self._internal_addresses([email.lower()]):
                continue
            return "%s <%s>" % (name, email) if name and name != email else email
        return False

    @api.model
    def _partner_for(self, email_from, create=True):
        """The contact with this e-mail address, created when unknown (if asked to)."""
        emails = tools.email_split(email_from)
        if not emails:
            return self.env["res.partner"]
        # Fixed SQL; the address is a parameter.
        self.env.cr.execute("SELECT id FROM res_partner WHERE lower(email) = %s AND active "
                            "ORDER BY id LIMIT 1", (emails[0].lower(),))
        row = self.env.cr.fetchone()
        if row:
            return self.env["res.partner"].browse(row[0])
        if not create:
            return self.env["res.partner"]
        name, email = self.env["res.partner"]._parse_partner_name(email_from)
        # As superuser: the mail gateway's user may not create contacts; only the sender's
        # name and address are set. Over RPC (message_new), a user who may not create the
        # opportunity is refused after this, and the contact is rolled back with it.
        return self.env["res.partner"].sudo().create({"name": name or email, "email": email})
