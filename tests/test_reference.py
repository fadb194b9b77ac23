import re
from contextlib import closing
from unittest.mock import patch

import psycopg2

from odoo.exceptions import UserError, ValidationError
from odoo.tools import mute_logger

from .common import RpcCase, SuiteCase


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
        with self.assertRaisesRegex(ValidationError, "already used by another opportunity"):
            second.write({"reference": first.reference})
        self.assertNotEqual(second.reference, first.reference)

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


class TestTypedReference(SuiteCase):
    """A reference typed by the user: kept, cleaned, unique in the company whatever the case;
    empty, the sequence gives one."""

    def test_typed_reference_is_kept_and_cleaned(self):
        lead = self.new_opportunity(reference="  JOB   2024-017 ")
        self.assertEqual(lead.reference, "JOB 2024-017")
        self.assertEqual(self.Lead.search([("reference", "=", "JOB 2024-017")]), lead)
        self.assertEqual([lead.id], [r[0] for r in self.Lead.name_search("job 2024")])

    def test_empty_reference_takes_the_sequence(self):
        for empty in (False, "", "   "):
            lead = self.new_opportunity(reference=empty)
            self.assertRegex(lead.reference, r"^OPP\d{5}$")

    def test_typed_later_and_emptied(self):
        lead = self.new_opportunity()
        sequence_ref = lead.reference
        lead.write({"reference": "Roof/North-7"})
        self.assertEqual(lead.reference, "Roof/North-7")
        lead.write({"reference": "  "})
        self.assertRegex(lead.reference, r"^OPP\d{5}$")
        self.assertNotEqual(lead.reference, sequence_ref, "emptied: the next number")

    def test_unique_whatever_the_case_and_spaces(self):
        self.new_opportunity(reference="ACME-1")
        for taken in ("acme-1", " Acme-1 ", "ACME-1"):
            with self.assertRaisesRegex(ValidationError, "The reference %s is already used "
                                        "by another opportunity" % taken.strip()):
                self.new_opportunity(reference=taken)
        other = self.new_opportunity()
        with self.assertRaisesRegex(ValidationError, "already used"):
            other.write({"reference": "acme-1"})
        # Its own reference in another case: allowed.
        mine = self.new_opportunity(reference="Mine-1")
        mine.write({"reference": "MINE-1"})
        self.assertEqual(mine.reference, "MINE-1")

    def test_unique_against_opportunities_the_user_cannot_see(self):
        self.new_opportunity(reference="SECRET-9", user_id=self.other_rep.id)
        Lead = self.Lead.sudo(self.rep)
        self.assertFalse(Lead.search([("reference", "=", "SECRET-9")]))
        with self.assertRaisesRegex(ValidationError, "already used"):
            Lead.create({"name": "Mine", "type": "opportunity", "team_id": self.team.id,
                         "user_id": self.rep.id, "reference": "secret-9"})

    def test_unique_per_company(self):
        other_company = self.env["res.company"].create({"name": "Other company"})
        self.new_opportunity(reference="SHARED-1")
        lead = self.new_opportunity(reference="shared-1", company_id=other_company.id)
        self.assertEqual(lead.reference, "shared-1")
        with self.assertRaisesRegex(ValidationError, "already used"):
            lead.write({"company_id": self.env.user.company_id.id})

    def test_one_reference_for_several_opportunities_is_refused(self):
        leads = self.new_opportunity() | self.new_opportunity()
        with self.assertRaisesRegex(UserError, "cannot share the reference"):
            leads.write({"reference": "BOTH-1"})

    def test_bare_numbers_and_long_references_are_refused(self):
        for number in ("12", " 0042 "):
            with self.assertRaisesRegex(ValidationError, "bare number"):
                self.new_opportunity(reference=number)
        with self.assertRaisesRegex(ValidationError, "at most 64 characters"):
            self.new_opportunity(reference="X" * 65)
        self.assertEqual(self.new_opportunity(reference="J-12").reference, "J-12")

    def test_sequence_skips_references_typed_by_hand(self):
        number = int(re.sub(r"\D", "", self.new_opportunity().reference))
        typed = self.new_opportunity(reference="opp%05d" % (number + 1))
        following = self.new_opportunity()
        self.assertEqual(following.reference, "OPP%05d" % (number + 2))
        self.assertNotEqual(following.reference.lower(), typed.reference.lower())

    def test_copy_and_duplicate_get_a_sequence_reference(self):
        lead = self.new_opportunity(reference="ORIGINAL-1")
        copy = lead.copy()
        duplicate = lead.duplicate_as("Second roof")
        for new in (copy, duplicate):
            self.assertRegex(new.reference, r"^OPP\d{5}$")
        self.assertEqual(lead.reference, "ORIGINAL-1")

    def test_the_database_refuses_a_duplicate_the_check_did_not_see(self):
        first = self.new_opportunity(reference="RACE-1")
        second = self.new_opportunity()
        for duplicate in ("RACE-1", "race-1"):
            with self.assertRaises(psycopg2.IntegrityError), mute_logger("odoo.sql_db"), \
                    self.cr.savepoint():
                self.cr.execute("UPDATE crm_lead SET reference = %s WHERE id = %s",
                                (duplicate, second.id))
        self.cr.execute("SELECT pg_get_constraintdef(oid) FROM pg_constraint "
                        "WHERE conname = 'crm_lead_reference_uniq'")
        definition = self.cr.fetchone()[0]
        declared = dict((key, text) for key, text, _msg in self.Lead._sql_constraints)
        self.assertEqual(definition, declared["reference_uniq"],
                         "as PostgreSQL writes it: not rebuilt at every update")
        self.assertEqual(first.reference, "RACE-1")

    def test_a_concurrent_save_of_the_same_reference_waits_and_cannot_win(self):
        """Two users save the same reference at once: the second one's check does not see
        the first (uncommitted) one, but the database makes it wait for it."""
        self.new_opportunity(reference="CONCURRENT-1")  # uncommitted, in this transaction
        demo_lead = self.env.ref("crm.crm_case_1")
        with closing(self.registry.cursor()) as other:
            other.execute("SET lock_timeout = '1s'")
            with self.assertRaises(psycopg2.OperationalError) as caught, \
                    mute_logger("odoo.sql_db"):
                other.execute("UPDATE crm_lead SET reference = 'concurrent-1' WHERE id = %s",
                              (demo_lead.id,))
            self.assertEqual(caught.exception.pgcode, "55P03", "waiting on the first save")
            other.rollback()


