"""The raw SQL that replaces ORM calls for speed gives what the ORM gives: the import's
UPDATE (with the side effects of crm.lead.write() it reproduces) and the bulk close's against
write() on a twin opportunity, and the bulk chatter notes against message_post()."""
import base64
import io
from datetime import datetime, timedelta

import openpyxl

from odoo import fields
from odoo.exceptions import AccessError

from .common import SuiteTransactionCase

# What write() and the import's UPDATE both change; dates stamped "now" are compared to the
# minute (SQL takes the transaction's time, Python the current one).
COMPARED = ("stage_id", "user_id", "probability", "planned_revenue", "date_deadline",
            "status", "date_closed", "day_open", "write_uid", "name", "value_amount",
            "value_basis", "value_duration", "currency_id")
STAMPED = ("date_last_stage_update", "date_open")


class TestSqlParity(SuiteTransactionCase):

    def twins(self):
        values = dict(name="Twin", user_id=False, probability=30, planned_revenue=100.0)
        return self.new_opportunity(**values), self.new_opportunity(**values)

    def stored(self, lead):
        lead.invalidate_cache()
        values = lead.read(list(COMPARED) + list(STAMPED), load="_classic_write")[0]
        return values

    def import_row(self, lead, row):
        headers = ["Opportunity ID"] + [header for header, _value in row]
        mapping = {0: "id"}
        keys = {"Stage": "stage", "Owner": "owner", "Probability": "probability",
                "Expected value": "expected_revenue", "Due date": "due_date",
                "Opportunity": "name", "Currency": "currency", "Value basis": "value_basis",
                "Duration": "duration", "Milestone": "milestone", "Lost reason": "lost_reason"}
        for index, (header, _value) in enumerate(row, start=1):
            mapping[index] = keys[header]
        log = self.env["crm.lead.import.log"].browse()._import(
            "twin.csv", headers, [(2, [str(lead.id)] + [value for _h, value in row])],
            mapping, True, True, False)
        self.assertEqual((log.state, log.updated_count), ("done", 1))

    def assert_same(self, by_sql, by_orm):
        for name in COMPARED:
            self.assertEqual(by_sql[name], by_orm[name], name)
        for name in STAMPED:
            self.assertTrue(by_sql[name] and by_orm[name], name)
            delta = abs(fields.Datetime.from_string(by_sql[name]) -
                        fields.Datetime.from_string(by_orm[name]))
            self.assertLess(delta, timedelta(minutes=1), name)

    def test_import_update_equals_write(self):
        by_import, by_write = self.twins()
        # Stamp the dates in the past, so that a missing side effect shows.
        old = fields.Datetime.to_string(datetime.utcnow() - timedelta(days=40))
        self.env.cr.execute("UPDATE crm_lead SET date_last_stage_update = %s, date_open = %s, "
                            "date_closed = %s WHERE id IN %s",
                            (old, old, old, (by_import.id, by_write.id)))
        row = [("Stage", "S-Proposal"), ("Owner", "Rita Rep"), ("Probability", "45"),
               ("Expected value", "2500"), ("Due date", "12/24/2026"),
               ("Opportunity", "Twin renamed")]
        self.import_row(by_import, row)
        by_write.write({"stage_id": self.stage_proposal.id, "user_id": self.rep.id,
                        "probability": 45, "planned_revenue": 2500.0,
                        "date_deadline": "2026-12-24", "name": "Twin renamed"})
        by_sql, by_orm = self.stored(by_import), self.stored(by_write)
        self.assert_same(by_sql, by_orm)
        self.assertEqual(by_sql["stage_id"], self.stage_proposal.id)
        self.assertFalse(by_sql["date_closed"], "an open probability clears the closing date")

    def test_import_of_a_value_per_period_equals_write(self):
        """The value, its basis, duration and currency, written by the import's UPDATE, give
        the expected revenue (and the lines' currency) that write() gives."""
        euro = self.env.ref("base.EUR")
        euro.active = True
        by_import, by_write = self.twins()
        for lead in (by_import, by_write):
            lead.write({"line_ids": [(0, 0, {"line_type": "text", "name": "Survey",
                                             "quantity": 1, "price_unit": 10.0})]})
            lead.line_ids.unlink()
        self.import_row(by_import, [("Expected value", "1000.004"), ("Currency", "EUR"),
                                    ("Value basis", "Per month"), ("Duration", "12")])
        by_write.write({"value_amount": 1000.004, "currency_id": euro.id,
                        "value_basis": "month", "value_duration": 12})
        by_sql, by_orm = self.stored(by_import), self.stored(by_write)
        self.assert_same(by_sql, by_orm)
        self.assertEqual((by_sql["value_amount"], by_sql["currency_id"]), (1000.0, euro.id),
                         "rounded as the currency rounds")
        company_currency = self.env.user.company_id.currency_id
        if company_currency != euro:
            self.assertAlmostEqual(by_sql["planned_revenue"], euro.compute(
                12000.0, company_currency, round=False), places=6)

    def test_import_closing_equals_write(self):
        by_import, by_write = self.twins()
        self.import_row(by_import, [("Probability", "100")])
        by_write.write({"probability": 100})
        by_sql, by_orm = self.stored(by_import), self.stored(by_write)
        for name in ("probability", "status"):
            self.assertEqual(by_sql[name], by_orm[name], name)
        self.assertTrue(by_sql["date_closed"] and by_orm["date_closed"])

    def test_import_milestones_equal_write(self):
        """Won and Lost from the milestone column are written in SQL (lifecycle.py,
        _write_closing_status()): the same as the lost reason then the status through
        write()."""
        reason = self.env["crm.lost.reason"].create({"name": "Parity reason"})
        closed = ("status", "active", "probability", "on_hold", "lost_reason", "stage_id",
                  "stage_before_close_id", "day_close", "write_uid")
        stamped = ("date_closed", "date_last_stage_update")
        old = fields.Datetime.to_string(datetime.utcnow() - timedelta(days=40))
        for row, writes in (
                ([("Milestone", "Lost"), ("Lost reason", "Parity reason")],
                 [{"lost_reason": reason.id}, {"status": "lost"}]),
                ([("Milestone", "Won")], [{"status": "won"}])):
            by_import, by_write = self.twins()
            self.env.cr.execute("UPDATE crm_lead SET create_date = %s, "
                                "date_last_stage_update = %s WHERE id IN %s",
                                (old, old, (by_import.id, by_write.id)))
            self.import_row(by_import, row)
            for vals in writes:
                by_write.with_context(tracking_disable=True).write(vals)
            states = []
            for lead in (by_import, by_write):
                lead.invalidate_cache()
                states.append(lead.with_context(active_test=False).read(
                    list(closed) + list(stamped), load="_classic_write")[0])
            for name in closed:
                self.assertEqual(states[0][name], states[1][name], (row, name))
            for name in stamped:
                delta = abs(fields.Datetime.from_string(states[0][name]) -
                            fields.Datetime.from_string(states[1][name]))
                self.assertLess(delta, timedelta(minutes=1), (row, name))
            self.assertEqual(states[0]["status"], writes[-1]["status"])
            self.assertEqual(states[0]["day_close"], 40.0)

    def test_import_reads_what_the_rules_allow(self):
        """The import reads the opportunities with crm.lead's record rules in its own query
        (validation.py, _lead_states()): a rep's file naming another rep's opportunity has
        that row refused as unknown, their own row written."""
        own = self.new_opportunity(name="Own", user_id=self.rep.id)
        theirs = self.new_opportunity(name="Theirs", user_id=self.other_rep.id)
        log = self.env["crm.lead.import.log"].sudo(self.rep).browse()._import(
            "rules.csv", ["Opportunity ID", "Opportunity"],
            [(2, [str(own.id), "Own renamed"]), (3, [str(theirs.id), "Theirs renamed"])],
            {0: "id", 1: "name"}, True, True, True)
        self.assertEqual((log.state, log.updated_count, log.rejected_count), ("done", 1, 1))
        report = openpyxl.load_workbook(io.BytesIO(base64.b64decode(log.report_file)))
        reasons = [row[4].value for row in report.worksheets[0].iter_rows(min_row=2)]
        self.assertEqual(reasons, ["No opportunity has the ID %d." % theirs.id],
                         "unknown to the rep: not read, not refused when written")
        for lead in (own, theirs):
            lead.invalidate_cache()
        self.assertEqual((own.name, theirs.name), ("Own renamed", "Theirs"))

    def test_bulk_notes_equal_message_post(self):
        by_sql, by_orm = self.twins()
        by_sql._post_bulk_notes({by_sql.id: "<p>Same note</p>"})
        by_orm.message_post(body="<p>Same note</p>", subtype="mail.mt_note")
        compared = ("model", "body", "message_type", "subtype_id", "author_id", "email_from",
                    "record_name", "create_uid")
        messages = []
        for lead in (by_sql, by_orm):
            lead.invalidate_cache()
            message = self.env["mail.message"].search(
                [("model", "=", "crm.lead"), ("res_id", "=", lead.id),
                 ("body", "like", "Same note")])
            self.assertEqual(len(message), 1)
            messages.append(message.read(list(compared), load="_classic_write")[0])
        for name in compared:
            self.assertEqual(messages[0][name], messages[1][name], name)
        self.assertIn(messages[0]["id"], by_sql.message_ids.ids, "seen in the chatter")


