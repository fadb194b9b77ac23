"""The raw SQL that replaces ORM calls for speed gives what the ORM gives: the import's
UPDATE (with the side effects of crm.lead.write() it reproduces) against write() on a twin
opportunity, and the bulk chatter notes against message_post()."""
from datetime import datetime, timedelta

from odoo import fields

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
                "Duration": "duration"}
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
