"""The tables of bench/load.py (not a benchmark)."""
import os
import subprocess
from collections import Counter, defaultdict

import _load_setup

ORDER = ["pipeline", "list", "form", "save", "add_line", "activity_done", "bulk_close",
         "export", "export csv", "import check", "import"]


def merge(runs):
    """Several runs of clients one after the other, as one phase."""
    results, failures, elapsed, memory, cpu = [], [], 0.0, 0.0, [0.0, 0.0]
    for run_results, run_failures, run_elapsed, run_memory, run_cpu in runs:
        results += run_results
        failures += run_failures
        elapsed += run_elapsed
        memory = max(memory, run_memory)
        cpu = [total + more for total, more in zip(cpu, run_cpu)]
    return results, failures, elapsed, memory, cpu


def percentile(values, share):
    """Nearest rank."""
    values = sorted(values)
    return values[min(len(values) - 1, max(0, int(round(share * len(values) + 0.5)) - 1))]


def stats(results, elapsed):
    by_op = defaultdict(list)
    for result in results:
        for name, _start, seconds, error, retries in result["ops"]:
            by_op[name].append((seconds, error, retries))
    table = {}
    for name, rows in by_op.items():
        times = [seconds for seconds, error, _r in rows if not error]
        table[name] = {
            "count": len(rows), "rate": len(rows) / elapsed if elapsed else 0.0,
            "p50": percentile(times, 0.50) if times else 0.0,
            "p95": percentile(times, 0.95) if times else 0.0,
            "p99": percentile(times, 0.99) if times else 0.0,
            "max": max(times) if times else 0.0,
            "errors": sum(1 for _s, error, _r in rows if error),
            "retries": sum(retries for _s, _e, retries in rows)}
    return table


def show_curve(curve, targets):
    """One line per number of clients: throughput, p95 of the targets' operations, errors."""
    if not curve:
        return False
    ops = sorted(targets)
    print("\n== curve: %s, each run for the same time (CPU: per operation)" % ", ".join(
        "%d clients" % n for n, _run in curve))
    print("%7s %9s %7s %s %9s %9s" % ("clients", "ops per s", "errors", " ".join(
        "%12s" % ("p95 " + op) for op in ops), "Odoo CPU", "PG CPU"))
    failed = False
    for clients, (results, failures, elapsed, _memory, cpu) in curve:
        table = stats(results, elapsed)
        count = sum(row["count"] for row in table.values())
        errors = sum(row["errors"] for row in table.values()) + len(failures)
        failed = failed or errors > 0
        print("%7d %9.2f %7d %s %6.0f ms %6.0f ms" % (
            clients, count / elapsed if elapsed else 0, errors, " ".join(
                "%10.3f s" % table.get(op, {}).get("p95", 0.0) for op in ops),
            1000 * cpu[0] / max(count, 1), 1000 * cpu[1] / max(count, 1)))
    return failed


def show_costs(costs):
    """The CPU an operation costs the server, measured one operation at a time."""
    print("\n== CPU per operation, one at a time from one client (median of %d; wall time "
          "includes waiting for the CPU the machine's other work takes)" % max(
              len(runs) for runs in costs.values()))
    print("%-14s %10s %14s %10s" % ("operation", "Odoo CPU", "PostgreSQL CPU", "wall"))
    for op in sorted(costs, key=lambda o: ORDER.index(o) if o in ORDER else 99):
        runs = sorted(costs[op], key=lambda run: run[0] + run[1])
        odoo_cpu, pg_cpu, wall = runs[len(runs) // 2]
        print("%-14s %8.3f s %12.3f s %8.3f s" % (op, odoo_cpu, pg_cpu, wall))


def show(phases, cr, targets, curve=(), costs=None, cost_results=()):
    """Print every phase's table, the ratios to the first phase, the curve, the read-back
    check and the targets. Returns True when something failed (an error or a lost
    update)."""
    tables = [(name, stats(results, elapsed), results, failures, elapsed, memory, cpu)
              for name, (results, failures, elapsed, memory, cpu) in phases]
    base = tables[0][1]
    failed = False
    all_results = []
    for name, table, results, failures, elapsed, memory, cpu in tables:
        all_results += results
        count = sum(row["count"] for row in table.values())
        errors = sum(row["errors"] for row in table.values()) + len(failures)
        failed = failed or errors > 0
        print("\n== %s: %.1f s, %d operations = %.2f/s, %d errors, %d conflicts retried; "
              "largest Odoo process %.0f MB; CPU per operation: Odoo %.0f ms, PostgreSQL "
              "%.0f ms" % (
                  name, elapsed, count, count / elapsed if elapsed else 0, errors,
                  sum(row["retries"] for row in table.values()), memory,
                  1000 * cpu[0] / max(count, 1), 1000 * cpu[1] / max(count, 1)))
        print("%-14s %6s %7s %7s %7s %7s %7s %6s %7s %9s %9s" % (
            "operation", "count", "per s", "p50 s", "p95 s", "p99 s", "max s", "errors",
            "retries", "p50/base", "p95/base"))
        for op in sorted(table, key=lambda o: ORDER.index(o) if o in ORDER else 99):
            row = table[op]
            ref = base.get(op)
            ratio50 = "%.2f" % (row["p50"] / ref["p50"]) if ref and ref["p50"] else "-"
            ratio95 = "%.2f" % (row["p95"] / ref["p95"]) if ref and ref["p95"] else "-"
            print("%-14s %6d %7.2f %7.3f %7.3f %7.3f %7.3f %6d %7d %9s %9s" % (
                op, row["count"], row["rate"], row["p50"], row["p95"], row["p99"],
                row["max"], row["errors"], row["retries"], ratio50, ratio95))
        messages = Counter(error for result in results for _n, _s, _t, error, _r
                           in result["ops"] if error)
        for message, times in messages.most_common(8):
            print("  error x%d: %s" % (times, message))
        for failure in failures:
            print("  %s" % failure)
    failed = show_curve(curve, targets) or failed
    if costs:
        show_costs(costs)
    all_results += [result for _n, run in curve for result in run[0]] + list(cost_results)
    checked, lost, details = _load_setup.check(cr, all_results)
    failed = failed or lost > 0
    print("\nread back from the database: %d saves, items, closes and imported values "
          "checked, %d lost" % (checked, lost))
    for detail in details[:10]:
        print("  " + detail)
    load_table = tables[1][1] if len(tables) > 1 else base
    for op, limit in sorted(targets.items()):
        row = load_table.get(op)
        if not row or row["errors"] == row["count"]:
            print("target: p95 of %s under load < %.1f s: not measured" % (op, limit))
            failed = True
            continue
        print("target: p95 of %s under load %.3f s < %.1f s: %s" % (
            op, row["p95"], limit, "met" if row["p95"] < limit else "MISSED"))
    print("machine: %s (%d cores)" % (subprocess.run(
        ["uptime"], stdout=subprocess.PIPE, universal_newlines=True).stdout.strip(),
        os.cpu_count()))
    return failed
