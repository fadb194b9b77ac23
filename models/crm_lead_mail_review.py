import base64

from odoo import _, api, fields, models

from ..lib import guard

# Mail kept for review is stored whole; larger mail bounces instead (system parameter
# crm_opportunity_suite.review_max_bytes).
REVIEW_MAX_BYTES = 10 * 1024 * 1024


class CrmLeadMailReview(models.Model):
    """A mail sent to an opportunity's drop address by someone who is neither a user nor one
    of its contacts, held for a sales manager to accept or reject (when the drop addresses are
    set to "review" rather than "bounce" such mail)."""

    _name = "crm.lead.mail.review"
    _description = "Mail to review"
    _order = "date desc, id desc"

    lead_id = fields.Many2one("crm.lead", string="Opportunity", required=True,
                              ondelete="cascade", index=True)
    email_from = fields.Char(string="From", readonly=True)
    subject = fields.Char(readonly=True)
    date = fields.Datetime(readonly=True)
    body = fields.Html(readonly=True)
    message = fields.Binary(string="Original mail", readonly=True, attachment=True)
    message_name = fields.Char(string="File name", readonly=True)

    @api.multi
    def action_accept(self):
        """Store the mail on its opportunity as if its sender were known."""
        for review in self:
            raw = base64.b64decode(review.message)
            # A flag of the server thread, not a context key: an RPC client sends any context.
            with guard.internal(guard.DROP_ACCEPT):
                self.env["mail.thread"].message_process(
                    "crm.lead", raw, thread_id=review.lead_id.id)
        self.unlink()
        return True

    @api.multi
    def action_reject(self):
        self.unlink()
        return True

    @api.model
    def _max_bytes(self):
        # As superuser: a setting the mail gateway's user may not read.
        value = self.env["ir.config_parameter"].sudo().get_param(
            "crm_opportunity_suite.review_max_bytes")
        try:
            return int(value) if value else REVIEW_MAX_BYTES
        except ValueError:
            return REVIEW_MAX_BYTES

    @staticmethod
    def _raw(message):
        return message.as_bytes() if hasattr(message, "as_bytes") else \
            message.as_string().encode()

    @api.model
    def _fits(self, message):
        """Whether the mail is small enough to be kept for review."""
        return len(self._raw(message)) <= self._max_bytes()

    @api.model
    def _hold(self, lead, message, message_dict):
        raw = self._raw(message)
        if len(raw) > self._max_bytes():
            return self.browse()
        # Created as superuser: the mail gateway's user is not a sales manager, and the
        # review list is the managers' (access list).
        return self.sudo().create({
            "lead_id": lead.id,
            "email_from": message_dict.get("email_from") or message_dict.get("from"),
            "subject": message_dict.get("subject"),
            "date": message_dict.get("date"),
            "body": message_dict.get("body"),
            "message": base64.b64encode(raw),
            "message_name": "%s.eml" % (message_dict.get("subject") or _("mail"))[:60],
        })
