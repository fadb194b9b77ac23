"""The dry run shows everything the import writes, side effects included (issue 16, point 4):
the diff shown is compared, field by field, with the records read back after the import."""
import base64
import io

import openpyxl

from ..lib.columns import FIELD_OF_KEY
from ..models.crm_lead_import_engine.engine import SIDE_EFFECT_FIELDS
from .common import SuiteTransactionCase


class TestDryRunEqualsWrite(SuiteTransactionCase):

    def setUp(self):
        super().setUp()
        self.reason = self.env["crm.lost.reason"].create({"name": "SE budget"})
        self.other_team = self.env["crm.team"].create({"name": "SE other channel"})
        self.outsider = self.env["res.users"].with_context(no_reset_password=True).create({
            "name": "Sam Outsider", "login": "cos_se_outsider",
            "groups_id": [(6, 0, [self.env.ref("sales_team.group_sale_salesman").id])]})
        self.other_team.member_ids |= self.outsider
        self.score = self.env["crm.lead.custom.field"].create(
            {"name": "SE score", "field_type": "integer"}).field_name
        new = self.new_opportunity
        self.leads = {
            "stage_only": new(name="Stage only", probability=10),
            "stage_tagged": new(name="Stage, tagged", probability_tag_id=self.hot.id),
            "won": new(name="Won now"),
            "lost": new(name="Lost now", probability=30),
            "owner_elsewhere": new(name="Owner elsewhere", user_id=self.rep.id),
            "tag": new(name="Tag change", probability=40),
            "reopen": new(name="Reopened"),
            "revenue": new(name="Revenue", planned_revenue=10.0),
            "hold": new(name="On hold now"),
            "custom": new(name="Custom"),
            "unchanged": new(name="Unchanged"),
        }
        self.leads["reopen"].write({"status": "lost", "lost_reason": self.reason.id})
        self.edits = {
            "stage_only": {"Stage": "S-Proposal"},
            "stage_tagged": {"Stage": "S-Proposal"},
            "won": {"Milestone": "Won"},
            "lost": {"Milestone": "Lost", "Lost reason": "SE budget"},
            "owner_elsewhere": {"Owner": "Sam Outsider"},
            "tag": {"Probability tag": "T-Cold"},
            "reopen": {"Milestone": "Open", "Lost reason": None},
            "revenue": {"Expected value": 2500.5, "Value basis": "Per month", "Duration": 12},
            "hold": {"Milestone": "On hold"},
            "custom": {"SE score": 42},
        }

    def edited_export(self):
        records = self.Lead.browse([lead.id for lead in self.leads.values()])
        _name, content = records._export_spreadsheet("xlsx")
        workbook = openpyxl.load_workbook(io.BytesIO(content))
        sheet = workbook.worksheets[0]
        headers = [cell.value for cell in sheet[1]]
        keys = {lead.id: key for key, lead in self.leads.items()}
        for row in range(2, sheet.max_row + 1):
            key = keys[sheet.cell(row, 1).value]
            for header, value in self.edits.get(key, {}).items():
                sheet.cell(row, headers.index(header) + 1).value = value
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()

    def values(self, names):
        self.env.clear()
        result = {}
        for key, lead in self.leads.items():
            lead = lead.with_context(active_test=False)
            result[key] = {name: lead[name].id if hasattr(lead[name], "ids") else lead[name]
                           for name in names}
        return result

    def test_dry_run_shows_what_the_import_writes(self):
        # The expected revenue that the value gives is a side effect the dry run shows too.
        names = sorted(set(FIELD_OF_KEY.values()) | set(SIDE_EFFECT_FIELDS) | {self.score})
        wizard = self.env["crm.lead.import"].create({
            "file_data": base64.b64encode(self.edited_export()), "file_name": "edited.xlsx",
            "overwrite": True})
        wizard.action_load()
        headers, rows = wizard._read()
        Engine = self.env["crm.lead.import.engine"]
        planned, errors = Engine._prepare(headers, rows, wizard._mapping(), True, True)
        self.assertEqual(errors, [])
        shown, refused = Engine._simulate(planned, False)
        self.assertEqual(refused, [])
        keys = {lead.id: key for key, lead in self.leads.items()}
        shown_diff = {keys[lead.id]: {name: (old, new) for name, old, new in changes}
                      for _line, lead, _vals, changes in shown if changes}
        planned_diff = {keys[lead.id]: {name for name, _old, _new in changes}
                        for _line, lead, _vals, changes in planned if changes}
        before = self.values(names)
        self.assertEqual(self.values(names), before, "the dry run wrote nothing")
        wizard.action_dry_run()
        wizard.action_import()
        after = self.values(names)
        written = {}
        for key in self.leads:
            diff = {name: (before[key][name], after[key][name]) for name in names
                    if before[key][name] != after[key][name]}
            if diff:
                written[key] = diff
        self.assertEqual(shown_diff, written)
        # The side effects were missing from the planned changes, and are shown.
        self.assertEqual(planned_diff["stage_only"], {"stage_id"})
        self.assertEqual(shown_diff["stage_only"]["probability"], (10.0, 60.0))
        self.assertNotIn("probability", shown_diff["stage_tagged"])
        self.assertEqual(shown_diff["owner_elsewhere"]["team_id"],
                         (self.team.id, self.other_team.id))
        self.assertEqual(shown_diff["won"]["probability"][1], 100.0)
        self.assertIn("stage_id", shown_diff["won"])
        self.assertEqual(shown_diff["lost"]["probability"], (30.0, 0.0))
        self.assertNotIn("unchanged", shown_diff)
        self.assertEqual(planned_diff["revenue"], {"value_amount", "value_basis",
                                                   "value_duration"})
        self.assertEqual(shown_diff["revenue"]["planned_revenue"], (10.0, 30006.0))
        self.assertEqual(wizard.log_id.updated_count, len(written))
        # The preview and the chatter note list them too.
        self.assertIn("60.0", wizard.preview_html)
        note = self.leads["stage_only"].message_ids[0].body
        self.assertIn("Probability", note)
        self.assertIn("60.0", note)
        # Undo restores everything the import wrote, side effects included.
        wizard.action_undo()
        self.assertEqual(self.values(names), before)
