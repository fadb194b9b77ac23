from odoo.exceptions import UserError, ValidationError

from .common import SuiteCase


class TestTracks(SuiteCase):

    def setUp(self):
        super().setUp()
        company = self.env.user.company_id
        self.calendar = self.env["resource.calendar"].create({"name": "Suite 5 days"})
        self.assertEqual(sorted(set(self.calendar.attendance_ids.mapped("dayofweek"))),
                         ["0", "1", "2", "3", "4"], "Monday to Friday by default")
        company.resource_calendar_id = self.calendar
        # A company leave (no resource): Wednesday 6 January 2027.
        self.env["resource.calendar.leaves"].create({
            "name": "Company day off", "calendar_id": self.calendar.id,
            "date_from": "2027-01-06 00:00:00", "date_to": "2027-01-06 23:59:59"})
        self.call = self.env.ref("mail.mail_activity_data_call")
        self.meeting = self.env.ref("mail.mail_activity_data_meeting")
        self.track = self.env["crm.track"].create({
            "name": "Onboarding",
            "task_ids": [
                (0, 0, {"sequence": 1, "activity_type_id": self.call.id, "summary": "Kick-off call",
                        "offset_days": 5}),
                (0, 0, {"sequence": 2, "activity_type_id": self.meeting.id,
                        "summary": "Site visit", "offset_days": 2, "assignee": "user",
                        "user_id": self.other_rep.id}),
                (0, 0, {"sequence": 3, "activity_type_id": self.call.id, "summary": "Sign-off",
                        "offset_days": 0}),
            ]})
        self.lead = self.new_opportunity(name="Roof", user_id=self.rep.id)

    def activities(self, lead):
        return self.env["mail.activity"].search(
            [("res_model", "=", "crm.lead"), ("res_id", "=", lead.id)], order="date_deadline")

    def test_due_dates_skip_weekends_and_company_leaves(self):
        applied = self.lead.apply_track(self.track, "2027-01-11")  # a Monday
        tasks = applied.task_ids.sorted("sequence")
        # 5 working days before: Fri 8, Thu 7, (Wed 6 is a leave), Tue 5, Mon 4, Fri 1.
        self.assertEqual(tasks.mapped("date_deadline"), ["2027-01-01", "2027-01-07",
                                                         "2027-01-11"])
        self.assertEqual(tasks.mapped("user_id"), self.rep | self.other_rep | self.rep)
        # An end date on a Sunday: the last task falls on the Friday before.
        other = self.new_opportunity(name="Other")
        applied = other.apply_track(self.track, "2027-01-10")
        self.assertEqual(applied.task_ids.sorted("sequence")[-1].date_deadline, "2027-01-08")

    def test_all_tasks_at_once_and_progress(self):
        applied = self.lead.apply_track(self.track, "2027-01-11")
        activities = self.activities(self.lead)
        self.assertEqual(activities.mapped("summary"), ["Kick-off call", "Site visit",
                                                        "Sign-off"])
        self.assertEqual((applied.done_count, applied.task_count, applied.progress),
                         (0, 3, "0 / 3"))
        self.assertEqual((applied.next_task_summary, applied.next_task_date),
                         ("Kick-off call", "2027-01-01"))
        activities[1].action_feedback("Visited")
        self.assertEqual((applied.done_count, applied.progress), (1, "1 / 3"))
        self.assertEqual(applied.next_task_summary, "Kick-off call")
        activities[0].action_feedback()
        activities[2].action_feedback()
        self.assertEqual((applied.progress, applied.state), ("3 / 3", "done"))
        self.assertFalse(applied.next_task_summary)

    def test_release_in_order(self):
        self.track.release_in_order = True
        applied = self.lead.apply_track(self.track, "2027-01-11")
        self.assertEqual(self.activities(self.lead).mapped("summary"), ["Kick-off call"])
        self.activities(self.lead).action_feedback()
        following = self.activities(self.lead)
        self.assertEqual(following.mapped("summary"), ["Site visit"])
        self.assertEqual((following.user_id, following.date_deadline),
                         (self.other_rep, "2027-01-07"))
        # Deleting the task instead of doing it releases the next one too.
        following.unlink()
        self.assertEqual(self.activities(self.lead).mapped("summary"), ["Sign-off"])
        self.assertEqual(applied.task_ids.mapped("state"), ["done", "cancelled", "open"])
        self.assertEqual(applied.progress, "1 / 3")

    def test_same_track_twice_refused_until_completed_or_removed(self):
        applied = self.lead.apply_track(self.track, "2027-01-11")
        with self.assertRaisesRegex(UserError, "already in progress"):
            self.lead.apply_track(self.track, "2027-02-11")
        applied.action_remove()
        self.assertEqual(applied.state, "removed")
        self.assertFalse(self.activities(self.lead), "open tasks are removed with the track")
        second = self.lead.apply_track(self.track, "2027-02-11")
        self.activities(self.lead).action_feedback()
        self.assertEqual(second.state, "done")
        self.lead.apply_track(self.track, "2027-03-11")
        self.assertEqual(len(self.lead.applied_track_ids), 3)

    def test_track_chosen_at_creation(self):
        lead = self.Lead.create({"name": "With track", "type": "opportunity",
                                 "team_id": self.team.id, "date_deadline": "2027-01-11",
                                 "track_id": self.track.id})
        self.assertEqual(lead.applied_track_ids.end_date, "2027-01-11")
        self.assertEqual(len(self.activities(lead)), 3)
        lead = self.Lead.create({"name": "Own end", "type": "opportunity",
                                 "track_id": self.track.id, "track_end_date": "2027-02-01"})
        self.assertEqual(lead.applied_track_ids.end_date, "2027-02-01")
        with self.assertRaisesRegex(UserError, "end date"):
            self.Lead.create({"name": "No date", "type": "opportunity",
                              "track_id": self.track.id})

    def test_apply_to_many_from_the_list(self):
        other = self.new_opportunity(name="Other", user_id=self.other_rep.id)
        wizard = self.env["crm.lead.track.apply"].with_context(
            active_model="crm.lead", active_ids=(self.lead | other).ids).create(
            {"track_id": self.track.id, "end_date": "2027-01-11"})
        self.assertEqual(wizard.lead_count, 2)
        wizard.action_apply()
        self.assertEqual(len(self.activities(self.lead)), 3)
        self.assertEqual(self.activities(other)[0].user_id, self.other_rep)
        self.assertIn("Onboarding", self.lead.message_ids[0].body)

    def test_rep_applies_on_own_opportunity_only(self):
        self.lead.sudo(self.rep).apply_track(self.track, "2027-01-11")
        foreign = self.new_opportunity(name="Foreign", user_id=self.other_rep.id)
        with self.assertRaises(Exception):
            foreign.sudo(self.rep).apply_track(self.track, "2027-01-11")

    def test_track_definition_checks(self):
        with self.assertRaises(ValidationError):
            self.env["crm.track.task"].create({
                "track_id": self.track.id, "activity_type_id": self.call.id,
                "assignee": "user"})
        empty = self.env["crm.track"].create({"name": "Empty"})
        with self.assertRaisesRegex(UserError, "has no task"):
            self.lead.apply_track(empty, "2027-01-11")
