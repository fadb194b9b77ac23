"""Benchmark: many users at once on a multi-worker server (issue "Multi-worker run, load test").

Starts its own prefork server (--workers, 4 by default: HTTP workers, a cron worker, the
longpolling process, queue_job's runner; the configuration of `make run WORKERS=N`) on a free
loopback port, against the benchmark database with --leads opportunities (made in SQL once,
bench/_load_setup.py). Then, each client a process of its own speaking XML-RPC or JSON-RPC
(alternately) as a sales rep or manager does in the web client:
  pipeline (kanban: read_group of the stages, progress bar, columns' records), list, form
  (fields, item lines, activities, chatter), save a form (write + read back), add an item,
  complete a task (action_feedback), and, at fixed times, the managers' bulk close (80 ticked
  rows), export (.xlsx of a filtered list) and import (export of 2,000 rows as CSV, every
  expected value changed, dry run, import);
  (0) cost: each operation alone, --cost-rounds times, with the CPU seconds it takes Odoo's
      and PostgreSQL's processes (what the machine's other work hardly changes);
  (1) baseline: one client at a time (a rep, then a manager doing each heavy operation once);
  (2) --clients clients at once for --seconds;
  (3) with --curve 1,2,4,8: a run of --curve-seconds for each number of clients (the
      curve of throughput and p95 against the number of clients);
  (4) with --threaded-seconds S: the same clients for S seconds on a one-process server
      (--workers=0), the way `make run` serves by default.
A concurrency conflict is retried by the client (up to 5 times) and counted, not an error;
any other fault, a timeout or a wrong read-back is. At the end every acknowledged write is
read back from the database (bench/_load_setup.check: what a lost update is).
Prints, per phase and operation: count, throughput, p50/p95/p99/max, errors, retries; the
ratios to the baseline; the machine's load (uptime). Bounded: --seconds (at most 600),
--clients (at most 32), --max-ops per client, a request timeout of 300 s and an alarm.
Run through `make bench` (BENCH=load), which passes the Odoo options and --server-conf.
"""
import argparse
import multiprocessing
import os
import signal
import sys
import time

import odoo
from odoo import SUPERUSER_ID, api

import _load_report as report
import _load_setup
from _common import parse_args
from _load_client import Client
from _load_server import Server

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGETS = {"pipeline": 1.0, "save": 1.0}   # p95 under load, seconds (issue 18)


def parse():
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--leads", type=int, default=100000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--baseline-seconds", type=int, default=20)
    parser.add_argument("--threaded-seconds", type=int, default=0)
    parser.add_argument("--curve", default="",
                        help="numbers of clients, e.g. 1,2,4,8: a shorter run for each")
    parser.add_argument("--curve-seconds", type=int, default=30)
    parser.add_argument("--cost-rounds", type=int, default=3,
                        help="times each operation is measured alone for its CPU cost")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--imports", type=int, default=1, choices=(0, 1, 2))
    parser.add_argument("--bulk-closes", type=int, default=4)
    parser.add_argument("--exports", type=int, default=4)
    parser.add_argument("--max-ops", type=int, default=5000, help="per client and phase")
    parser.add_argument("--server-conf", help="the prefork configuration (tools/bench.sh)")
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--think", type=float, default=0.0,
                        help="mean seconds a user waits between operations (default 0: "
                             "each client works without a pause, a stress test)")
    options = parse_args(parser)
    options.seconds = max(5, min(options.seconds, 600))
    options.clients = max(1, min(options.clients, 32))
    options.curve = [max(1, min(int(n), 32)) for n in options.curve.split(",") if n.strip()]
    options.curve_seconds = max(5, min(options.curve_seconds, 300))
    return options


def _client_main(index, spec, plan, go, queue):
    try:
        client = Client(index, spec, plan)
        client.connect()
        queue.put(("ready", index, None))
        go.wait(600)
        queue.put(("done", index, client.run(plan["start"].value, plan["seconds"],
                                                 plan["max_ops"])))
    except Exception as error:  # pylint: disable=broad-except
        queue.put(("failed", index, "%s: %s" % (type(error).__name__, error)))


def run_clients(server, plan, specs, seconds, max_ops):
    """Run the clients at once; their results (a failed client counts as an error)."""
    context = multiprocessing.get_context("fork")
    queue, go = context.Queue(), context.Event()
    start = context.Value("d", 0.0)
    plan = dict(plan, url=server.url, start=start, seconds=seconds, max_ops=max_ops)
    processes = [context.Process(target=_client_main, args=(i, spec, plan, go, queue))
                 for i, spec in enumerate(specs)]
    for process in processes:
        process.start()
    results, failures, ready = [], [], 0
    while ready + len(failures) < len(processes):
        kind, index, payload = queue.get(timeout=600)
        if kind == "ready":
            ready += 1
        else:
            failures.append("client %d: %s" % (index, payload))
    cpu = server.cpu()
    start.value = time.time()
    go.set()
    memory = 0.0
    deadline = time.time() + seconds + 600
    while len(results) + len(failures) < len(processes) and time.time() < deadline:
        try:
            kind, index, payload = queue.get(timeout=2)
        except Exception:   # pylint: disable=broad-except
            memory = max(memory, server.memory())
            continue
        if kind == "done":
            results.append(payload)
        else:
            failures.append("client %d: %s" % (index, payload))
    for process in processes:
        process.join(5)
        if process.is_alive():
            process.terminate()
            failures.append("client %s did not finish" % process.pid)
    elapsed = time.time() - start.value
    cpu = [after - before for before, after in zip(cpu, server.cpu())]
    return results, failures, elapsed, memory, cpu


