from odoo import api, fields, models


class CrmMessageLink(models.TransientModel):
    """Link a mail stored on a contact to one of that contact's opportunities: it then
    appears on the opportunity too."""

    _name = "crm.message.link"
    _description = "Link a mail to an opportunity"

    partner_id = fields.Many2one("res.partner", string="Contact", required=True, readonly=True)
    commercial_partner_id = fields.Many2one(related="partner_id.commercial_partner_id",
                                            readonly=True)
    message_id = fields.Many2one(
        "mail.message", string="Mail", required=True,
        domain="[('model', '=', 'res.partner'), ('res_id', '=', partner_id), "
               "('message_type', '=', 'email')]")
    lead_id = fields.Many2one(
        "crm.lead", string="Opportunity", required=True,
        domain="[('type', '=', 'opportunity'), '|', ('partner_id', 'child_of', "
               "commercial_partner_id), ('contact_id', '=', partner_id)]")

    @api.model
    def default_get(self, field_names):
        values = super().default_get(field_names)
        context = self.env.context
        if context.get("active_model") == "res.partner":
            values["partner_id"] = context.get("active_id")
        if context.get("active_model") == "mail.message":
            message = self.env["mail.message"].browse(context.get("active_id"))
            values.update(message_id=message.id, partner_id=message.res_id)
        return values

    @api.multi
    def action_link(self):
        self.ensure_one()
        self.lead_id.link_message(self.message_id)
        return {"type": "ir.actions.act_window_close"}
