from collections import defaultdict

from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from ..lib import bulk

RECURRENCE_UNITS = [
    ("days", "Days"),
    ("weeks", "Weeks"),
    ("months", "Months"),
    ("years", "Years"),
]


class MailActivity(models.Model):
    """Recurring tasks, and the link between activities and the tracks that scheduled them."""

    _inherit = "mail.activity"

    recurrence_interval = fields.Integer(
        string="Repeat every", default=0,
        help="When the task is marked done, the next one is scheduled this many days, weeks, "
             "months or years after this one's due date (0: no repetition).")
    recurrence_unit = fields.Selection(RECURRENCE_UNITS, string="Repeat unit", default="weeks")
    recurrence_end = fields.Date(string="Repeat until",
                                 help="No task is scheduled after this date.")
    recurrence_start = fields.Date(
        string="Series start", readonly=True, help="Due date of the first task of the series: the next dates are "
                            "counted from it, so that a task due on the 31st comes back on the "
                            "last day of shorter months and on the 31st again after them.")
    recurrence_index = fields.Integer(string="Occurrence", readonly=True, default=0)

    @api.constrains("recurrence_interval", "recurrence_unit")
    def _check_recurrence(self):
        # In SQL, only the activities that break the rule: they are created by thousands
        # (tracks). Fixed SQL; the ids are a parameter.
        self.env.cr.execute(
            "SELECT id, recurrence_interval FROM mail_activity WHERE id IN %s "
            "AND (recurrence_interval < 0 OR (recurrence_interval != 0 "
            "AND recurrence_unit IS NULL))", (tuple(self.ids) or (0,),))
        wrong = dict(self.env.cr.fetchall())
        for activity_id in self.ids:
            if activity_id not in wrong:
                continue
            if wrong[activity_id] < 0:
                raise ValidationError(_("A task repeats every 1 or more days, weeks, months or "
                                        "years (0: it does not repeat)."))
            raise ValidationError(_("Choose how often the task repeats."))

    def _next_occurrence(self):
        """Due date of the next task of this recurring task's series, or None."""
        self.ensure_one()
        if not self.recurrence_interval:
            return None
        start = fields.Date.from_string(self.recurrence_start or self.date_deadline)
        steps = self.recurrence_interval * (self.recurrence_index + 1)
        following = start + relativedelta(**{self.recurrence_unit: steps})
        if self.recurrence_end and following > fields.Date.from_string(self.recurrence_end):
            return None
        return following

    def _next_occurrence_values(self):
        following = self._next_occurrence()
        if following is None:
            return None
        return {
            "res_model_id": self.res_model_id.id,
            "res_id": self.res_id,
            "activity_type_id": self.activity_type_id.id,
            "summary": self.summary,
            "note": self.note,
            "user_id": self.user_id.id,
            "date_deadline": fields.Date.to_string(following),
            "recurrence_interval": self.recurrence_interval,
            "recurrence_unit": self.recurrence_unit,
            "recurrence_end": self.recurrence_end,
            "recurrence_start": self.recurrence_start or self.date_deadline,
            "recurrence_index": self.recurrence_index + 1,
        }

    @api.model
    def create(self, values):
        # Odoo 11 computes the document's next activity deadline (a stored field of
        # mail.activity.mixin) before the new activity's res_model is stored: it stays empty
        # or stale until the next change of the document's activities. Store it here.
        activity = super().create(values)
        documents = self.env[activity.res_model]
        if hasattr(documents, "_update_next_activity_deadline"):
            documents._update_next_activity_deadline([activity.res_id])
        return activity

    @api.model
    def _create_bulk(self, vals_list):
        """Create many activities at once, with what create() does for each: the user must
        be allowed to edit the documents; the assigned users follow the documents (added
        where they do not follow yet: other subscriptions are left as they are); users with
        a task due today or late get their activity counter refreshed. One SQL insert per
        batch: create() rewrites the document's followers and empties the whole cache for
        every activity (about 0.1 s each, growing with the number of records in memory)."""
        if not vals_list:
            return self.browse()
        defaults = self.default_get(["user_id", "date_deadline"])
        vals_list = [dict(defaults, **vals) for vals in vals_list]
        model_names = {model.id: model.model for model in self.env["ir.model"].browse(
            {vals["res_model_id"] for vals in vals_list})}
        documents = defaultdict(set)
        for vals in vals_list:
            documents[model_names[vals["res_model_id"]]].add(vals["res_id"])
        names = {}
        for model_name, res_ids in documents.items():
            records = self.env[model_name].browse(res_ids)
            records.check_access_rights("write")
            records.check_access_rule("write")
            # Write access checked just above; as superuser only for the names stored on them.
            # Without prefetching: the name alone is read, not every column of every record.
            names[model_name] = dict(records.sudo().with_context(
                prefetch_fields=False).name_get())
        for vals in vals_list:
            # The stored computed columns, in bulk (the ORM computes them one by one).
            vals["res_model"] = model_names[vals["res_model_id"]]
            vals["res_name"] = names[vals["res_model"]][vals["res_id"]]
        # As superuser: the user may edit the documents (checked above), which is what
        # create() asks of them.
        activities = self.browse(bulk.insert_records(
            self.sudo().with_context(recompute=False), vals_list).ids)
        for model_name, res_ids in documents.items():
            self.env[model_name]._update_next_activity_deadline(res_ids)
        self.recompute()
        # As superuser: only the assigned users' partners are read.
        users = self.env["res.users"].sudo().browse({vals["user_id"] for vals in vals_list})
        partners = {user.id: user.partner_id.id for user in users}
        to_follow = defaultdict(set)
        for vals in vals_list:
            to_follow[(vals["res_model"], partners[vals["user_id"]])].add(vals["res_id"])
        # As superuser: the assignees follow documents the user may edit (checked above), as
        # create() makes them.
        Followers = self.env["mail.followers"].sudo()
        for (model_name, partner_id), res_ids in sorted(to_follow.items()):
            Followers._add_partner_in_bulk(model_name, res_ids, partner_id)
        today = fields.Date.today()
        for partner_id in sorted({partners[vals["user_id"]] for vals in vals_list
                                  if str(vals["date_deadline"]) <= today}):
            self.env["bus.bus"].sendone(
                (self._cr.dbname, "res.partner", partner_id),
                {"type": "activity_updated", "activity_created": True})
        return activities

    @api.multi
    def action_feedback(self, feedback=False):
        """Marking a task done schedules the next one of its series, and releases the next
        task of its track."""
        following = [values for values in (a._next_occurrence_values() for a in self) if values]
        tasks = self._track_tasks()
        # As superuser: super() below deletes these activities with the user's rights, or raises
        # and this is rolled back with it.
        tasks.sudo().write({"state": "done"})
        result = super().action_feedback(feedback=feedback)
        for values in following:
            self.create(values)
        tasks._finish("done")
        return result

    @api.multi
    def unlink(self):
        """A track's task deleted from the chatter is cancelled: the next one is released."""
        tasks = self._track_tasks().filtered(lambda t: t.state == "open")
        result = super().unlink()
        if tasks:
            tasks._finish("cancelled")
        return result

    def _track_tasks(self):
        # As superuser: a task's rule may hide it from the activity's user; callers only make
        # its state follow the activity's, after the user changed the activity.
        return self.env["crm.lead.track.task"].sudo().search([("activity_id", "in", self.ids)])
