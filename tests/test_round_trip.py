"""Export then import an unchanged file: nothing changes, whatever the data (issue 16, point
3). Property-style: opportunities generated from seeded random data, both formats."""
import base64
import datetime
import logging
import random

from .common import SuiteTransactionCase

_logger = logging.getLogger(__name__)

SEEDS = (16, 1603, 424242)
RECORDS = 50
# What people start names with: formula characters, quotes, spaces, tabs.
PREFIXES = ("", "", "=", "+", "-", "@", "'", "'=", "''-", " ", "  ", "\t", "=HYPERLINK(",
            "-20% ", "+33 6 ", "@@")
WORDS = ("discount deal", "Été", "Ωmega", "数据 centre", "naïve café", "a;b,c", "\"quoted\"",
         "line\nbreak", "🚀 launch", "1e5", "007", "x")
SUFFIXES = ("", "", " ", "  ", "'", "=", "\t")


class TestRoundTrip(SuiteTransactionCase):

    def setUp(self):
        super().setUp()
        Definition = self.env["crm.lead.custom.field"]
        self.custom = {}
        for kind in ("char", "integer", "float", "date", "boolean", "selection"):
            vals = {"name": "RT %s" % kind, "field_type": kind}
            if kind == "selection":
                vals["option_ids"] = [(0, 0, {"name": name}) for name in
                                      ("Small", "Big one", "Très grand", "-1", "=x")]
            self.custom[kind] = Definition.create(vals).field_name
        self.reasons = self.env["crm.lost.reason"].create({"name": "RT budget"}) | \
            self.env["crm.lost.reason"].create({"name": "=RT competitor"})
        euro = self.env.ref("base.EUR")
        euro.active = True
        self.currencies = [self.env.user.company_id.currency_id, euro]
        self.options = Definition.search([("field_type", "=", "selection"),
                                          ("name", "=", "RT selection")]).option_ids

    # ------------------------------------------------------------------ generated data

    def text(self, rng):
        return rng.choice(PREFIXES) + " ".join(
            rng.choice(WORDS) for _i in range(rng.randint(1, 3))) + rng.choice(SUFFIXES)

    @staticmethod
    def number(rng):
        return rng.choice((
            0.0, float(rng.randint(0, 10 ** 12)), round(rng.uniform(0, 1e6), 2),
            round(rng.uniform(-1e4, 1e4), 4), rng.random() * 10 ** rng.randint(0, 15),
            1e16, 123456789012.34, 0.1 + 0.2))

    @staticmethod
    def date(rng):
        if rng.random() < 0.2:
            return False
        return (datetime.date(1990, 1, 1) + datetime.timedelta(days=rng.randint(0, 22000))
                ).isoformat()

    def generate(self, rng):
        leads = self.Lead.browse()
        users = [self.rep, self.other_rep, self.manager]
        tags = [self.hot, self.cold]
        for _index in range(RECORDS):
            vals = {
                "name": self.text(rng),
                "stage_id": rng.choice([self.stage_new, self.stage_proposal]).id,
                # The value in the opportunity's currency, fixed or per period.
                "currency_id": rng.choice(self.currencies).id,
                "value_amount": self.number(rng),
                "value_basis": rng.choice(("fixed", "fixed", "hour", "month", "year")),
                "value_duration": rng.choice((1, 2, 12, 36, 1000)),
                "date_deadline": self.date(rng),
                "user_id": rng.choice(users).id if rng.random() < 0.8 else False,
                "contact_id": self.contact.id if rng.random() < 0.5 else False,
                self.custom["char"]: self.text(rng) if rng.random() < 0.8 else False,
                self.custom["integer"]: rng.choice((0, rng.randint(-10 ** 6, 2 ** 31 - 1))),
                self.custom["float"]: self.number(rng),
                self.custom["date"]: self.date(rng),
                self.custom["boolean"]: rng.random() < 0.5,
                self.custom["selection"]: rng.choice(self.options.mapped("value") + [False]),
            }
            if rng.random() < 0.4:
                vals["probability_tag_id"] = rng.choice(tags).id
            else:
                vals["probability"] = rng.choice((0.0, 12.5, 33.333333, rng.uniform(0, 99)))
            lead = self.new_opportunity(**vals)
            status = rng.choice(("open", "open", "hold", "won", "lost"))
            if status == "lost":
                lead.write({"status": "lost", "lost_reason": rng.choice(self.reasons).id})
            elif status != "open":
                lead.write({"status": status})
            leads |= lead
        return leads

    def state(self, leads):
        self.env.clear()
        names = ["name", "team_id", "stage_id", "status", "lost_reason", "planned_revenue",
                 "value_amount", "value_basis", "value_duration", "currency_id",
                 "probability", "probability_tag_id", "user_id", "date_deadline", "contact_id",
                 "active", "write_date"] + sorted(self.custom.values())
        return {lead.id: {name: lead[name] for name in names}
                for lead in leads.with_context(active_test=False)}

    # ------------------------------------------------------------------ the round trip

    def round_trip(self, file_format, overwrite):
        for seed in SEEDS:
            rng = random.Random(seed)
            leads = self.generate(rng)
            before = self.state(leads)
            messages = self.env["mail.message"].search_count([("model", "=", "crm.lead"),
                                                              ("res_id", "in", leads.ids)])
            name, content = leads._export_spreadsheet(file_format)
            wizard = self.env["crm.lead.import"].create({
                "file_data": base64.b64encode(content), "file_name": name,
                "overwrite": overwrite})
            wizard.action_load()
            mapped = {c.target for c in wizard.column_ids if c.target}
            self.assertTrue({"id", "name", "stage", "milestone", "expected_revenue",
                             "currency", "value_basis", "duration",
                             "custom:" + self.custom["float"]} <= mapped)
            headers, rows = wizard._read()
            plan, errors = self.env["crm.lead.import.engine"]._prepare(
                headers, rows, wizard._mapping(), True, overwrite)
            changed = [(line, changes) for line, _lead, _vals, changes in plan if changes]
            self.assertEqual((errors, changed), ([], []), (file_format, seed))
            wizard.action_dry_run()
            self.assertIn("0 to update, 0 to create, %d unchanged, 0 rejected" % RECORDS,
                          wizard.preview_html)
            wizard.action_import()
            self.assertEqual((wizard.log_id.updated_count, wizard.log_id.created_count,
                              wizard.log_id.rejected_count), (0, 0, 0))
            self.assertEqual(self.state(leads), before, (file_format, seed))
            self.assertEqual(self.env["mail.message"].search_count(
                [("model", "=", "crm.lead"), ("res_id", "in", leads.ids)]), messages)
            _logger.info("round trip %s overwrite=%s seed %d: %d opportunities, 0 changes",
                         file_format, overwrite, seed, len(leads))

    def test_csv_round_trip_is_the_identity(self):
        self.round_trip("csv", overwrite=True)

    def test_xlsx_round_trip_is_the_identity(self):
        self.round_trip("xlsx", overwrite=True)

    def test_round_trip_without_overwrite(self):
        self.round_trip("csv", overwrite=False)
        self.round_trip("xlsx", overwrite=False)

    def test_formula_like_names_come_back_as_they_were(self):
        """The issue's example: one more quote on each round trip."""
        lead = self.new_opportunity(name="-20% discount deal")
        for file_format in ("csv", "xlsx", "csv"):
            name, content = lead._export_spreadsheet(file_format)
            wizard = self.env["crm.lead.import"].create({
                "file_data": base64.b64encode(content), "file_name": name, "overwrite": True})
            wizard.action_load()
            wizard.action_import()
            self.assertEqual(lead.name, "-20% discount deal", file_format)
        # A name edited in the file to one that starts with a quote is taken as typed.
        self.assertEqual(self.export_import_name(lead, "'=quoted"), "'=quoted")

    def export_import_name(self, lead, new_name):
        lead.name = new_name
        name, content = lead._export_spreadsheet("csv")
        lead.name = "changed"
        wizard = self.env["crm.lead.import"].create({
            "file_data": base64.b64encode(content), "file_name": name, "overwrite": True})
        wizard.action_load()
        wizard.action_import()
        return lead.name
