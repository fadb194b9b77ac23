"""Fault runs (issue 18 point 3): background jobs survive a killed server and a restarted
database, and their result is exactly that of one run.

A real server with the job runner (prefork, --workers=2, --load=web,queue_job, queue_job
channel root:2, a configuration file of its own) serves a copy of the database. As a sales
manager, over XML-RPC like the web client, the benchmark starts an import of --rows rows
(updates, and --new-rows creations) and a bulk close of --close opportunities: both above
their thresholds, so both are queued as jobs. When a job reports progress (mid-job; both at
once when they both do, else one fault for each job), it
  - kill: SIGKILLs the whole server (master, workers, runner) and starts it again;
  - pg-restart: restarts PostgreSQL (pg_ctl restart -m immediate) under the running server;
then waits for both jobs to be done and checks the result: every value, every count, one
chatter note per opportunity (none twice), one notice per job, the same as the run without
faults (baseline) and as the file says.

    make bench BENCH=faults                     # baseline, kill, pg-restart
    BENCH=faults BENCH_ARGS="--rows 50000 --close 100000" make bench
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
import sys
import time

from _common import parse_args
from _faults_env import MANAGER, Cluster, Jobs, Rpc, Server, fingerprint

REASON = "Fault runs"


def parse():
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True, help="the database the copies are made from")
    parser.add_argument("--rows", type=int, default=20000, help="rows of the imported file")
    parser.add_argument("--new-rows", type=int, default=200,
                        help="of which rows without an ID (creations)")
    parser.add_argument("--close", type=int, default=50000, help="opportunities closed")
    parser.add_argument("--port", type=int, default=0, help="the server's port")
    parser.add_argument("--smoke", action="store_true",
                        help="make test: 6,000 rows, 20,000 closed, the kill scenario only")
    parser.add_argument("--scenarios", default="baseline,kill,pg-restart",
                        help="among baseline, kill, pg-restart")
    parser.add_argument("--timeout", type=int, default=900,
                        help="seconds a scenario may take")
    options = parse_args(parser)
    if options.smoke:
        options.rows, options.new_rows, options.close = 6000, 30, 20000
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
        # Jobs and operations of the copied database (e.g. the browser checks') are not the
        # scenario's.
        cr.execute("DELETE FROM queue_job")
        cr.execute("DELETE FROM crm_background_operation")
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
                    probability, planned_revenue, value_amount, value_basis, value_duration,
                    reference, currency_id, company_id, status,
                    priority, date_open, date_last_stage_update, create_uid, write_uid,
                    create_date, write_date, message_bounce, color, day_open, day_close)
                SELECT %s || lpad(n::text, 6, '0'), 'opportunity', true, %s, %s, %s, 10, n,
                       n, 'fixed', 1,
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
            # A fault while each job is mid-way: one fault when both are, else one as soon as
            # a job not hit yet is mid-way, and another for the other job (the jobs run again
            # from the start after each). A job done before any fault reached it mid-way is
            # reported (check(): make it bigger).
            row["fault_at"], row["missed"], hit = [], [], set()
            while True:
                status = jobs.wait(lambda s: any(
                    label not in hit and Jobs.mid(state) for label, state in s.items()) or all(
                    label in hit or state[0] == "done" for label, state in s.items()),
                    options.timeout, "a job mid-way")
                if not any(label not in hit and Jobs.mid(state)
                           for label, state in status.items()):
                    row["missed"] = sorted(set(status) - hit)
                    break
                hit |= {label for label, state in status.items() if Jobs.mid(state)}
                row["fault_at"].append(Jobs.text(status))
                if fault == "kill":
                    server.kill()
                    say("  %s: SIGKILL to the server at %.1f s: %s" % (
                        name, time.time() - started, row["fault_at"][-1]))
                    time.sleep(1)
                    say("  %s: after the kill: %s" % (name, Jobs.text(jobs.status())))
                    boot = server.start()
                    say("  %s: server restarted in %.1f s" % (name, boot))
                else:
                    took = cluster.restart_immediate()
                    say("  %s: PostgreSQL restarted (-m immediate, %.1f s) at %.1f s: %s" % (
                        name, took, time.time() - started, row["fault_at"][-1]))
                if hit >= set(status):
                    break
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
            problems = check(result, expected, options, baseline) + [
                "the %s job was done before any fault reached it mid-way: make it bigger "
                "(--rows, --close)" % label for label in row.get("missed", [])]
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
    say("| scenario | faults, each when a job was mid-way (state step done/total) | runs import "
        "/ close | requeued | both done after | result (digest) |")
    say("|---|---|---|---|---|---|")
    for row in rows:
        say("| %s | %s | %s | %d | %.1f s | %s |" % (
            row["scenario"], " → ".join(row.get("fault_at") or ["none"]), row["runs"],
            row["requeued"],
            row["seconds"], row["result"]))
    say("checked: every value the file sets, %s created, %s closed as lost, one chatter "
        "note per opportunity (none twice), one notice per job, all jobs done%s" % (
            options.new_rows, "{:,}".format(options.close),
            ", identical to the run without faults" if baseline else ""))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
