from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import MissingError
from odoo.osv.query import Query

from .pipeline import _state
from .stale import stale_at

# Stored columns that computed fields of a kanban card read although the card does not ask for
# them: read() fetches only the columns asked for, and the first of these a compute touches
# made the ORM read every column (about 70) of the column's 40 opportunities: 40 % of the
# CPU of opening the pipeline. Read with the columns asked for, in the same query, and left
# out of the answer (when read() goes the ORM's way, below).
COMPUTE_COLUMNS = {
    "is_stale": ("type", "create_date"),        # models/crm_lead/stale.py
    "value_total": ("amount_untaxed",),          # models/crm_lead/value.py
}

# Stored columns whose value read() gives from the column alone (not translated): the cache's
# format of the database's value (convert_to_cache, validate=False, as _read_from_database
# stores it), then convert_to_read; a many-to-one's display name as superuser (Many2one).
COLUMN_TYPES = {"boolean", "integer", "float", "monetary", "char", "text", "selection", "date",
                "datetime", "many2one"}

# Computed fields of the cards worked out for all the records at once, from the columns they
# depend on (read in the same query): the same values as their computes (the methods named)
# and the ORM's conversion of them, tests/test_pipeline_cards.py compares them value by value.
CARD_COMPUTES = {
    "has_lines": (),                                           # pipeline._compute_has_lines
    "activity_state": (),                                      # pipeline._compute_activity_state
    "value_total": ("value_amount", "value_basis", "value_duration", "amount_untaxed",
                    "currency_id"),                            # pipeline._compute_value_total
    "is_stale": ("stage_id", "date_last_activity", "create_date", "type", "status",
                 "active"),                                    # stale._compute_is_stale
    "company_currency": ("company_id",),                       # related, user's rights
    "probability_tag_color": ("probability_tag_id",),          # related, user's rights
    "message_needaction_counter": (),                          # mail's _get_message_needaction
}


