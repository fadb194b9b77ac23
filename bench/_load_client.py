"""One simulated user of bench/load.py (not a benchmark): a sales rep or manager working
through XML-RPC or JSON-RPC as the web client does, for a fixed time. Runs in a process of its
own; what it did (timings, errors, every write with its send and acknowledgement times) goes
back to the parent, which checks that nothing was lost."""
import base64
import csv
import io
import os
import random
import time

from _load_rpc import JsonRpc, RpcError, XmlRpc

# What a rep and a manager do, weighted like a working day: mostly looking at the pipeline and
# at opportunities, saving forms, adding items, completing tasks. The manager's heavy
# operations (bulk close, export, import) happen at the times of its schedule, not by weight.
WEIGHTS = {"rep": {"pipeline": 20, "list": 10, "form": 30, "save": 20, "add_line": 10,
                   "activity_done": 10},
           "manager": {"pipeline": 20, "list": 15, "form": 30, "save": 20, "add_line": 10,
                       "activity_done": 5}}
LATE = 300            # seconds after the end during which scheduled operations still start
RETRIES = 5           # a concurrency conflict is retried, as a client would, this many times
KANBAN_LIMIT = 40     # records of a form's one-to-many list (Odoo 11's default)
# Cards per pipeline column: the web client takes the action's limit (80, crm's pipeline
# action sets none), 40 only for a kanban without one (web's kanban_view.js).
PIPELINE_LIMIT = 80
LIST_LIMIT = 80       # rows of a list page
MESSAGES = 30         # messages the chatter formats when a form opens
PROGRESS_BAR = {"field": "activity_state", "sum_field": "planned_revenue",
                "colors": {"planned": "success", "today": "warning", "overdue": "danger"}}