def measure_costs(server, plan, specs, options):
    """What each operation costs the server (CPU seconds of Odoo's processes and of
    PostgreSQL's), one operation at a time from one client: unlike latencies, hardly changed
    by what else runs on the machine."""
    rep = next(spec for spec in specs if not spec["manager"])
    manager = next(spec for spec in specs if spec["manager"])
    rounds = [(rep, name) for name in ("pipeline", "list", "form", "save", "add_line",
                                       "activity_done")] * options.cost_rounds
    rounds += [(manager, name) for name in ("bulk_close", "export")] * options.cost_rounds
    rounds += [(manager, "import")] * min(options.imports, 1)
    clients, costs, results = {}, {}, []
    plan = dict(plan, url=server.url)
    for spec, name in rounds:
        client = clients.get(spec["login"])
        if client is None:
            client = clients[spec["login"]] = Client(len(clients), spec, plan)
            client.connect()
        before, start = server.cpu(), time.time()
        client._do(name)   # pylint: disable=protected-access
        after = server.cpu()
        costs.setdefault(name, []).append((after[0] - before[0], after[1] - before[1],
                                           time.time() - start))
    for client in clients.values():
        results.append({"ops": client.ops, "writes": client.writes, "lines": client.lines,
                        "checks": client.checks, "login": client.spec["login"]})
    return costs, results


def schedule(specs, options):
    """When each manager runs its heavy operations, as fractions of the phase."""
    jobs = ([("import", f) for f in (0.3, 0.7)[:options.imports]]
            + [("bulk_close", f) for f in (0.15, 0.35, 0.6, 0.8, 0.9)[:options.bulk_closes]]
            + [("export", f) for f in (0.2, 0.45, 0.55, 0.85, 0.95)[:options.exports]])
    managers = [spec for spec in specs if spec["manager"]]
    for n, (name, fraction) in enumerate(sorted(jobs, key=lambda job: job[1])):
        if managers:
            managers[n % len(managers)].setdefault("schedule", []).append((fraction, name))
    return specs


def main():
    options = parse()
    odoo.tools.config.parse_config(options.odoo_args)
    registry = odoo.registry(options.db)
    signal.signal(signal.SIGTERM, lambda *_args: sys.exit(143))
    signal.alarm(options.seconds + options.baseline_seconds + options.threaded_seconds
                 + len(options.curve) * (options.curve_seconds + 300) + 1800)
    started = time.time()
    with api.Environment.manage(), registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"lang": "en_US"})
        plan = _load_setup.prepare(env, options.leads, max([options.clients] + options.curve))
    plan.update(seed=options.seed, leads=options.leads, db=options.db, think=options.think)
    print("%d opportunities, set-up %.1f s; load: %d clients for %d s on %d workers, %s"
          % (options.leads, time.time() - started, options.clients, options.seconds,
             options.workers, "think time %.1f s on average" % options.think if options.think
             else "no think time (each client sends its next operation at once)"))
    specs = plan.pop("specs")
    specs = schedule(specs[:options.clients], options) + specs[options.clients:]
    log_dir = os.path.join(ROOT, ".build", "log")
    phases = []
    server = Server(options, options.workers, os.path.join(log_dir, "load-server.log"))
    try:
        rep = next(spec for spec in specs if not spec["manager"])
        manager = dict(next(spec for spec in specs if spec["manager"]),
                       schedule=[(0, "bulk_close"), (0, "export")]
                       + [(0, "import")] * min(options.imports, 1))
        costs, cost_results = measure_costs(server, plan, specs, options)
        half = options.baseline_seconds / 2.0
        baseline = [run_clients(server, plan, [spec], half, options.max_ops)
                    for spec in (rep, dict(manager, protocol="jsonrpc"))]
        phases.append(("1 client", report.merge(baseline)))
        phases.append(("%d clients" % options.clients, run_clients(
            server, plan, specs[:options.clients], options.seconds, options.max_ops)))
        # The curve's runs without an import (at most one per phase of the run).
        no_import = argparse.Namespace(**dict(vars(options), imports=0))
        curve = [(n, run_clients(server, plan, schedule([dict(s, schedule=[]) for s in
                                                         specs[:n]], no_import),
                                 options.curve_seconds, options.max_ops))
                 for n in options.curve]
    finally:
        code, left = server.stop()
    print("prefork server stopped: exit code %s, processes left: %s" % (code, left or "none"))
    if options.threaded_seconds:
        server = Server(options, 0, os.path.join(log_dir, "load-server-threaded.log"))
        try:
            phases.append(("%d clients, --workers=0" % options.clients, run_clients(
                server, plan, schedule([dict(s, schedule=[]) for s in specs[:options.clients]],
                                       options),
                options.threaded_seconds, options.max_ops)))
        finally:
            server.stop()
    with registry.cursor() as cr:
        failed = report.show(phases, cr, TARGETS, curve, costs, cost_results)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
