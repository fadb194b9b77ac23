"""The import at 100,000 rows (issue 18 point 5) reads each opportunity once before and once
after its write: the expected revenue comes from the values read first, the undo data's write
dates and the notes' record names from the read after; its undo data is compact
(lib/undo_data.py); Python's cyclic collector is off while it runs. What each of these gives
is what the import gave before."""
import gc
import json
from unittest.mock import patch

from odoo.exceptions import UserError

from ..lib import bulk, undo_data
from .common import SuiteTransactionCase
from .test_value import ValueMixin


class TestImportCompact(ValueMixin, SuiteTransactionCase):

    def setUp(self):
        super().setUp()
        self.prepare_currencies()
        self.reason = self.env["crm.lost.reason"].create({"name": "Too late"})
        self.lead1 = self.new_opportunity(name="Roof Alpha", value_amount=100.0, probability=10)
        self.lead2 = self.new_opportunity(name="Roof Beta", value_amount=200.0, probability=10)
        self.lead3 = self.new_opportunity(name="Roof Gamma", value_amount=300.0, probability=10)
        self.Log = self.env["crm.lead.import.log"]

    def import_rows(self, headers, rows, mapping):
        log = self.Log.browse()._import("compact.xlsx", headers, list(enumerate(rows, 2)),
                                        mapping, True, True, False)
        self.env.clear()
        return log

    def state(self):
        return [(lead.name, lead.stage_id.id, lead.probability, lead.value_amount,
                 lead.planned_revenue, lead.status, lead.active, lead.lost_reason.id)
                for lead in (self.lead1 | self.lead2 | self.lead3).with_context(
                    active_test=False)]

    def import_three(self):
        """Two values changed; a third opportunity renamed and lost (which moves its stage,
        probability and lost reason too: the undo data keeps them)."""
        return self.import_rows(
            ["Opportunity ID", "Opportunity", "Expected value", "Milestone", "Lost reason"],
            [[self.lead1.id, "", 150, "", ""], [self.lead2.id, "", 250, "", ""],
             [self.lead3.id, "Roof Gamma renamed", "", "Lost", "Too late"]],
            {0: "id", 1: "name", 2: "expected_revenue", 3: "milestone", 4: "lost_reason"})

    def test_compact_undo_data_means_what_the_first_form_meant(self):
        before = self.state()
        log = self.import_three()
        self.assertEqual((log.state, log.updated_count), ("done", 3))
        stored = json.loads(log.undo_data)
        self.assertEqual(stored["version"], 2)
        self.assertEqual(len(stored["updated"]), 2, "grouped by the columns they changed")
        undo = undo_data.decode(stored)
        self.assertEqual(undo["updated"][str(self.lead1.id)], {"value_amount": 100.0,
                                                               "planned_revenue": 100.0})
        self.assertEqual(undo["after"][str(self.lead2.id)], {"value_amount": 250.0,
                                                             "planned_revenue": 250.0})
        gamma = undo["updated"][str(self.lead3.id)]
        self.assertEqual((gamma["name"], gamma["status"], gamma["stage_id"], gamma["probability"],
                          gamma["lost_reason"]),
                         ("Roof Gamma", "open", self.stage_new.id, 10.0, False))
        self.assertEqual(undo["after"][str(self.lead3.id)]["name"], "Roof Gamma renamed")
        self.assertEqual(undo["created"], [])
        # The write dates read after the write, as the ORM gives them.
        leads = self.lead1 | self.lead2 | self.lead3
        self.assertEqual(undo["write_dates"], {str(lead.id): lead.write_date for lead in leads})
        self.assertEqual(self.lead3.status, "lost")
        log.action_undo()
        self.assertEqual(self.state(), before)
        self.assertEqual(log.state, "undone")

    def test_undo_data_of_the_first_form_still_undoes_and_checks(self):
        before = self.state()
        log = self.import_three()
        first = undo_data.decode(json.loads(log.undo_data))
        self.assertNotIn("version", first)
        self.env.cr.execute("UPDATE crm_lead_import_log SET undo_data = %s WHERE id = %s",
                            (json.dumps(first), log.id))
        log.invalidate_cache()
        self.assertEqual(undo_data.decode(json.loads(log.undo_data)), first)
        # Changed since the import: refused, as with the compact form.
        self.lead1.write({"value_amount": 42.0})
        with self.assertRaisesRegex(UserError, "changed after the import"):
            log.action_undo()
        self.lead1.write({"value_amount": 150.0})
        self.env.cr.execute("UPDATE crm_lead SET write_date = %s WHERE id = %s",
                            (first["write_dates"][str(self.lead1.id)], self.lead1.id))
        self.lead1.invalidate_cache()
        log.action_undo()
        self.assertEqual(self.state(), before)

    def test_compact_undo_data_that_does_not_hold_together_is_refused(self):
        log = self.import_three()
        stored = json.loads(log.undo_data)
        for forged in (
                # A row one value short of its columns.
                dict(stored, updated=[[old, new, [row[:-1] for row in rows]]
                                      for old, new, rows in stored["updated"]]),
                # A column no import writes.
                dict(stored, updated=[[["create_uid"], [], [[self.lead1.id, 1]]]]),
                # Not a list of groups.
                dict(stored, updated={"x": 1}),
                dict(stored, write_dates={str(self.lead1.id): "2020-01-01 00:00:00"}),
                dict(stored, write_dates=[["2020-01-01 00:00:00", str(self.lead1.id)]])):
            self.env.cr.execute("UPDATE crm_lead_import_log SET undo_data = %s WHERE id = %s",
                                (json.dumps(forged), log.id))
            log.invalidate_cache()
            with self.assertRaisesRegex(UserError, "undo data of this import is invalid"):
                log.action_undo()
        self.assertEqual(self.lead1.value_amount, 150.0, "nothing undone")

    def test_notes_name_the_opportunity_as_written(self):
        self.import_three()
        for lead, name in ((self.lead3, "Roof Gamma renamed"), (self.lead1, "Roof Alpha")):
            note = lead.message_ids.filtered(lambda m: "Updated by the import" in m.body)
            self.assertEqual(len(note), 1)
            self.assertEqual(note.record_name, name)
            self.assertEqual((note.model, note.res_id, note.create_uid, note.author_id),
                             ("crm.lead", lead.id, self.env.user, self.env.user.partner_id))

    def test_expected_revenue_from_the_values_read_first(self):
        """The revenue the UPDATE writes, computed from the values read before the write, is
        the one the ORM computes: basis, duration and currency kept, converted; an
        opportunity with lines keeps its lines' total."""
        monthly = self.new_opportunity(name="Monthly", currency_id=self.other.id,
                                       value_amount=1000.0, value_basis="month",
                                       value_duration=6)
        twin = self.new_opportunity(name="Twin", currency_id=self.other.id,
                                    value_amount=1000.0, value_basis="month", value_duration=6)
        lined = self.new_opportunity(name="Lined", value_amount=5.0)
        lined.line_ids = [(0, 0, {"line_type": "text", "name": "Visit", "price_unit": 70.0})]
        lined_revenue = lined.planned_revenue
        self.import_rows(["Opportunity ID", "Expected value"],
                         [[monthly.id, 2000], [lined.id, 900]],
                         {0: "id", 1: "expected_revenue"})
        twin.write({"value_amount": 2000.0})
        self.assertEqual((monthly.value_amount, monthly.value_basis, monthly.value_duration),
                         (2000.0, "month", 6))
        self.assertAlmostEqual(monthly.planned_revenue, 6000.0, places=6, msg="12000 at 1:2")
        self.assertAlmostEqual(monthly.planned_revenue, twin.planned_revenue, places=6)
        self.assertEqual(lined.value_amount, 900.0)
        self.assertAlmostEqual(lined.planned_revenue, lined_revenue, places=6)
        self.assertEqual(lined.value_total, lined.amount_untaxed)

    def test_collector_off_during_the_import_only(self):
        self.assertTrue(gc.isenabled())
        seen = []
        original = type(self.Log)._import_file

        def watch(log, *args, **kwargs):
            seen.append(gc.isenabled())
            with bulk.spaced_collections():  # nested: still off after it
                pass
            seen.append(gc.isenabled())
            return original(log, *args, **kwargs)

        with patch.object(type(self.Log), "_import_file", watch):
            self.import_three()
        self.assertEqual(seen, [False, False])
        self.assertTrue(gc.isenabled(), "back on after the import")
        with self.assertRaises(RuntimeError):
            with bulk.spaced_collections():
                raise RuntimeError("boom")
        self.assertTrue(gc.isenabled(), "back on after a failure")
