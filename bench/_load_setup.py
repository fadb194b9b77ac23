"""Data of bench/load.py (not a benchmark): its users and the opportunities each simulated
client works on, prepared in the benchmark database once (SQL) and topped up before each run;
and, after a run, the check that every acknowledged write is in the database.

The benchmark opportunities "Bench <n>" (reference BENCH<n>, bench/_common.py) are shared
with the other benchmarks, which use the first 20,000: the load test leaves those alone and
spreads n in (40,000, leads] over its owners and the open stages. Its clients edit n in
(40,000, 50,000], its bulk closes take n in (50,000, 90,000], its import updates n in
(90,000, 92,000]."""
from collections import defaultdict

from odoo import fields

from _common import ensure_leads

REPS = 3                    # generated reps, besides the demo rep (login demo)
PRIVATE = 150               # opportunities each client edits alone
HOT = 10                    # opportunities of each owner that all its clients (and managers) edit
TASKS = 60                  # open tasks each client may complete
ACTIVITY_SUMMARY = "Load test task"
EDIT, CLOSE, IMPORT = (40000, 50000), (50000, 90000), (90000, 92000)


def _range_ids(cr, bounds, extra=""):
    cr.execute("""SELECT id FROM crm_lead WHERE reference >= %s AND reference <= %s
                  AND name LIKE 'Bench %%' """ + extra + " ORDER BY id",
               ("BENCH%07d" % (bounds[0] + 1), "BENCH%07d" % bounds[1]))
    return [row[0] for row in cr.fetchall()]


def _user(env, login, name, groups):
    user = env["res.users"].with_context(active_test=False).search([("login", "=", login)])
    if not user:
        user = env["res.users"].with_context(no_reset_password=True).create({
            "login": login, "name": name, "password": login,
            "email": "%s@example.com" % login,
            "groups_id": [(6, 0, [g.id for g in groups])]})
    if not user.email:
        user.email = "%s@example.com" % login   # what the chatter's messages are sent from
    return user


def prepare(env, leads, clients):
    """Users, owners, pools and tasks; returns the plan the clients work from."""
    ensure_leads(env, leads)
    cr = env.cr
    rep_group = env.ref("sales_team.group_sale_salesman")
    manager_groups = [env.ref("sales_team.group_sale_manager"),
                      env.ref("crm_opportunity_suite.group_crm_export")]
    admin, demo = env.ref("base.user_root"), env.ref("base.user_demo")
    admin.password, demo.password = "admin", "demo"
    manager = _user(env, "load_manager", "Load Manager", manager_groups)
    reps = [_user(env, "load_rep_%d" % n, "Load Rep %d" % n, [rep_group])
            for n in range(1, REPS + 1)]
    owners = [(admin, "admin", True), (demo, "demo", False), (manager, "load_manager", True)]
    owners += [(rep, rep.login, False) for rep in reps]
    team = env.ref("sales_team.team_sales_department")
    team.member_ids |= demo | manager | env["res.users"].browse([rep.id for rep in reps])
    stages = env["crm.stage"].search([("probability", "<", 100), ("fold", "=", False), "|",
                                      ("team_id", "=", False), ("team_id", "=", team.id)])
    owner_ids = [owner.id for owner, _login, _manager in owners]
    marker = "v2:%d:%s:%s" % (leads, owner_ids, stages.ids)
    Param = env["ir.config_parameter"]
    if Param.get_param("crm_opportunity_suite.bench_load_data") != marker:
        # Bench rows are SQL-made test data: spread them over the owners and stages in SQL.
        cr.execute("""
            UPDATE crm_lead SET user_id = (%s)[1 + substr(reference, 6)::int %% %s],
                                stage_id = (%s)[1 + substr(reference, 6)::int / %s %% %s]
            WHERE name LIKE 'Bench %%' AND reference > %s AND reference <= %s
        """, (owner_ids, len(owner_ids), stages.ids, len(owner_ids), len(stages),
              "BENCH%07d" % EDIT[0], "BENCH%07d" % leads))
        Param.set_param("crm_opportunity_suite.bench_load_data", marker)
    edit_ids = _range_ids(cr, EDIT, "AND status = 'open' AND active")
    cr.execute("SELECT id, user_id FROM crm_lead WHERE id = ANY(%s) ORDER BY id", (edit_ids,))
    by_owner = defaultdict(list)
    for lead_id, user_id in cr.fetchall():
        by_owner[user_id].append(lead_id)
    specs = []
    for index in range(clients):
        owner, login, is_manager = owners[index % len(owners)]
        rank = index // len(owners)
        pool = by_owner[owner.id]
        specs.append({"login": login, "password": login, "manager": is_manager,
                      "protocol": "jsonrpc" if index % 2 == 0 else "xmlrpc",
                      "hot": pool[:HOT],
                      "private": pool[HOT + rank * PRIVATE:HOT + (rank + 1) * PRIVATE]})
    # Managers also edit the reps' hot opportunities.
    every_hot = sorted({lead for spec in specs for lead in spec["hot"]})
    for spec in specs:
        if spec["manager"]:
            spec["hot"] = every_hot
    _top_up_tasks(env, specs, {login: owner.id for owner, login, _m in owners})
    close_ids = _range_ids(cr, CLOSE)
    env.cr.commit()
    return {"specs": specs, "owner_ids": owner_ids, "stage_ids": stages.ids,
            "close_range": [close_ids[0], close_ids[-1]],
            "import_ids": _range_ids(cr, IMPORT),
            "export_from": "BENCH%07d" % EDIT[0],
            "lost_reason_id": env["crm.lost.reason"].search([], limit=1).id,
            "activity_summary": ACTIVITY_SUMMARY}


