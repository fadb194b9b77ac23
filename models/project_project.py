from odoo import SUPERUSER_ID, api, fields, models


class ProjectProject(models.Model):
    """A project carried out for an opportunity; shows the opportunity's main details."""

    _inherit = "project.project"

    opportunity_id = fields.Many2one(
        "crm.lead", string="Linked opportunity", index=True, ondelete="set null",
        domain=[("type", "=", "opportunity")])
    opportunity_reference = fields.Char(related="opportunity_id.reference", readonly=True,
                                        string="Opportunity reference")
    opportunity_partner_id = fields.Many2one(related="opportunity_id.partner_id",
                                             readonly=True, string="Opportunity customer")
    opportunity_user_id = fields.Many2one(related="opportunity_id.user_id", readonly=True,
                                          string="Opportunity owner")
    opportunity_stage_id = fields.Many2one(related="opportunity_id.stage_id", readonly=True,
                                           string="Opportunity stage")
    opportunity_status = fields.Selection(related="opportunity_id.status", readonly=True,
                                          string="Opportunity status")
    opportunity_revenue = fields.Float(related="opportunity_id.planned_revenue", readonly=True,
                                       string="Opportunity expected revenue")
    opportunity_deadline = fields.Date(related="opportunity_id.date_deadline", readonly=True,
                                       string="Opportunity due date")

    # The related fields above read the opportunity as superuser (Odoo's related fields):
    # linking a project to an opportunity needs the right to edit that opportunity, else
    # anybody could read any opportunity's details through a project of their own.
    def _check_opportunity_access(self, vals):
        if self.env.uid == SUPERUSER_ID or not vals.get("opportunity_id"):
            return
        lead = self.env["crm.lead"].browse(vals["opportunity_id"])
        lead.check_access_rights("write")
        lead.check_access_rule("write")

    @api.model
    def create(self, vals):
        self._check_opportunity_access(vals)
        return super().create(vals)

    @api.multi
    def write(self, vals):
        self._check_opportunity_access(vals)
        return super().write(vals)
