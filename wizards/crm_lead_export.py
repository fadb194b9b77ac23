import base64

from odoo import _, api, fields, models
from odoo.exceptions import UserError


class CrmLeadExport(models.TransientModel):
    """Export the selected (or all filtered) opportunities to CSV or Excel."""

    _name = "crm.lead.export"
    _inherit = "crm.list.selection.mixin"
    _description = "Export opportunities to a spreadsheet"

    file_format = fields.Selection(
        [("xlsx", "Excel (.xlsx)"), ("csv", "CSV (UTF-8)")], string="Format", required=True,
        default="xlsx")
    lead_count = fields.Integer(string="Opportunities exported", readonly=True)
    file_data = fields.Binary(string="File", readonly=True, attachment=False)
    file_name = fields.Char(readonly=True)

    @api.model
    def default_get(self, field_names):
        self.env["crm.lead"]._check_export_allowed()
        return super().default_get(field_names)

    @api.multi
    def action_export(self):
        self.ensure_one()
        leads = self._list_records(self.use_domain)
        if not leads:
            raise UserError(_("There is no opportunity to export."))
        name, content = leads._export_spreadsheet(self.file_format)
        self.write({"file_data": base64.b64encode(content), "file_name": name,
                    "lead_count": len(leads)})
        return {
            "type": "ir.actions.act_url",
            "target": "self",
            "url": "/web/content?model=%s&id=%d&field=file_data&filename_field=file_name"
                   "&download=true" % (self._name, self.id),
        }
