"""Fault runs (issue 18 point 3): background jobs survive a killed server and a restarted
database, and their result is exactly that of one run.

A real server with the job runner (prefork, --workers=2, --load=web,queue_job, queue_job
channel root:2, a configuration file of its own) serves a copy of the database. As a sales
manager, over XML-RPC like the web client, the benchmark starts an import of --rows rows
(updates, and --new-rows creations) and a bulk close of --close opportunities: both above
their thresholds, so both are queued as jobs. When both report progress (mid-job), it
  - kill: SIGKILLs the whole server (master, workers, runner) and starts it again;
  - pg-restart: restarts PostgreSQL (pg_ctl restart -m immediate) under the running server;
then waits for both jobs to be done and checks the result: every value, every count, one
chatter note per opportunity (none twice), one notice per job, the same as the run without
faults (baseline) and as the file says.

    make bench BENCH=faults                     # baseline, kill, pg-restart
    BENCH=faults BENCH_ARGS="--rows 50000 --close 20000" make bench
    bench/faults.py --smoke ...                 # make test: small, kill only, ~1 minute

Exits non-zero when a result differs. Each scenario runs on its own copy of the database
(CREATE DATABASE ... TEMPLATE), dropped at the end.
"""
import argparse
import base64
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import xmlrpc.client

import psycopg2

from _common import parse_args

PGBIN = "/usr/lib/postgresql/15/bin"
ODOO_MAIN = "import odoo.cli, sys; sys.argv=['odoo'] + sys.argv[1:]; odoo.cli.main()"
MANAGER = ("fault_manager", "fault-manager")
REASON = "Fault runs"


def parse():
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True, help="the database the copies are made from")
    parser.add_argument("--rows", type=int, default=20000, help="rows of the imported file")
    parser.add_argument("--new-rows", type=int, default=200,
                        help="of which rows without an ID (creations)")
    parser.add_argument("--close", type=int, default=5000, help="opportunities closed")
    parser.add_argument("--port", type=int, default=0, help="the server's port")
    parser.add_argument("--smoke", action="store_true",
                        help="make test: 6,000 rows, 3,000 closed, the kill scenario only")
    parser.add_argument("--scenarios", default="baseline,kill,pg-restart",
                        help="among baseline, kill, pg-restart")
    parser.add_argument("--timeout", type=int, default=900,
                        help="seconds a scenario may take")
    options = parse_args(parser)
    if options.smoke:
        options.rows, options.new_rows, options.close = 6000, 30, 3000
        options.scenarios, options.timeout = "kill", 150
    odoo_options = {}
    for arg in options.odoo_args:
        match = re.match(r"--([a-z_-]+)=(.*)", arg)
        if match:
            odoo_options[match.group(1).replace("-", "_")] = match.group(2)
    options.odoo = odoo_options
    return options


def say(text):
    print(text)
    sys.stdout.flush()


