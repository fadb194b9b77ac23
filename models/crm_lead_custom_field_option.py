from odoo import api, fields, models


class CrmLeadCustomFieldOption(models.Model):
    _name = "crm.lead.custom.field.option"
    _description = "Option of a list custom field"
    _order = "sequence, id"

    field_id = fields.Many2one(
        "crm.lead.custom.field", string="Custom field", required=True, ondelete="cascade",
        index=True)
    sequence = fields.Integer(default=10)
    name = fields.Char(string="Option", required=True)
    value = fields.Char(
        string="Stored value", readonly=True, copy=False,
        help="Key stored in the opportunities; set when the option is created and kept when the "
             "option is renamed.")

    @api.model
    def create(self, vals):
        option = super().create(vals)
        option.field_id._options_changed()
        return option

    @api.multi
    def write(self, vals):
        definitions = self.mapped("field_id")
        res = super().write(vals)
        (definitions | self.mapped("field_id"))._options_changed()
        return res

    @api.multi
    def unlink(self):
        definitions = self.mapped("field_id")
        res = super().unlink()
        definitions.exists()._options_changed()
        return res