class TestBulkCloseParity(SuiteTransactionCase):
    """The bulk close's UPDATE (crm.lead._close_in_sql) against write({"status": ...}) on a
    twin opportunity, tracking off as in the bulk close."""

    # Compared as stored; the dates stamped "now" to the minute.
    CLOSED = ("status", "active", "probability", "on_hold", "lost_reason", "stage_id",
              "stage_before_close_id", "day_close", "write_uid", "activity_date_deadline")
    STAMPED = ("date_closed", "date_last_stage_update")

    def setUp(self):
        super().setUp()
        self.reason = self.env["crm.lost.reason"].create({"name": "Too late"})
        self.call = self.env.ref("mail.mail_activity_data_call")

    def twins(self, **vals):
        values = dict(name="Twin", user_id=self.rep.id, stage_id=self.stage_proposal.id,
                      probability=30)
        values.update(vals)
        pair = self.new_opportunity(**values), self.new_opportunity(**values)
        old = fields.Datetime.to_string(datetime.utcnow() - timedelta(days=40, hours=5))
        for lead in pair:
            lead.message_subscribe(partner_ids=self.customer.ids)
            self.env["mail.activity"].create({
                "res_model_id": self.env["ir.model"]._get("crm.lead").id, "res_id": lead.id,
                "activity_type_id": self.call.id, "summary": "Call back",
                "user_id": self.rep.id, "date_deadline": "2030-01-15"})
        # Created and last moved 40 days ago, so that the days to close and the stage date
        # show whether they were recomputed.
        self.env.cr.execute("UPDATE crm_lead SET create_date = %s, date_last_stage_update = %s "
                            "WHERE id IN %s", (old, old, tuple(lead.id for lead in pair)))
        for lead in pair:
            lead.invalidate_cache()
        return pair

    def stored(self, lead):
        lead.invalidate_cache()
        return lead.with_context(active_test=False).read(
            list(self.CLOSED) + list(self.STAMPED), load="_classic_write")[0]

    def assert_same(self, by_sql, by_orm):
        state_sql, state_orm = self.stored(by_sql), self.stored(by_orm)
        for name in self.CLOSED:
            self.assertEqual(state_sql[name], state_orm[name], name)
        for name in self.STAMPED:
            if not state_orm[name]:
                self.assertFalse(state_sql[name], name)
                continue
            delta = abs(fields.Datetime.from_string(state_sql[name]) -
                        fields.Datetime.from_string(state_orm[name]))
            self.assertLess(delta, timedelta(minutes=1), name)
        for lead in (by_sql, by_orm):
            lead.invalidate_cache()
        active = self.Lead.with_context(active_test=False)
        self.assertEqual(
            active.browse(by_sql.id).activity_ids.mapped("summary"),
            active.browse(by_orm.id).activity_ids.mapped("summary"), "activities")
        self.assertEqual(active.browse(by_sql.id).message_partner_ids,
                         active.browse(by_orm.id).message_partner_ids, "followers")
        return state_sql

    def close(self, lead, won, reason=False):
        closed = lead.sudo(self.manager).action_close(won=won, lost_reason=reason)
        self.assertEqual(closed, 1)
        lead.invalidate_cache()
        body = "Closed as won (bulk close)" if won else "Closed as lost (bulk close): Too late"
        self.assertIn(body, lead.with_context(active_test=False).message_ids[0].body)

    def test_lost_equals_write(self):
        by_sql, by_orm = self.twins()
        self.close(by_sql, False, self.reason)
        by_orm.sudo(self.manager).with_context(tracking_disable=True).write(
            {"status": "lost", "lost_reason": self.reason.id})
        state = self.assert_same(by_sql, by_orm)
        self.assertEqual((state["status"], state["active"], state["day_close"],
                          state["stage_before_close_id"], state["activity_date_deadline"]),
                         ("lost", False, 40.0, self.stage_proposal.id, False))

    def test_won_equals_write(self):
        for vals in ({"on_hold": True}, {"active": False, "probability": 0}, {}):
            by_sql, by_orm = self.twins(**vals)
            if not vals.get("active", True):
                for lead in (by_sql, by_orm):
                    lead.lost_reason = self.reason
            self.close(by_sql, True)
            by_orm.sudo(self.manager).with_context(tracking_disable=True).write(
                {"status": "won"})
            state = self.assert_same(by_sql, by_orm)
            self.assertEqual((state["status"], state["active"], state["on_hold"],
                              state["stage_id"], state["probability"], state["day_close"]),
                             ("won", True, False, self.stage_won.id, 100.0, 40.0), vals)

    def test_record_rules_apply(self):
        """The UPDATE checks the record rules for writing as write() does: a rule that keeps
        an opportunity from being written keeps it from being closed, and nothing changes."""
        self.env["ir.rule"].create({
            "name": "Locked opportunities", "model_id": self.env.ref("crm.model_crm_lead").id,
            "domain_force": "[('name', '!=', 'Locked')]", "perm_read": False,
            "perm_create": False, "perm_unlink": False, "perm_write": True})
        locked = self.new_opportunity(name="Locked", user_id=self.rep.id)
        free = self.new_opportunity(name="Free", user_id=self.rep.id)
        with self.assertRaises(AccessError):
            (locked | free).sudo(self.manager).action_close(won=False, lost_reason=self.reason)
        for lead in (locked, free):
            lead.invalidate_cache()
            self.assertEqual((lead.status, lead.active), ("open", True))
        with self.assertRaises(AccessError):  # as write() refuses it
            locked.sudo(self.manager).with_context(tracking_disable=True).write(
                {"status": "lost", "lost_reason": self.reason.id})
        self.assertEqual(free.sudo(self.manager).action_close(False, self.reason), 1)


