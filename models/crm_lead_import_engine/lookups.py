from collections import defaultdict

from odoo import models

from ...lib import parsing, spreadsheet
from ...lib.columns import FIELD_OF_KEY, field_of
from .cells import BASIS_WORDS
from .engine import SIDE_EFFECT_FIELDS


class Lookups(dict):
    """The lookups of one file by name ({"stage": ..., "user": ...}): each built by its
    builder the first time it is read (a builder returns {name: lookup} of one or several)."""

    def __init__(self, builders):
        super().__init__()
        self.builders = builders

    def __missing__(self, name):
        if name not in self.builders:
            raise KeyError(name)
        self.update(self.builders[name]())
        return self[name]


class CrmLeadImportEngineLookups(models.AbstractModel):
    """What the cells of a file are looked up in: its opportunities, stages, users..."""

    _inherit = "crm.lead.import.engine"

    def _lookups(self, rows, mapping):
        """The names and records the rows' cells are looked up in: the opportunities the file
        names read now, the others (stages, users, currencies...) the first time a cell needs
        them (Lookups): a file without a Pipeline or Currency column reads no pipeline or
        currency."""
        id_columns = [col for col, key in mapping.items() if key == "id"]
        contact_columns = [col for col, key in mapping.items() if key == "contact_id"]

        def ints(columns):
            found = set()
            for _line, values in rows:
                for col in columns:
                    try:
                        number = parsing.parse_int(values[col] if col < len(values) else "")
                    except parsing.CellError:
                        continue
                    if number:
                        found.add(number)
            return found

        lookups = Lookups({
            "team": self._lookup_teams, "stage": self._lookup_stages,
            "stage_by_id": self._lookup_stages, "reason": self._lookup_reasons,
            "user": self._lookup_users, "tag": self._lookup_tags,
            "milestone": self._lookup_milestones, "basis": self._lookup_bases,
            "currency": self._lookup_currencies, "currency_by_id": self._lookup_currency_ids,
            "custom": self._lookup_custom,
            "partner": lambda: {"partner": {p.id: p for p in self.env["res.partner"].browse(
                sorted(ints(contact_columns))).exists()}},
        })
        lookups.update({"options": {}, "rounding": {}, "stage_of": {}})
        # Every column the import may change too (side_effects.py compares them after the
        # write: read once here).
        columns = ["type", "status", "team_id", "stage_id", "lost_reason", "active", "on_hold",
                   "probability", "partner_id", "reference", "company_id", "currency_id",
                   "value_basis", "value_duration"] + sorted(FIELD_OF_KEY.values()) + list(
                       SIDE_EFFECT_FIELDS) + [
            field_of(key) for key in mapping.values() if key != "id"]
        lookups["reference"] = self._references(rows, id_columns)
        lookups["taken"] = self._taken_references(rows, [
            col for col, key in mapping.items() if key == "reference"])
        lookups["lead"] = self._lead_states(
            sorted(ints(id_columns) | set(lookups["reference"].values())), columns)
        return lookups

    # Each lookup's builder: {lookup name: lookup} (several lookups built together).

    def _lookup_teams(self):
        teams = defaultdict(list)
        for team in self.env["crm.team"].search([]):
            teams[team.name].append(team)
        return {"team": teams}

    def _lookup_stages(self):
        stages, by_id = defaultdict(list), {}
        for stage in self.env["crm.stage"].search([]):
            stages[stage.name].append((stage.id, stage.team_id.id))
            by_id[stage.id] = stage
        return {"stage": stages, "stage_by_id": by_id}

    def _lookup_reasons(self):
        return {"reason": {r.name: r for r in self.env["crm.lost.reason"].search([])}}

    def _lookup_users(self):
        users = {}
        Users = self.env["res.users"]
        # Only the names and logins read (the records' other fields prefetched with them took
        # most of a small file's set-up).
        for user in Users.search([("share", "=", False)]).read(["name", "login"]):
            record = Users.browse(user["id"])
            users.setdefault(user["name"], record)
            users.setdefault(user["login"], record)
        return {"user": users}

    def _lookup_tags(self):
        return {"tag": {t.name: t for t in self.env["crm.probability.tag"].search([])}}

    def _selection_lookup(self, field_name):
        """{normalised label in English or French, or key: key} of a selection field."""
        Lead, found = self.env["crm.lead"], {}
        for lang in ("en_US", "fr_FR"):
            labels = Lead._fields[field_name]._description_selection(self.env(context=dict(
                self.env.context, lang=lang)))
            for key, label in labels:
                found[spreadsheet.normalise_header(label)] = key
                found[key] = key
        return found

    def _lookup_milestones(self):
        return {"milestone": self._selection_lookup("status")}

    def _lookup_bases(self):
        bases = self._selection_lookup("value_basis")
        bases.update(BASIS_WORDS)
        return {"basis": bases}

    def _lookup_currencies(self):
        by_code, by_id = {}, {}
        currencies = self.env["res.currency"].with_context(active_test=False).search([])
        # What the cells use read only (reading one field of a currency read every field of
        # all of them, a tenth of a small file's import).
        currencies.read(["name", "active", "rounding"], load="_classic_write")
        for currency in currencies:
            by_code[currency.name.upper()] = currency
            by_id[currency.id] = currency
        return {"currency": by_code, "currency_by_id": by_id}

    def _lookup_currency_ids(self):
        # Each currency on its own (only the file's are read: their rounding).
        Currency = self.env["res.currency"]
        return {"currency_by_id": {currency_id: Currency.browse(currency_id) for currency_id in
                                   Currency.with_context(active_test=False).search([]).ids}}

    def _lookup_custom(self):
        # As superuser: definitions (types, options) only; the values are written with the
        # user's rights.
        return {"custom": {definition.field_name: definition for definition in self.env[
            "crm.lead.custom.field"].sudo().search([("field_name", "!=", False)])}}
