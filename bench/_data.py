"""The big data set of the sales insights and trash filter benchmarks (not a benchmark:
tools/bench.sh skips _*.py).

Opportunities and leads are generated in SQL in slices, one sales team per slice: the slice
of the first size (e.g. 1k), then what the next size adds (9k), and so on up to the largest
(e.g. 900k to reach 1M). A size is the teams of its slice and of the smaller ones: the data of
1M holds that of 100k, 10k and 1k, generated once per database and reused by later runs. Each
opportunity has three logged activities (chatter messages of an activity type)."""
import os
import time

TEAM = "Insights bench %s"
ACTIVITIES_PER_LEAD = 3


def _team_name(start, end):
    return TEAM % ("%d-%d" % (start + 1, end))


def ensure_data(env, sizes):
    """{size: [team ids]} of the sizes (the teams of a size and of the smaller ones),
    generating the slices that are missing. Prints the time and disk space each slice took."""
    cr = env.cr
    stages = None
    teams, start = [], 0
    result = {}
    for size in sorted(set(sizes)):
        name = _team_name(start, size)
        team = env["crm.team"].search([("name", "=", name)])
        if not team:
            team = env["crm.team"].create({"name": name})
            env.cr.commit()
        stages = stages or _stages(env, team)
        cr.execute("SELECT count(*) FROM crm_lead WHERE team_id = %s", (team.id,))
        if cr.fetchone()[0] < size - start:
            _generate(env, team, stages, start, size)
        teams.append(team.id)
        result[size] = list(teams)
        start = size
    vacuum(cr)
    return result


def vacuum(cr):
    """VACUUM ANALYZE of the tables read: the other benchmarks' rolled-back writes leave dead
    rows behind (hundreds of thousands of chatter notes), which autovacuum clears in time on a
    real database; the plans then change (no index-only scan of the messages). crm_lead is
    compacted too (VACUUM FULL, about 10 s at 1M): the other benchmarks' rolled-back updates of
    100,000 opportunities, and the 11.0.1.1.0 update's UPDATE of every row, grew it from 247 MB
    to 708 MB, and its sequential scans with it (insights at 100k: 0.32 s instead of 0.17 s)."""
    cr.commit()
    cr.autocommit(True)
    try:
        cr.execute("SELECT pg_relation_size('crm_lead')")
        before = cr.fetchone()[0]
        # Fixed SQL.
        cr.execute("VACUUM FULL ANALYZE crm_lead")
        cr.execute("VACUUM ANALYZE mail_message")
        cr.execute("SELECT pg_relation_size('crm_lead')")
        print("crm_lead compacted: %.0f MB -> %.0f MB" % (before / 1e6, cr.fetchone()[0] / 1e6))
    finally:
        cr.autocommit(False)


def _stages(env, team):
    """Four open stages and a won one, of the first team (every slice uses them)."""
    Stage = env["crm.stage"]
    stages = Stage.search([("name", "=like", "IB %")], order="sequence")
    if not stages:
        for n in range(1, 5):
            Stage.create({"name": "IB %d" % n, "sequence": n, "probability": 20 * n,
                          "team_id": team.id})
        Stage.create({"name": "IB won", "sequence": 9, "probability": 100,
                      "team_id": team.id})
        env.cr.commit()
        stages = Stage.search([("name", "=like", "IB %")], order="sequence")
    return {"open": stages.filtered(lambda s: s.probability < 100).ids,
            "won": stages.filtered(lambda s: s.probability >= 100).id}


def _disk(cr):
    cr.execute("SELECT pg_database_size(current_database())")
    return cr.fetchone()[0]


def _generate(env, team, stages, start, end):
    """Leads start+1 .. end (their numbers n give every value), in the team, with their
    activities; committed."""
    cr = env.cr
    began, disk = time.time(), _disk(cr)
    cr.execute("DELETE FROM crm_lead WHERE team_id = %s", (team.id,))
    users = env["res.users"].search([("share", "=", False)], limit=6).ids
    company = env.user.company_id
    cr.execute("""
        INSERT INTO crm_lead (name, type, active, team_id, stage_id, user_id, probability,
                              planned_revenue, value_amount, value_basis, value_duration,
                              reference, currency_id, company_id, status,
                              priority, create_date, write_date, create_uid, write_uid,
                              date_closed, date_deadline, message_bounce, color, day_open,
                              day_close, drop_token)
        SELECT 'Insight ' || n,
               CASE WHEN n %% 10 = 0 THEN 'lead' ELSE 'opportunity' END,
               NOT (n %% 7 = 1), %(team)s,
               CASE WHEN n %% 5 = 0 THEN %(won)s ELSE (%(stages)s)[1 + n %% 4] END,
               (%(users)s)[1 + n %% %(user_count)s],
               CASE WHEN n %% 5 = 0 THEN 100 WHEN n %% 7 = 1 THEN 0 ELSE 10 + n %% 80 END,
               100 + (n * 37) %% 50000, 100 + (n * 37) %% 50000, 'fixed', 1,
               'INS' || lpad(n::text, 7, '0'), %(currency)s,
               %(company)s,
               CASE WHEN n %% 5 = 0 THEN 'won' WHEN n %% 7 = 1 THEN 'lost' ELSE 'open' END,
               '0',
               timestamp '2025-03-01' + (n %% 730) * interval '1 day' + interval '9 hours',
               now(), 1, 1,
               CASE WHEN n %% 5 = 0 OR n %% 7 = 1 THEN timestamp '2025-03-01'
                    + (n %% 730 + n %% 90) * interval '1 day' + interval '9 hours' END,
               date '2027-03-01' + (n %% 200),
               0, 0, 0, 0, 'ins' || n
        FROM generate_series(%(first)s, %(last)s) n
    """, {"team": team.id, "won": stages["won"], "stages": stages["open"], "users": users,
          "user_count": len(users), "currency": company.currency_id.id,
          "company": company.id, "first": start + 1, "last": end})
    types = env["mail.activity.type"].search([], limit=3).ids
    partners = env["res.users"].browse(users).mapped("partner_id").ids
    cr.execute("SELECT min(id), max(id) FROM crm_lead WHERE team_id = %s", (team.id,))
    first, last = cr.fetchone()
    cr.execute("""
        INSERT INTO mail_message (model, res_id, body, message_type, mail_activity_type_id,
                                  author_id, date, create_date, write_date, create_uid,
                                  write_uid)
        SELECT 'crm.lead', %(first)s + (n::bigint * 7919) %% (%(last)s - %(first)s + 1), '',
               'comment', (%(types)s)[1 + n %% 3], (%(partners)s)[1 + n %% %(partner_count)s],
               now(), now(), now(), 1, 1
        FROM generate_series(1, %(count)s) n
    """, {"first": first, "last": last, "types": types, "partners": partners,
          "partner_count": len(partners), "count": ACTIVITIES_PER_LEAD * (end - start)})
    cr.commit()
    # Outside a transaction block would be needed for VACUUM; ANALYZE is enough for the
    # planner's statistics.
    cr.execute("ANALYZE crm_lead")
    cr.execute("ANALYZE mail_message")
    cr.commit()
    print("generated %d opportunities and leads and %d activities in %.1f s, %+.0f MB of "
          "disk (database now %.0f MB; load %.2f)" % (
              end - start, ACTIVITIES_PER_LEAD * (end - start), time.time() - began,
              (_disk(cr) - disk) / 1048576.0, _disk(cr) / 1048576.0, os.getloadavg()[0]))
