from collections import defaultdict
from datetime import timedelta

from odoo import _, api, fields, models, tools
from odoo.exceptions import UserError
from odoo.osv import expression

# The stale opportunities in SQL, for the search of those that are not stale: every lead NOT IN
# these (the exact complement, NULL columns included). The one parameter is the current time
# (UTC); no client value ever reaches this text.
STALE_QUERY = """
    SELECT lead.id FROM crm_lead lead JOIN crm_stage stage ON stage.id = lead.stage_id
    WHERE stage.stale_days > 0 AND lead.type = 'opportunity' AND lead.status = 'open'
      AND lead.active
      AND COALESCE(lead.date_last_activity, lead.create_date)
          < %s::timestamp - stage.stale_days * interval '1 day'
"""


class CrmLeadStale(models.Model):
    """Stale opportunities: open ones without activity for longer than their stage's stale
    delay (crm.stage.stale_days). Activity: the creation, a stage change, and every message
    posted on the chatter (message_post: mail sent or received, notes, activities logged or
    marked done) but the automatic lines that only list changed fields. Not: messages made
    without message_post (the assignment notice crm mails, the addon's notes in bulk)."""

    _inherit = "crm.lead"

    # Written by the addon only (models/crm_lead/internal_fields.py): on creation, on a stage
    # change (here and in the import's SQL) and by a message posted (message_post).
    date_last_activity = fields.Datetime(
        string="Last activity", readonly=True, copy=False, index=True,
        help="The latest of: the creation, the last stage change, the last message, note or "
             "e-mail of the chatter, the last activity logged or marked done.")
    is_stale = fields.Boolean(
        string="Stale", compute="_compute_is_stale", search="_search_is_stale",
        help="Open, and no activity for longer than the stage's \"Days until stale\".")

    @api.depends("date_last_activity", "stage_id.stale_days", "status", "type", "active")
    def _compute_is_stale(self):
        now = fields.Datetime.from_string(fields.Datetime.now())
        for lead in self:
            lead.is_stale = stale_at(lead.stage_id.stale_days, lead.date_last_activity,
                                     lead.create_date, lead.type, lead.status, lead.active, now)

    def _search_is_stale(self, operator, value):
        if operator not in ("=", "!=") or value not in (True, False):
            raise UserError(_("Stale opportunities are searched with \"is stale\" or \"is "
                              "not stale\" only."))
        now = fields.Datetime.now()
        if (operator == "=") != bool(value):
            return [("id", "not inselect", (STALE_QUERY, [now]))]
        # Stale: a plain domain on stored columns, one branch per delay of the stages (a few),
        # which the database checks in one pass over the opportunities; no Python loop.
        stages_by_days = defaultdict(list)
        for stage in self.env["crm.stage"].search([("stale_days", ">", 0)]):
            stages_by_days[stage.stale_days].append(stage.id)
        if not stages_by_days:
            return [expression.FALSE_LEAF]
        start = fields.Datetime.from_string(now)
        branches = []
        for days, stage_ids in sorted(stages_by_days.items()):
            limit = fields.Datetime.to_string(start - timedelta(days=days))
            branches.append([
                "&", ("stage_id", "in", stage_ids), "|", ("date_last_activity", "<", limit),
                "&", ("date_last_activity", "=", False), ("create_date", "<", limit)])
        return expression.AND([
            ["&", "&", ("type", "=", "opportunity"), ("status", "=", "open"),
             ("active", "=", True)], expression.OR(branches)])

    @api.model
    def create(self, vals):
        # Set here, after the check that refuses it from clients: a context default
        # (default_date_last_activity) cannot choose it either.
        return super().create(dict(vals, date_last_activity=fields.Datetime.now()))

    @api.multi
    def write(self, vals):
        if vals.get("stage_id"):
            vals = dict(vals, date_last_activity=fields.Datetime.now())
        return super().write(vals)

    @api.multi
    @api.returns("self", lambda value: value.id)
    def message_post(self, *args, **kwargs):
        message = super().message_post(*args, **kwargs)
        # As superuser: only whether the message the user just posted lists changed fields.
        posted = message.sudo()
        if not (posted.tracking_value_ids and not tools.html2plaintext(
                posted.body or "").strip()):
            self._touch_activity()
        return message

    def _touch_activity(self):
        """Something happened on these opportunities now (a message posted)."""
        if not self.ids:
            return
        # Fixed SQL, the ids as a parameter: the caller (a message posted, which checked the
        # access) is the addon. Only this column and its cache change.
        self.env.cr.execute(
            "UPDATE crm_lead SET date_last_activity = now() AT TIME ZONE 'UTC' WHERE id IN %s",
            (tuple(self.ids),))
        self.invalidate_cache(["date_last_activity"], self.ids)

    @api.model_cr
    def init(self):
        """Opportunities that existed before this column: the latest of their creation, their
        last stage change and their last chatter message other than a field-change line."""
        result = super().init()  # the other features' (drop tokens)
        # Fixed SQL, no parameter. Only the rows still without a date (the first time).
        self.env.cr.execute("""
            UPDATE crm_lead lead SET date_last_activity = GREATEST(
                lead.create_date, lead.date_last_stage_update, (
                    SELECT max(message.date) FROM mail_message message
                    WHERE message.model = 'crm.lead' AND message.res_id = lead.id
                      AND NOT EXISTS (SELECT 1 FROM mail_tracking_value tracking
                                      WHERE tracking.mail_message_id = message.id)))
            WHERE lead.date_last_activity IS NULL
        """)
        return result

    @api.model
    def _set_last_activity(self, lead_ids, days_ago):
        """Demo data: these opportunities' last activity some days ago."""
        # Fixed SQL, values as parameters; private (not callable over RPC), used by the demo.
        self.env.cr.execute(
            "UPDATE crm_lead SET date_last_activity = (now() AT TIME ZONE 'UTC') - "
            "%s * interval '1 day' WHERE id IN %s", (days_ago, tuple(lead_ids)))
        self.invalidate_cache(["date_last_activity"], lead_ids)


def stale_at(days, last_activity, create_date, lead_type, status, active, now):
    """Whether an opportunity is stale at ``now`` (datetime): open, and its last activity (else
    its creation, both as the ORM gives them) older than its stage's ``days`` (when over 0)."""
    last = last_activity or create_date
    return bool(days > 0 and last and lead_type == "opportunity" and status == "open"
                and active and fields.Datetime.from_string(last) < now - timedelta(days=days))
