from datetime import datetime, timedelta
from html import escape as html_escape

from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.tools import sql
from odoo.exceptions import AccessError, UserError
from odoo.osv import expression

from ...lib import guard

TRASH_DAYS = 30
# The opportunities of the trash (few: deleting several at once is the sales managers', and the
# cron purges them), from their partial index. Fixed SQL.
TRASHED_IDS_SQL = "SELECT trashed.id FROM crm_lead trashed WHERE trashed.trash_date IS NOT NULL"
# A domain that names one of these asks for the trash itself (the Trash menu): left as it is.
TRASH_FIELDS = ("trash_date", "is_in_trash")


def _is_not_in_trash_leaf(term):
    """Whether a domain term is (trash_date, =, False): not in the trash."""
    return isinstance(term, (list, tuple)) and len(term) == 3 and term[0] == "trash_date" \
        and term[1] == "=" and term[2] is False


class CrmLeadTrash(models.Model):
    """Deleting moves to the trash, out of every search; sales managers restore or delete for
    good, and a cron empties what has been there too long."""

    _inherit = "crm.lead"

    # Indexed by init(): the rows in the trash only.
    trash_date = fields.Datetime(string="Moved to the trash on", copy=False, readonly=True)
    trashed_by_id = fields.Many2one("res.users", string="Moved to the trash by", copy=False,
                                    readonly=True)
    active_before_trash = fields.Boolean(string="Active before the trash", copy=False,
                                         readonly=True)
    # What the searches that include archived opportunities leave out (_where_calc,
    # _apply_ir_rules): searched without reading each row's trash date.
    is_in_trash = fields.Boolean(string="In the trash", compute="_compute_is_in_trash",
                                 search="_search_is_in_trash")

    # The trash keeps its opportunities inactive (_move_to_trash); searches rely on it.
    _sql_constraints = [
        ("trash_not_active", "CHECK (trash_date IS NULL OR active IS NOT TRUE)",
         "An opportunity in the trash cannot be made active: restore it first."),
    ]

    # Whether the database enforces that check (validated): read once per registry by
    # _register_hook; the record rules of searches of active opportunities rely on it.
    _trash_check_in_force = False

    @api.depends("trash_date")
    def _compute_is_in_trash(self):
        for lead in self:
            lead.is_in_trash = bool(lead.trash_date)

    def _search_is_in_trash(self, operator, value):
        """In the trash: a trash date. Not in the trash: the trash date empty, which
        PostgreSQL reads by unpacking each row up to that column, far in the row (a search of
        a million opportunities 20 to 40 % longer, bench/trash_filter.py). Where the database
        enforces that nothing in the trash is active (_register_hook): active, or not one of
        the trash's ids (a hashed list, made once per query from the partial index), which
        reads the first columns of a row only. Fixed SQL, no value of the caller's in it."""
        if operator not in ("=", "!=") or value not in (True, False):
            raise UserError(_("Search \"In the trash\" with = or != and yes or no."))
        if (operator == "=") == bool(value):
            return [("trash_date", "!=", False)]
        if not self._trash_check_in_force:
            return [("trash_date", "=", False)]
        return ["|", ("active", "=", True), ("id", "not inselect", (TRASHED_IDS_SQL, []))]

    @api.model_cr_context
    def _auto_init(self):
        # Before the check above is added: opportunities of the trash made active since (an
        # earlier version let a manager unarchive or win one there) become inactive again, as
        # the trash left them (restoring gives them their state from before the trash).
        # Fixed SQL.
        if sql.column_exists(self.env.cr, "crm_lead", "trash_date"):
            self.env.cr.execute("UPDATE crm_lead SET active = false "
                                "WHERE trash_date IS NOT NULL AND active")
        return super()._auto_init()

    @api.model_cr
    def init(self):
        result = super().init()
        # The Trash menu and the purge look for the few opportunities in the trash: a partial
        # index holds those only. The trash filter of the other searches (trash_date IS NULL)
        # keeps nearly every row, which no index helps with; a full index had an entry for
        # every opportunity, rewritten with it (bench/trash_filter.py). Fixed SQL.
        self.env.cr.execute("CREATE INDEX IF NOT EXISTS crm_lead_trash_date_partial_index "
                            "ON crm_lead (trash_date) WHERE trash_date IS NOT NULL")
        return result

    def _register_hook(self):
        result = super()._register_hook()
        # Fixed SQL.
        self.env.cr.execute("""
            SELECT 1 FROM pg_constraint
            WHERE conrelid = 'crm_lead'::regclass AND conname = 'crm_lead_trash_not_active'
              AND contype = 'c' AND convalidated""")
        type(self)._trash_check_in_force = bool(self.env.cr.fetchone())
        return result

    @api.model
    def _where_calc(self, domain, active_test=True):
        # Trashed opportunities are left out of every search, count, read_group and name
        # search unless the domain asks for them (the Trash menu). Record rules call this with
        # active_test=False: they must still see them (restore, permanent deletion).
        # They are never active (_sql_constraints; once the database enforces it,
        # _register_hook): a search of the active opportunities only (Odoo adds active = True
        # to its domain, as below) leaves them out already. The trash
        # date, far in the row (PostgreSQL unpacks every column before it), is then not read
        # (it made a search of a million opportunities 20 to 40 % longer: bench/
        # trash_filter.py).
        domain = list(domain or [])
        # Odoo's own condition for adding active = True (BaseModel._where_calc).
        active_only = active_test and self._context.get("active_test", True) and not any(
            item[0] == "active" for item in domain)
        # The others: not in the trash (_search_is_in_trash), unless the domain names it.
        names_trash = any(isinstance(term, (list, tuple)) and term[0] in TRASH_FIELDS
                          for term in domain)
        trash_excluded = active_test and not names_trash and not (
            active_only and self._trash_check_in_force)
        if trash_excluded:
            domain = [("is_in_trash", "=", False)] + domain
        query = super()._where_calc(domain, active_test)
        # Read by _apply_ir_rules below: a search, and whether no row of it is in the trash
        # (every row active, or the trash left out just above).
        query.crm_trash_excluded = bool(active_only or trash_excluded)
        return query

    @api.model
    def _apply_ir_rules(self, query, mode="read"):
        # The trash rule (security: crm_lead_rule_trash) hides the trash from all but sales
        # managers with the condition trash_date IS NULL. A search of active opportunities only
        # (the usual one: lists, kanban, counts, name searches) cannot find an opportunity of the
        # trash anyway, since none is active (_sql_constraints); for each of its rows that
        # condition is true. It is true there wherever it appears in the rules' domain, so it
        # is replaced by TRUE: left in, PostgreSQL unpacked every row up to the trash date, near
        # the row's end, and a rep's searches of a million opportunities took 7 to 33 ms longer
        # (bench/trash_filter.py). So it is in a search that includes archived opportunities
        # where _where_calc left the trash out; in the other searches (e.g. one that names the
        # trash date) it is replaced by its equivalent that reads the first columns of a row
        # only (_search_is_in_trash). Any other read (a record by id, the write and unlink
        # checks) gets the rules unchanged, and so does every read of a database where the
        # check is not in force (_register_hook).
        trash_excluded = getattr(query, "crm_trash_excluded", None)  # None: not a search
        if mode != "read" or self._uid == SUPERUSER_ID or self._inherits or \
                not self._trash_check_in_force or trash_excluded is None:
            return super()._apply_ir_rules(query, mode)
        domain = self.env["ir.rule"]._compute_domain(self._name, mode)
        if not domain:
            return super()._apply_ir_rules(query, mode)
        # The negations pushed into the terms first: a negated term stays as it is (true for
        # none of these rows, it is not replaced).
        not_in_trash = expression.TRUE_LEAF if trash_excluded else ("is_in_trash", "=", False)
        domain = [not_in_trash if _is_not_in_trash_leaf(term) else term
                  for term in expression.distribute_not(domain)]
        # As ir.rule's domain_get: the rules are built as superuser (they may follow fields the
        # user cannot read), without any implicit condition.
        rules = self.sudo()._where_calc(domain, active_test=False)
        query.where_clause += rules.where_clause
        query.where_clause_params += rules.where_clause_params
        for table in rules.tables:
            if table not in query.tables:
                query.tables.append(table)
        return None

    @api.multi
    def unlink(self):
        """Deleting moves to the trash (restorable by a sales manager for a while): anyone who
        may edit an opportunity deletes it, one at a time; several at once, or for good from
        the trash, sales managers only."""
        if guard.allowed(guard.PERMANENT_UNLINK):
            ids = self.ids
            result = super().unlink()
            # mail.thread deletes the messages it finds with the user's rights, and a trashed
            # opportunity's messages are not found (its document is out of every search):
            # they would stay behind. The opportunities are gone by now, deleted by a user
            # allowed to.
            self.env["mail.message"].sudo().search(
                [("model", "=", self._name), ("res_id", "in", ids)]).unlink()
            return result
        manager = self.env.user.has_group("sales_team.group_sale_manager")
        if len(self) > 1 and not manager:
            raise AccessError(_("Only sales managers may delete several opportunities at once."))
        self.check_access_rights("write")
        self.check_access_rule("write")
        # Fixed SQL; the ids are a parameter. Write access checked just above.
        self.env.cr.execute("SELECT id FROM crm_lead WHERE id IN %s AND trash_date IS NOT NULL",
                            (tuple(self.ids) or (0,),))
        trashed = self.browse([row[0] for row in self.env.cr.fetchall()])
        if trashed:
            trashed.action_delete_permanently()
        (self - trashed)._move_to_trash()
        return True

    def _move_to_trash(self):
        if not self:
            return
        # Fixed SQL; values are parameters. Callers checked write access (unlink, import undo).
        # Of write()'s side effects: the write date and uid, the cache invalidation below and a
        # note (instead of tracking). Not the status recomputation: a trashed opportunity keeps
        # its status, and is restored as it was.
        self.env.cr.execute("""
            UPDATE crm_lead SET active_before_trash = active, active = false,
                   trash_date = now() AT TIME ZONE 'UTC', trashed_by_id = %s,
                   write_uid = %s, write_date = now() AT TIME ZONE 'UTC'
            WHERE id IN %s""", (self.env.uid, self.env.uid, tuple(self.ids)))
        self.invalidate_cache(["active", "active_before_trash", "trash_date", "trashed_by_id",
                               "write_uid", "write_date"], self.ids)
        body = _("<p>Moved to the trash by %s.</p>") % html_escape(self.env.user.name)
        self._post_bulk_notes({lead_id: body for lead_id in self.ids})

    def _check_trash_manager(self):
        if not self.env.user.has_group("sales_team.group_sale_manager"):
            raise AccessError(_("Only sales managers may restore or delete opportunities of "
                                "the trash."))

    @api.multi
    def action_restore_from_trash(self):
        """Back from the trash with everything attached (items, activities, messages,
        documents never left)."""
        self._check_trash_manager()
        self.check_access_rule("write")
        # Fixed SQL; values are parameters. Sales manager and write access checked above.
        # Side effects of write() reproduced as when moving to the trash (_move_to_trash).
        self.env.cr.execute("""
            UPDATE crm_lead SET active = coalesce(active_before_trash, true), trash_date = NULL,
                   trashed_by_id = NULL, active_before_trash = NULL, write_uid = %s,
                   write_date = now() AT TIME ZONE 'UTC'
            WHERE id IN %s AND trash_date IS NOT NULL RETURNING id""",
                            (self.env.uid, tuple(self.ids) or (0,)))
        restored = [row[0] for row in self.env.cr.fetchall()]
        self.invalidate_cache(["active", "active_before_trash", "trash_date", "trashed_by_id",
                               "write_uid", "write_date"], self.ids)
        body = _("<p>Restored from the trash by %s.</p>") % html_escape(self.env.user.name)
        self._post_bulk_notes({lead_id: body for lead_id in restored})
        return True

    @api.multi
    def action_delete_permanently(self):
        self._check_trash_manager()
        with guard.internal(guard.PERMANENT_UNLINK):
            return self.unlink()

    @api.model
    def _cron_purge_trash(self):
        """Delete for good what has been in the trash longer than the configured days."""
        # As superuser: a setting; the cron purges the whole trash, whoever may see it.
        days = int(self.env["ir.config_parameter"].sudo().get_param(
            "crm_opportunity_suite.trash_days", TRASH_DAYS) or TRASH_DAYS)
        limit = fields.Datetime.to_string(datetime.utcnow() - timedelta(days=days))
        # As superuser: the cron's job is every trashed opportunity, not the cron user's.
        old = self.sudo().with_context(active_test=False).search(
            [("trash_date", "!=", False), ("trash_date", "<", limit)])
        with guard.internal(guard.PERMANENT_UNLINK):
            old.unlink()
        return len(old)