class Cluster(object):
    """The checkout's PostgreSQL, reached like Odoo reaches it."""

    def __init__(self, options):
        self.host = options.odoo["db_host"]
        self.port = options.odoo["db_port"]
        self.user = options.odoo["db_user"]
        self.data = os.path.join(os.path.dirname(self.host.rstrip("/")), "data")
        self.log = os.path.join(os.path.dirname(self.host.rstrip("/")), "server.log")

    def connect(self, db, wait=30):
        deadline = time.time() + wait
        while True:
            try:
                conn = psycopg2.connect(host=self.host, port=self.port, user=self.user,
                                        dbname=db)
                conn.autocommit = True
                return conn
            except psycopg2.OperationalError:
                if time.time() > deadline:
                    raise
                time.sleep(0.5)

    def execute(self, db, query, params=None):
        conn = self.connect(db)
        try:
            with conn.cursor() as cr:
                cr.execute(query, params)
                return cr.fetchall() if cr.description else None
        finally:
            conn.close()

    def copy(self, template, name):
        self.drop(name)
        # Identifiers from this script only (the --db option and fixed suffixes).
        self.execute("postgres", 'CREATE DATABASE "%s" TEMPLATE "%s"' % (name, template))

    def drop(self, name):
        self.execute("postgres", 'DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % name)

    def restart_immediate(self):
        started = time.time()
        subprocess.run(["setsid", "-w", "env", "-C", "/", "runuser", "-u", "postgres", "--",
                        os.path.join(PGBIN, "pg_ctl"), "-D", self.data, "-m", "immediate",
                        "-w", "-l", self.log, "restart"], check=True,
                       stdout=subprocess.DEVNULL)
        return time.time() - started


class Server(object):
    """Odoo in prefork mode with the job runner, as production runs it."""

    def __init__(self, options, db, workdir):
        self.options, self.db = options, db
        self.port = options.port or 8079
        self.log = os.path.join(workdir, "faults-%s.log" % db)
        self.conf = os.path.join(workdir, "faults-%s.conf" % db)
        odoo = options.odoo
        with open(self.conf, "w") as conf:
            conf.write("\n".join([
                "[options]",
                "addons_path = %s" % odoo["addons_path"],
                "db_host = %s" % odoo["db_host"],
                "db_port = %s" % odoo["db_port"],
                "db_user = %s" % odoo["db_user"],
                "data_dir = %s" % odoo["data_dir"],
                "db_name = %s" % db,
                "dbfilter = ^%s$" % db,
                "list_db = False",
                "http_interface = 127.0.0.1",
                "http_port = %d" % self.port,
                "workers = 2",
                "max_cron_threads = 1",
                "server_wide_modules = web,queue_job",
                # Jobs run in HTTP workers: their time limits are the jobs' (a bulk close of
                # 100,000 opportunities takes minutes).
                "limit_time_real = 1800",
                "limit_time_cpu = 1800",
                "logfile = %s" % self.log,
                "log_level = info",
                "",
                "[queue_job]",
                "channels = root:2",
                ""]))
        open(self.log, "w").close()
        self.process = None

    def start(self):
        started = time.time()
        self.process = subprocess.Popen(
            [sys.executable, "-c", ODOO_MAIN, "-c", self.conf], start_new_session=True,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # Answering RPC (a page would build the web client's assets first).
        version = xmlrpc.client.ServerProxy("http://127.0.0.1:%d/xmlrpc/2/common" % self.port)
        while time.time() - started < 180:
            if self.process.poll() is not None:
                raise RuntimeError("the server exited (%s): see %s" % (
                    self.process.returncode, self.log))
            try:
                version.version()
                return time.time() - started
            except (OSError, xmlrpc.client.Error):
                pass
            time.sleep(0.5)
        raise RuntimeError("the server did not answer: see %s" % self.log)

    def kill(self):
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self):
        if not self.process or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(60)
        except subprocess.TimeoutExpired:
            self.kill()

    def runs(self, uuid):
        """How many times the runner asked a worker to run this job."""
        with open(self.log, errors="replace") as log:
            return sum(1 for line in log if "asking Odoo to run job %s" % uuid in line)

    def requeued(self):
        with open(self.log, errors="replace") as log:
            return sum(1 for line in log if "by a worker that stopped: requeued" in line)


def prepare_template(options, cluster, template):
    """The copy every scenario starts from: a sales manager, the opportunities of the file
    and those to close, thresholds below the sizes."""
    import odoo
    from odoo import SUPERUSER_ID, api
    cluster.copy(options.db, template)
    odoo.tools.config.parse_config(options.odoo_args)
    registry = odoo.registry(template)
    with api.Environment.manage(), registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"lang": "en_US"})
        manager = env["res.users"].with_context(no_reset_password=True).create({
            "name": "Fault Manager", "login": MANAGER[0], "password": MANAGER[1],
            "email": "fault.manager@example.com",
            "groups_id": [(6, 0, [env.ref("sales_team.group_sale_manager").id])]})
        env["crm.lost.reason"].create({"name": REASON})
        # Jobs of the copied database are not the scenario's.
        cr.execute("DELETE FROM queue_job")
        params = env["ir.config_parameter"]
        params.set_param("crm_opportunity_suite.background_import_rows", "100")
        params.set_param("crm_opportunity_suite.background_opportunities", "100")
        team = env.ref("sales_team.team_sales_department")
        stage = env.ref("crm.stage_lead1")
        company = env.user.company_id
        # The opportunities of the file (I) and those to close (C), in SQL like the other
        # benchmarks' (fixed SQL, values as parameters).
        for prefix, count in (("Fault I", options.rows - options.new_rows),
                              ("Fault C", options.close)):
            cr.execute("""
                INSERT INTO crm_lead (name, type, active, team_id, stage_id, user_id,
                    probability, planned_revenue, reference, currency_id, company_id, status,
                    priority, date_open, date_last_stage_update, create_uid, write_uid,
                    create_date, write_date, message_bounce, color, day_open, day_close)
                SELECT %s || lpad(n::text, 6, '0'), 'opportunity', true, %s, %s, %s, 10, n,
                       %s || lpad(n::text, 6, '0'), %s, %s, 'open', '0', now(), now(), 1, 1,
                       now(), now(), 0, 0, 0, 0
                FROM generate_series(1, %s) n
            """, (prefix, team.id, stage.id, manager.id, prefix.replace("Fault ", "FLT"),
                  company.currency_id.id, company.id, count))
        cr.commit()
    odoo.modules.registry.Registry.delete(template)
    odoo.sql_db.close_db(template)


