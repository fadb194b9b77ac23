import re

import psycopg2

from odoo.tools import mute_logger

from .common import SuiteCase


class TestReference(SuiteCase):

    def test_new_opportunities_get_distinct_references(self):
        first = self.new_opportunity(name="First")
        second = self.new_opportunity(name="Second")
        self.assertRegex(first.reference, r"^OPP\d{5}$")
        self.assertRegex(second.reference, r"^OPP\d{5}$")
        self.assertNotEqual(first.reference, second.reference)
        number = int(re.sub(r"\D", "", first.reference))
        self.assertEqual(second.reference, "OPP%05d" % (number + 1))

    def test_copy_gets_a_new_reference(self):
        lead = self.new_opportunity()
        copy = lead.copy()
        self.assertTrue(copy.reference)
        self.assertNotEqual(copy.reference, lead.reference)

    def test_reference_is_unique(self):
        first = self.new_opportunity(name="First")
        second = self.new_opportunity(name="Second")
        with self.assertRaises(psycopg2.IntegrityError), mute_logger("odoo.sql_db"), \
                self.cr.savepoint():
            second.write({"reference": first.reference})

    def test_leads_existing_before_install_have_references(self):
        demo_lead = self.env.ref("crm.crm_case_1")
        self.assertRegex(demo_lead.reference, r"^OPP\d{5}$")
        self.assertEqual(self.Lead.with_context(active_test=False).search_count(
            [("reference", "=", False)]), 0)

    def test_search_by_reference(self):
        lead = self.new_opportunity(name="Roof repair")
        self.assertEqual(self.Lead.search([("reference", "=", lead.reference)]), lead)
        found = self.Lead.name_search(lead.reference)
        self.assertEqual([lead.id], [res[0] for res in found])
        # name_search still finds by name, and combines with a domain
        self.assertIn(lead.id, [r[0] for r in self.Lead.name_search("Roof rep")])
        self.assertFalse(self.Lead.name_search(lead.reference, args=[("id", "!=", lead.id)]))

    def test_reference_in_views(self):
        for view_type in ("form", "tree", "kanban", "search"):
            arch = self.Lead.fields_view_get(
                view_id=self.env.ref("crm.%s" % {
                    "form": "crm_case_form_view_oppor",
                    "tree": "crm_case_tree_view_oppor",
                    "kanban": "crm_case_kanban_view_leads",
                    "search": "view_crm_case_opportunities_filter",
                }[view_type]).id, view_type=view_type)["arch"]
            self.assertIn('name="reference"', arch, view_type)
