from psycopg2 import sql

from odoo import _, api, models
from odoo.exceptions import ValidationError


class CrmLeadCustomFields(models.Model):
    """The custom fields themselves are manual fields made by their definitions
    (crm.lead.custom.field); here, the check that mandatory ones are filled in."""

    _inherit = "crm.lead"

    @api.model
    def create(self, vals):
        lead = super().create(vals)
        lead._check_custom_fields_required()
        return lead

    @api.multi
    def write(self, vals):
        super().write(vals)
        if "type" in vals or any(name in vals for name in self._custom_field_names()):
            self._check_custom_fields_required()
        return True

    def _custom_field_names(self):
        # As superuser: not every user who writes opportunities may read the definitions
        # (mail gateway, missions); only their field names are used.
        return self.env["crm.lead.custom.field"].sudo()._field_names()

    def _check_custom_fields_required(self):
        """Mandatory custom fields must hold a value on opportunities (checked in SQL: an
        unset number reads as 0 through the ORM but is NULL in the table)."""
        # As superuser (see _custom_field_names): only which fields are mandatory is used; the
        # values are checked on the opportunities being saved.
        definitions = self.env["crm.lead.custom.field"].sudo().search(
            [("required", "=", True), ("field_name", "!=", False)])
        opportunities = self.filtered(lambda l: l.type == "opportunity")
        if not definitions or not opportunities:
            return
        # As superuser: the cached names of the fields the definitions own.
        valid = set(self.env["crm.lead.custom.field"].sudo()._field_names())
        for definition in definitions:
            if definition.field_name not in valid:
                continue
            # The column is one of the custom fields' own (x_cos_*, checked): quoted as an
            # identifier all the same. The ids are a parameter.
            column = sql.Identifier(definition.field_name)
            empty = sql.SQL("{} IS NULL").format(column)
            if definition.field_type == "char":
                empty = sql.SQL("({0} IS NULL OR trim({0}) = '')").format(column)
            self.env.cr.execute(sql.SQL(
                "SELECT name FROM crm_lead WHERE id IN %s AND {} ORDER BY id LIMIT 1").format(
                    empty), (tuple(opportunities.ids),))
            row = self.env.cr.fetchone()
            if row:
                raise ValidationError(_(
                    "The field \"%(field)s\" is mandatory: fill it in on the opportunity "
                    "\"%(opportunity)s\".") % {"field": definition.name, "opportunity": row[0]})