def import_file(cluster, db, options):
    """The file: every "Fault I" opportunity gets a new expected value; the rows without an
    ID create "Fault new" ones. Returns (CSV bytes, {name: expected value})."""
    rows = cluster.execute(db, "SELECT id, name FROM crm_lead WHERE name LIKE 'Fault I%%' "
                               "ORDER BY id")
    lines = ["Opportunity ID,Opportunity,Expected value"]
    expected = {}
    for lead_id, name in rows:
        # Never the value it has (a whole number): every row is an update.
        expected[name] = 1000.5 + lead_id % 997
        lines.append("%d,%s,%.1f" % (lead_id, name, expected[name]))
    for index in range(options.new_rows):
        name = "Fault new %05d" % index
        expected[name] = 50.5 + index
        lines.append(",%s,%.1f" % (name, expected[name]))
    return ("\r\n".join(lines) + "\r\n").encode(), expected


class Rpc(object):
    def __init__(self, port, db):
        self.db = db
        base = "http://127.0.0.1:%d/xmlrpc/2/" % port
        self.uid = xmlrpc.client.ServerProxy(base + "common").authenticate(
            db, MANAGER[0], MANAGER[1], {})
        self.models = xmlrpc.client.ServerProxy(base + "object", allow_none=True)

    def __call__(self, model, method, *args, **kwargs):
        return self.models.execute_kw(self.db, self.uid, MANAGER[1], model, method,
                                      list(args), kwargs)


def start_jobs(rpc, content):
    """What the manager does in the web client: import the file, close the "Fault C"
    opportunities of a filtered list as lost. Returns (import log id, operation id)."""
    wizard = rpc("crm.lead.import", "create", {
        "file_data": base64.b64encode(content).decode(), "file_name": "faults.csv"})
    rpc("crm.lead.import", "action_load", [wizard])
    rpc("crm.lead.import", "action_import", [wizard])
    log_id = rpc("crm.lead.import", "read", [wizard], ["log_id"])[0]["log_id"][0]
    reason = rpc("crm.lost.reason", "search", [("name", "=", REASON)])[0]
    context = {"active_model": "crm.lead", "active_ids": [],
               "active_domain": [("name", "like", "Fault C")]}
    close = rpc("crm.lead.bulk.close", "create", {
        "outcome": "lost", "lost_reason_id": reason, "use_domain": True}, context=context)
    action = rpc("crm.lead.bulk.close", "action_close", [close], context=context)
    return log_id, action["res_id"]


class Jobs(object):
    """The two jobs as the database shows them (state, progress), read in SQL."""

    def __init__(self, cluster, db, log_id, operation_id):
        self.cluster, self.db = cluster, db
        self.records = (("crm.lead.import.log", log_id, "import"),
                        ("crm.background.operation", operation_id, "close"))
        self.uuids = {}
        for model, record_id, label in self.records:
            table = model.replace(".", "_")
            # The table name comes from the fixed list above.
            self.uuids[label] = cluster.execute(
                db, "SELECT job_uuid FROM %s WHERE id = %%s" % table, (record_id,))[0][0]

    def status(self):
        """{label: (job state, phase, done, total)}, None while the database is down."""
        try:
            conn = self.cluster.connect(self.db, wait=0)
        except psycopg2.OperationalError:
            return None
        try:
            with conn.cursor() as cr:
                result = {}
                for model, record_id, label in self.records:
                    cr.execute("SELECT state FROM queue_job WHERE uuid = %s",
                               (self.uuids[label],))
                    state = cr.fetchone()[0]
                    cr.execute("SELECT phase, done, total FROM crm_background_progress "
                               "WHERE res_model = %s AND res_id = %s", (model, record_id))
                    result[label] = (state,) + (cr.fetchone() or (None, 0, 0))
                return result
        except psycopg2.Error:
            return None
        finally:
            conn.close()

    @staticmethod
    def mid(state):
        """Running, with work reported done (nothing of it committed yet): the import a
        quarter through its rows' checks or further, the close a chunk or more."""
        job_state, phase, done, total = state
        return job_state == "started" and (phase in ("write", "notes") or (
            phase == "check" and done >= total / 4) or (phase == "close" and done > 0))

    @staticmethod
    def text(status):
        return "; ".join("%s %s %s %s/%s" % ((label,) + tuple(
            "{:,}".format(value) if isinstance(value, int) else value for value in state))
            for label, state in sorted(status.items()))

    def wait(self, condition, timeout, what):
        deadline = time.time() + timeout
        answered = time.time()
        while time.time() < deadline:
            status = self.status()
            if status and condition(status):
                return status
            if status:
                answered = time.time()
            elif time.time() - answered > 120:
                raise RuntimeError("the database has not answered for 2 minutes")
            time.sleep(0.2)
        raise RuntimeError("timed out waiting for %s: %s" % (what, self.status()))


