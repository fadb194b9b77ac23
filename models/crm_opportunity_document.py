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
        document = super().create(vals)
        if vals.get("cos_mission_id"):
            document._check_mission_of_the_opportunity()
        return document

    @api.multi
    def write(self, vals):
        self._check_sent_date_not_given(vals)
        self._check_not_sent(vals)
        result = super().write(vals)
        if {"cos_mission_id", "opportunity_id"} & set(vals):
            self._check_mission_of_the_opportunity()
        return result

    def _check_mission_of_the_opportunity(self):
        """A document's mission is one of the missions of its opportunity (Assign to a
        mission links a mission that has none first)."""
        # As superuser: only the links are compared, whoever may read the mission.
        for document in self.sudo().filtered("cos_mission_id"):
            mission = document.cos_mission_id
            if mission.opportunity_id != document.opportunity_id or not mission.is_mission:
                raise UserError(_(
                    "%(document)s cannot be assigned to the mission %(mission)s: a document "
                    "is assigned to a mission of its own opportunity.") % {
                        "document": document.display_name, "mission": mission.display_name})

    @api.multi
    def action_cos_assign_mission(self):
        """The "Assign to a mission" dialog of this document."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Assign to a mission"),
            "res_model": "crm.document.mission.assign",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {"active_model": self._name, "active_id": self.id,
                        "active_ids": self.ids},
        }

    def _cos_check_mission_assignment(self):
        """Assigning this document to a mission needs the right to edit it, and the document
        belongs to an opportunity."""
        self.ensure_one()
        self.check_access_rights("write")
        self.check_access_rule("write")
        if not self.opportunity_id:
            raise UserError(_("%(document)s belongs to no opportunity: only the documents of "
                              "an opportunity are assigned to missions.") % {
                                  "document": self.display_name})

    def _cos_assign_mission(self, mission):
        """Assign this document to ``mission``, which the user may edit: a mission of the
        document's opportunity, or a task linked to no opportunity, which becomes a mission of
        this one (that needs the right to edit the opportunity)."""
        self._cos_check_mission_assignment()
        mission.ensure_one()
        mission.check_access_rights("write")
        mission.check_access_rule("write")
        lead = self.opportunity_id
        other = mission.opportunity_id
        if other and other != lead:
            # Named only to a user who may read it.
            if other.search_count([("id", "=", other.id)]):
                raise UserError(_(
                    "The mission %(mission)s belongs to the opportunity %(opportunity)s: a "
                    "document is assigned to a mission of its own opportunity (%(own)s).") % {
                        "mission": mission.code, "opportunity": other.display_name,
                        "own": lead.display_name})
            raise UserError(_(
                "The mission %(mission)s belongs to another opportunity: a document is assigned "
                "to a mission of its own opportunity (%(own)s).") % {
                    "mission": mission.code, "own": lead.display_name})
        if not mission.opportunity_id:
            lead._cos_link_mission_task(mission)
        elif not mission.is_mission:
            mission.write({"is_mission": True})
        self.write({"cos_mission_id": mission.id})
        self.message_post(body=_("<p>Assigned to the mission %(mission)s.</p>") % {
            "mission": html_escape(mission.display_name)})
        return mission

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
