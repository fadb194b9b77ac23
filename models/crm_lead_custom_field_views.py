from lxml import etree

from odoo import api, models

SEARCHABLE_TYPES = ("char", "integer", "float", "selection")
FORM_VIEW_NAME = "crm_opportunity_suite.custom_fields.form"
SEARCH_VIEW_NAME = "crm_opportunity_suite.custom_fields.search"


class CrmLeadCustomFieldViews(models.Model):
    """The two views generated from the custom field definitions: the fields at the bottom
    of the opportunity form, and the searchable ones in its search panel."""

    _inherit = "crm.lead.custom.field"

    @api.model
    def _update_views(self, exclude=None):
        """Rebuild the two generated views that show the custom fields on the opportunity form
        (bottom group) and in its search panel."""
        definitions = self.search([("field_name", "!=", False)])
        if exclude:
            definitions -= exclude
        # As superuser: sales managers edit definitions, not views; the arch is generated from
        # the definitions' own field names.
        View = self.env["ir.ui.view"].sudo()
        specs = [
            (FORM_VIEW_NAME, "crm.crm_case_form_view_oppor", self._form_arch(definitions)),
            (SEARCH_VIEW_NAME, "crm.view_crm_case_opportunities_filter",
             self._search_arch(definitions)),
        ]
        for name, parent_xmlid, arch in specs:
            view = View.search([("name", "=", name), ("model", "=", "crm.lead")])
            if arch is None:
                view.unlink()
            elif view:
                view.write({"arch": arch})
            else:
                View.create({
                    "name": name,
                    "model": "crm.lead",
                    "type": "form" if name == FORM_VIEW_NAME else "search",
                    "inherit_id": self.env.ref(parent_xmlid).id,
                    "mode": "extension",
                    "priority": 99,
                    "arch": arch,
                })

    @api.model
    def _form_arch(self, definitions):
        if not definitions:
            return None
        root = etree.Element("data")
        group = etree.SubElement(root, "xpath", {
            "expr": "//group[@name='crm_opportunity_suite_custom_fields']",
            "position": "attributes"})
        etree.SubElement(group, "attribute", {"name": "invisible"}).text = "0"
        inside = etree.SubElement(root, "xpath", {
            "expr": "//group[@name='crm_opportunity_suite_custom_fields']",
            "position": "inside"})
        for definition in definitions:
            attrs = {"name": definition.field_name}
            if definition.required and definition.field_type != "boolean":
                attrs["attrs"] = "{'required': [('type', '=', 'opportunity')]}"
            etree.SubElement(inside, "field", attrs)
        return etree.tostring(root, encoding="unicode")

    @api.model
    def _search_arch(self, definitions):
        searchable = definitions.filtered(lambda d: d.field_type in SEARCHABLE_TYPES)
        if not searchable:
            return None
        root = etree.Element("xpath", {"expr": "//search", "position": "inside"})
        for definition in searchable:
            etree.SubElement(root, "field", {"name": definition.field_name})
        return etree.tostring(root, encoding="unicode")