def fingerprint(cluster, db):
    """What the two jobs left: values of every "Fault" opportunity, notes per opportunity,
    the import log, the operation, the notices, the jobs' states."""
    leads = cluster.execute(db, """
        SELECT l.name, l.status, l.active, l.planned_revenue, l.lost_reason,
               count(m.id) FILTER (WHERE m.body LIKE '%%by the import of faults.csv%%'),
               count(m.id) FILTER (WHERE m.body LIKE '%%(bulk close)%%')
        FROM crm_lead l
        LEFT JOIN mail_message m ON m.model = 'crm.lead' AND m.res_id = l.id
        WHERE l.name LIKE 'Fault %%' GROUP BY l.id ORDER BY l.name""")
    log = cluster.execute(db, "SELECT state, updated_count, created_count, rejected_count, "
                              "(SELECT count(*) FROM mail_message m WHERE m.model = "
                              "'crm.lead.import.log' AND m.res_id = g.id AND m.body LIKE "
                              "'%%is done%%') FROM crm_lead_import_log g "
                              "WHERE name = 'faults.csv'")
    operation = cluster.execute(db, "SELECT state, result, (SELECT count(*) FROM mail_message "
                                    "m WHERE m.model = 'crm.background.operation' AND "
                                    "m.res_id = o.id AND m.body LIKE '%%: done.%%') "
                                    "FROM crm_background_operation o")
    jobs = cluster.execute(db, "SELECT state, count(*) FROM queue_job GROUP BY state "
                               "ORDER BY state")
    return {"leads": leads, "log": log, "operation": operation, "jobs": jobs}


def check(result, expected_values, options, baseline=None):
    """The differences with what the file and the close must give (and with the run without
    faults): [] when there is none."""
    problems = []
    leads = {row[0]: row[1:] for row in result["leads"]}
    for name, value in expected_values.items():
        row = leads.get(name)
        if row is None:
            problems.append("%s is missing" % name)
        elif row[2] != value or row[4] != 1:
            problems.append("%s: expected value %s, %d import notes" % (name, row[2], row[4]))
    created = [name for name in leads if name.startswith("Fault new")]
    if len(created) != options.new_rows:
        problems.append("%d opportunities created instead of %d" % (len(created),
                                                                     options.new_rows))
    closed = {name: row for name, row in leads.items() if name.startswith("Fault C")}
    for name, row in closed.items():
        if row[0] != "lost" or row[1] or row[5] != 1:
            problems.append("%s: %s, active %s, %d close notes" % (name, row[0], row[1],
                                                                    row[5]))
    if len(closed) != options.close:
        problems.append("%d opportunities to close instead of %d" % (len(closed),
                                                                     options.close))
    if result["log"] != [("done", options.rows - options.new_rows, options.new_rows, 0, 1)]:
        problems.append("import log: %s" % result["log"])
    if result["operation"] != [("done", "%d opportunities closed as lost (%s)." % (
            options.close, REASON), 1)]:
        problems.append("operation: %s" % result["operation"])
    if [state for state, _count in result["jobs"]] != ["done"]:
        problems.append("jobs: %s" % result["jobs"])
    if baseline is not None and result != baseline:
        problems.append("differs from the run without faults")
    return problems[:10]


