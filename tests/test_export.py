import base64
import csv
import io

import openpyxl

import odoo
from odoo.exceptions import AccessError
from odoo.tests.common import get_db_name

from .common import SuiteCase


class TestExport(SuiteCase):

    def setUp(self):
        super().setUp()
        self.lead = self.new_opportunity(
            name="=HYPERLINK(\"http://evil\")", contact_id=self.contact.id,
            probability_tag_id=self.hot.id, planned_revenue=1500.0,
            date_deadline="2026-12-24", user_id=self.rep.id)
        self.exporter = self.env["res.users"].with_context(no_reset_password=True).create({
            "name": "Eve Exporter", "login": "cos_exporter",
            "groups_id": [(6, 0, [self.env.ref("sales_team.group_sale_salesman_all_leads").id,
                                  self.env.ref("crm_opportunity_suite.group_crm_export").id])]})

    def export(self, user, file_format, leads=None):
        leads = leads or self.lead
        wizard = self.env["crm.lead.export"].sudo(user).with_context(
            active_model="crm.lead", active_ids=leads.ids, lang="en_US").create(
            {"file_format": file_format})
        action = wizard.action_export()
        self.assertIn("/web/content?model=crm.lead.export", action["url"])
        return wizard.file_name, base64.b64decode(wizard.file_data)

    def test_xlsx_has_every_column_typed(self):
        name, content = self.export(self.exporter, "xlsx")
        self.assertTrue(name.endswith(".xlsx"))
        sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
        headers = [cell.value for cell in sheet[1]]
        for header in ("Opportunity ID", "Reference", "Opportunity", "Customer", "Contact",
                       "Contact ID", "Pipeline", "Stage", "Milestone", "Lost reason",
                       "Expected value", "Currency", "Probability", "Probability tag", "Tags",
                       "Owner", "Due date", "Project size", "Site visit date"):
            self.assertIn(header, headers)
        row = dict(zip(headers, [cell.value for cell in sheet[2]]))
        self.assertEqual(row["Opportunity ID"], self.lead.id)
        self.assertEqual(row["Reference"], self.lead.reference)
        # A string cell, never a formula: the text as it is.
        self.assertEqual(row["Opportunity"], "=HYPERLINK(\"http://evil\")")
        self.assertEqual(sheet.cell(2, headers.index("Opportunity") + 1).data_type, "s")
        self.assertEqual(row["Contact ID"], self.contact.id)
        self.assertEqual(row["Milestone"], "Open")
        self.assertEqual(row["Expected value"], 1500.0)
        self.assertEqual(row["Probability tag"], "T-Hot")
        self.assertEqual(row["Owner"], "Rita Rep")
        self.assertEqual(row["Due date"].date().isoformat(), "2026-12-24")

    def test_csv_utf8_bom_neutralised(self):
        name, content = self.export(self.exporter, "csv")
        self.assertTrue(name.endswith(".csv"))
        self.assertTrue(content.startswith(b"\xef\xbb\xbf"))
        rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
        self.assertEqual(rows[0][0], "Opportunity ID")
        self.assertEqual(rows[1][2], "'=HYPERLINK(\"http://evil\")")

    def test_filtered_list_exports_the_domain(self):
        wizard = self.env["crm.lead.export"].with_context(
            active_model="crm.lead", active_domain=[("team_id", "=", self.team.id)]).create({})
        self.assertEqual((wizard.selected_count, wizard.domain_count, wizard.use_domain),
                         (0, 1, True))
        wizard.with_context(active_model="crm.lead", active_domain=[
            ("team_id", "=", self.team.id)]).action_export()
        self.assertEqual(wizard.lead_count, 1)

    def test_rep_without_permission_is_refused(self):
        with self.assertRaisesRegex(AccessError, "not allowed to export"):
            self.env["crm.lead.export"].sudo(self.rep).with_context(
                active_model="crm.lead", active_ids=self.lead.ids, lang="en_US").create({})
        with self.assertRaisesRegex(AccessError, "not allowed to export"):
            self.lead.sudo(self.rep).with_context(lang="en_US").export_data(["name"])
        with self.assertRaises(AccessError):
            self.lead.sudo(self.rep)._export_spreadsheet("csv")

    def test_odoo_export_allowed_with_permission(self):
        result = self.lead.sudo(self.exporter).export_data(["name", "reference"])
        self.assertEqual(result["datas"][0][1], self.lead.reference)

    def test_export_refused_over_rpc(self):
        """Through Odoo's RPC dispatcher (authentication included), as the demo sales user."""
        demo = self.env.ref("base.user_demo")
        self.assertFalse(demo.has_group("crm_opportunity_suite.group_crm_export"))
        lead = self.env.ref("crm_opportunity_suite.lead_training_days")
        with self.assertRaises(AccessError):
            odoo.service.model.dispatch("execute_kw", [
                get_db_name(), demo.id, "demo", "crm.lead", "export_data",
                [lead.ids, ["name"]]])
        admin_result = odoo.service.model.dispatch("execute_kw", [
            get_db_name(), self.env.ref("base.user_root").id, "admin", "crm.lead",
            "export_data", [lead.ids, ["name"]]])
        self.assertEqual(admin_result["datas"], [[lead.name]])

    def test_french_headers_are_recognised(self):
        from ..lib import columns, spreadsheet
        keys = [key for key, _label in self.Lead._spreadsheet_headers()]
        french = [label for _key, label in self.Lead.with_context(lang="fr_FR")
                  ._spreadsheet_headers()]
        english = [label for _key, label in self.Lead._spreadsheet_headers()]
        aliases = dict(columns.COLUMN_ALIASES)
        for key, label_en, label_fr in zip(keys, english, french):
            if key.startswith("custom:"):
                continue
            mapping = spreadsheet.match_headers([label_en, label_fr], {key: aliases[key]})
            self.assertEqual(mapping, {0: key}, (key, label_en))
            mapping = spreadsheet.match_headers([label_fr], {key: aliases[key]})
            self.assertEqual(mapping, {0: key}, (key, label_fr))
