"""Profile of one load-test operation (not a benchmark, not run by `make bench`): the RPC calls
a bench/load.py client sends for an operation (pipeline, save...), made in this process
through Odoo's own RPC dispatch (odoo.service.model: authentication, a cursor per call, the
model's method with the client's context) under cProfile, on the load test's data (run
`BENCH=load make bench` once first). Prints the CPU seconds per operation and the functions
where they go.

    .../venv/bin/python bench/_load_profile.py --db crm_suite_bench --op pipeline \
        --login demo [--protocol jsonrpc] [--rounds 5] [--sort tottime] -- <odoo options>
"""
import argparse
import cProfile
import io
import pstats
import time

import odoo
from odoo import SUPERUSER_ID, api
from odoo.service import model as rpc_model

import _load_setup
from _common import parse_args
from _load_client import Client


class InProcessRpc:
    """What _load_rpc.XmlRpc / JsonRpc send, dispatched in this process."""

    def __init__(self, db, login, password, kind):
        self.db, self.password, self.kind = db, password, kind
        registry = odoo.registry(db)
        with api.Environment.manage(), registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            self.uid = env["res.users"].authenticate(db, login, password, {})
            self.user_context = env["res.users"].sudo(self.uid).context_get() \
                if kind == "jsonrpc" else {}

    def call(self, model, method, *args, **kwargs):
        if self.kind == "jsonrpc":
            kwargs["context"] = dict(self.user_context, **(kwargs.get("context") or {}))
        with api.Environment.manage():
            return rpc_model.dispatch("execute_kw", [self.db, self.uid, self.password, model,
                                                     method, list(args), kwargs])

    def search_read(self, model, domain, fields, limit=None, offset=0, order=None,
                    context=None):
        records = self.call(model, "search_read", domain, fields, offset=offset, limit=limit,
                            order=order, context=context or {})
        if self.kind == "jsonrpc" and limit and len(records) == limit:
            # The web client's /web/dataset/search_read also counts the column.
            self.call(model, "search_count", domain, context=context or {})
        return records


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--op", default="pipeline")
    parser.add_argument("--login", default="demo")
    parser.add_argument("--protocol", default="xmlrpc", choices=("xmlrpc", "jsonrpc"))
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--sort", default="tottime")
    parser.add_argument("--lines", type=int, default=40)
    parser.add_argument("--callees", help="also the callees of the functions matching this")
    parser.add_argument("--callers", help="also the callers of the functions matching this")
    parser.add_argument("--no-profile", action="store_true",
                        help="only the CPU seconds (cProfile's own overhead left out)")
    options = parse_args(parser)
    odoo.tools.config.parse_config(options.odoo_args)
    registry = odoo.registry(options.db)
    with api.Environment.manage(), registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"lang": "en_US"})
        plan = _load_setup.prepare(env, 100000, 6)
    spec = dict(next(s for s in plan.pop("specs") if s["login"] == options.login),
                protocol=options.protocol)
    plan.update(seed=18, db=options.db, url="")
    client = Client(0, spec, plan)
    client.connect(InProcessRpc(options.db, spec["login"], spec["password"], options.protocol))
    client._do(options.op)   # pylint: disable=protected-access
    profile = cProfile.Profile()
    cpu, wall = time.process_time(), time.time()
    for _round in range(options.rounds):
        if options.no_profile:
            client._do(options.op)   # pylint: disable=protected-access
        else:
            profile.runcall(client._do, options.op)   # pylint: disable=protected-access
    cpu, wall = time.process_time() - cpu, time.time() - wall
    errors = [op for op in client.ops if op[3]]
    print("%s as %s (%s): %.3f s CPU, %.3f s wall per operation over %d rounds%s; errors: %s"
          % (options.op, options.login, options.protocol, cpu / options.rounds,
             wall / options.rounds, options.rounds,
             "" if options.no_profile else " (with cProfile's overhead)", errors or "none"))
    if not options.no_profile:
        out = io.StringIO()
        stats = pstats.Stats(profile, stream=out).sort_stats(options.sort)
        stats.print_stats(options.lines)
        if options.callees:
            stats.print_callees(options.callees)
        if options.callers:
            stats.print_callers(options.callers)
        print(out.getvalue())


if __name__ == "__main__":
    main()
