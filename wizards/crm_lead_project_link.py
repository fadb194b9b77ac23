from odoo import api, fields, models


class CrmLeadProjectLink(models.TransientModel):
    """Link a new or an existing project to an opportunity."""

    _name = "crm.lead.project.link"
    _description = "Add a linked project"

    lead_id = fields.Many2one("crm.lead", string="Opportunity", required=True, readonly=True)
    mode = fields.Selection([("new", "A new project"), ("existing", "An existing project")],
                            required=True, default="new")
    name = fields.Char(string="Project name")
    project_id = fields.Many2one("project.project", string="Project",
                                 domain=[("opportunity_id", "=", False)])

    @api.model
    def default_get(self, field_names):
        values = super().default_get(field_names)
        if self.env.context.get("active_model") == "crm.lead":
            lead = self.env["crm.lead"].browse(self.env.context.get("active_id"))
            values.update(lead_id=lead.id, name=lead.name)
        return values

    @api.multi
    def action_link(self):
        self.ensure_one()
        if self.mode == "existing":
            self.lead_id.link_project(project=self.project_id or None)
        else:
            self.lead_id.link_project(name=self.name)
        return {"type": "ir.actions.act_window_close"}
