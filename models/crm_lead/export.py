from odoo import _, fields, models
from odoo.exceptions import AccessError

from ...lib import columns, spreadsheet


class CrmLeadExport(models.Model):
    """The opportunity spreadsheet (CSV or .xlsx) that users edit and import back: its columns
    are lib/columns.py's table, then one per custom field."""

    _inherit = "crm.lead"

    def _check_export_allowed(self):
        if not self.env.user.has_group("crm_opportunity_suite.group_crm_export"):
            raise AccessError(_(
                "You are not allowed to export opportunities: ask your administrator for the "
                "\"Allowed to export records\" permission."))

    def _spreadsheet_headers(self):
        """[(key, header)] of the opportunity spreadsheet, headers in the user's language; the
        import recognises them in English and French (lib/columns.COLUMN_ALIASES)."""
        headers = []
        for column in columns.COLUMNS:
            # A loop, not a comprehension: _() finds the user's language in this frame.
            headers.append((column.key, _(column.label)))
        # As superuser: only the custom fields' names and labels; their values are read with
        # the user's rights.
        definitions = self.env["crm.lead.custom.field"].sudo().search([("field_name", "!=", False)])
        headers += [(columns.CUSTOM_PREFIX + d.field_name, d.name) for d in definitions]
        return headers

    def _spreadsheet_rows(self):
        """(headers, rows) of these opportunities, typed for the spreadsheet writers."""
        self._check_export_allowed()
        headers = self._spreadsheet_headers()
        milestones = dict(self._fields["status"]._description_selection(self.env))
        bases = dict(self._fields["value_basis"]._description_selection(self.env))
        prefix = columns.CUSTOM_PREFIX
        # Per custom field: its type and, for lists, the label of each stored value. As
        # superuser: only definitions; the values are read with the user's rights.
        custom = {
            d.field_name: (d.field_type, {o.value: o.name for o in d.option_ids})
            for d in self.env["crm.lead.custom.field"].sudo().search(
                [("field_name", "in", [key[len(prefix):] for key, _label in headers
                                       if key.startswith(prefix)])])}
        rows = []
        for lead in self.with_context(active_test=False):
            values = {
                "id": lead.id,
                "reference": lead.reference,
                "name": lead.name,
                "customer": lead.partner_id.display_name or "",
                "contact": lead.contact_id.name or "",
                "contact_id": lead.contact_id.id or None,
                "pipeline": lead.team_id.name or "",
                "stage": lead.stage_id.name or "",
                "milestone": milestones.get(lead.status, ""),
                "lost_reason": lead.lost_reason.name or "",
                # The value in the opportunity's currency, its basis and duration (none when
                # fixed), its total, and the expected revenue in the company currency.
                "expected_revenue": lead.value_amount,
                "currency": lead.currency_id.name or "",
                "value_basis": bases.get(lead.value_basis, ""),
                "duration": lead.value_duration
                if lead.value_basis not in (False, "fixed") else None,
                "total_value": lead.value_total,
                "company_revenue": lead.planned_revenue,
                "probability": lead.probability,
                "probability_tag": lead.probability_tag_id.name or "",
                "tags": ", ".join(lead.tag_ids.mapped("name")),
                "owner": lead.user_id.name or "",
                "due_date": fields.Date.from_string(lead.date_deadline),
            }
            for name, (field_type, option_labels) in custom.items():
                value = lead[name]
                if field_type == "selection":
                    value = option_labels.get(value, "")
                elif field_type == "date":
                    value = fields.Date.from_string(value)
                elif field_type == "boolean":
                    value = bool(value)
                values[prefix + name] = value
            rows.append([values[key] for key, _label in headers])
        return [label for _key, label in headers], rows

    def _export_spreadsheet(self, file_format):
        """(file name, content) of these opportunities as CSV or .xlsx."""
        headers, rows = self._spreadsheet_rows()
        stamp = fields.Date.context_today(self)
        if file_format == "xlsx":
            return "opportunities-%s.xlsx" % stamp, spreadsheet.write_xlsx(headers, rows)
        return "opportunities-%s.csv" % stamp, spreadsheet.write_csv(headers, rows)
