from odoo import _, fields, models
from odoo.exceptions import AccessError

from ...lib import columns, spreadsheet

# The columns of crm.lead that the spreadsheet's columns show (lib/columns.py).
EXPORT_FIELDS = ("reference", "name", "partner_id", "contact_id", "team_id", "stage_id", "status",
                 "lost_reason", "planned_revenue", "company_id", "probability",
                 "probability_tag_id", "tag_ids", "user_id", "date_deadline", "currency_id",
                 "value_amount", "value_basis", "value_duration", "value_total")


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
        # One read() of the columns for all the opportunities, then the names of what they
        # point to, model by model: reading each opportunity's fields one by one made the
        # ORM read every column of crm.lead, twice (the related currency reads as superuser),
        # about 16 ms per opportunity.
        leads = self.with_context(active_test=False, prefetch_fields=False)
        records = leads.read(list(EXPORT_FIELDS) + list(custom), load="_classic_write")

        def names(model, field, name="name"):
            ids = {record[field] for record in records if record[field]}
            return {r.id: r[name] for r in self.env[model].with_context(
                prefetch_fields=False).browse(ids)}

        partners = names("res.partner", "partner_id", "display_name")
        contacts = names("res.partner", "contact_id")
        teams = names("crm.team", "team_id")
        stages = names("crm.stage", "stage_id")
        reasons = names("crm.lost.reason", "lost_reason")
        probability_tags = names("crm.probability.tag", "probability_tag_id")
        users = names("res.users", "user_id")
        tags = {tag.id: tag.name for tag in self.env["crm.lead.tag"].browse(
            {tag_id for record in records for tag_id in record["tag_ids"]})}
        currencies = names("res.currency", "currency_id")
        rows = []
        for lead in records:
            values = {
                "id": lead["id"],
                "reference": lead["reference"],
                "name": lead["name"],
                "customer": partners.get(lead["partner_id"]) or "",
                "contact": contacts.get(lead["contact_id"]) or "",
                "contact_id": lead["contact_id"] or None,
                "pipeline": teams.get(lead["team_id"]) or "",
                "stage": stages.get(lead["stage_id"]) or "",
                "milestone": milestones.get(lead["status"], ""),
                "lost_reason": reasons.get(lead["lost_reason"]) or "",
                # The value in the opportunity's currency, its basis and duration (none when
                # fixed), its total, and the expected revenue in the company currency.
                "expected_revenue": lead["value_amount"],
                "currency": currencies.get(lead["currency_id"]) or "",
                "value_basis": bases.get(lead["value_basis"], ""),
                "duration": lead["value_duration"]
                if lead["value_basis"] not in (False, "fixed") else None,
                "total_value": lead["value_total"],
                "company_revenue": lead["planned_revenue"],
                "probability": lead["probability"],
                "probability_tag": probability_tags.get(lead["probability_tag_id"]) or "",
                "tags": ", ".join(tags[tag_id] for tag_id in lead["tag_ids"]),
                "owner": users.get(lead["user_id"]) or "",
                "due_date": fields.Date.from_string(lead["date_deadline"]),
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