class Client:
    def __init__(self, index, spec, plan):
        self.index, self.spec, self.plan = index, spec, plan
        # A client process of its own per phase: its pid makes its choices and values its own
        # (the values it writes are unique, so that each is traced back to its save).
        self.rng = random.Random("%s-%s-%s" % (plan["seed"], index, os.getpid()))
        self.nonce = os.getpid()
        self.ops = []       # (operation, start, seconds, error or None, retries)
        self.writes = []    # (lead id, token, sent, acknowledged or None when unsure)
        self.lines = []     # (lead id, token, acknowledged)
        self.checks = []    # (field, lead ids, value(s) written, when) read back at the end
        self.seq = 0

    # ---------------------------------------------------------------- set-up (not timed)

    def connect(self, rpc=None):
        """Log in (or use rpc, e.g. bench/_load_profile.py's in-process one), load views."""
        klass = JsonRpc if self.spec["protocol"] == "jsonrpc" else XmlRpc
        self.rpc = rpc or klass(self.plan["url"], self.plan["db"], self.spec["login"],
                                self.spec["password"])
        self.uid = self.rpc.uid
        # The web client loads the action's views once (load_views), then caches them.
        views = self.rpc.call("crm.lead", "load_views",
                              [[False, "kanban"], [False, "list"], [False, "form"]],
                              options={"toolbar": False})["fields_views"]
        self.kanban_fields = sorted(views["kanban"]["fields"])
        self.list_fields = sorted(views["list"]["fields"])
        form = views["form"]["fields"]
        self.form_fields = sorted(form)
        self.subviews = {}
        for name, field in form.items():
            if field["type"] in ("one2many", "many2many") and name not in (
                    "message_ids", "activity_ids", "message_follower_ids"):
                sub = field.get("views", {}).get("tree") or field.get("views", {}).get("kanban")
                if sub:
                    self.subviews[name] = (field["relation"], sorted(sub["fields"]))

    # ---------------------------------------------------------------- operations

    def _token(self):
        self.seq += 1
        return "load c%d-%d p%d %s" % (self.index, self.seq, self.nonce,
                                       self.rng.randrange(10 ** 6))

    def _pick(self, hot_share=0.2):
        pool = self.spec["hot"] if self.rng.random() < hot_share else self.spec["private"]
        return self.rng.choice(pool)

    def _form(self, lead_id):
        """Opening a form: its fields, its lists (items...), activities and chatter."""
        record = self.rpc.call("crm.lead", "read", [lead_id], self.form_fields)[0]
        for name, (model, fields) in sorted(self.subviews.items()):
            if record.get(name):
                self.rpc.call(model, "read", record[name][:KANBAN_LIMIT], fields)
        if record.get("activity_ids"):
            self.rpc.call("mail.activity", "read", record["activity_ids"])
        if record.get("message_ids"):
            self.rpc.call("mail.message", "message_format", record["message_ids"][:MESSAGES])
        return record

    def op_pipeline(self):
        domain = [("type", "=", "opportunity"), ("user_id", "=", self.uid)]
        groups = self.rpc.call("crm.lead", "read_group", domain, self.kanban_fields,
                               ["stage_id"], lazy=True)
        self.rpc.call("crm.lead", "read_progress_bar", domain=domain, group_by="stage_id",
                      progress_bar=PROGRESS_BAR)
        stage_ids = [g["stage_id"][0] for g in groups if g.get("stage_id")]
        if stage_ids:
            self.rpc.call("crm.stage", "read", stage_ids, ["requirements", "legend_priority"])
        # The open columns' cards (and counts) in one request, as the addon's kanban asks for
        # them (static/src/js/kanban_columns.js).
        columns = [{"domain": group["__domain"], "offset": 0, "limit": PIPELINE_LIMIT}
                   for group in groups if not group.get("__fold")]
        if columns:
            self.rpc.call("crm.lead", "search_read_columns", columns, self.kanban_fields)

    def op_list(self):
        domain = [("type", "=", "opportunity"), ("user_id", "=", self.uid)]
        self.rpc.search_read("crm.lead", domain, self.list_fields, limit=LIST_LIMIT)
        self.rpc.call("crm.lead", "search_count", domain)

    def op_form(self):
        self._form(self._pick())

    def op_save(self):
        lead_id = self._pick()
        token = self._token()
        values = {"description": token, "priority": str(self.seq % 4)}
        sent = time.time()
        try:
            self.rpc.call("crm.lead", "write", [lead_id], values)
        except RpcError:
            self.writes.append((lead_id, token, sent, None))
            raise
        self.writes.append((lead_id, token, sent, time.time()))
        record = self._form(lead_id)
        if lead_id in self.spec["private"] and record["description"] != token:
            raise RpcError("read back after saving %d: %r, not %r"
                           % (lead_id, record["description"], token))

    def op_add_line(self):
        lead_id = self._pick()
        token = self._token()
        line = {"line_type": "text", "name": token, "quantity": 1,
                "price_unit": self.rng.randrange(100, 5000)}
        try:
            self.rpc.call("crm.lead", "write", [lead_id], {"line_ids": [(0, 0, line)]})
        except RpcError:
            self.lines.append((lead_id, token, False))
            raise
        self.lines.append((lead_id, token, True))
        self._form(lead_id)

    def op_activity_done(self):
        found = self.rpc.search_read(
            "mail.activity", [("user_id", "=", self.uid), ("res_model", "=", "crm.lead"),
                              ("res_id", "in", self.spec["private"]),
                              ("summary", "=", self.plan["activity_summary"])],
            ["res_id"], limit=1, offset=self.rng.randrange(5))
        if not found:
            return "no task left"
        self.rpc.call("mail.activity", "action_feedback", [found[0]["id"]], feedback="Done")
        self._form(found[0]["res_id"])

    def _wizard(self, model, context, values):
        """A dialog of the list's Action menu: defaults, then the record the dialog saves."""
        defaults = self.rpc.call(model, "default_get", [], context=context)
        return self.rpc.call(model, "create", dict(defaults, **values), context=context)

    def op_bulk_close(self):
        lo, hi = self.plan["close_range"]
        domain = [("type", "=", "opportunity"), ("status", "=", "open"), ("id", ">=", lo),
                  ("id", "<=", hi)]
        rows = self.rpc.search_read("crm.lead", domain, self.list_fields, limit=LIST_LIMIT,
                                    offset=self.rng.randrange(0, 2000))
        ids = [row["id"] for row in rows]
        context = {"active_model": "crm.lead", "active_ids": ids, "active_domain": domain}
        won = self.rng.random() < 0.5
        wizard = self._wizard("crm.lead.bulk.close", context, {
            "outcome": "won" if won else "lost", "use_domain": False,
            "lost_reason_id": False if won else self.plan["lost_reason_id"]})
        self.rpc.call("crm.lead.bulk.close", "action_close", [wizard], context=context)
        self.checks.append(("status", ids, "won" if won else "lost", time.time()))

    def _export(self, domain, file_format):
        context = {"active_model": "crm.lead", "active_ids": [], "active_domain": domain}
        wizard = self._wizard("crm.lead.export", context,
                              {"file_format": file_format, "use_domain": True})
        action = self.rpc.call("crm.lead.export", "action_export", [wizard], context=context)
        count = self.rpc.call("crm.lead.export", "read", [wizard], ["lead_count"])[0][
            "lead_count"]
        content = self.rpc.download_export(wizard, action)
        if not count or not content:
            raise RpcError("the export gave no file")
        return content

    def op_export(self):
        owner = self.rng.choice(self.plan["owner_ids"])
        stage = self.rng.choice(self.plan["stage_ids"])
        # About 2,000 rows: an owner's opportunities of a stage, among the load test's.
        content = self._export([("type", "=", "opportunity"), ("user_id", "=", owner),
                                ("stage_id", "=", stage),
                                ("reference", ">", self.plan["export_from"])], "xlsx")
        if content[:2] != b"PK":
            raise RpcError("the export is no .xlsx file")

    def prepare_import(self):
        """The manager's spreadsheet round trip: export the rows (timed as an export), change
        every row's expected value, as a user editing the file would."""
        start = time.time()
        content = self._export([("id", "in", self.plan["import_ids"])], "csv")
        self.ops.append(("export csv", start, time.time() - start, None, 0))
        rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
        header = rows[0]
        column = header.index("Expected value")
        id_column = header.index("Opportunity ID")
        expected = {}
        for row in rows[1:]:
            row[column] = str(self.rng.randrange(1000, 900000))
            expected[int(row[id_column])] = float(row[column])
        out = io.StringIO()
        csv.writer(out).writerows(rows)
        return out.getvalue().encode("utf-8-sig"), expected

    def op_import(self):
        data, expected = self.prepare_import()
        start = time.time()
        wizard = self.rpc.call("crm.lead.import", "create", {
            "file_data": base64.b64encode(data).decode(), "file_name": "load_test.csv"})
        self.rpc.call("crm.lead.import", "action_load", [wizard])
        self.rpc.call("crm.lead.import", "action_dry_run", [wizard])
        self.ops.append(("import check", start, time.time() - start, None, 0))
        self.rpc.call("crm.lead.import", "action_import", [wizard])
        self.checks.append(("planned_revenue", sorted(expected), expected, time.time()))

    # ---------------------------------------------------------------- the run

    def _do(self, name):
        start, retries = time.time(), 0
        while True:
            try:
                note = getattr(self, "op_" + name)()
                error = None
            except RpcError as exc:
                if exc.conflict and retries < RETRIES:
                    retries += 1
                    time.sleep(self.rng.uniform(0.05, 0.3) * retries)
                    continue
                error = str(exc) or type(exc).__name__
                note = None
            break
        if note != "no task left":
            self.ops.append((name, start, time.time() - start, error, retries))

    def run(self, started, seconds, max_ops):
        weights = WEIGHTS["manager" if self.spec["manager"] else "rep"]
        names, values = list(weights), list(weights.values())
        schedule = sorted(self.spec.get("schedule", []))
        end = started + seconds
        # The scheduled operations all run, late if an operation before them took long (at
        # most LATE seconds after the end); the others until the end.
        while len(self.ops) < max_ops and (time.time() < end or schedule and
                                           time.time() < end + LATE):
            if schedule and time.time() >= started + schedule[0][0] * seconds:
                self._do(schedule.pop(0)[1])
            elif time.time() < end:
                self._do(self.rng.choices(names, values)[0])
                if self.plan.get("think"):
                    # A user reads what they got before the next click (mean: --think).
                    time.sleep(min(self.rng.expovariate(1.0 / self.plan["think"]),
                                   max(0.0, end - time.time())))
            else:
                time.sleep(0.1)
        return {"ops": self.ops, "writes": self.writes, "lines": self.lines,
                "checks": self.checks, "login": self.spec["login"]}
