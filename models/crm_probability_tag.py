from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

# Odoo's colour palette (the index used by kanban_color and many2many_tags).
PALETTE = [
    "#ffffff", "#f06050", "#f4a460", "#f7cd1f", "#6cc1ed", "#814968",
    "#eb7e7f", "#2c8397", "#475577", "#d6145f", "#30c381", "#9365b8",
]


class CrmProbabilityTag(models.Model):
    _name = "crm.probability.tag"
    _description = "Probability tag"
    _order = "percentage, name"

    name = fields.Char(required=True, translate=True)
    percentage = fields.Float(
        required=True, help="Choosing this tag on an opportunity sets its probability.")
    color = fields.Integer(string="Colour", default=0, help="Index in Odoo's colour palette (0-11).")
    color_hex = fields.Char(compute="_compute_color_hex", string="Colour code")
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("name_uniq", "unique (name)", "A probability tag with this name already exists."),
    ]

    @api.depends("color")
    def _compute_color_hex(self):
        for tag in self:
            tag.color_hex = PALETTE[tag.color % len(PALETTE)]

    @api.constrains("percentage")
    def _check_percentage(self):
        for tag in self:
            if not 0 <= tag.percentage <= 100:
                raise ValidationError(
                    _("The percentage of a probability tag must be between 0 and 100."))

    @api.constrains("color")
    def _check_color(self):
        for tag in self:
            if not 0 <= tag.color < len(PALETTE):
                raise ValidationError(_("The colour must be between 0 and 11."))

    @api.multi
    def name_get(self):
        return [(tag.id, "%s %d%%" % (tag.name, round(tag.percentage))) for tag in self]

    @api.multi
    def write(self, vals):
        res = super().write(vals)
        if "percentage" in vals:
            # Opportunities still open follow the tag they carry.
            leads = self.env["crm.lead"].search([
                ("probability_tag_id", "in", self.ids), ("status", "in", ("open", "hold"))])
            for tag in self:
                leads.filtered(lambda l: l.probability_tag_id == tag).write(
                    {"probability": tag.percentage})
        return res