class TestReferenceOverRpc(RpcCase):

    def setUp(self):
        super().setUp()
        self.team.member_ids |= self.demo

    def test_rep_types_a_reference_and_gets_a_clear_message(self):
        lead_id = self.rpc(self.demo, "crm.lead", "create", {
            "name": "Typed", "type": "opportunity", "team_id": self.team.id,
            "user_id": self.demo.id, "reference": "Site-42"})
        self.assertEqual(self.Lead.browse(lead_id).reference, "Site-42")
        self.new_opportunity(reference="THEIRS-7", user_id=self.other_rep.id)
        with self.assertRaisesRegex(ValidationError, "THEIRS-7 is already used"):
            self.rpc(self.demo, "crm.lead", "write", [lead_id], {"reference": "THEIRS-7"})
        self.assertEqual(self.Lead.browse(lead_id).reference, "Site-42")

    def test_the_database_refusal_is_a_clear_message_too(self):
        """When the check cannot see the other save (a concurrent one), the database refuses
        it and the dispatcher gives the constraint's message, not a database error."""
        self.new_opportunity(reference="HIDDEN-3", user_id=self.other_rep.id)
        with patch.object(type(self.Lead), "_reference_taken", lambda *args: False), \
                mute_logger("odoo.sql_db"), \
                self.assertRaisesRegex(ValidationError, "already used by another opportunity "
                                                        "of the company"):
            self.rpc(self.demo, "crm.lead", "create", {
                "name": "Racing", "type": "opportunity", "team_id": self.team.id,
                "user_id": self.demo.id, "reference": "hidden-3"})
        self.assertFalse(self.Lead.search([("name", "=", "Racing")]))
