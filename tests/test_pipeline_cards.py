"""The kanban's cards read over RPC (models/crm_lead/cards.py: the columns and the cards'
computed fields from one query, the many-to-one names once per record; pipeline.py: whether a
card has items from one query with the items' rules): the same answer as Odoo's own read,
value by value, for what the rep may see."""
from datetime import datetime, timedelta
from unittest.mock import patch

from odoo import fields as odoo_fields
from odoo.exceptions import AccessError
from odoo.models import BaseModel

from .common import RpcCase


class TestPipelineCards(RpcCase):

    def setUp(self):
        super().setUp()
        self.team.member_ids |= self.demo
        self.eur = self.env.ref("base.EUR")
        self.eur.active = True
        item = {"line_type": "text", "name": "Workshop", "quantity": 2, "price_unit": 300.0}
        self.with_items = self.new_opportunity(
            name="With items", user_id=self.demo.id, value_amount=50.0,
            probability_tag_id=self.hot.id, line_ids=[(0, 0, item)])
        self.monthly = self.new_opportunity(
            name="Monthly", user_id=self.demo.id, value_amount=1000.0, value_basis="month",
            value_duration=3, currency_id=self.eur.id, partner_id=self.contact.id)
        self.unassigned = self.new_opportunity(name="Unassigned", user_id=False,
                                               partner_id=False, value_amount=10.0)
        # Another rep's, which the demo rep reads through a mission (crm.lead's rule) but
        # whose items they do not (the items' rule): no items, the typed value, as Odoo's
        # read of line_ids as the rep gives.
        self.mission_lead = self.new_opportunity(
            name="Oscar's, with a mission", user_id=self.other_rep.id, value_amount=70.0,
            line_ids=[(0, 0, dict(item, name="Oscar's item"))])
        self.env["project.task"].create({"name": "Visit", "is_mission": True,
                                         "opportunity_id": self.mission_lead.id,
                                         "user_id": self.demo.id})
        self.theirs = self.new_opportunity(name="Oscar's", user_id=self.other_rep.id)
        self.fields = sorted(self.rpc(self.demo, "crm.lead", "load_views", [[False, "kanban"]],
                                      options={"toolbar": False})["fields_views"]["kanban"][
                                          "fields"])

    def odoo_read(self, leads):
        """Odoo's own read() as the demo rep (each many-to-one's display name asked value by
        value), has_lines and value_total as value.py and items.py compute them from the
        items the rep reads (line_ids)."""
        leads = leads.sudo(self.demo)
        leads.invalidate_cache()
        rows = BaseModel.read(leads, self.fields)
        for row, lead in zip(rows, leads):
            row.update(has_lines=bool(lead.line_ids), value_total=lead._value_total())
        return rows

    def test_cards_as_odoo_reads_them(self):
        leads = self.with_items | self.monthly | self.unassigned | self.mission_lead
        cards = self.rpc(self.demo, "crm.lead", "read", leads.ids, self.fields)
        expected = self.odoo_read(leads)
        self.assertEqual(cards, expected)
        by_name = {card["name"]: card for card in cards}
        self.assertEqual(
            [(by_name[name]["has_lines"], by_name[name]["value_total"]) for name in (
                "With items", "Monthly", "Unassigned", "Oscar's, with a mission")],
            [(True, 600.0), (False, 3000.0), (False, 10.0), (False, 70.0)])
        self.assertEqual(by_name["Monthly"]["currency_id"], (self.eur.id, "EUR"))
        self.assertEqual(by_name["Monthly"]["partner_id"],
                         (self.contact.id, self.contact.display_name))
        self.assertEqual(by_name["With items"]["probability_tag_id"],
                         (self.hot.id, self.hot.display_name))
        self.assertEqual(by_name["Unassigned"]["user_id"], False)
        self.assertEqual(by_name["With items"]["user_id"], (self.demo.id, self.demo.name))
        # The kanban's column: search_read, as the web client calls it.
        column = self.rpc(self.demo, "crm.lead", "search_read",
                          [("id", "in", leads.ids + self.theirs.ids)], self.fields)
        self.assertEqual(sorted(column, key=lambda card: card["id"]),
                         sorted(expected, key=lambda card: card["id"]))

    def outcome(self, call):
        """("ok", the answer) or ("error", the exception's class) of ``call()``."""
        try:
            return "ok", call()
        except Exception as error:   # pylint: disable=broad-except
            return "error", type(error)

    def test_every_kind_of_value(self):
        """The cards', the list's and the form's fields of opportunities that have a value of
        every kind the bulk read formats itself (text, dates, times, selections, rounded
        amounts, names in French, a stale one, activities, tags), read over RPC in English
        and French: Odoo's read's answer, and the bulk read gave it (no fall-back)."""
        self.stage_new.stale_days = 10
        self.monthly.write({"value_amount": 0.1, "value_duration": 3, "color": 4,
                            "description": "Line one\nLine two", "date_deadline": "2031-02-28",
                            "priority": "2", "reference": "OPP-X1",
                            "tag_ids": [(0, 0, {"name": "Cards tag"})]})
        self.env.cr.execute("UPDATE crm_lead SET date_last_activity = %s WHERE id = %s",
                            (odoo_fields.Datetime.to_string(datetime.utcnow() - timedelta(
                                days=30)), self.monthly.id))
        self.env["mail.activity"].create({
            "res_model_id": self.env["ir.model"]._get("crm.lead").id,
            "res_id": self.with_items.id, "user_id": self.demo.id,
            "activity_type_id": self.env.ref("mail.mail_activity_data_call").id,
            "date_deadline": odoo_fields.Date.today()})
        self.env["mail.message"].create({
            "model": "crm.lead", "res_id": self.with_items.id, "message_type": "comment",
            "body": "Please call them back",
            "needaction_partner_ids": [(4, self.demo.partner_id.id)]})
        self.env["res.lang"].load_lang("fr_FR")
        leads = self.with_items | self.monthly | self.unassigned | self.mission_lead
        views = self.rpc(self.demo, "crm.lead", "load_views",
                         [[False, "list"], [False, "form"]], options={"toolbar": False})
        for fields in [self.fields] + [sorted(view["fields"])
                                       for view in views["fields_views"].values()]:
            for context in ({}, {"lang": "fr_FR", "tz": "Europe/Paris"}):
                cards = self.rpc(self.demo, "crm.lead", "read", leads.ids, fields,
                                 context=context)
                rep_leads = leads.sudo(self.demo).with_context(**context)
                rep_leads.invalidate_cache()
                expected = BaseModel.read(rep_leads, fields)
                if "has_lines" in fields:
                    # As value.py computes it, in the field's conversion (the currency's
                    # rounding).
                    for row, lead in zip(expected, rep_leads):
                        total = lead._value_total()
                        row.update(has_lines=bool(lead.line_ids), value_total=lead.currency_id
                                   and lead.currency_id.round(total) or total)
                self.assertEqual(cards, expected, (fields, context))
                rep_leads.invalidate_cache()
                self.assertEqual(rep_leads._read_columns(fields), expected, "the bulk read")
        by_name = {card["name"]: card for card in self.rpc(
            self.demo, "crm.lead", "read", leads.ids, self.fields + ["description"])}
        monthly = by_name["Monthly"]
        self.assertEqual((monthly["value_total"], monthly["is_stale"], monthly["color"],
                          monthly["description"], monthly["date_deadline"]),
                         (0.3, True, 4, "Line one\nLine two", "2031-02-28"))
        self.assertEqual(by_name["With items"]["activity_state"], "today")
        self.assertEqual((by_name["With items"]["message_needaction_counter"],
                          by_name["Monthly"]["message_needaction_counter"],
                          len(by_name["With items"]["activity_ids"]),
                          len(by_name["Monthly"]["tag_ids"])), (1, 0, 1, 1))
        self.assertFalse(by_name["With items"]["is_stale"])

    def test_missing_records_as_odoo(self):
        """An id that does not exist, or twice the same: what Odoo's read does."""
        gone = self.new_opportunity(name="Gone", user_id=self.demo.id)
        gone_id = gone.id
        self.env.cr.execute("DELETE FROM crm_lead WHERE id = %s", (gone_id,))
        for ids in ([self.monthly.id, self.monthly.id], [self.monthly.id, gone_id]):
            answer = self.outcome(lambda: self.rpc(self.demo, "crm.lead", "read", ids,
                                                   self.fields))
            self.env.clear()
            self.assertEqual(answer, self.outcome(lambda: BaseModel.read(
                self.Lead.sudo(self.demo).browse(ids), self.fields)), ids)
        self.assertEqual(answer[0], "ok")

    def test_hostile_reads(self):
        """Another rep's opportunity is refused whatever the fields asked; a field list
        naming columns the cards do not show, or no many-to-one, reads as Odoo does."""
        for fields in (self.fields, ["name"], ["user_id", "partner_id"], []):
            with self.assertRaises(AccessError):
                self.rpc(self.demo, "crm.lead", "read", [self.with_items.id, self.theirs.id],
                         fields)
        for fields in (["name", "type", "create_date"], ["stage_id", "stage_id"],
                       ["value_total", "line_ids"], ["company_currency"]):
            self.assertEqual(
                self.rpc(self.demo, "crm.lead", "read", self.mission_lead.ids, fields),
                BaseModel.read(self.mission_lead.sudo(self.demo), fields), fields)
        self.assertEqual(self.rpc(self.demo, "crm.lead", "read", self.mission_lead.ids,
                                  ["line_ids", "has_lines"])[0]["line_ids"], [])
        # The raw values (load=None) stay ids.
        raw = self.rpc(self.demo, "crm.lead", "read", self.monthly.ids, ["currency_id"],
                       load=None)
        self.assertEqual(raw, [{"id": self.monthly.id, "currency_id": self.eur.id}])

    def test_columns_in_one_call(self):
        """search_read_columns (the kanban's columns in one request): for each column what
        /web/dataset/search_read answers (the cards, and the column's count when the page is
        full), with the rep's rights whatever the domains, offsets and order sent."""
        mine = [("type", "=", "opportunity"), ("user_id", "=", self.demo.id),
                ("stage_id", "=", self.stage_new.id)]
        fields = ["name", "user_id", "value_total"]
        order = "name desc"
        expected = self.rpc(self.demo, "crm.lead", "search_read", mine, fields, order=order)
        self.assertEqual(len(expected), 2)
        theirs = [("user_id", "=", self.other_rep.id), ("id", "=", self.theirs.id)]
        answers = self.rpc(self.demo, "crm.lead", "search_read_columns", [
            {"domain": mine, "offset": 0, "limit": 1},
            {"domain": mine, "offset": 1, "limit": 1},
            {"domain": mine, "offset": 0, "limit": 40},
            {"domain": theirs, "offset": 0, "limit": 40},
            {"domain": [("id", "in", self.mission_lead.ids)], "limit": False}],
            fields, order=order)
        self.assertEqual(answers, [
            {"length": 2, "records": expected[:1]},
            {"length": 2, "records": expected[1:]},
            {"length": 2, "records": expected},
            {"length": 0, "records": []},
            {"length": 1, "records": self.rpc(self.demo, "crm.lead", "read",
                                              self.mission_lead.ids, fields)}])
        self.assertEqual([row["name"] for row in expected], ["With items", "Monthly"])
        # What a hostile client sends is refused as search_read refuses it.
        for columns, kwargs in (([{"domain": mine}], {"order": "name; DROP TABLE crm_lead"}),
                                ("not a list", {}), ([["domain", mine]], {}),
                                ([{"domain": [("no_such_field", "=", 1)]}], {})):
            with self.assertRaises(Exception):
                self.rpc(self.demo, "crm.lead", "search_read_columns", columns, fields,
                         **kwargs)
        # An employee without sales rights reads the opportunities of their missions only.
        self.assertEqual(self.rpc(self.employee, "crm.lead", "search_read_columns",
                                  [{"domain": mine, "limit": 40}], fields),
                         [{"length": 0, "records": []}])

    def test_columns_read_together(self):
        """The cards of all the columns are read in one read() (what a card's read costs per
        call is paid once per pipeline), each column answering its own cards, in its order;
        ["id"] alone and a context with active_test answer as search_read does."""
        Lead = type(self.env["crm.lead"])
        reads = []
        original = Lead.read

        def counted(records, fields=None, load="_classic_read"):
            reads.append(sorted(records.ids))
            return original(records, fields, load=load)

        new = [("type", "=", "opportunity"), ("stage_id", "=", self.stage_new.id)]
        other = [("type", "=", "opportunity"), ("stage_id", "!=", self.stage_new.id)]
        columns = [{"domain": new, "limit": 2}, {"domain": other, "limit": 3},
                   {"domain": new, "offset": 1, "limit": 1}]
        fields = ["name", "stage_id", "value_total"]
        expected = [self.rpc(self.demo, "crm.lead", "search_read", column["domain"], fields,
                             offset=column.get("offset", 0), limit=column["limit"])
                    for column in columns]
        self.assertTrue(all(expected))
        with patch.object(Lead, "read", counted):
            answers = self.rpc(self.demo, "crm.lead", "search_read_columns", columns, fields)
        self.assertEqual([answer["records"] for answer in answers], expected)
        self.assertEqual(reads, [sorted({row["id"] for rows in expected for row in rows})])
        only_ids = self.rpc(self.demo, "crm.lead", "search_read_columns", columns, ["id"])
        self.assertEqual([answer["records"] for answer in only_ids],
                         [[{"id": row["id"]} for row in rows] for rows in expected])
        # active_test is for the search only (as search_read): an archived opportunity is
        # found, and its card read.
        self.with_items.active = False
        archived = [("active", "=", False), ("id", "=", self.with_items.id)]
        self.assertEqual(
            self.rpc(self.demo, "crm.lead", "search_read_columns", [{"domain": archived}],
                     ["name", "active"], context={"active_test": False}),
            [{"length": 1, "records": [
                {"id": self.with_items.id, "name": "With items", "active": False}]}])
