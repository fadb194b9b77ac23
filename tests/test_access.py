from odoo.exceptions import AccessError

from .common import SuiteTransactionCase


class TestAccess(SuiteTransactionCase):

    def test_rep_cannot_configure(self):
        with self.assertRaises(AccessError):
            self.Tag.sudo(self.rep).create({"name": "Lukewarm", "percentage": 30})
        with self.assertRaises(AccessError):
            self.hot.sudo(self.rep).write({"percentage": 90})
        with self.assertRaises(AccessError):
            self.env["crm.lead.custom.field"].sudo(self.rep).create(
                {"name": "Referral code", "field_type": "char"})
        self.assertFalse(self.env["crm.lead.custom.field"].search([("name", "=", "Referral code")]))
        # ... but reads them to fill opportunities in.
        self.assertEqual(self.hot.sudo(self.rep).percentage, 75)
        self.assertTrue(self.env["crm.lead.custom.field"].sudo(self.rep).search([]))

    def test_manager_configures_without_being_an_administrator(self):
        self.assertFalse(self.manager.has_group("base.group_system"))
        tag = self.Tag.sudo(self.manager).create({"name": "Lukewarm", "percentage": 30})
        self.assertEqual(tag.percentage, 30)
        definition = self.env["crm.lead.custom.field"].sudo(self.manager).create(
            {"name": "Referral code", "field_type": "char"})
        self.assertIn(definition.field_name, self.env["crm.lead"]._fields)
        definition.unlink()
        self.assertNotIn("x_cos_referral_code", self.env["crm.lead"]._fields)

    def test_rep_works_with_lines_of_own_opportunities_only(self):
        mine = self.Lead.sudo(self.rep).create({
            "name": "Mine", "type": "opportunity", "user_id": self.rep.id,
            "line_ids": [(0, 0, {"line_type": "text", "name": "Work", "price_unit": 5.0})]})
        self.assertEqual(mine.planned_revenue, 5.0)
        theirs = self.new_opportunity(name="Theirs", user_id=self.other_rep.id, line_ids=[
            (0, 0, {"line_type": "text", "name": "Secret", "price_unit": 5.0})])
        Line = self.env["crm.lead.line"].sudo(self.rep)
        self.assertEqual(Line.search([("lead_id", "in", (mine | theirs).ids)]).mapped("name"),
                         ["Work"])
        with self.assertRaises(AccessError):
            Line.browse(theirs.line_ids.id).read(["name"])

    def test_export_group_exists_for_later(self):
        group = self.env.ref("crm_opportunity_suite.group_crm_export")
        self.assertEqual(group.name, "Allowed to export records")
        self.assertFalse(self.rep.has_group("crm_opportunity_suite.group_crm_export"))
