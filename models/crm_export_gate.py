from odoo import api, models

# Models whose data is opportunity data: exporting any of them, or following a relation to
# one of them from any model (res.partner -> opportunity_ids/..., sale.order ->
# opportunity_id/...), needs the "Allowed to export records" permission.
EXPORT_GATED_MODELS = frozenset([
    "crm.lead", "crm.lead.line", "crm.lead.track", "crm.lead.track.task",
    "crm.lead.import.log", "crm.lead.mail.review", "crm.opportunity.insight.report",
    "crm.opportunity.report", "crm.activity.report",
])


def touches_opportunities(model, field_paths):
    """Whether exporting these field paths ("partner_id/name", "opportunity_ids/id") of
    ``model`` reads opportunity data: the model itself or any model a path goes through."""
    if model._name in EXPORT_GATED_MODELS:
        return True
    for path in field_paths or []:
        current = model
        for name in str(path).split("/"):
            field = current._fields.get(name)
            if field is None or not field.relational:
                break
            current = model.env[field.comodel_name]
            if current._name in EXPORT_GATED_MODELS:
                return True
    return False


def _gated_export_data():
    """A new export_data wrapper (each model class gets its own: _patch_method keeps the
    original on the function)."""

    def export_data(self, fields_to_export, raw_data=False):
        if touches_opportunities(self, fields_to_export):
            self.env["crm.lead"]._check_export_allowed()
        return export_data.origin(self, fields_to_export, raw_data=raw_data)

    return export_data


class CrmExportGate(models.AbstractModel):
    """Odoo's own export (the list's Export, the import-compatible export, RPC) of opportunity
    data, from any model, is gated like the addon's export. Installed on every model of the
    registry when it is loaded, with Odoo's _patch_method (the registry's own classes: other
    databases served by the same process are not affected). Inheriting the model "base"
    would do the same but makes this addon reflect every field of every model."""

    _name = "crm.export.gate"
    _description = "Export permission of opportunity data"

    @api.model_cr
    def _register_hook(self):
        super()._register_hook()
        for model_name in list(self.env.registry.models):
            cls = type(self.env[model_name])
            if getattr(cls, "_cos_export_gated", False) or cls._abstract:
                continue
            cls._patch_method("export_data", _gated_export_data())
            cls._cos_export_gated = True

    @api.model
    def touches_opportunities(self, model_name, field_paths=()):
        """For the pivot's Download (controllers/main.py) and the tests."""
        if not isinstance(model_name, str) or model_name not in self.env:
            return True
        return touches_opportunities(self.env[model_name], field_paths)