class CrmLeadCards(models.Model):
    """read() of opportunities (the pipeline's cards, lists, forms) as Odoo's, in bulk.

    Odoo's read() takes each value of each record out of its cache (a field's __get__, the
    record's cache key, conversions) and sets the computed fields record by record: about
    0.5 ms of CPU per card of 28 values, most of opening a pipeline of 400 cards. Here the
    columns come from the ORM's query (the record rules of _apply_ir_rules) converted with
    the fields' own conversions, the cards' computed fields are worked out for all the
    records from them, the one-to-many and many-to-many fields from what their read() puts
    in the cache; other fields are read by Odoo's read(). Whenever a record is not found
    (deleted, or refused by the rules), Odoo's read answers (its error or its answer)."""

    _inherit = "crm.lead"

    @api.multi
    def read(self, fields=None, load="_classic_read"):
        extra = []
        for name in fields or ():
            for column in COMPUTE_COLUMNS.get(name, ()):
                if column not in fields and column not in extra:
                    extra.append(column)
        if fields and load == "_classic_read":
            result = self._read_columns(list(fields))
            if result is not None:
                return result
            result = self._read_named(list(fields) + extra)
            if result is None:   # a name the ORM's way (value by value) tells apart
                result = super().read(list(fields) + extra, load=load)
        elif extra:
            result = super().read(list(fields) + extra, load=load)
        else:
            return super().read(fields, load=load)
        for row in result:
            for column in extra:
                del row[column]
        return result

    def _read_columns(self, fields):
        """read(fields) as Odoo's (load "_classic_read"), the columns and the cards'
        computed fields from one query; None where the ORM's read must answer."""
        if self.env.in_onchange or not self._ids or not all(
                isinstance(id_, int) and not isinstance(id_, bool) for id_ in self._ids):
            return None
        self.check_access_rights("read")
        fields = self.check_field_access_rights("read", fields)
        columns, computed, rest = {}, [], []
        for name in fields:
            field = self._fields.get(name)
            if field is None:
                return None   # the ORM warns and leaves it out
            if name == "id" or name in columns or name in computed or name in rest:
                continue
            if _is_column(field):
                columns[name] = field
            elif name in CARD_COMPUTES or _is_x2many(field):
                computed.append(name)
            else:
                rest.append(name)
        needed = dict(columns)
        for name in computed:
            for column in CARD_COMPUTES.get(name, ()):
                needed.setdefault(column, self._fields[column])
        rows = self._fetch_columns(needed)
        if rows is None:
            return None
        values = {name: {id_: row[name] for id_, row in rows.items()} for name in columns}
        shared = {}
        for name in computed:
            values[name] = getattr(self, "_card_%s" % name)(rows, shared) \
                if name in CARD_COMPUTES else self._x2many_ids(self._fields[name], rows)
        if rest:
            others = {row["id"]: row for row in super().read(rest, load=None)}
            if set(others) != set(rows):
                return None
            for name in rest:
                values[name] = {id_: row[name] for id_, row in others.items()}
        # The many-to-one values as (id, display name), the names as superuser (as read()).
        names = self._display_names(
            (self._fields[name].comodel_name, by_id) for name, by_id in values.items()
            if self._fields[name].type == "many2one")
        if names is None:
            return None
        for name, by_id in values.items():
            comodel = self._fields[name].comodel_name \
                if self._fields[name].type == "many2one" else None
            if comodel:
                for id_, value in by_id.items():
                    if value:
                        by_id[id_] = (value, names[comodel, value])
        result = []
        for id_ in self._ids:
            row = {"id": id_}
            for name, by_id in values.items():
                row[name] = by_id[id_]
            result.append(row)
        return result

    def _fetch_columns(self, needed):
        """{id: {column: value in read()'s format, a many-to-one's as its id}} of these
        records, read with the user's record rules as _read_from_database reads them; None
        when one is missing."""
        param_ids = object()
        query = Query(['"%s"' % self._table], ['"%s".id IN %%s' % self._table], [param_ids])
        self._apply_ir_rules(query, "read")
        from_clause, where_clause, params = query.get_sql()
        # Field names of the model (checked above), quoted; the ids are a parameter.
        select = ", ".join(['"%s".id' % self._table] + [
            '"%s"."%s"' % (self._table, name) for name in needed])
        position = params.index(param_ids)
        raw = []
        for ids in self.env.cr.split_for_in_conditions(set(self._ids)):
            params[position] = tuple(ids)
            self.env.cr.execute("SELECT %s FROM %s WHERE %s" % (
                select, from_clause, where_clause), params)
            raw.extend(self.env.cr.fetchall())
        rows = {}
        for record in raw:
            row = rows[record[0]] = {}
            for (name, field), value in zip(needed.items(), record[1:]):
                if field.type == "many2one":
                    row[name] = value or False
                else:
                    row[name] = field.convert_to_read(
                        field.convert_to_cache(value, self, validate=False), self)
        if len(rows) != len(set(self._ids)):
            return None
        return rows

    def _x2many_ids(self, field, rows):
        """{id: [ids]} of a one-to-many or many-to-many of these records: what the field's
        read() (the comodel's rules and order, as _read_from_database calls it) puts in the
        cache (Odoo's read taking each value out of it was 2/3 of the CPU of the tags)."""
        records = self.browse(list(rows))
        field.read(records)
        cache = self.env.cache
        return {record.id: list(cache.get(record, field)) for record in records}

    def _display_names(self, values):
        """{(model, id): display name} of the many-to-one values ((model, {id: value}) pairs)
        as superuser, in this context (as the ORM names them); None when one is missing."""
        ids = defaultdict(set)
        for comodel, by_id in values:
            ids[comodel].update(value for value in by_id.values() if value)
        names = {}
        for comodel, value_ids in ids.items():
            try:
                for record in self.env[comodel].sudo().browse(value_ids):
                    names[comodel, record.id] = record.display_name
            except MissingError:
                return None
        return names

    def _read_named(self, fields):
        """read() as Odoo's, the display names of the many-to-one values fetched once per
        record: the ORM asks each value's (as superuser, in the same context) for each
        opportunity, a superuser environment looked up per value (1,400 per pipeline).
        The same names in the same way: ``display_name`` of the values as superuser, all
        those of a model at once (as the ORM prefetches them). None when a value is missing
        (the ORM's read then gives False for it alone)."""
        result = super().read(fields, load=None)
        many2ones = [(name, self._fields[name].comodel_name) for name in set(fields)
                     if name in self._fields and self._fields[name].type == "many2one"]
        names = self._display_names(
            (comodel, {index: row[name] for index, row in enumerate(result)})
            for name, comodel in many2ones)
        if names is None:
            return None
        for row in result:
            for name, comodel in many2ones:
                if row[name]:
                    row[name] = (row[name], names[comodel, row[name]])
        return result

    # The cards' computed fields, {id: value as read() gives it} from the rows of
    # _fetch_columns (the columns of CARD_COMPUTES read).

    def _card_has_lines(self, rows, shared):
        with_lines = _with_lines(self, rows, shared)
        return {id_: id_ in with_lines for id_ in rows}

    def _card_activity_state(self, rows, _shared):
        due = dict(self._activity_due(list(rows)))
        return {id_: _state(due.get(id_)) for id_ in rows}

    def _card_value_total(self, rows, shared):
        # As the compute assigns it: the currency's rounding (Monetary.convert_to_cache), the
        # lead's currency read with the user's rights.
        with_lines = _with_lines(self, rows, shared)
        currencies = {currency.id: currency for currency in self.env["res.currency"].browse(
            {row["currency_id"] for row in rows.values() if row["currency_id"]})}
        field = self._fields["value_total"]
        totals = {}
        for id_, row in rows.items():
            total = row["amount_untaxed"] if id_ in with_lines else self._typed_total(
                row["value_amount"], row["value_basis"], row["value_duration"])
            total = float(total or 0.0)
            if row["currency_id"]:
                total = currencies[row["currency_id"]].round(total)
            totals[id_] = field.convert_to_read(total, self)
        return totals

    def _card_is_stale(self, rows, _shared):
        # The stages' delays read with the user's rights, as the compute reads them.
        days = {stage.id: stage.stale_days for stage in self.env["crm.stage"].browse(
            {row["stage_id"] for row in rows.values() if row["stage_id"]})}
        now = fields.Datetime.from_string(fields.Datetime.now())
        return {id_: stale_at(days.get(row["stage_id"], 0), row["date_last_activity"],
                              row["create_date"], row["type"], row["status"], row["active"],
                              now) for id_, row in rows.items()}

    def _card_company_currency(self, rows, _shared):
        # crm's related company_id.currency_id, with the user's rights (pipeline.py).
        companies = {company.id: company.currency_id.id or False
                     for company in self.env["res.company"].browse(
                         {row["company_id"] for row in rows.values() if row["company_id"]})}
        return {id_: companies[row["company_id"]] if row["company_id"] else False
                for id_, row in rows.items()}

    def _card_message_needaction_counter(self, rows, _shared):
        # mail.thread's count of the messages awaiting the user's action (its query), set
        # record by record by the ORM: 30 ms for 400 cards.
        counts = dict.fromkeys(rows, 0)
        self.env.cr.execute("""
            SELECT msg.res_id FROM mail_message msg
            RIGHT JOIN mail_message_res_partner_needaction_rel rel
                ON rel.mail_message_id = msg.id AND rel.res_partner_id = %s
               AND (rel.is_read = false OR rel.is_read IS NULL)
            WHERE msg.model = %s AND msg.res_id IN %s""",
                            (self.env.user.partner_id.id, self._name, tuple(rows)))
        for (res_id,) in self.env.cr.fetchall():
            counts[res_id] += 1
        field = self._fields["message_needaction_counter"]
        return {id_: field.convert_to_read(count, self) for id_, count in counts.items()}

    def _card_probability_tag_color(self, rows, _shared):
        field = self._fields["probability_tag_color"]
        tags = {tag.id: tag.color_hex for tag in self.env["crm.probability.tag"].browse(
            {row["probability_tag_id"] for row in rows.values() if row["probability_tag_id"]})}
        return {id_: field.convert_to_read(field.convert_to_cache(
            tags[row["probability_tag_id"]] if row["probability_tag_id"] else False, self),
            self) for id_, row in rows.items()}


def _with_lines(leads, rows, shared):
    """The ids of the opportunities of ``rows`` with items the user reads (queried once)."""
    if "with_lines" not in shared:
        shared["with_lines"] = leads._ids_with_lines(list(rows))
    return shared["with_lines"]


def _is_x2many(field):
    """Whether ``field`` is a one-to-many or many-to-many read from its table (not computed)."""
    return field.type in ("one2many", "many2many") and field.store and not field.compute


def _is_column(field):
    """Whether read() gives ``field``'s value from its column alone (COLUMN_TYPES)."""
    return field.store and field.column_type and field.type in COLUMN_TYPES \
        and not field.translate and not field.inherited and field.name != "id"
