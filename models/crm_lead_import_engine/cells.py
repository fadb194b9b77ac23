from odoo import _, fields, models

from ...lib import columns, spreadsheet


class ImportRowError(Exception):
    """A cell that cannot be imported; its argument is the reason, translated."""


class CrmLeadImportEngineCells(models.AbstractModel):
    """From a cell of the file to the value the import writes."""

    _inherit = "crm.lead.import.engine"

    def _convert_cell(self, key, raw, lead, lookups, row_vals, formats):
        """Value to write for one cell (raises ImportRowError with the reason)."""
        decimal_point, thousands_sep, date_format = formats
        text = raw.strip() if isinstance(raw, str) else raw
        if key == "name":
            return str(text)
        if key == "pipeline":
            teams = lookups["team"].get(str(text), [])
            if len(teams) != 1:
                raise ImportRowError(_("No pipeline is named \"%s\" (names must match exactly).")
                                     % text if not teams else
                                     _("Several pipelines are named \"%s\".") % text)
            return teams[0].id
        if key == "stage":
            stages = lookups["stage"].get(str(text), [])
            if not stages:
                raise ImportRowError(_("No stage is named \"%s\" (names must match exactly).")
                                     % text)
            team_id = row_vals.get("team_id", lead.team_id if lead else False)
            fitting = [stage_id for stage_id, stage_team in stages
                       if not stage_team or stage_team == team_id]
            if not fitting:
                team = self.env["crm.team"].browse(team_id)
                raise ImportRowError(_("The stage \"%(stage)s\" does not belong to the "
                                       "pipeline \"%(pipeline)s\".") % {
                                           "stage": text, "pipeline": team.name or ""})
            return fitting[0]
        if key == "milestone":
            status = lookups["milestone"].get(spreadsheet.normalise_header(text))
            if not status:
                raise ImportRowError(_("Unknown milestone \"%s\": use Open, On hold, Won or Lost.")
                                     % text)
            return status
        if key == "lost_reason":
            return self._by_name(lookups["reason"], text) or self._reject(
                _("No lost reason is named \"%s\".") % text)
        if key in ("expected_revenue", "probability"):
            try:
                number = spreadsheet.parse_number(text, decimal_point, thousands_sep)
            except ValueError:
                raise ImportRowError(_("\"%s\" is not a number.") % text)
            if key == "probability" and not 0 <= number <= 100:
                raise ImportRowError(_("A probability is between 0 and 100."))
            return number
        if key == "probability_tag":
            return self._by_name(lookups["tag"], text) or self._reject(
                _("No probability tag is named \"%s\".") % text)
        if key == "owner":
            return self._by_name(lookups["user"], text) or self._reject(
                _("No user is named \"%s\".") % text)
        if key == "due_date":
            try:
                return fields.Date.to_string(spreadsheet.parse_date(text, date_format))
            except ValueError:
                raise ImportRowError(_("\"%s\" is not a date.") % text)
        if key == "contact_id":
            try:
                partner = lookups["partner"].get(spreadsheet.parse_int(text))
            except ValueError:
                partner = None
            if not partner:
                raise ImportRowError(_("No contact has the ID \"%s\".") % text)
            customer = self.env["res.partner"].browse(lead.partner_id if lead else [])
            if customer and partner.commercial_partner_id != customer.commercial_partner_id:
                raise ImportRowError(_("The contact %(contact)s does not belong to the "
                                       "customer %(customer)s.") % {
                                           "contact": partner.display_name,
                                           "customer": customer.display_name})
            return partner.id
        if key.startswith(columns.CUSTOM_PREFIX):
            definition = lookups["custom"][key[len(columns.CUSTOM_PREFIX):]]
            if definition.field_type == "selection" and key not in lookups["options"]:
                lookups["options"][key] = self._custom_options(definition)
            return self._convert_custom(definition, text, formats, lookups["options"].get(key))
        raise ImportRowError(_("This column cannot be imported."))

    @staticmethod
    def _by_name(records_by_name, text):
        """Id of the record named exactly ``text``, or None. (Callers translate their error
        message only when it is needed: translating one per cell took a second per 10,000
        rows.)"""
        record = records_by_name.get(str(text))
        return record.id if record else None

    @staticmethod
    def _reject(reason):
        raise ImportRowError(reason)

    @staticmethod
    def _custom_options(definition):
        """Values of a list custom field by their normalised label and by their value."""
        options = {spreadsheet.normalise_header(o.name): o.value for o in definition.option_ids}
        options.update({o.value: o.value for o in definition.option_ids})
        return options

    def _convert_custom(self, definition, text, formats, options=None):
        decimal_point, thousands_sep, date_format = formats
        kind = definition.field_type
        try:
            if kind == "integer":
                return spreadsheet.parse_int(spreadsheet.parse_number(
                    text, decimal_point, thousands_sep))
            if kind == "float":
                return spreadsheet.parse_number(text, decimal_point, thousands_sep)
            if kind == "date":
                return fields.Date.to_string(spreadsheet.parse_date(text, date_format))
        except ValueError:
            raise ImportRowError(_("\"%(value)s\" is not a valid %(kind)s.") % {
                "value": text, "kind": dict(definition._fields["field_type"]
                                            ._description_selection(self.env))[kind].lower()})
        if kind == "boolean":
            lowered = spreadsheet.normalise_header(text)
            if lowered in ("1", "yes", "oui", "true", "vrai", "x"):
                return True
            if lowered in ("0", "no", "non", "false", "faux"):
                return False
            raise ImportRowError(_("\"%s\" is not yes or no.") % text)
        if kind == "selection":
            options = options if options is not None else self._custom_options(definition)
            value = options.get(spreadsheet.normalise_header(text))
            if not value:
                raise ImportRowError(_("\"%(value)s\" is not an option of \"%(field)s\" "
                                       "(%(options)s).") % {
                                           "value": text, "field": definition.name,
                                           "options": ", ".join(
                                               definition.option_ids.mapped("name"))})
            return value
        return str(text)
