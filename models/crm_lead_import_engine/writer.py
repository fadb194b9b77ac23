from collections import OrderedDict, defaultdict

from odoo import _, models
from odoo.exceptions import UserError

from ...lib import bulk
from ..crm_lead.value import REVENUE_FIELDS, REVENUE_STATE_FIELDS
from .validation import LeadState

# Written through the ORM (business logic attached), in this order; the other fields the
# import writes are plain columns, updated in SQL (the lost reason too: no logic is attached
# to it, and written through the ORM it was an UPDATE of its own of the opportunities lost,
# 0.25 s for 2,500 of them).
ORM_FIELDS_ORDER = ("team_id", "stage_id", "probability_tag_id", "probability", "user_id",
                    "contact_id", "on_hold")
# What _write_grouped() writes per value (the others are plain columns).
GROUPED_FIELDS = frozenset(ORM_FIELDS_ORDER + ("status",))
# Opportunities per UPDATE.
SQL_BATCH = 20000
# What crm.lead.write() does besides writing these columns, in SQL (leads of the import only):
# a new stage stamps its date (and the opportunity's last activity, models/crm_lead/stale.py);
# a new salesperson the assignation date (and the days to assign); a probability below 100
# clears the closing date and gives the status it implies.
SQL_EXTRAS = {
    "stage_id": [("date_last_stage_update", "now() AT TIME ZONE 'UTC'"),
                 ("date_last_activity", "now() AT TIME ZONE 'UTC'")],
    "user_id": [("date_open", "now() AT TIME ZONE 'UTC'"),
                ("day_open", "abs(date_part('day', (now() AT TIME ZONE 'UTC') - "
                             "crm_lead.create_date))")],
    "probability": [("date_closed", "NULL"),
                    ("status", "CASE WHEN NOT crm_lead.active THEN 'lost' WHEN crm_lead.on_hold "
                               "THEN 'hold' ELSE 'open' END")],
}


