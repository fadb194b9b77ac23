from odoo import _, api, fields, models
from odoo.exceptions import UserError

from .crm_document_send_all import DOCUMENT_MODELS

MODES = [
    ("existing", "A mission of the opportunity"),
    ("new", "A new mission"),
    ("reference", "A mission reference"),
]


class CrmDocumentMissionAssign(models.TransientModel):
    """Assign a quote, invoice or purchase order to a mission: one of its opportunity's, a new
    one created here for the opportunity, or any mission the user may edit found by its
    reference (linked to the opportunity when it had none)."""

    _name = "crm.document.mission.assign"
    _description = "Assign a document to a mission"

    document_model = fields.Char(required=True, readonly=True)
    document_id = fields.Integer(required=True, readonly=True)
    document_name = fields.Char(string="Document", readonly=True)
    lead_id = fields.Many2one("crm.lead", string="Opportunity", readonly=True)
    mode = fields.Selection(MODES, string="Assign to", required=True, default="existing")
    mission_id = fields.Many2one("project.task", string="Mission",
                                 domain=[("is_mission", "=", True)])
    name = fields.Char(string="Title of the new mission")
    user_id = fields.Many2one("res.users", string="Assigned to")
    date_deadline = fields.Date(string="Deadline")
    reference = fields.Char(string="Mission reference",
                            help="Reference of the mission, e.g. PT0042.")

    @api.model
    def default_get(self, field_names):
        values = super().default_get(field_names)
        context = self.env.context
        if context.get("active_model") in DOCUMENT_MODELS and context.get("active_id"):
            document = self.env[context["active_model"]].browse(context["active_id"])
            lead = document.opportunity_id
            values.update({
                "document_model": document._name,
                "document_id": document.id,
                "document_name": document.display_name,
                "lead_id": lead.id,
                "mission_id": document.cos_mission_id.id,
                "mode": "existing" if lead.mission_ids else "new",
                "name": lead.name,
                "user_id": lead.user_id.id or self.env.uid,
            })
        return values

    def _document(self):
        if self.document_model not in DOCUMENT_MODELS:
            raise UserError(_("Assign to a mission works for quotes, invoices and purchase "
                              "orders."))
        document = self.env[self.document_model].browse(self.document_id).exists()
        if not document:
            raise UserError(_("The document no longer exists."))
        return document

    @api.multi
    def action_assign(self):
        self.ensure_one()
        document = self._document()
        document._cos_check_mission_assignment()
        if self.mode == "existing":
            if not self.mission_id:
                raise UserError(_("Choose the mission."))
            mission = self.mission_id
        elif self.mode == "new":
            mission = document.opportunity_id._cos_new_mission(
                self.name, self.user_id, self.date_deadline)
        else:
            mission = self.env["project.task"]._find_by_reference(self.reference)
        document._cos_assign_mission(mission)
        return {"type": "ir.actions.act_window_close"}
