from collections import OrderedDict
from itertools import compress
from operator import itemgetter, ne

from odoo import models

from ...lib import guard
from ...lib.columns import FIELD_OF_KEY
from .engine import SIDE_EFFECT_FIELDS, _RollBack
from .validation import LeadState

# Read back with the watched columns, for the undo data and the notes.
AFTER_EXTRA_FIELDS = ("write_date", "name")


class CrmLeadImportEngineSideEffects(models.AbstractModel):
    """What an import really changes. Writing a stage also sets the stage's probability (unless
    a probability tag holds it), a milestone moves the stage, the probability and the lost
    reason, a new salesperson may move the opportunity to their sales channel: crm and the
    status do it on write. Rather than predicting those rules (and missing the next one), the
    changes are read back after the write; the dry run makes the same write in a savepoint it
    rolls back, so the diff it shows is the diff the import writes."""

    _inherit = "crm.lead.import.engine"

    @staticmethod
    def _watched_fields(plan):
        """Every column an import may write: the fixed ones and the custom fields planned; and
        the expected revenue, which the value, its basis, duration and currency give."""
        names = set(FIELD_OF_KEY.values()) | set(SIDE_EFFECT_FIELDS)
        names.update(name for _line, _lead, vals, _changes in plan for name in vals)
        return sorted(names)

    def _write_plan(self, plan, skip_invalid):
        """As the engine's, with each updated row's changes as read back after the write; after
        is {id: (write date, name)} of the updated opportunities read back then (the undo data
        and the notes need them, and a pass over 100,000 opportunities cost up to a second)."""
        watched = self._watched_fields(plan)
        # The states _prepare() read (the same transaction: nothing changed since) when they
        # hold every watched column; the others read again.
        before, missing = {}, []
        watched_names = set(watched)
        for _line, lead, _vals, changes in plan:
            if lead and changes:
                if isinstance(lead, LeadState) and watched_names <= lead.keys():
                    before[lead.id] = lead
                else:
                    missing.append(lead.id)
        before.update(self._lead_states(missing, watched))
        to_write, created, refused, after = super()._write_plan(plan, skip_invalid)
        if to_write:
            self.env["crm.lead"].recompute()
            # Read back as lists of values (no dictionary per opportunity), in this order.
            columns = list(OrderedDict.fromkeys(watched + list(AFTER_EXTRA_FIELDS)))
            rows = self._lead_states([entry[1].id for entry in to_write], columns,
                                     as_lists=True)
            fields = self.env["crm.lead"]._fields
            floats = {name for name in watched if fields[name].type in ("float", "monetary")}
            values_of = itemgetter(*watched)
            positions = {name: index for index, name in enumerate(columns)}
            to_write = [self._written_changes(entry, watched, before.get(entry[1].id),
                                              rows.get(entry[1].id), floats, values_of,
                                              positions)
                        for entry in to_write]
            date_at, name_at = positions["write_date"], positions["name"]
            after = {lead_id: (values[date_at], values[name_at])
                     for lead_id, values in rows.items()}
        return to_write, created, refused, after

    @staticmethod
    def _written_changes(entry, watched, before, after, floats, values_of=None,
                         positions=None):
        """(line, lead, vals, changes): the planned changes first, then the side effects.
        ``after``: the values read back, a mapping by name, or a list holding the values of
        ``watched`` first, in that order, each name's at its index in ``positions``;
        ``floats``: the watched fields compared as numbers; ``values_of``:
        itemgetter(*watched) (watched has several fields: the importable ones)."""
        line, lead, vals, planned = entry
        if before is None or after is None:
            # The user may no longer read it (e.g. given to another salesperson).
            return entry
        # The columns that differ at all (most do not; compared without a Python loop), then
        # compared as the import does.
        values_of = values_of or itemgetter(*watched)
        if after.__class__ is list:
            news = after
        else:
            news, positions = values_of(after), None
        differ = list(compress(watched, map(ne, values_of(before), news)))
        changes = []
        if not differ:
            return line, lead, vals, changes
        order = [name for name, _old, _new in planned if name in differ]
        if len(order) < len(differ):
            order += [name for name in differ if name not in order]
        for name in order:
            old, new = before[name], after[positions[name] if positions else name]
            if name in floats:
                # same_float(), inline (per number of every row).
                old_number, new_number = old or 0.0, new or 0.0
                if abs(old_number - new_number) <= max(
                        1e-6, 1e-14 * max(abs(old_number), abs(new_number))):
                    continue
            elif (old or False) == (new or False):
                continue
            changes.append((name, old, new))
        return line, lead, vals, changes

    def _simulate(self, plan, skip_invalid):
        """(plan, refused) as the import would write it, side effects included: written in a
        savepoint rolled back. refused: [(line, reason)] the database or a business rule would
        refuse. When those stop the import (skip_invalid off), the plan is returned as
        planned."""
        try:
            with self.env.cr.savepoint():
                # The import may close many opportunities at once (the milestone column): so
                # may its rehearsal, which leaves nothing written.
                with guard.internal(guard.CLOSE):
                    result = self._write_plan(plan, skip_invalid)
                raise _RollBack(result)
        except _RollBack as rollback:
            to_write, _created, refused, _after = rollback.args[0]
        finally:
            self.env.clear()
        if to_write is None:
            return plan, refused
        written = {entry[0]: entry for entry in to_write}
        return [written.get(entry[0], entry) for entry in plan], refused
