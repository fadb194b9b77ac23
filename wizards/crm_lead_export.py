import base64

from odoo import api, fields, models


class CrmLeadExport(models.TransientModel):
    """Export the selected (or all filtered) opportunities to CSV or Excel."""

    _name = "crm.lead.export"
    _description = "Export opportunities to a spreadsheet"

    file_format = fields.Selection(
        [("xlsx", "Excel (.xlsx)"), ("csv", "CSV (UTF-8)")], string="Format", required=True,
        default="xlsx")
    lead_count = fields.Integer(string="Opportunities", readonly=True)
    file_data = fields.Binary(string="File", readonly=True, attachment=False)
    file_name = fields.Char(readonly=True)

    @api.model
    def default_get(self, field_names):
        values = super().default_get(field_names)
        self.env["crm.lead"]._check_export_allowed()
        values["lead_count"] = len(self._leads())
        return values

    @api.model
    def _leads(self):
        """The list's filter when the user selected the whole domain, else the selection."""
        context = self.env.context
        Lead = self.env["crm.lead"]
        if context.get("active_domain") is not None and not context.get("active_ids"):
            return Lead.search(context["active_domain"])
        if context.get("active_model") == "crm.lead" and context.get("active_ids"):
            return Lead.with_context(active_test=False).browse(context["active_ids"]).exists()
        return Lead.search(context.get("active_domain") or [])

    @api.multi
    def action_export(self):
        self.ensure_one()
        leads = self._leads()
        name, content = leads._export_spreadsheet(self.file_format)
        self.write({"file_data": base64.b64encode(content), "file_name": name,
                    "lead_count": len(leads)})
        return {
            "type": "ir.actions.act_url",
            "target": "self",
            "url": "/web/content?model=%s&id=%d&field=file_data&filename_field=file_name"
                   "&download=true" % (self._name, self.id),
        }
