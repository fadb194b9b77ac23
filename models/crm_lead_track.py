from collections import defaultdict
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError

STATES = [
    ("active", "In progress"),
    ("done", "Completed"),
    ("removed", "Removed"),
]


class CrmLeadTrack(models.Model):
    """A track applied to an opportunity: its tasks, their due dates and progress."""

    _name = "crm.lead.track"
    _description = "Track applied to an opportunity"
    _order = "lead_id, id"

    # auto_join: the record rules' lead_id.* conditions are a join (see crm.lead.line).
    lead_id = fields.Many2one("crm.lead", string="Opportunity", required=True,
                              ondelete="cascade", index=True, auto_join=True)
    track_id = fields.Many2one("crm.track", string="Track", required=True, ondelete="restrict")
    end_date = fields.Date(string="End date", required=True)
    state = fields.Selection(STATES, default="active", required=True, readonly=True)
    task_ids = fields.One2many("crm.lead.track.task", "lead_track_id", string="Tasks")
    done_count = fields.Integer(compute="_compute_progress", string="Done")
    task_count = fields.Integer(compute="_compute_progress", string="Tasks in all")
    progress = fields.Char(compute="_compute_progress", help="Tasks done / tasks in all.")
    next_task_summary = fields.Char(compute="_compute_progress", string="Next task")
    next_task_date = fields.Date(compute="_compute_progress", string="Next due date")

    @api.depends("task_ids.state", "task_ids.date_deadline")
    def _compute_progress(self):
        for applied in self:
            tasks = applied.task_ids
            applied.task_count = len(tasks)
            applied.done_count = len(tasks.filtered(lambda t: t.state == "done"))
            applied.progress = "%d / %d" % (applied.done_count, applied.task_count)
            pending = tasks.filtered(lambda t: t.state in ("open", "waiting")).sorted(
                lambda t: (t.state != "open", t.date_deadline or "", t.sequence))
            applied.next_task_summary = pending[:1].display_name if pending else False
            applied.next_task_date = pending[:1].date_deadline if pending else False

    @api.multi
    def action_remove(self):
        """Stop the track: its open tasks are removed, the done ones stay in the chatter."""
        self.mapped("lead_id").check_access_rule("write")
        applied = self.filtered(lambda a: a.state == "active")
        tasks = applied.mapped("task_ids").filtered(lambda t: t.state in ("open", "waiting"))
        activities = tasks.mapped("activity_id")
        # As superuser: the user may edit the opportunities (checked above); only the states of
        # their tracks and tasks change.
        tasks.sudo().write({"state": "cancelled"})
        activities.unlink()
        # As superuser: see the tasks above.
        applied.sudo().write({"state": "removed"})
        for track in applied:
            track.lead_id.message_post(body=_("Track \"%s\" removed: its open tasks were "
                                              "deleted.") % track.track_id.name)
        return True

    @api.model
    def _working_day_before(self, calendar, end, offset, cache):
        """The date ``offset`` working days before ``end`` (a date): ``end`` itself for 0 when
        it is a working day, else the working day before it. Working days are those of the
        company's calendar that no company leave covers; Monday to Friday without a
        calendar. ``cache`` keeps the answer per day across calls."""
        def working(day):
            if day not in cache:
                if calendar and calendar.attendance_ids:
                    cache[day] = bool(calendar._get_day_work_intervals(day, compute_leaves=True))
                else:
                    cache[day] = day.weekday() < 5
            return cache[day]

        day, remaining = end, offset
        for _step in range(3 * 366):
            if working(day):
                if not remaining:
                    return day
                remaining -= 1
            day -= timedelta(days=1)
        raise UserError(_("The working calendar \"%(calendar)s\" has no working day in the "
                          "three years before %(date)s.") % {"calendar": calendar.name,
                                                             "date": end})

    def _release(self):
        """Schedule the tasks that may start: all of them, or (released in order) the first
        one not finished; a track with nothing left to do is completed."""
        active = self.filtered(lambda a: a.state == "active")
        if not active:
            return
        # One read of the tasks' states for all the tracks (applied to thousands at once).
        tasks = self.env["crm.lead.track.task"].search_read(
            [("lead_track_id", "in", active.ids)], ["lead_track_id", "state", "sequence"])
        by_track = defaultdict(list)
        for task in tasks:
            by_track[task["lead_track_id"][0]].append(task)
        to_open, finished = [], []
        for applied in active:
            states = by_track[applied.id]
            waiting = sorted((task["sequence"], task["id"]) for task in states
                             if task["state"] == "waiting")
            if applied.track_id.release_in_order:
                if waiting and not any(task["state"] == "open" for task in states):
                    to_open.append(waiting[0][1])
            else:
                to_open += [task_id for _sequence, task_id in waiting]
            if all(task["state"] in ("done", "cancelled") for task in states):
                finished.append(applied.id)
        self.env["crm.lead.track.task"].browse(to_open)._schedule()
        # As superuser: a track is completed when its tasks are, whoever finished the last one.
        self.browse(finished).sudo().write({"state": "done"})
