from html import escape as html_escape

from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import AccessError, UserError

from ...lib import guard
from .status import OPEN_STATUSES

# Opportunities per UPDATE of a bulk close.
CLOSE_BATCH = 10000


class CrmLeadLifecycle(models.Model):
    """Duplicate, reopen, close in bulk (sales managers only, whatever the way) and merge."""

    _inherit = "crm.lead"

    stage_before_close_id = fields.Many2one(
        "crm.stage", string="Stage before closing", copy=False, readonly=True,
        help="Where the opportunity goes back when it is reopened.")

    def _cache_columns(self, names):
        """Read just these columns of the stored leads into the cache. crm's day counters read
        their dates lead by lead, which made the ORM fetch every column of every lead being
        recomputed (most of the time of a bulk close)."""
        stored = self.browse([i for i in self.ids if isinstance(i, int)])
        if len(stored) > 1:
            stored.read(names, load="_classic_write")

    @api.depends("date_open")
    def _compute_day_open(self):
        self._cache_columns(["date_open", "create_date"])
        return super()._compute_day_open()

    @api.depends("date_closed")
    def _compute_day_close(self):
        self._cache_columns(["date_closed", "create_date"])
        return super()._compute_day_close()

    @api.multi
    def write(self, vals):
        self._check_bulk_close(vals)
        if self._closes(vals):
            # Where a reopened opportunity goes back to; kept for the leads still open. Fixed
            # SQL, values as parameters; super().write() below checks the access, and its
            # refusal rolls this back with the transaction. Of the ORM's side effects only the
            # cache invalidation is needed: super().write() sets the write date and uid.
            self.env.cr.execute(
                "UPDATE crm_lead SET stage_before_close_id = stage_id WHERE id IN %s "
                "AND status IN %s", (tuple(self.ids), OPEN_STATUSES))
            self.invalidate_cache(["stage_before_close_id"], self.ids)
        return super().write(vals)

    def _check_bulk_close(self, vals):
        """Closing several opportunities at once (won, lost, archived) is the sales managers'
        bulk close, whatever the way (status, probability, active, a won stage, crm's Mark
        Won/Lost, the list's Archive)."""
        if len(self) < 2 or self.env.uid == SUPERUSER_ID or guard.allowed(guard.CLOSE):
            return
        closes = self._closes(vals)
        if not closes and vals.get("stage_id"):
            closes = self.env["crm.stage"].browse(vals["stage_id"]).probability >= 100
        if closes and not self.env.user.has_group("sales_team.group_sale_manager"):
            raise AccessError(_("Only sales managers may close several opportunities at once."))

    @staticmethod
    def _closes(vals):
        return vals.get("status") in ("won", "lost") or vals.get("probability", 0) >= 100 or \
            ("active" in vals and not vals["active"])

    @api.multi
    def action_set_won(self):
        # crm writes lead by lead: checked for the whole set first.
        self._check_bulk_close({"probability": 100})
        return super().action_set_won()

    @api.multi
    def toggle_active(self):
        # Odoo writes record by record (the list's Archive): checked for the whole set first.
        if any(self.mapped("active")):
            self._check_bulk_close({"active": False})
        return super().toggle_active()

    @api.multi
    def duplicate_as(self, name):
        """A new opportunity like this one (customer, contact, pipeline, stage, value with its
        basis and duration, payment terms, currency, items, tags, probability tag), without its
        tasks, documents or messages."""
        self.ensure_one()
        if not (name or "").strip():
            raise UserError(_("Give the new opportunity a name."))
        lines = []
        for line in self.line_ids:
            values = line.copy_data()[0]
            values.pop("lead_id", None)
            lines.append((0, 0, values))
        vals = {
            "name": name.strip(),
            "type": "opportunity",
            "partner_id": self.partner_id.id,
            "contact_id": self.contact_id.id,
            "team_id": self.team_id.id,
            "stage_id": self.stage_id.id,
            "value_amount": self.value_amount,
            "value_basis": self.value_basis,
            "value_duration": self.value_duration,
            "probability": (self.probability_tag_id.percentage if self.probability_tag_id
                            else self.stage_id.probability),
            "payment_term_id": self.payment_term_id.id,
            "currency_id": self.currency_id.id,
            "tag_ids": [(6, 0, self.tag_ids.ids)],
            "probability_tag_id": self.probability_tag_id.id,
            "line_ids": lines,
        }
        copy = self.create(vals)
        copy._post_bulk_notes({copy.id: _("<p>Copied from %(reference)s (%(name)s).</p>") % {
            "reference": html_escape(self.reference or ""), "name": html_escape(self.name)}})
        return copy

    @api.multi
    def action_reopen(self):
        """Reopen won or lost opportunities at the stage they had before closing."""
        closed = self.with_context(active_test=False).filtered(
            lambda l: l.status in ("won", "lost"))
        if not closed:
            raise UserError(_("Only won or lost opportunities can be reopened."))
        closed.write({"status": "open"})
        self._post_bulk_notes({lead.id: _("<p>Reopened at the stage %s.</p>") % html_escape(
            lead.stage_id.name or "") for lead in closed})
        return True

    @api.multi
    def action_close(self, won, lost_reason=False):
        """Close these opportunities as won or lost (with a lost reason) in one go: sales
        managers only; all or nothing; one chatter line per opportunity."""
        if not self.env.user.has_group("sales_team.group_sale_manager"):
            raise AccessError(_("Only sales managers may close opportunities in bulk."))
        reason = self.env["crm.lost.reason"].browse(
            lost_reason.id if hasattr(lost_reason, "ids") else lost_reason or [])
        if not won and not reason:
            raise UserError(_("Give the lost reason of the opportunities closed as lost."))
        status = "won" if won else "lost"
        leads = self.with_context(active_test=False, tracking_disable=True)
        # Fixed SQL; values are parameters. _close_in_sql() checks the access to each lead.
        self.env.cr.execute("SELECT id FROM crm_lead WHERE id IN %s AND status != %s",
                            (tuple(self.ids) or (0,), status))
        to_close = leads.browse([row[0] for row in self.env.cr.fetchall()])
        if won:
            body = _("<p>Closed as won (bulk close).</p>")
        else:
            body = _("<p>Closed as lost (bulk close): %s.</p>") % html_escape(reason.name)
        try:
            with self.env.cr.savepoint():
                for chunk in range(0, len(to_close), CLOSE_BATCH):
                    to_close[chunk:chunk + CLOSE_BATCH]._close_in_sql(won, reason)
                self._post_bulk_notes({lead_id: body for lead_id in to_close.ids})
        except Exception:
            self.env.clear()  # the savepoint is rolled back: so must the cache be
            raise
        return len(to_close)

    def _write_closing_status(self, status):
        """write({"status": "won" or "lost"}) of many leads (imports), tracking off: those not
        in that status yet closed by _close_in_sql() (their lost reason kept: the import
        writes it as a column of its own), the others (an earlier column of the row closed
        them) through write()."""
        # Fixed SQL; values are parameters. _close_in_sql() and write() check the access.
        self.env.cr.execute("SELECT id FROM crm_lead WHERE id IN %s AND status IS DISTINCT "
                            "FROM %s", (tuple(self.ids) or (0,), status))
        to_close = self.browse([row[0] for row in self.env.cr.fetchall()])
        for chunk in range(0, len(to_close), CLOSE_BATCH):
            to_close[chunk:chunk + CLOSE_BATCH]._close_in_sql(status == "won", None)
        if self - to_close:
            (self - to_close).write({"status": status})

    def _close_in_sql(self, won, reason):
        """What write({"status": "won"}) or write({"status": "lost", "lost_reason": reason})
        does to these leads (none of them in that status yet, tracking off), in one UPDATE per
        sales team: the ORM took four UPDATEs of every lead and recomputed the status and the
        days to close lead by lead (most of the time of a bulk close). A reason None keeps the
        lost reason (write({"status": "lost"})).

        Reproduced (tests/test_sql_parity.py compares them): the stage before closing (open
        leads), the status and lost reason; lost: archived, probability 0, not on hold, their
        activities deleted (mail.activity.mixin); won: reactivated and out of hold, the won
        stage of their team (crm's action_set_won()) and its date, probability 100; the
        closing date and the days to close (crm), the write date and uid, and the fields
        depending on those (recomputed)."""
        if not self:
            return
        self.check_access_rights("write")
        self.check_access_rule("write")
        now = fields.Datetime.now()
        ids = tuple(self.ids)
        if won:
            # Fixed SQL; the ids are a parameter.
            self.env.cr.execute("SELECT id, team_id FROM crm_lead WHERE id IN %s", (ids,))
            by_team = {}
            for lead_id, team_id in self.env.cr.fetchall():
                by_team.setdefault(team_id, []).append(lead_id)
            groups = []
            for lead_ids in by_team.values():
                stage = self.browse(lead_ids[:1])._stage_find(
                    domain=[("probability", "=", 100.0), ("on_change", "=", True)])
                groups.append((tuple(lead_ids), stage.id or None))
            changes = ("status = 'won', active = true, "
                       "on_hold = CASE WHEN active AND NOT coalesce(on_hold, false) THEN on_hold "
                       "ELSE false END, "
                       "stage_id = %(stage)s, date_last_stage_update = %(now)s, "
                       "probability = 100, ")
            touched = ["status", "active", "on_hold", "stage_id", "date_last_stage_update",
                       "probability"]
        else:
            # What mail.activity.mixin's write() does when it archives records. As superuser
            # as it does: the user may edit these leads (checked above).
            self.env["mail.activity"].sudo().search(
                [("res_model", "=", self._name), ("res_id", "in", list(ids))]).unlink()
            groups = [(ids, None)]
            changes = ("status = 'lost', active = false, probability = 0, on_hold = false, " +
                       ("lost_reason = %(reason)s, " if reason is not None else ""))
            touched = ["status", "lost_reason", "active", "probability", "on_hold"]
        touched += ["stage_before_close_id", "date_closed", "day_close", "write_uid",
                    "write_date"]
        for lead_ids, stage_id in groups:
            # Fixed SQL; every value is a parameter. The days to close are crm's: whole days
            # (rounded down) from the creation, to the second, to the closing.
            self.env.cr.execute(
                "UPDATE crm_lead SET stage_before_close_id = CASE WHEN status IN %(open)s "
                "THEN stage_id ELSE stage_before_close_id END, " + changes +
                "date_closed = %(now)s, day_close = CASE WHEN create_date IS NULL THEN "
                "day_close ELSE abs(floor(EXTRACT(EPOCH FROM (%(now)s::timestamp - "
                "date_trunc('second', create_date))) / 86400)) END, "
                "write_uid = %(uid)s, write_date = now() AT TIME ZONE 'UTC' "
                "WHERE id IN %(ids)s",
                {"open": OPEN_STATUSES, "stage": stage_id, "now": now, "ids": lead_ids,
                 "uid": self.env.uid, "reason": reason.id if reason is not None else None})
        self.invalidate_cache(touched, self.ids)
        self.modified(touched)
        for name in ("status", "day_close"):
            self._recompute_done(self._fields[name])
        self.recompute()

    @api.multi
    def merge_opportunity(self, user_id=False, team_id=False):
        """Merged opportunities live on in the head one: crm really deletes the others. Not
        those of the trash: restore them first (a merge must not empty the trash)."""
        # Access first: the answer below must not tell others what is in the trash.
        self.check_access_rights("write")
        self.check_access_rule("write")
        # Fixed SQL; the ids are a parameter.
        self.env.cr.execute("SELECT count(*) FROM crm_lead WHERE id IN %s "
                            "AND trash_date IS NOT NULL", (tuple(self.ids) or (0,),))
        if self.env.cr.fetchone()[0]:
            raise UserError(_("Opportunities in the trash cannot be merged: restore them "
                              "first."))
        with guard.internal(guard.PERMANENT_UNLINK):
            return super().merge_opportunity(user_id=user_id, team_id=team_id)
