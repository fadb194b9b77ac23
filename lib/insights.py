"""The figures of the sales insights, added up from the groups that one scan of the
opportunities gives (crm.sales.insight._groups(): counts and sums per creation month, type,
status, owner, stage, team and month of the pipeline window). No ORM here.

Each function gives what one query per figure gave before: the same rows, the same order.
"""
from collections import OrderedDict, defaultdict, namedtuple

# A row of crm.sales.insight._groups().
Group = namedtuple("Group", "month opportunity status user_id stage_id team_id pipeline_month "
                            "count won_value weighted cycle_sum cycle_count next_count "
                            "next_expected next_weighted")


def conversion_row(period, created, opportunities, won):
    return {
        "period": period, "created": created, "opportunities": opportunities, "won": won,
        "to_opportunity": round(100.0 * opportunities / created, 1) if created else None,
        "to_won": round(100.0 * won / opportunities, 1) if opportunities else None,
    }


def conversion(groups):
    """(by_month, by_quarter, summary): leads, opportunities and won per month of creation and
    per quarter; the won, lost, win rate and days to win of the opportunities."""
    months = defaultdict(lambda: [0, 0, 0])
    won = lost = cycle_count = 0
    cycle_sum = 0
    for group in groups:
        totals = months[group.month[:7] if group.month else None]
        totals[0] += group.count
        totals[1] += group.count if group.opportunity else 0
        totals[2] += group.count if group.status == "won" else 0
        if group.opportunity:
            won += group.count if group.status == "won" else 0
            lost += group.count if group.status == "lost" else 0
            if group.cycle_count:
                cycle_sum += group.cycle_sum
                cycle_count += group.cycle_count
    # By month as SQL sorts them (no month last); quarters add up their months.
    month_rows = [[period] + totals for period, totals in sorted(
        months.items(), key=lambda item: (item[0] is None, item[0] or ""))]
    quarters = OrderedDict()
    for period, created, opportunities, won_count in month_rows:
        key = "%s-Q%d" % (period[:4], (int(period[5:7]) - 1) // 3 + 1)
        totals = quarters.setdefault(key, [0, 0, 0])
        for index, count in enumerate((created, opportunities, won_count)):
            totals[index] += count
    summary = {
        "won": won, "lost": lost,
        "win_rate": round(100.0 * won / (won + lost), 1) if won + lost else None,
        "cycle_days": round(float(cycle_sum / cycle_count), 1) if cycle_count else None,
    }
    return ([conversion_row(*row) for row in month_rows],
            [conversion_row(key, *totals) for key, totals in quarters.items()], summary)


def funnel(groups, stages):
    """Opportunities that reached each open stage: their current stage is that one or a
    later one (by sequence), or they were won. ``stages``: (id, name, sequence, probability)
    of every stage."""
    stages = {stage[0]: stage for stage in stages}
    won_count, at_stage = 0, defaultdict(int)
    for group in groups:
        if group.opportunity and group.stage_id in stages:
            if group.status == "won":
                won_count += group.count
            else:
                at_stage[group.stage_id] += group.count

    def reached_by(stage, current):
        # (current.sequence, current.id) >= (stage.sequence, stage.id) as SQL compares rows:
        # a NULL sequence makes it unknown (not counted).
        if stage[2] is None or current[2] is None:
            return False
        return (current[2], current[0]) >= (stage[2], stage[0])

    open_stages = sorted((stage for stage in stages.values() if stage[3] < 100),
                         key=lambda stage: (stage[2] is None, stage[2] or 0, stage[0]))
    reached = [won_count + sum(count for stage_id, count in at_stage.items()
                               if reached_by(stage, stages[stage_id]))
               for stage in open_stages]
    rows = []
    for index, stage in enumerate(open_stages):
        following = reached[index + 1] if index + 1 < len(reached) else None
        rows.append({
            "stage_id": stage[0], "stage": stage[1], "reached": reached[index],
            "next_rate": round(100.0 * following / reached[index], 1)
            if following is not None and reached[index] else None})
    return rows


def reps(groups, activities):
    """Per owner: opportunities, won count and value, lost, win rate, average deal and
    activities logged per type (``activities``: (user id, type id, count))."""
    totals = OrderedDict()
    for group in groups:
        if not group.opportunity:
            continue
        rep = totals.setdefault(group.user_id, [0, 0, 0.0, 0])
        rep[0] += group.count
        if group.status == "won":
            rep[1] += group.count
            rep[2] += group.won_value or 0.0
        elif group.status == "lost":
            rep[3] += group.count
    rows = OrderedDict()
    for user_id, (owned, won_count, won_value, lost_count) in totals.items():
        rows[user_id] = {
            "user_id": user_id, "owned": owned, "won": won_count, "lost": lost_count,
            "won_value": round(float(won_value), 2),
            "win_rate": round(100.0 * won_count / (won_count + lost_count), 1)
            if won_count + lost_count else None,
            "average_deal": round(float(won_value) / won_count, 2) if won_count else None,
            "activities": {},
        }
    for user_id, type_id, count in activities:
        rep = rows.setdefault(user_id, {
            "user_id": user_id, "owned": 0, "won": 0, "lost": 0, "won_value": 0.0,
            "win_rate": None, "average_deal": None, "activities": {}})
        rep["activities"][type_id] = count
    return sorted(rows.values(), key=lambda rep: (-rep["won_value"], rep["user_id"] or 0))


def pipeline(groups, month_keys):
    """Weighted pipeline (expected revenue x probability) per owner for each coming month
    (``month_keys``: "YYYY-MM"), by due date."""
    sums = defaultdict(lambda: defaultdict(float))
    for group in groups:
        if group.pipeline_month:
            sums[group.user_id][group.pipeline_month] += group.weighted or 0.0
    rows = []
    for user_id in sorted(sums, key=lambda user_id: user_id or 0):
        months = OrderedDict((key, 0.0) for key in month_keys)
        for month, weighted in sums[user_id].items():
            months[month] = round(float(weighted), 2)
        rows.append({"user_id": user_id, "months": months})
    return rows


def teams_next_month(groups):
    """What each sales team has open in the coming month: count, expected and weighted."""
    teams = defaultdict(lambda: [0, 0.0, 0.0])
    for group in groups:
        if group.next_count:
            row = teams[group.team_id]
            row[0] += group.next_count
            row[1] += group.next_expected or 0.0
            row[2] += group.next_weighted or 0.0
    return [{"team_id": team_id, "count": count, "expected": round(float(expected), 2),
             "weighted": round(float(weighted), 2)}
            for team_id, (count, expected, weighted) in sorted(
                teams.items(), key=lambda item: (item[0] is None, item[0] or 0))]
