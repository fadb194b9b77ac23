from odoo.exceptions import ValidationError

from .common import SuiteCase


class TestProbabilityTag(SuiteCase):

    def test_choosing_a_tag_sets_the_probability(self):
        lead = self.new_opportunity(probability_tag_id=self.hot.id)
        self.assertEqual(lead.probability, 75)
        lead.probability_tag_id = self.cold
        self.assertEqual(lead.probability, 10)

    def test_explicit_probability_wins_over_tag(self):
        lead = self.new_opportunity(probability_tag_id=self.hot.id, probability=33)
        self.assertEqual(lead.probability, 33)

    def test_onchange_sets_probability(self):
        lead = self.new_opportunity()
        lead.probability_tag_id = False
        lead.probability = 20
        lead.probability_tag_id = self.hot
        lead._onchange_probability_tag_id()
        self.assertEqual(lead.probability, 75)

    def test_stage_change_keeps_tag_probability(self):
        tagged = self.new_opportunity(probability_tag_id=self.hot.id)
        untagged = self.new_opportunity()
        (tagged | untagged).write({"stage_id": self.stage_proposal.id})
        self.assertEqual(tagged.probability, 75)
        self.assertEqual(untagged.probability, 60)
        tagged.write({"stage_id": self.stage_won.id})
        self.assertEqual(tagged.probability, 100)
        self.assertEqual(tagged.status, "won")

    def test_tag_does_not_reopen_closed_opportunities(self):
        lead = self.new_opportunity()
        lead.action_set_won()
        lead.probability_tag_id = self.cold
        self.assertEqual(lead.probability, 100)
        self.assertEqual(lead.status, "won")

    def test_changing_tag_percentage_updates_open_opportunities(self):
        open_lead = self.new_opportunity(probability_tag_id=self.hot.id)
        won_lead = self.new_opportunity(probability_tag_id=self.hot.id)
        won_lead.action_set_won()
        self.hot.percentage = 80
        self.assertEqual(open_lead.probability, 80)
        self.assertEqual(won_lead.probability, 100)

    def test_percentage_and_colour_are_validated(self):
        with self.assertRaises(ValidationError):
            self.Tag.create({"name": "Impossible", "percentage": 120})
        with self.assertRaises(ValidationError):
            self.Tag.create({"name": "Negative", "percentage": -5})
        with self.assertRaises(ValidationError):
            self.Tag.create({"name": "Odd colour", "percentage": 5, "color": 12})

    def test_display_and_colour(self):
        self.assertEqual(self.hot.name_get()[0][1], "T-Hot 75%")
        self.assertEqual(self.hot.color_hex, "#f06050")
        lead = self.new_opportunity(probability_tag_id=self.hot.id)
        self.assertEqual(lead.probability_tag_color, "#f06050")

    def test_filter_and_group_by_tag(self):
        hot_lead = self.new_opportunity(probability_tag_id=self.hot.id)
        self.new_opportunity(probability_tag_id=self.cold.id)
        self.new_opportunity(probability_tag_id=self.cold.id)
        domain = [("team_id", "=", self.team.id)]
        self.assertEqual(self.Lead.search(domain + [("probability_tag_id", "=", self.hot.id)]),
                         hot_lead)
        groups = {g["probability_tag_id"][0]: g["probability_tag_id_count"]
                  for g in self.Lead.read_group(domain, ["probability_tag_id"],
                                                ["probability_tag_id"])}
        self.assertEqual(groups, {self.hot.id: 1, self.cold.id: 2})


class TestProbabilityTagColour(SuiteCase):

    def test_colour_is_picked_with_the_palette_widget(self):
        Tag = self.env["crm.probability.tag"]
        for view, kind in (("crm_opportunity_suite.crm_probability_tag_view_form", "form"),
                           ("crm_opportunity_suite.crm_probability_tag_view_tree", "tree")):
            arch = Tag.fields_view_get(self.env.ref(view).id, kind)["arch"]
            self.assertIn('<field name="color" widget="cos_color_picker"', arch, kind)
        files, _remains = self.env["ir.qweb"]._get_asset_content("web.assets_backend", {})
        sources = " ".join(asset["url"] for asset in files)
        self.assertIn("crm_opportunity_suite/static/src/js/color_picker.js", sources)
        self.assertIn("crm_opportunity_suite/static/src/less/color_picker.less", sources)

    def test_colour_outside_the_palette_is_refused(self):
        for color in (-1, 12):
            with self.assertRaises(ValidationError):
                self.hot.write({"color": color})
