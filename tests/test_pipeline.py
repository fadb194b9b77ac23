from datetime import datetime, timedelta

import pytz

from odoo.addons.web.models.models import Base

from .common import RpcCase

PROGRESS_BAR = {"field": "activity_state", "sum_field": "planned_revenue",
                "colors": {"planned": "success", "today": "warning", "overdue": "danger"}}


class TestPipelineProgressBar(RpcCase):
    """The kanban's progress bars (read_progress_bar), counted in SQL: the same answer as
    Odoo's own computation, for what the user may see."""

    def setUp(self):
        super().setUp()
        self.team.member_ids |= self.demo
        self.call = self.env.ref("mail.mail_activity_data_call")
        self.far_east = self.env["res.users"].with_context(no_reset_password=True).create({
            "name": "Kiri Rep", "login": "cos_kiri", "email": "kiri@example.com",
            "tz": "Pacific/Kiritimati",
            "groups_id": [(6, 0, [self.env.ref("sales_team.group_sale_salesman").id])]})
        self.demo.sudo().tz = "America/Los_Angeles"
        self.domain = [("type", "=", "opportunity"), ("team_id", "=", self.team.id)]

    def opportunity(self, name, stage, deadlines, user=None, **values):
        lead = self.new_opportunity(name=name, stage_id=stage.id,
                                    user_id=(user or self.demo).id, **values)
        for days, assignee in deadlines:
            # Days from the assignee's today, in their time zone.
            today = pytz.UTC.localize(datetime.utcnow()).astimezone(
                pytz.timezone(assignee.tz)).date()
            self.env["mail.activity"].create({
                "res_model_id": self.env["ir.model"]._get("crm.lead").id, "res_id": lead.id,
                "activity_type_id": self.call.id, "user_id": assignee.id,
                "date_deadline": today + timedelta(days=days)})
        return lead

    def stock(self, user, domain):
        """The counts as Odoo's web client and mail make them (read_progress_bar: each
        opportunity's activity_state, mail's mixin: the most urgent of its activities'
        states), from mail.activity's own states, not from the addon's query."""
        data = {}
        for lead in self.env["crm.lead"].sudo(user).search(domain):
            states = lead.activity_ids.mapped("state")
            state = next((s for s in ("overdue", "today", "planned") if s in states), False)
            counts = data.setdefault(lead.stage_id.display_name,
                                     dict.fromkeys(PROGRESS_BAR["colors"], 0))
            if state in counts:
                counts[state] += 1
        return data

    def test_same_counts_as_odoo(self):
        demo, far = self.demo, self.far_east
        self.opportunity("Late", self.stage_new, [(-3, demo), (5, demo)])
        self.opportunity("Due today", self.stage_new, [(0, demo), (9, far)])
        self.opportunity("Planned", self.stage_new, [(4, demo)])
        self.opportunity("Nothing to do", self.stage_new, [])
        self.opportunity("Late elsewhere", self.stage_proposal, [(-1, far), (2, demo)])
        # The assignee's day decides (Kiritimati's and Los Angeles' are a day apart).
        self.opportunity("Zones", self.stage_proposal, [(0, far), (1, demo)])
        self.other_rep.tz = "Europe/Paris"
        self.opportunity("Other rep's", self.stage_new, [(-5, self.other_rep)],
                         user=self.other_rep)
        trashed = self.opportunity("Trashed", self.stage_new, [(-2, demo)])
        trashed.unlink()
        lost = self.opportunity("Lost", self.stage_proposal, [(-2, demo)])
        lost.action_set_lost()
        answer = self.rpc(demo, "crm.lead", "read_progress_bar", self.domain, "stage_id",
                          PROGRESS_BAR)
        self.assertEqual(answer, self.stock(demo, self.domain))
        # The cards' own states (their activities read for all the cards at once).
        cards = self.rpc(demo, "crm.lead", "search_read", self.domain,
                         ["name", "activity_state"])
        self.assertEqual({card["name"]: card["activity_state"] for card in cards}, {
            "Late": "overdue", "Due today": "today", "Planned": "planned",
            "Nothing to do": False, "Late elsewhere": "overdue", "Zones": "today"})
        self.assertEqual(answer["S-New"], {"overdue": 1, "today": 1, "planned": 1})
        self.assertEqual(answer["S-Proposal"], {"overdue": 1, "today": 1, "planned": 0})
        # A manager sees the other rep's late opportunity too; archived ones on request.
        for domain in (self.domain, self.domain + [("active", "in", [True, False])]):
            answer = self.rpc(self.env.ref("base.user_root"), "crm.lead", "read_progress_bar",
                              domain, "stage_id", PROGRESS_BAR)
            self.assertEqual(answer, self.stock(self.env.ref("base.user_root"), domain))
            # The trashed one is not counted.
            self.assertEqual(answer["S-New"]["overdue"], 2)

    def test_joined_and_hostile_domains(self):
        """A domain through the activities (an auto_join: one row per activity) counts each
        opportunity once; a rep's domain naming another rep's opportunities counts none."""
        demo, other = self.demo, self.other_rep
        self.set_password(other, "cos-other-rep")
        self.opportunity("Two calls", self.stage_new, [(-1, demo), (3, demo)])
        self.opportunity("One call", self.stage_new, [(2, demo)])
        self.opportunity("Oscar's", self.stage_new, [(-4, demo)], user=other)
        for domain in (self.domain + [("activity_ids.user_id", "=", demo.id)],
                       ["|", ("activity_ids.date_deadline", "!=", False),
                        ("user_id", "=", other.id)]):
            answer = self.rpc(demo, "crm.lead", "read_progress_bar", domain, "stage_id",
                              PROGRESS_BAR)
            self.assertEqual(answer, self.stock(demo, domain))
            self.assertEqual(answer["S-New"], {"overdue": 1, "today": 0, "planned": 1})
        hostile = [("user_id", "=", other.id), ("id", "!=", 0)]
        self.assertEqual(self.rpc(demo, "crm.lead", "read_progress_bar", hostile, "stage_id",
                                  PROGRESS_BAR), {})
        self.assertEqual(self.rpc(other, "crm.lead", "read_progress_bar", hostile, "stage_id",
                                  PROGRESS_BAR)["S-New"],
                         {"overdue": 1, "today": 0, "planned": 0})

    def test_unknown_time_zone_elsewhere(self):
        """A time zone pytz does not know on another user (imported data) does not break the
        pipeline of those who are not assigned their activities."""
        self.opportunity("Late", self.stage_new, [(-3, self.demo)])
        self.env.cr.execute("UPDATE res_partner SET tz = 'Mars/Olympus' WHERE id = %s",
                            (self.other_rep.partner_id.id,))
        self.env.cache.invalidate()
        answer = self.rpc(self.demo, "crm.lead", "read_progress_bar", self.domain, "stage_id",
                          PROGRESS_BAR)
        self.assertEqual(answer["S-New"], {"overdue": 1, "today": 0, "planned": 0})

    def test_other_progress_bars_are_odoo_s(self):
        self.opportunity("Late", self.stage_new, [(-3, self.demo)])
        self.opportunity("Urgent", self.stage_new, [], priority="3")
        bar = {"field": "priority", "colors": {"0": "success", "3": "danger"}}
        answer = self.rpc(self.demo, "crm.lead", "read_progress_bar", self.domain, "stage_id",
                          bar)
        self.assertEqual(answer, Base.read_progress_bar(
            self.env["crm.lead"].sudo(self.demo), self.domain, "stage_id", bar))
        self.assertEqual(answer["S-New"], {"0": 1, "3": 1})

    def test_kanban_cards(self):
        """A rep's cards: the fields the cards show, read with the rep's rights (the
        currency of the amounts and the probability tag's colour), without the fields crm
        declares and no card shows (two e-mail fields, the next activity's summary, the
        kanban state)."""
        lead = self.opportunity("Tagged", self.stage_new, [], probability_tag_id=self.hot.id,
                                planned_revenue=1200)
        fields = self.rpc(self.demo, "crm.lead", "load_views", [[False, "kanban"]],
                          options={"toolbar": False})["fields_views"]["kanban"]["fields"]
        self.assertIn("company_id", fields)
        self.assertFalse({"user_email", "partner_address_email", "activity_summary",
                          "kanban_state"} & set(fields))
        card = self.rpc(self.demo, "crm.lead", "read", [lead.id], sorted(fields))[0]
        self.assertEqual(card["company_currency"][0], lead.company_id.currency_id.id)
        self.assertEqual(card["probability_tag_color"], self.hot.color_hex)
        self.assertEqual(card["planned_revenue"], 1200)
        # The columns the cards' computed fields read come with the others, not in the answer.
        self.assertEqual(set(card), set(fields) | {"id"})
        self.assertEqual((card["is_stale"], card["value_total"], card["activity_state"]),
                         (False, 1200, False))
        self.assertEqual(self.rpc(self.demo, "crm.lead", "read", [lead.id], ["type"]),
                         [{"id": lead.id, "type": "opportunity"}])

    def test_card_activity_summary(self):
        """A card's next activity summary: the first activity's (the earliest deadline), read
        with the rep's rights, also when another user is its assignee."""
        lead = self.opportunity("Two tasks", self.stage_new, [])
        idle = self.opportunity("Idle", self.stage_new, [])
        model_id = self.env["ir.model"]._get("crm.lead").id
        for summary, days, user in (("Later", 6, self.demo), ("Sooner", 2, self.other_rep)):
            self.env["mail.activity"].create({
                "res_model_id": model_id, "res_id": lead.id, "summary": summary,
                "activity_type_id": self.call.id, "user_id": user.id,
                "date_deadline": datetime.utcnow().date() + timedelta(days=days)})
        cards = self.rpc(self.demo, "crm.lead", "read", [lead.id, idle.id],
                         ["activity_summary", "activity_ids", "activity_state"])
        self.assertEqual([(card["activity_summary"], len(card["activity_ids"]),
                           card["activity_state"]) for card in cards],
                         [("Sooner", 2, "planned"), (False, 0, False)])
        found = self.rpc(self.demo, "crm.lead", "search", [("activity_summary", "=", "Sooner")])
        self.assertEqual(found, [lead.id])

    def test_column_index(self):
        """The indexes the kanban's columns and their counts are read through (crm.lead's
        order per salesperson and stage) are made at installation."""
        self.env.cr.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s",
                            ("crm_lead_pipeline_column_index",))
        self.assertIn("(user_id, stage_id, priority DESC, activity_date_deadline, id DESC)",
                      self.env.cr.fetchone()[0])
        # The columns' counts: the active opportunities only, by salesperson and stage.
        self.env.cr.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s",
                            ("crm_lead_pipeline_count_index",))
        definition = self.env.cr.fetchone()[0]
        self.assertIn("(user_id, stage_id, id) WHERE (active AND", definition)
        self.assertIn("'opportunity'", definition)