class CrmLeadImportEngineWriter(models.AbstractModel):
    """Writing many opportunities at once: the ORM where crm has business logic, one UPDATE
    per batch for the plain columns (and those whose side effects SQL_EXTRAS reproduces)."""

    _inherit = "crm.lead.import.engine"

    def _write_grouped(self, Lead, to_write, status_first=False):
        """Write what the rows change in as few statements as possible: fields with business
        logic through the ORM, one write() per (field, value) in a fixed order; then every plain
        column, and the columns whose side effects are reproduced in SQL (SQL_EXTRAS), in one
        UPDATE per batch of rows. The status may move the stage and the probability: written
        last on import, first on undo (then the exact previous stage and probability are
        written back)."""
        # {field: {value: [lead id]}} of the fields written per value (the ORM's, the
        # status...); {column: [(lead id, value)]} of the plain columns (one UPDATE).
        by_field, plain = defaultdict(lambda: defaultdict(list)), OrderedDict()
        # The values the import read before (validation.py, LeadState): what the UPDATE
        # computes the expected revenue from, but for the leads written through the ORM first.
        states = {}
        for lead, vals, _changes in to_write:
            lead_id = lead.id
            if lead.__class__ is LeadState and REVENUE_STATE_FIELDS <= lead.keys():
                states[lead_id] = lead
            for name, value in vals.items():
                if name in GROUPED_FIELDS:
                    by_field[name][value].append(lead_id)
                else:
                    pairs = plain.get(name)
                    if pairs is None:
                        pairs = plain[name] = []
                    pairs.append((lead_id, value))

        def write_status():
            for status, ids in by_field.get("status", {}).items():
                if status in ("won", "lost"):
                    # What write() does, in SQL (tests/test_sql_parity.py compares them).
                    Lead.browse(ids)._write_closing_status(status)
                else:
                    Lead.browse(ids).write({"status": status})

        if status_first:
            write_status()
            states = {}
        sql = OrderedDict()
        # A stage change on leads given an open probability in the same rows: crm.lead.write()
        # would set the stage's probability (overwritten next) and recompute closing fields.
        given_open = {i for v, ids in by_field.get("probability", {}).items() if v < 100
                      for i in ids}
        if given_open:
            stages = self.env["crm.stage"].browse(list(by_field.get("stage_id", {})))
            for stage in stages.filtered(lambda st: st.probability < 100):
                ids = by_field["stage_id"][stage.id]
                sql.setdefault("stage_id", []).extend(
                    (i, stage.id) for i in ids if i in given_open)
                by_field["stage_id"][stage.id] = [i for i in ids if i not in given_open]
        for name in ORM_FIELDS_ORDER:
            for value, ids in by_field.get(name, {}).items():
                if not ids or (name == "probability" and value < 100) or (
                        name == "user_id" and value):
                    continue
                Lead.browse(ids).write({name: value})
                for lead_id in ids:
                    states.pop(lead_id, None)
        owners = [(i, v) for v, ids in by_field.get("user_id", {}).items() if v for i in ids]
        if owners:
            sql["user_id"] = owners
        open_probabilities = [(i, v) for v, ids in by_field.get("probability", {}).items()
                              if v < 100 for i in ids]
        if open_probabilities:
            sql["probability"] = open_probabilities
        sql.update(plain)
        # The sales channel of each lead written (the UPDATE does not change it): read by the
        # UPDATE, not by a query of its own (at 100,000 rows, each pass over the leads cost).
        teams = self._sql_update(Lead, sql, states)
        if owners:
            self._move_to_owner_team(Lead, owners, teams)
        if not status_first:
            write_status()

    def _move_to_owner_team(self, Lead, owners, teams):
        """A lead whose sales channel its new salesperson is not a member of moves to the
        salesperson's channel, as crm's constraint does (through the ORM, few leads)."""
        groups = defaultdict(list)
        for lead_id, user_id in owners:
            groups[(user_id, teams.get(lead_id))].append(lead_id)
        for (user_id, team_id), lead_ids in groups.items():
            team = Lead.with_context(team_id=team_id)._onchange_user_values(user_id).get(
                "team_id")
            new_team_id = team.id if hasattr(team, "ids") else team
            if team is not None and new_team_id != team_id:
                Lead.browse(lead_ids).write({"team_id": new_team_id})

    def _sql_update(self, Lead, columns, states=None):
        """Write {column: [(lead id, value)]} in one UPDATE per batch of leads, access checked.
        Each column's SQL_EXTRAS (what crm.lead.write() does when it changes) are set in the
        same statement for the leads given that column; the stored fields depending on the
        other (plain) columns are recomputed. ``states``: {lead id: its stored values as they
        are now} already read (crm.lead._revenue_of_rows()). Returns {lead id: its sales
        channel id or None} of the leads written (none of these columns is the channel)."""
        # {column: {lead id: value}}.
        given = OrderedDict((name, dict(pairs)) for name, pairs in columns.items())
        ids = sorted(set().union(*given.values()))
        teams = {}
        if not ids:
            return teams
        records = Lead.browse(ids)
        records.check_access_rights("write")
        records.check_access_rule("write")
        names = list(columns)
        # A new value (basis, duration, currency) gives a new expected revenue: computed here
        # and written in the same UPDATE (value.py; it reads the value's columns of the rows
        # not in ``states``).
        rows = defaultdict(dict)
        for name in REVENUE_FIELDS:
            for lead_id, value in given.get(name, {}).items():
                rows[lead_id][name] = value
        revenues = Lead._revenue_of_rows(rows, states)
        if revenues:
            given.setdefault("planned_revenue", {}).update(revenues)
        if revenues and "planned_revenue" not in names:
            names.append("planned_revenue")
        # Identifiers below come from this whitelist only (and SQL_EXTRAS, fixed).
        unknown = set(names) - self._importable_columns()
        if unknown:
            raise UserError(_("These columns cannot be imported: %(columns)s.")
                            % {"columns": ", ".join(sorted(map(str, unknown)))})
        # A column given on every row is set as it is; the others where the row gives them.
        partial = [len(given[name]) != len(ids) for name in names]
        sets, touched = [], []
        for index, name in enumerate(names):
            assignments = [(name, "v.v%d" % index)] + SQL_EXTRAS.get(name, [])
            for column, expression in assignments:
                sets.append('"%s" = CASE WHEN v.s%d THEN %s ELSE crm_lead."%s" END' % (
                    column, index, expression, column) if partial[index] else
                    '"%s" = %s' % (column, expression))
                touched.append(column)
        # One array per column (bulk.pg_array: a single parameter each, not one per value).
        arrays = "%s::int4[]" + "".join(
            (", %s::bool[]" if partial[index] else "") + ", %%s::%s[]" % Lead._fields[name]
            .column_type[1] for index, name in enumerate(names))
        aliases = ", ".join("s%d, v%d" % (index, index) if partial[index] else "v%d" % index
                            for index in range(len(names)))
        # Each batch's rows found through the primary key (a nested loop): the planner joined
        # thousands of ids by hash, reading the whole table once per batch (0.3 s a batch on a
        # million opportunities). For these statements only (set back below; a failure rolls
        # the transaction or savepoint back, and the setting with it).
        cr = self.env.cr
        cr.execute("SELECT current_setting('enable_hashjoin'), "
                   "current_setting('enable_mergejoin')")
        planner = cr.fetchone()
        cr.execute("SELECT set_config('enable_hashjoin', 'off', true), "
                   "set_config('enable_mergejoin', 'off', true)")
        for chunk in range(0, len(ids), SQL_BATCH):
            part = ids[chunk:chunk + SQL_BATCH]
            params = [self.env.uid, bulk.pg_array(part)]
            for index, name in enumerate(names):
                values = given[name]
                if partial[index]:
                    params.append(bulk.pg_array(list(map(values.__contains__, part))))
                params.append(bulk.pg_array([None if value is False else value
                                             for value in map(values.get, part)]))
            # Identifiers are whitelisted (above) or fixed; every value is a parameter.
            cr.execute(
                "UPDATE crm_lead SET %s, write_uid = %%s, write_date = now() AT TIME ZONE 'UTC' "
                "FROM unnest(%s) AS v(id, %s) WHERE crm_lead.id = v.id "
                "RETURNING crm_lead.id, crm_lead.team_id"
                % (", ".join(sets), arrays, aliases), params)
            teams.update(cr.fetchall())
        cr.execute("SELECT set_config('enable_hashjoin', %s, true), "
                   "set_config('enable_mergejoin', %s, true)", planner)
        records.invalidate_cache(touched + ["write_date", "write_uid"])
        plain = [name for name in names if name not in SQL_EXTRAS]
        if plain:
            records.modified(plain)
            # Written above: the expected revenue of the new values.
            Lead.browse(list(revenues))._recompute_done(Lead._fields["planned_revenue"])
            records.recompute()
        return teams
