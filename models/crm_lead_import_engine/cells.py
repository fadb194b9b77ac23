from odoo import _, fields, models
from odoo.tools import float_round

from ...lib import columns, parsing, spreadsheet
from ..crm_lead.core import clean_reference, reference_problem


# Besides the value basis' labels in English and French and its keys: the period as people
# write it, in both languages (normalised: lower case, no accents).
BASIS_WORDS = {
    "fixe": "fixed", "forfait": "fixed", "hourly": "hour", "heure": "hour", "par heure": "hour",
    "daily": "day", "jour": "day", "par jour": "day", "journalier": "day",
    "weekly": "week", "semaine": "week", "par semaine": "week", "hebdomadaire": "week",
    "monthly": "month", "mois": "month", "par mois": "month", "mensuel": "month",
    "quarterly": "quarter", "trimestre": "quarter", "par trimestre": "quarter",
    "trimestriel": "quarter", "yearly": "year", "annual": "year", "annee": "year",
    "an": "year", "par an": "year", "par annee": "year", "annuel": "year",
}


class ImportRowError(Exception):
    """A cell that cannot be imported; its argument is the reason, translated."""


class StageMove(object):
    """A milestone cell naming a stage of the opportunity's pipeline (as Capsule files do):
    the row moves to that stage."""

    def __init__(self, stage_id):
        self.stage_id = stage_id


