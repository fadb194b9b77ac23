from html import escape as html_escape

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from ..lib import guard


class CrmOpportunityDocument(models.AbstractModel):
    """What quotes, customer invoices and purchase orders share as documents of an
    opportunity: the link to it and to one of its missions, "Mark sent to customer" and the
    lock that follows (a sent document is duplicated, not edited)."""

    _name = "crm.opportunity.document"
    _description = "Financial document of an opportunity"

    # Content fields of the document: refused once it was sent to the customer.
    _cos_locked_fields = ()
    # The document's lines, whose changes are refused with it.
    _cos_line_field = None

    cos_sent_date = fields.Date(string="Sent to customer on", copy=False, readonly=True)
    cos_mission_id = fields.Many2one(
        "project.task", string="Mission", index=True, ondelete="set null",
        domain=[("is_mission", "=", True)])

    def _cos_mark_sent_refusal(self):
        """Why this document cannot be marked sent yet (None: it can)."""
        return None

    @api.multi
    def action_mark_sent(self):
        """Stamp the date the customer received the document; it is locked from then on."""
        today = fields.Date.context_today(self)
        for document in self.filtered(lambda d: not d.cos_sent_date):
            refusal = document._cos_mark_sent_refusal()
            if refusal:
                raise UserError(refusal)
            with guard.internal(guard.DOCUMENT_SENT):
                document.write({"cos_sent_date": today})
            document.message_post(body=_("<p>Marked as sent to the customer on %s.</p>")
                                  % html_escape(today))
        return True

    def _check_not_sent(self, changed=None):
        """Refuse changing (or deleting) a document sent to the customer."""
        sent = self.filtered("cos_sent_date")
        if not sent:
            return
        locked = set(self._cos_locked_fields) | ({self._cos_line_field} - {None})
        if changed is not None and not locked.intersection(changed):
            return
        document = sent[0]
        raise UserError(_(
            "%(document)s was sent to the customer on %(date)s: it can no longer be changed. "
            "Duplicate it to make a new version.") % {"document": document.display_name,
                                                      "date": document.cos_sent_date})

    @staticmethod
    def _check_sent_date_not_given(vals):
        """The sent date is stamped by "Mark sent to customer" only: written back to empty it
        would unlock the document."""
        if "cos_sent_date" in vals and not guard.allowed(guard.DOCUMENT_SENT):
            raise AccessError(_("The date a document was sent to the customer is set by "
                                "\"Mark sent to customer\" only."))

    @api.model
    def create(self, vals):
        self._check_sent_date_not_given(vals)
        return super().create(vals)

    @api.multi
    def write(self, vals):
        self._check_sent_date_not_given(vals)
        self._check_not_sent(vals)
        return super().write(vals)

    @api.multi
    def unlink(self):
        self._check_not_sent()
        return super().unlink()


class CrmOpportunityDocumentLine(models.AbstractModel):
    """Lines of a document sent to the customer cannot be added, changed or removed."""

    _name = "crm.opportunity.document.line"
    _description = "Line of a financial document of an opportunity"

    _cos_document_field = None

    def _documents(self):
        return self.mapped(self._cos_document_field)

    @api.model
    def create(self, vals):
        if vals.get(self._cos_document_field):
            document_model = self._fields[self._cos_document_field].comodel_name
            self.env[document_model].browse(vals[self._cos_document_field])._check_not_sent()
        return super().create(vals)

    @api.multi
    def write(self, vals):
        self._documents()._check_not_sent()
        return super().write(vals)

    @api.multi
    def unlink(self):
        self._documents()._check_not_sent()
        return super().unlink()