class TestTrackParity(SuiteTransactionCase):
    """apply_track() inserts the tasks with the activities of those released at once; the
    generic way (tasks created waiting, then crm.lead.track._release() scheduling them) gives
    the same tasks, activities, followers and next deadlines."""

    def setUp(self):
        super().setUp()
        call = self.env.ref("mail.mail_activity_data_call")
        meeting = self.env.ref("mail.mail_activity_data_meeting")
        self.track = self.env["crm.track"].create({
            "name": "Parity",
            "task_ids": [
                (0, 0, {"sequence": 1, "activity_type_id": call.id, "summary": "Call",
                        "note": "<p>Ask for the plans</p>", "offset_days": 5}),
                (0, 0, {"sequence": 2, "activity_type_id": meeting.id, "summary": "Visit",
                        "offset_days": 2, "assignee": "user", "user_id": self.other_rep.id}),
                (0, 0, {"sequence": 3, "activity_type_id": call.id, "offset_days": 0}),
            ]})

    def reference(self, lead, applied):
        """The same tasks on ``lead``, created waiting through the ORM, then released."""
        track = self.env["crm.lead.track"].sudo().create({
            "lead_id": lead.id, "track_id": applied.track_id.id, "end_date": applied.end_date})
        for task in applied.task_ids.sorted(lambda t: (t.sequence, t.id)):
            self.env["crm.lead.track.task"].sudo().create({
                "lead_track_id": track.id, "sequence": task.sequence,
                "activity_type_id": task.activity_type_id.id, "summary": task.summary,
                "note": task.note, "user_id": task.user_id.id,
                "date_deadline": task.date_deadline})
        track._release()
        return track

    def described(self, applied):
        applied.invalidate_cache()
        lead = applied.lead_id
        lead.invalidate_cache()
        tasks = [(task.sequence, task.state, task.activity_type_id, task.summary, task.note,
                  task.user_id, task.date_deadline, task.lead_id == lead,
                  task.activity_id and (task.activity_id.res_id == lead.id,
                                        task.activity_id.activity_type_id,
                                        task.activity_id.summary, task.activity_id.note,
                                        task.activity_id.user_id,
                                        task.activity_id.date_deadline,
                                        task.activity_id.res_name,
                                        task.activity_id.create_uid))
                 for task in applied.task_ids.sorted(lambda t: (t.sequence, t.id))]
        return (tasks, applied.state, applied.progress, applied.next_task_summary,
                lead.activity_date_deadline, len(lead.activity_ids),
                sorted(lead.message_partner_ids.ids))

    def test_applied_track_equals_release(self):
        for in_order in (False, True):
            self.track.release_in_order = in_order
            by_sql = self.new_opportunity(name="Twin", user_id=self.rep.id)
            by_orm = self.new_opportunity(name="Twin", user_id=self.rep.id)
            applied = by_sql.sudo(self.rep).apply_track(self.track, "2030-06-28")
            reference = self.reference(by_orm, applied)
            self.assertEqual(self.described(applied), self.described(reference), in_order)
            self.assertEqual(applied.mapped("task_ids.state").count("open"),
                             1 if in_order else 3)
            by_sql.invalidate_cache()
            self.assertIn('Track "Parity" applied', by_sql.message_ids[0].body)

    def test_access_checked(self):
        theirs = self.new_opportunity(name="Theirs", user_id=self.other_rep.id)
        with self.assertRaises(AccessError):
            theirs.sudo(self.rep).apply_track(self.track, "2030-06-28")
        self.assertFalse(self.env["crm.lead.track"].search([("lead_id", "=", theirs.id)]))
        self.assertFalse(theirs.activity_ids)
