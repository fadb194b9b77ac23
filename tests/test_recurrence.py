from odoo.exceptions import ValidationError

from .common import SuiteCase


class TestRecurrence(SuiteCase):

    def setUp(self):
        super().setUp()
        self.lead = self.new_opportunity(name="Maintenance contract")
        self.todo = self.env.ref("mail.mail_activity_data_todo")

    def schedule(self, date, **vals):
        values = {
            "res_model_id": self.env["ir.model"]._get("crm.lead").id,
            "res_id": self.lead.id,
            "activity_type_id": self.todo.id,
            "summary": "Monthly check",
            "date_deadline": date,
            "user_id": self.rep.id,
        }
        values.update(vals)
        return self.env["mail.activity"].create(values)

    def open_activities(self):
        return self.env["mail.activity"].search(
            [("res_model", "=", "crm.lead"), ("res_id", "=", self.lead.id)])

    def done_dates(self, activity, times):
        dates = []
        for _step in range(times):
            activity.action_feedback()
            activity = self.open_activities()
            if not activity:
                break
            dates.append(activity.date_deadline)
        return dates, activity

    def test_month_end_dates(self):
        activity = self.schedule("2027-01-31", recurrence_interval=1, recurrence_unit="months")
        dates, following = self.done_dates(activity, 3)
        self.assertEqual(dates, ["2027-02-28", "2027-03-31", "2027-04-30"])
        self.assertEqual((following.summary, following.user_id), ("Monthly check", self.rep))
        leap = self.schedule("2028-01-31", recurrence_interval=1, recurrence_unit="months",
                             summary="Leap")
        leap.action_feedback()
        self.assertEqual(self.open_activities().filtered(
            lambda a: a.summary == "Leap").date_deadline, "2028-02-29")

    def test_days_weeks_years_and_end(self):
        activity = self.schedule("2027-03-01", recurrence_interval=2, recurrence_unit="weeks",
                                 recurrence_end="2027-03-31")
        dates, following = self.done_dates(activity, 5)
        self.assertEqual(dates, ["2027-03-15", "2027-03-29"], "nothing after the end date")
        self.assertFalse(following)
        activity = self.schedule("2028-02-29", recurrence_interval=1, recurrence_unit="years")
        dates, _following = self.done_dates(activity, 1)
        self.assertEqual(dates, ["2029-02-28"])
        self.open_activities().unlink()
        activity = self.schedule("2027-03-01", recurrence_interval=10, recurrence_unit="days")
        dates, _following = self.done_dates(activity, 2)
        self.assertEqual(dates, ["2027-03-11", "2027-03-21"])

    def test_not_recurring_and_invalid(self):
        self.schedule("2027-03-01").action_feedback()
        self.assertFalse(self.open_activities())
        with self.assertRaises(ValidationError):
            self.schedule("2027-03-01", recurrence_interval=-1)
