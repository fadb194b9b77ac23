from odoo import api, fields, models


class CrmLeadImportColumn(models.TransientModel):
    """A column of the uploaded file and the opportunity field it updates."""

    _name = "crm.lead.import.column"
    _description = "Column of an opportunity import"
    _order = "column_index"

    wizard_id = fields.Many2one("crm.lead.import", required=True, ondelete="cascade")
    column_index = fields.Integer(required=True, readonly=True)
    header = fields.Char(string="Column", readonly=True)
    sample = fields.Char(string="First values", readonly=True)
    target = fields.Selection("_target_selection", string="Imported into",
                              help="Leave empty to ignore the column.")

    @api.model
    def _target_selection(self):
        return self.env["crm.lead.import.engine"]._mapping_choices()
