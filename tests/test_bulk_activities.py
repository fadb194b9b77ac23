import json

from odoo.exceptions import AccessError, ValidationError

from ..lib import bulk
from .common import SuiteCase


class TestBulkActivities(SuiteCase):
    """Activities created by thousands (tracks): same result as mail.activity.create()."""

    def setUp(self):
        super().setUp()
        self.model_id = self.env["ir.model"]._get("crm.lead").id
        self.call = self.env.ref("mail.mail_activity_data_call")
        self.Activity = self.env["mail.activity"]

    def activity_vals(self, lead, **vals):
        values = {"res_model_id": self.model_id, "res_id": lead.id,
                  "activity_type_id": self.call.id, "summary": "Call",
                  "user_id": self.rep.id}
        values.update(vals)
        return values

    def followers(self, lead, user):
        return self.env["mail.followers"].search([
            ("res_model", "=", "crm.lead"), ("res_id", "=", lead.id),
            ("partner_id", "=", user.partner_id.id)])

    def test_insert_records_keeps_every_value_as_given(self):
        """The values travel as PostgreSQL array literals: quotes, backslashes, braces,
        commas, the word NULL, new lines and accents come back as they were, empty values
        as the ORM stores them."""
        texts = ['He said "yes"', "C:\\temp\\new", "{braces}, commas", "NULL", "",
                 "line\nbreak", "Élan ∑ 東京", "'single' quotes", " spaced ", "back\\\"slash"]
        lead = self.new_opportunity(name="Bulk values")
        records = bulk.insert_records(self.Activity.sudo(), [
            {"res_model_id": self.model_id, "res_id": lead.id, "activity_type_id": self.call.id,
             "summary": text, "user_id": self.rep.id, "recurrence_interval": index % 3,
             "recurrence_end": "2030-01-%02d" % (index + 1) if index % 2 else False}
            for index, text in enumerate(texts)])
        records.invalidate_cache()
        self.assertEqual(records.mapped("summary"), texts)
        self.assertEqual(records.mapped("recurrence_interval"), [i % 3 for i in range(10)])
        self.assertEqual(records.mapped("recurrence_end"), [
            "2030-01-%02d" % (i + 1) if i % 2 else False for i in range(10)])
        self.assertEqual(bulk.pg_array([1, None, True, 1.0, 'a"b\\c', 1]),
                         '{1,NULL,t,"1.0","a\\"b\\\\c",1}')
        # Booleans and floats alone: written as they are; PostgreSQL reads them back exactly.
        floats = [0.1, -2.5e-07, 1e+16, 12345.678901234567, -0.0]
        self.assertEqual(bulk.pg_array([True, False]), "{t,f}")
        self.env.cr.execute("SELECT %s::float8[], %s::bool[]",
                            (bulk.pg_array(floats), bulk.pg_array([True, False, True])))
        self.assertEqual(self.env.cr.fetchone(), (floats, [True, False, True]))

    def test_insert_records_defaults_order_computed_fields_and_checks(self):
        lead = self.new_opportunity(name="Bulk insert")
        records = bulk.insert_records(self.Activity.sudo(), [
            {"res_model_id": self.model_id, "res_id": lead.id, "activity_type_id": self.call.id,
             "summary": "Task %d" % index, "user_id": self.rep.id} for index in range(5)])
        self.assertEqual(records.mapped("summary"), ["Task %d" % index for index in range(5)],
                         "records come back in the order of the values")
        for record in records:
            self.assertEqual(record.date_deadline, self.Activity.default_get(
                ["date_deadline"])["date_deadline"], "default value")
            self.assertEqual(record.recurrence_unit, "weeks", "default value")
            # Stored computed fields not given are computed as create() would.
            self.assertEqual((record.res_model, record.res_name), ("crm.lead", "Bulk insert"))
            self.assertEqual(record.create_uid, self.env.user)
        self.assertEqual(lead.activity_ids, records)
        # A field given in some rows only: the others get its default.
        mixed = bulk.insert_records(self.Activity.sudo(), [
            self.activity_vals(lead, date_deadline="2030-01-01"), self.activity_vals(lead)])
        self.assertEqual(mixed.mapped("date_deadline"), ["2030-01-01", records[0].date_deadline])
        with self.assertRaises(ValidationError):
            bulk.insert_records(self.Activity.sudo(), [self.activity_vals(
                lead, recurrence_interval=-1)])
        with self.assertRaisesRegex(ValueError, "not stored column fields: no_such_field"):
            bulk.insert_records(self.Activity, [{"no_such_field": 1}])
        with self.assertRaisesRegex(ValueError, "line_ids"):
            bulk.insert_records(self.Lead, [{"name": "x", "line_ids": []}])
        self.assertEqual(bulk.insert_records(self.Activity, []), self.Activity)

    def test_bulk_creation_matches_create(self):
        followed = self.new_opportunity(name="Followed", user_id=self.rep.id)
        new = self.new_opportunity(name="Not followed", user_id=self.rep.id)
        stock = self.new_opportunity(name="Stock", user_id=self.rep.id)
        for lead in followed | new | stock:
            lead.message_unsubscribe([self.rep.partner_id.id])
        # The rep follows "Followed" for notes only: a bulk creation leaves that alone.
        note = self.env.ref("mail.mt_note")
        followed.message_subscribe([self.rep.partner_id.id], subtype_ids=[note.id])
        self.env["bus.bus"].search([]).unlink()

        created = self.Activity.sudo(self.rep)._create_bulk([
            self.activity_vals(followed, date_deadline="2030-05-02"),
            self.activity_vals(followed, date_deadline="2030-04-01", summary="First"),
            self.activity_vals(new, date_deadline="2020-01-01", summary="Late"),
        ])
        reference = self.Activity.sudo(self.rep).create(
            self.activity_vals(stock, date_deadline="2020-01-01", summary="Late"))
        self.assertEqual(created.mapped("summary"), ["Call", "First", "Late"])
        fields = ["res_model", "res_model_id", "activity_type_id", "summary", "user_id",
                  "date_deadline", "state", "recurrence_interval", "recurrence_unit",
                  "create_uid"]
        expected = reference.read(fields)[0]
        got = created[2].read(fields)[0]
        for name in fields:
            self.assertEqual(got[name], expected[name], name)
        self.assertEqual((created[2].res_name, reference.res_name), ("Not followed", "Stock"))
        # The next deadline stored on the opportunities (Odoo 11's create() left it empty:
        # the addon stores it there too).
        self.assertEqual((followed.activity_date_deadline, new.activity_date_deadline,
                          stock.activity_date_deadline),
                         ("2030-04-01", "2020-01-01", "2020-01-01"))
        self.env.cr.execute("SELECT id, activity_date_deadline FROM crm_lead WHERE id IN %s",
                            (tuple((followed | new | stock).ids),))
        self.assertEqual({lead_id: str(deadline) for lead_id, deadline in self.env.cr.fetchall()},
                         {followed.id: "2030-04-01", new.id: "2020-01-01",
                          stock.id: "2020-01-01"}, "stored")
        self.assertEqual(followed.activity_ids.mapped("summary"), ["First", "Call"])
        # Followers: added with the default subtypes where missing; kept where present.
        defaults = self.env["mail.message.subtype"].default_subtypes("crm.lead")[0]
        self.assertEqual(self.followers(new, self.rep).subtype_ids, defaults)
        self.assertEqual(self.followers(stock, self.rep).subtype_ids, defaults)
        self.assertEqual(self.followers(followed, self.rep).subtype_ids, note)
        self.assertIn(self.rep.partner_id, new.message_partner_ids)
        # The late task refreshes the rep's activity counter, as create() does.
        channels = [json.loads(channel) for channel in self.env["bus.bus"].search([]).mapped(
            "channel")]
        self.assertEqual(channels.count([self.env.cr.dbname, "res.partner",
                                         self.rep.partner_id.id]), 2)
        # Through create() (which resets the assignee's subscription), an earlier activity
        # becomes the next one.
        self.Activity.create(self.activity_vals(followed, date_deadline="2029-12-31"))
        self.assertEqual(followed.activity_date_deadline, "2029-12-31")

    def test_bulk_creation_checks_access_and_writes_nothing_when_refused(self):
        own = self.new_opportunity(name="Own", user_id=self.rep.id)
        foreign = self.new_opportunity(name="Foreign", user_id=self.other_rep.id)
        with self.assertRaises(AccessError):
            self.Activity.sudo(self.rep)._create_bulk([
                self.activity_vals(own), self.activity_vals(foreign)])
        self.assertFalse(self.Activity.search([("res_model", "=", "crm.lead"),
                                               ("res_id", "in", (own | foreign).ids)]))

    def test_track_on_many_opportunities_at_once(self):
        track = self.env["crm.track"].create({
            "name": "Bulk track",
            "task_ids": [(0, 0, {"sequence": index, "activity_type_id": self.call.id,
                                 "summary": "Step %d" % index, "offset_days": 4 - 2 * index})
                         for index in range(3)]})
        leads = self.Lead
        for index in range(30):
            leads |= self.new_opportunity(name="Many %d" % index,
                                          user_id=(self.rep, self.other_rep)[index % 2].id)
        leads.message_unsubscribe([self.rep.partner_id.id, self.other_rep.partner_id.id])
        applied = leads.apply_track(track, "2030-06-28")  # a Friday
        self.assertEqual(len(applied), 30)
        for lead, one in zip(leads, applied):
            self.assertEqual(one.lead_id, lead)
            activities = lead.activity_ids
            self.assertEqual(activities.mapped("summary"), ["Step 0", "Step 1", "Step 2"])
            self.assertEqual(activities.mapped("date_deadline"),
                             ["2030-06-24", "2030-06-26", "2030-06-28"])
            self.assertEqual(set(activities.mapped("user_id")), {lead.user_id})
            self.assertEqual(lead.activity_date_deadline, "2030-06-24")
            self.assertIn(lead.user_id.partner_id, lead.message_partner_ids)
            self.assertEqual(one.task_ids.mapped("activity_id"), activities)
            self.assertEqual(set(one.task_ids.mapped("state")), {"open"})
            self.assertEqual((one.progress, one.next_task_summary), ("0 / 3", "Step 0"))
            self.assertIn("Bulk track", lead.message_ids[0].body)
        leads[0].activity_ids[0].action_feedback("Done")
        self.assertEqual(applied[0].progress, "1 / 3")
        self.assertEqual(leads[0].activity_date_deadline, "2030-06-26")