def _top_up_tasks(env, specs, uids):
    """Each client finds TASKS open tasks of its user on its own opportunities."""
    call = env.ref("mail.mail_activity_data_call")
    model_id = env["ir.model"]._get("crm.lead").id
    today = fields.Date.today()
    vals_list = []
    for spec in specs:
        uid = uids[spec["login"]]
        count = env["mail.activity"].search_count([
            ("res_model", "=", "crm.lead"), ("res_id", "in", spec["private"]),
            ("user_id", "=", uid), ("summary", "=", ACTIVITY_SUMMARY)])
        for n in range(max(0, TASKS - count)):
            vals_list.append({"res_model_id": model_id, "activity_type_id": call.id,
                              "res_id": spec["private"][n % len(spec["private"])],
                              "summary": ACTIVITY_SUMMARY, "user_id": uid,
                              "date_deadline": today})
    env["mail.activity"]._create_bulk(vals_list)


def check(cr, results):
    """What the clients wrote and were told was saved, read back from the database.
    Returns (checked, lost, details).

    A save of the same opportunity by several clients at once is last-writer-wins (Odoo
    writes the fields a form changed): what is in the database must be the value of an
    acknowledged save (or of one whose answer never came) that no other save sent after it
    was acknowledged has overwritten. Anything else is a lost update: an acknowledged save
    whose value is gone although nothing written later replaced it."""
    lost, details, checked = 0, [], 0
    writes = defaultdict(list)
    for result in results:
        for lead_id, token, sent, acked in result["writes"]:
            writes[lead_id].append((token, sent, acked))
    if writes:
        cr.execute("SELECT id, description FROM crm_lead WHERE id = ANY(%s)", (list(writes),))
        final = dict(cr.fetchall())
        for lead_id, history in writes.items():
            checked += 1
            acked = [w for w in history if w[2]]
            source = [w for w in history if w[0] == final.get(lead_id)]
            if not source:
                ok = not acked       # untouched, or an acknowledged save is gone
            elif source[0][2] is None:
                ok = True            # a save whose answer never came, committed after all
            else:
                ok = not any(w[1] > source[0][2] for w in acked)
            if not ok:
                lost += 1
                details.append("opportunity %d: %r in the database; saves %s" % (
                    lead_id, final.get(lead_id), history))
    lines = [(lead, token) for r in results for lead, token, acked in r["lines"] if acked]
    if lines:
        cr.execute("SELECT name FROM crm_lead_line WHERE name = ANY(%s)",
                   ([token for _lead, token in lines],))
        found = {row[0] for row in cr.fetchall()}
        checked += len(lines)
        for lead_id, token in lines:
            if token not in found:
                lost += 1
                details.append("item %r of opportunity %d is missing" % (token, lead_id))
    expected = {}   # the last value written, over all clients and phases
    for kind, ids, value, _when in sorted((c for r in results for c in r["checks"]),
                                          key=lambda c: c[3]):
        for lead_id in ids:
            expected[(kind, lead_id)] = value[lead_id] if isinstance(value, dict) else value
    for kind in ("status", "planned_revenue"):
        ids = [lead_id for k, lead_id in expected if k == kind]
        if not ids:
            continue
        cr.execute("SELECT id, %s FROM crm_lead WHERE id = ANY(%%s)" % kind, (ids,))
        for lead_id, value in cr.fetchall():
            checked += 1
            want = expected[(kind, lead_id)]
            same = abs((value or 0) - want) < 0.01 if kind == "planned_revenue" else \
                value == want
            if not same:
                lost += 1
                details.append("opportunity %d: %s %r, %r written" % (lead_id, kind, value,
                                                                       want))
    return checked, lost, details