class TestLineRules(RpcCase):
    """The record rules of items and applied tracks (a join with their opportunity): a rep
    sees those of their own and unassigned opportunities, lost ones included, not another
    rep's nor those of their opportunities in the trash."""

    def test_items_and_tracks_follow_the_opportunity(self):
        self.team.member_ids |= self.demo
        track = self.env["crm.track"].create({
            "name": "Follow-up", "task_ids": [(0, 0, {
                "activity_type_id": self.env.ref("mail.mail_activity_data_call").id,
                "summary": "Call", "offset_days": 1})]})
        leads = {}
        for name, user in (("mine", self.demo), ("unassigned", False), ("lost", self.demo),
                           ("trashed", self.demo), ("theirs", self.other_rep)):
            leads[name] = self.new_opportunity(
                name=name, user_id=user and user.id, date_deadline="2030-01-31",
                line_ids=[(0, 0, {"line_type": "text", "name": "Item of %s" % name})])
            leads[name].apply_track(track, "2030-01-31")
        leads["lost"].action_set_lost()
        leads["trashed"].unlink()
        visible = {leads[name].id for name in ("mine", "unassigned", "lost")}
        hidden = {leads[name].id for name in ("theirs", "trashed")}
        for model in ("crm.lead.line", "crm.lead.track", "crm.lead.track.task"):
            found = {row["lead_id"][0] for row in self.rpc(
                self.demo, model, "search_read", [("lead_id", "in", list(visible | hidden))],
                ["lead_id"])}
            self.assertEqual(found, visible, model)
