"""The environment of the fault runs (bench/faults.py; not a benchmark: tools/bench.sh skips
_*.py): the checkout's PostgreSQL, a prefork Odoo server with the job runner, the manager's
XML-RPC session, the two jobs as the database shows them and what they left."""
import os
import signal
import subprocess
import sys
import time
import xmlrpc.client

import psycopg2

PGBIN = "/usr/lib/postgresql/15/bin"
ODOO_MAIN = "import odoo.cli, sys; sys.argv=['odoo'] + sys.argv[1:]; odoo.cli.main()"
MANAGER = ("fault_manager", "fault-manager")


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
        # A copy's sequences hand out their first values without writing them to the WAL
        # (their pages come from the template, with the template's cached values): a crash
        # before the next checkpoint would give them again (duplicate keys after
        # pg-restart). A checkpoint makes the next value of each be logged.
        self.execute("postgres", "CHECKPOINT")

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
