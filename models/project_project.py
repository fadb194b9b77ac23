from odoo import fields, models


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