class CrmLeadImportEngineCells(models.AbstractModel):
    """From a cell of the file to the value the import writes."""

    _inherit = "crm.lead.import.engine"

    def _column_formats(self, rows, mapping, lookups):
        """{key: NumberColumn or DateColumn} of the mapped number and date columns, each
        convention worked out from the whole column (the user's language breaks ties)."""
        decimal_point, _thousands_sep, date_format = self._lang_formats()
        kinds = {"expected_revenue": "float", "probability": "float", "due_date": "date",
                 "duration": "integer"}
        formats = {}
        for col, key in mapping.items():
            kind = kinds.get(key)
            if key.startswith(columns.CUSTOM_PREFIX):
                definition = lookups["custom"].get(key[len(columns.CUSTOM_PREFIX):])
                kind = definition and definition.field_type
            if kind not in ("integer", "float", "date"):
                continue
            values = [row[col] for _line, row in rows if col < len(row)]
            if kind == "date":
                formats[key] = parsing.DateColumn(values, parsing.day_first(date_format))
            else:
                formats[key] = parsing.NumberColumn(values, decimal_point,
                                                    percent=key == "probability")
        return formats

    def _cell_error(self, error, text, kind=None):
        """The reason a number or date cell is refused, translated."""
        if kind and error.code in ("not_number", "not_date"):
            return ImportRowError(_("\"%(value)s\" is not a valid %(kind)s.") % {
                "value": text, "kind": kind})
        messages = {
            "not_number": _("\"%(value)s\" is not a number."),
            "not_integer": _("\"%(value)s\" is not a whole number."),
            "decimal_comma": _("\"%(value)s\" has a decimal comma, but the other numbers of "
                               "this column have a decimal point (1,234.50): write it the "
                               "same way."),
            "decimal_point": _("\"%(value)s\" has a decimal point, but the other numbers of "
                               "this column have a decimal comma (1 234,50): write it the "
                               "same way."),
            "not_date": _("\"%(value)s\" is not a date."),
            "day_first": _("\"%(value)s\" is written day first, but the other dates of this "
                           "column are month first: write it as YYYY-MM-DD."),
            "month_first": _("\"%(value)s\" is written month first, but the other dates of "
                             "this column are day first: write it as YYYY-MM-DD."),
            "date_ambiguous": _("\"%(value)s\" can be read day first or month first, and this "
                                "column has dates of both kinds: write it as YYYY-MM-DD."),
        }
        return ImportRowError(messages[error.code] % {"value": text})

    def _stage_in_pipeline(self, text, lead, lookups, row_vals):
        """(stage id, None) of the stage named exactly ``text`` in the row's pipeline, or
        (None, the reason)."""
        stages = lookups["stage"].get(str(text), [])
        if not stages:
            return None, _("No stage is named \"%(stage)s\" (names must match exactly).") % {
                "stage": text}
        team_id = row_vals.get("team_id", lead.team_id if lead else False)
        fitting = [stage_id for stage_id, stage_team in stages
                   if not stage_team or stage_team == team_id]
        if not fitting:
            team = self.env["crm.team"].browse(team_id)
            return None, _("The stage \"%(stage)s\" does not belong to the pipeline "
                           "\"%(pipeline)s\".") % {"stage": text, "pipeline": team.name or ""}
        return fitting[0], None

    def _convert_cell(self, key, raw, lead, lookups, row_vals, formats):
        """Value to write for one cell (raises ImportRowError with the reason); formats are
        the column conventions of _column_formats."""
        text = raw.strip() if isinstance(raw, str) else raw
        if key == "name":
            return str(text)
        if key == "reference":
            reference = clean_reference(text)
            problem = reference_problem(reference)
            if problem:
                raise ImportRowError(problem)
            return reference
        if key == "pipeline":
            teams = lookups["team"].get(str(text), [])
            if len(teams) != 1:
                raise ImportRowError(_("No pipeline is named \"%s\" (names must match exactly).")
                                     % text if not teams else
                                     _("Several pipelines are named \"%s\".") % text)
            return teams[0].id
        if key == "stage":
            # Kept per name and pipeline (per row otherwise).
            known = lookups["stage_of"]
            memo_key = (str(text), row_vals.get("team_id", lead.team_id if lead else False))
            if memo_key not in known:
                known[memo_key] = self._stage_in_pipeline(text, lead, lookups, row_vals)
            stage_id, reason = known[memo_key]
            return stage_id or self._reject(reason)
        if key == "milestone":
            status = lookups["milestone"].get(spreadsheet.normalise_header(text)) \
                or parsing.milestone_of(text)
            if status:
                return status
            stage_id, _reason = self._stage_in_pipeline(text, lead, lookups, row_vals)
            if not stage_id:
                raise ImportRowError(_("Unknown milestone \"%(value)s\": use Open, On hold, Won "
                                       "or Lost, or the name of a stage of the opportunity's "
                                       "pipeline.") % {"value": text})
            if row_vals.get("stage_id", stage_id) != stage_id:
                raise ImportRowError(_("The milestone names the stage \"%(stage)s\", the Stage "
                                       "column another one.") % {"stage": text})
            return StageMove(stage_id)
        if key == "lost_reason":
            return self._by_name(lookups["reason"], text) or self._reject(
                _("No lost reason is named \"%s\".") % text)
        if key in ("expected_revenue", "probability"):
            try:
                number = formats[key].parse(text)
            except parsing.CellError as error:
                raise self._cell_error(error, text)
            if key == "probability" and not 0 <= number <= 100:
                raise ImportRowError(_("A probability is between 0 and 100."))
            return number
        if key == "duration":
            try:
                number = formats[key].parse_int(text)
            except parsing.CellError as error:
                raise self._cell_error(error, text)
            if number < 1:
                raise ImportRowError(_("A duration is a number of periods: at least 1."))
            return number
        if key == "value_basis":
            basis = lookups["basis"].get(spreadsheet.normalise_header(text))
            if not basis:
                labels = self.env["crm.lead"]._fields["value_basis"]._description_selection(
                    self.env)
                raise ImportRowError(_("Unknown value basis \"%(value)s\": use %(bases)s.") % {
                    "value": text, "bases": ", ".join(label for _key, label in labels)})
            return basis
        if key == "currency":
            currency = lookups["currency"].get(str(text).upper())
            if not currency:
                raise ImportRowError(_("No currency has the code \"%(value)s\" (ISO code, "
                                       "e.g. EUR or USD).") % {"value": text})
            if not currency.active and (not lead or lead.currency_id != currency.id):
                raise ImportRowError(_("The currency %(currency)s is not active: an "
                                       "administrator activates it first.") % {
                                           "currency": currency.name})
            return currency.id
        if key == "probability_tag":
            return self._by_name(lookups["tag"], text) or self._reject(
                _("No probability tag is named \"%s\".") % text)
        if key == "owner":
            return self._by_name(lookups["user"], text) or self._reject(
                _("No user is named \"%s\".") % text)
        if key == "due_date":
            try:
                return fields.Date.to_string(formats[key].parse(text))
            except parsing.CellError as error:
                raise self._cell_error(error, text)
        if key == "contact_id":
            try:
                partner = lookups["partner"].get(parsing.parse_int(text))
            except parsing.CellError:
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
            return self._convert_custom(definition, text, formats.get(key),
                                        lookups["options"].get(key))
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

    def _convert_custom(self, definition, text, column, options=None):
        """``column``: the NumberColumn or DateColumn of a number or date field."""
        kind = definition.field_type
        try:
            if kind == "integer":
                return column.parse_int(text)
            if kind == "float":
                return column.parse(text)
            if kind == "date":
                return fields.Date.to_string(column.parse(text))
        except parsing.CellError as error:
            raise self._cell_error(error, text, dict(
                definition._fields["field_type"]._description_selection(self.env))[kind].lower())
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

    def _check_row_value(self, lead, vals, mapping, values, lookups, fail):
        """A value per period needs a duration of at least 1; the value is rounded as the
        row's currency rounds (the import writes it in SQL, where the ORM would round it)."""
        basis = vals.get("value_basis", lead.value_basis if lead else "fixed")
        duration = vals.get("value_duration", lead.value_duration if lead else 1)
        if basis and basis != "fixed" and (duration or 0) < 1:
            key = "duration" if "value_duration" in vals else "value_basis"
            col = next((c for c, k in mapping.items() if k == key), 0)
            fail(col, values[col] if col < len(values) else "", _(
                "A value per period needs a duration of at least 1: give the number of "
                "periods in the Duration column."))
        if "value_amount" in vals:
            currency_id = vals.get("currency_id", lead.currency_id if lead else False)
            rounding = lookups["rounding"].get(currency_id)
            if rounding is None:  # once per currency of the file
                currency = lookups["currency_by_id"].get(currency_id) or \
                    self.env.user.company_id.currency_id
                rounding = lookups["rounding"][currency_id] = currency.rounding
            vals["value_amount"] = float_round(vals["value_amount"],
                                               precision_rounding=rounding)