def digest(result):
    return hashlib.sha1(repr(result).encode()).hexdigest()[:12]


def run_scenario(options, cluster, template, name, fault, workdir):
    db = "%s_faults_%s" % (options.db, name.replace("-", "_"))
    cluster.copy(template, db)
    server = Server(options, db, workdir)
    started = time.time()
    row = {"scenario": name}
    try:
        boot = server.start()
        content, expected = import_file(cluster, db, options)
        log_id, operation_id = start_jobs(Rpc(server.port, db), content)
        jobs = Jobs(cluster, db, log_id, operation_id)
        say("  %s: server up in %.1f s, jobs queued" % (name, boot))
        if fault:
            # Both mid-way; or one mid-way if the other was already done.
            status = jobs.wait(lambda s: any(Jobs.mid(state) for state in s.values()) and all(
                Jobs.mid(state) or state[0] == "done" for state in s.values()),
                options.timeout, "the jobs mid-way")
            row["fault_at"] = Jobs.text(status)
            if fault == "kill":
                server.kill()
                say("  %s: SIGKILL to the server at %.1f s: %s" % (
                    name, time.time() - started, row["fault_at"]))
                time.sleep(1)
                say("  %s: after the kill: %s" % (name, Jobs.text(jobs.status())))
                boot = server.start()
                say("  %s: server restarted in %.1f s" % (name, boot))
            else:
                took = cluster.restart_immediate()
                say("  %s: PostgreSQL restarted (-m immediate, %.1f s) at %.1f s: %s" % (
                    name, took, time.time() - started, row["fault_at"]))
        jobs.wait(lambda s: all(state[0] == "done" for state in s.values()),
                  options.timeout, "both jobs done")
        row["seconds"] = time.time() - started
        row["runs"] = "%d / %d" % (server.runs(jobs.uuids["import"]),
                                   server.runs(jobs.uuids["close"]))
        row["requeued"] = server.requeued()
        server.stop()
        result = fingerprint(cluster, db)
        say("  %s: both jobs done at %.1f s (runs %s, requeued by the addon %d)" % (
            name, row["seconds"], row["runs"], row["requeued"]))
        return row, result, expected
    finally:
        server.stop()
        cluster.drop(db)
        shutil.rmtree(os.path.join(options.odoo["data_dir"], "filestore", db),
                      ignore_errors=True)


def main():
    # Stopped (make test stopped, Ctrl-C): the finally blocks stop the server and drop the
    # copies.
    signal.signal(signal.SIGTERM, lambda *_args: sys.exit(143))
    options = parse()
    cluster = Cluster(options)
    workdir = os.path.dirname(options.odoo.get("logfile") or "/tmp/x")
    template = "%s_faults_tpl" % options.db
    faults = {"baseline": None, "kill": "kill", "pg-restart": "pg-restart"}
    scenarios = [(name, faults[name]) for name in options.scenarios.split(",")]
    say("Fault runs: import of %s rows (%s new) and bulk close of %s opportunities, as jobs "
        "(--workers=2, --load=web,queue_job, channel root:2)" % (
            "{:,}".format(options.rows), "{:,}".format(options.new_rows),
            "{:,}".format(options.close)))
    prepare_template(options, cluster, template)
    rows, failed, baseline = [], False, None
    try:
        for name, fault in scenarios:
            row, result, expected = run_scenario(options, cluster, template, name, fault,
                                                  workdir)
            problems = check(result, expected, options, baseline)
            if name == "baseline":
                baseline = result
            row["result"] = "%s %s" % ("ok" if not problems else "DIFFERENT",
                                       digest(result))
            rows.append(row)
            for problem in problems:
                say("  %s: %s" % (name, problem))
            failed = failed or bool(problems)
    finally:
        cluster.drop(template)
    say("")
    say("| scenario | fault when both jobs were mid-way (state step done/total) | runs import "
        "/ close | requeued | both done after | result (digest) |")
    say("|---|---|---|---|---|---|")
    for row in rows:
        say("| %s | %s | %s | %d | %.1f s | %s |" % (
            row["scenario"], row.get("fault_at", "none"), row["runs"], row["requeued"],
            row["seconds"], row["result"]))
    say("checked: every value the file sets, %s created, %s closed as lost, one chatter "
        "note per opportunity (none twice), one notice per job, all jobs done%s" % (
            options.new_rows, "{:,}".format(options.close),
            ", identical to the run without faults" if baseline else ""))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
