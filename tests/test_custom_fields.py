from odoo.exceptions import UserError, ValidationError

from .common import SuiteTransactionCase


class TestCustomFields(SuiteTransactionCase):

    def setUp(self):
        super().setUp()
        self.Definition = self.env["crm.lead.custom.field"]

    def custom_state(self):
        """What exists of the custom fields: definitions, ir.model.fields, generated views."""
        return (
            self.Definition.search_count([]),
            self.env["ir.model.fields"].search_count(
                [("model", "=", "crm.lead"), ("name", "=like", "x_cos_%")]),
            self.env["ir.ui.view"].search(
                [("name", "like", "crm_opportunity_suite.custom_fields")]).mapped("arch_db"),
        )

    def form_arch(self):
        return self.env["crm.lead"].fields_view_get(
            view_id=self.env.ref("crm.crm_case_form_view_oppor").id, view_type="form")["arch"]

    def search_arch(self):
        return self.env["crm.lead"].fields_view_get(
            view_id=self.env.ref("crm.view_crm_case_opportunities_filter").id,
            view_type="search")["arch"]

    def test_text_field_is_a_real_field_on_the_form_and_search(self):
        definition = self.Definition.create({"name": "Referral code", "field_type": "char"})
        self.assertEqual(definition.field_name, "x_cos_referral_code")
        self.assertEqual(definition.field_id.ttype, "char")
        self.assertEqual(definition.field_id.field_description, "Referral code")
        self.assertIn("x_cos_referral_code", self.env["crm.lead"]._fields)
        self.assertIn('name="x_cos_referral_code"', self.form_arch())
        self.assertIn('name="x_cos_referral_code"', self.search_arch())
        lead = self.new_opportunity(x_cos_referral_code="ABC-12")
        self.assertEqual(lead.x_cos_referral_code, "ABC-12")
        self.assertEqual(self.Lead.search([("x_cos_referral_code", "=", "ABC-12")]), lead)

    def test_every_answer_type(self):
        expected = {"char": "char", "integer": "integer", "float": "float", "date": "date",
                    "boolean": "boolean"}
        for answer_type, ttype in expected.items():
            definition = self.Definition.create({"name": "Field %s" % answer_type,
                                                 "field_type": answer_type})
            self.assertEqual(definition.field_id.ttype, ttype)
        lead = self.new_opportunity(x_cos_field_integer=3, x_cos_field_float=2.5,
                                    x_cos_field_date="2026-12-01", x_cos_field_boolean=True)
        self.assertEqual((lead.x_cos_field_integer, lead.x_cos_field_float,
                          lead.x_cos_field_date, lead.x_cos_field_boolean),
                         (3, 2.5, "2026-12-01", True))

    def test_list_field_with_options(self):
        definition = self.Definition.create({
            "name": "Roof type",
            "field_type": "selection",
            "option_ids": [(0, 0, {"name": "Flat", "sequence": 1}),
                           (0, 0, {"name": "Pitched (tiles)", "sequence": 2})],
        })
        field = self.env["crm.lead"]._fields["x_cos_roof_type"]
        self.assertEqual(field.selection, [("flat", "Flat"), ("pitched_tiles", "Pitched (tiles)")])
        lead = self.new_opportunity(x_cos_roof_type="flat")
        self.assertEqual(lead.x_cos_roof_type, "flat")
        with self.assertRaises(ValueError):
            lead.x_cos_roof_type = "thatched"
        # Renaming an option keeps the stored value; adding one extends the list.
        definition.write({"option_ids": [
            (1, definition.option_ids[0].id, {"name": "Flat roof"}),
            (0, 0, {"name": "Thatched", "sequence": 3})]})
        field = self.env["crm.lead"]._fields["x_cos_roof_type"]
        self.assertEqual(field.selection, [("flat", "Flat roof"),
                                           ("pitched_tiles", "Pitched (tiles)"),
                                           ("thatched", "Thatched")])
        self.assertEqual(lead.x_cos_roof_type, "flat")

    def test_option_in_use_cannot_be_removed(self):
        definition = self.Definition.create({
            "name": "Roof type", "field_type": "selection",
            "option_ids": [(0, 0, {"name": "Flat"}), (0, 0, {"name": "Pitched"})]})
        self.new_opportunity(x_cos_roof_type="flat")
        flat = definition.option_ids.filtered(lambda o: o.value == "flat")
        with self.assertRaisesRegex(UserError, "used by 1 opportunities"):
            definition.write({"option_ids": [(2, flat.id)]})
        pitched = definition.option_ids - flat
        definition.write({"option_ids": [(2, pitched.id)]})
        self.assertEqual(self.env["crm.lead"]._fields["x_cos_roof_type"].selection,
                         [("flat", "Flat")])

    def test_mandatory_field_enforced_on_save(self):
        self.Definition.create({"name": "Budget holder", "field_type": "char", "required": True})
        self.assertIn("required", self.form_arch().split('name="x_cos_budget_holder"')[1]
                      .split("/>")[0])
        with self.assertRaisesRegex(ValidationError, "Budget holder.*mandatory"):
            self.new_opportunity(name="No budget holder")
        with self.assertRaisesRegex(ValidationError, "Budget holder.*mandatory"):
            self.new_opportunity(name="Blank budget holder", x_cos_budget_holder="   ")
        lead = self.new_opportunity(x_cos_budget_holder="Mr Smith")
        with self.assertRaisesRegex(ValidationError, "mandatory"):
            lead.x_cos_budget_holder = False
        # Unqualified leads are not opportunities: not enforced until converted.
        plain = self.Lead.create({"name": "Enquiry", "type": "lead"})
        with self.assertRaisesRegex(ValidationError, "mandatory"):
            plain.write({"type": "opportunity"})

    def test_mandatory_number_accepts_zero(self):
        self.Definition.create({"name": "Floors", "field_type": "integer", "required": True})
        with self.assertRaisesRegex(ValidationError, "Floors"):
            self.new_opportunity(name="No floors")
        lead = self.new_opportunity(x_cos_floors=0)
        self.assertEqual(lead.x_cos_floors, 0)

    def test_relabel_and_reorder(self):
        definition = self.Definition.create({"name": "Referral", "field_type": "char"})
        definition.name = "Referral code"
        self.assertEqual(definition.field_id.field_description, "Referral code")
        self.assertEqual(definition.field_name, "x_cos_referral")
        self.assertEqual(self.env["crm.lead"]._fields["x_cos_referral"].string, "Referral code")

    def test_type_cannot_change(self):
        definition = self.Definition.create({"name": "Floors", "field_type": "integer"})
        with self.assertRaisesRegex(UserError, "cannot change"):
            definition.field_type = "char"

    def test_remove_field_and_its_data(self):
        definition = self.Definition.create({"name": "Referral code", "field_type": "char"})
        self.new_opportunity(x_cos_referral_code="ABC")
        before = self.custom_state()
        definition.unlink()
        after = self.custom_state()
        self.assertEqual(after[0], before[0] - 1)
        self.assertEqual(after[1], before[1] - 1)
        self.assertNotIn("x_cos_referral_code", self.env["crm.lead"]._fields)
        self.assertNotIn("x_cos_referral_code", self.form_arch())
        self.cr.execute("SELECT 1 FROM information_schema.columns WHERE table_name = 'crm_lead' "
                        "AND column_name = 'x_cos_referral_code'")
        self.assertFalse(self.cr.fetchall(), "the column and its data are dropped")

    def test_removing_the_last_field_removes_the_generated_views(self):
        self.Definition.search([]).unlink()
        self.assertEqual(self.custom_state(), (0, 0, []))
        self.assertIn('name="crm_opportunity_suite_custom_fields"', self.form_arch())
        definition = self.Definition.create({"name": "Referral code", "field_type": "char"})
        self.assertEqual(len(self.custom_state()[2]), 2)
        definition.unlink()
        self.assertEqual(self.custom_state(), (0, 0, []))

    def test_bad_definitions_are_refused_and_leave_nothing(self):
        self.Definition.create({"name": "Referral code", "field_type": "char"})
        before = self.custom_state()
        bad = [
            ({"name": "", "field_type": "char"}, "label"),
            ({"name": "   ", "field_type": "char"}, "label"),
            ({"name": "referral CODE", "field_type": "char"}, "already exists"),
            ({"name": "Customer", "field_type": "char"}, "standard opportunity field"),
            ({"name": "Roof", "field_type": "selection"}, "at least one option"),
            ({"name": "Roof", "field_type": "selection",
              "option_ids": [(0, 0, {"name": "Flat"}), (0, 0, {"name": "flat"})]},
             "same option twice"),
            ({"name": "Agreed", "field_type": "boolean", "required": True}, "cannot be mandatory"),
            ({"name": "Floors", "field_type": "integer",
              "option_ids": [(0, 0, {"name": "One"})]}, "Only list fields"),
        ]
        for vals, message in bad:
            with self.assertRaisesRegex(UserError, message):
                self.Definition.create(vals)
            self.assertEqual(self.custom_state(), before, vals)

    def test_demo_field_on_demo_opportunities(self):
        definition = self.env.ref("crm_opportunity_suite.custom_field_project_size")
        lead = self.env.ref("crm_opportunity_suite.lead_office_fitout")
        self.assertEqual(lead[definition.field_name], "large")
