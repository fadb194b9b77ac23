from .common import SuiteCase


class TestStatus(SuiteCase):

    def test_new_opportunity_is_open(self):
        lead = self.new_opportunity()
        self.assertEqual(lead.status, "open")

    def test_odoo_won_sets_status_won(self):
        lead = self.new_opportunity()
        lead.action_set_won()
        self.assertEqual(lead.probability, 100)
        self.assertEqual(lead.status, "won")

    def test_odoo_lost_wizard_sets_status_lost(self):
        lead = self.new_opportunity()
        reason = self.env["crm.lost.reason"].create({"name": "Too expensive"})
        self.env["crm.lead.lost"].with_context(active_ids=lead.ids).create(
            {"lost_reason_id": reason.id}).action_lost_reason_apply()
        self.assertFalse(lead.active)
        self.assertEqual(lead.status, "lost")
        self.assertEqual(lead.lost_reason, reason)

    def test_status_won_sets_odoo_won(self):
        lead = self.new_opportunity()
        lead.status = "won"
        self.assertEqual(lead.probability, 100)
        self.assertEqual(lead.stage_id, self.stage_won)
        self.assertTrue(lead.active)

    def test_status_lost_sets_odoo_lost(self):
        lead = self.new_opportunity()
        lead.write({"status": "lost"})
        self.assertFalse(lead.active)
        self.assertEqual(lead.probability, 0)
        self.assertTrue(lead.date_closed)

    def test_hold_and_resume(self):
        lead = self.new_opportunity(stage_id=self.stage_proposal.id, probability=60)
        lead.action_put_on_hold()
        self.assertEqual(lead.status, "hold")
        self.assertTrue(lead.on_hold)
        self.assertTrue(lead.active)
        self.assertEqual(lead.probability, 60)
        lead.action_resume()
        self.assertEqual(lead.status, "open")
        self.assertFalse(lead.on_hold)

    def test_reopen_lost_as_open(self):
        lead = self.new_opportunity(stage_id=self.stage_proposal.id)
        lead.lost_reason = self.env["crm.lost.reason"].create({"name": "Gone"})
        lead.action_set_lost()
        self.assertEqual(lead.status, "lost")
        lead.status = "open"
        self.assertTrue(lead.active)
        self.assertEqual(lead.probability, 60)
        self.assertFalse(lead.lost_reason)
        self.assertEqual(lead.status, "open")

    def test_reopen_won_leaves_the_won_stage(self):
        lead = self.new_opportunity(probability_tag_id=self.hot.id)
        lead.action_set_won()
        self.assertEqual(lead.stage_id, self.stage_won)
        lead.status = "open"
        self.assertLess(lead.stage_id.probability, 100)
        self.assertEqual(lead.probability, 75)  # the probability tag's
        self.assertEqual(lead.status, "open")

    def test_created_with_status(self):
        won = self.new_opportunity(status="won")
        self.assertEqual((won.probability, won.status), (100, "won"))
        lost = self.new_opportunity(status="lost")
        self.assertEqual((lost.active, lost.status), (False, "lost"))
        held = self.new_opportunity(status="hold")
        self.assertEqual((held.on_hold, held.status), (True, "hold"))

    def test_filter_and_group_by_status(self):
        held = self.new_opportunity(status="hold")
        self.new_opportunity()
        domain = [("team_id", "=", self.team.id)]
        self.assertEqual(self.Lead.search(domain + [("status", "=", "hold")]), held)
        groups = {g["status"]: g["status_count"] for g in self.Lead.read_group(
            domain, ["status"], ["status"])}
        self.assertEqual(groups, {"open": 1, "hold": 1})
