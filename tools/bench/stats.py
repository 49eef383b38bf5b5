"""Statistics over repetitions: median and spread, ratios, and the rows of the results.

Pure functions (tests/bench/test_stats.py). A row is one (emulator, workload, size, phase,
mode); its figures are each metric's median over the repetitions that succeeded, with the
minimum and maximum as the spread.
"""

MODES = ("native", "umbra-tdp", "umbra-shadow")


def median(values):
    """The median of the numbers in values (None ones left out); None if there are none."""
    v = sorted(x for x in values if x is not None)
    if not v:
        return None
    mid = len(v) // 2
    return v[mid] if len(v) % 2 else (v[mid - 1] + v[mid]) / 2


def spread(values):
    """(min, max) of the numbers in values, or None."""
    v = [x for x in values if x is not None]
    return (min(v), max(v)) if v else None


def ratio(a, b):
    """a / b, or None where either is missing or b is 0."""
    if a is None or b is None or b == 0:
        return None
    return a / b


def summarize(values):
    """{median, min, max, n} of a metric's values over repetitions."""
    s = spread(values)
    return {"median": median(values), "min": s[0] if s else None,
            "max": s[1] if s else None, "n": sum(1 for x in values if x is not None)}


def row_key(run):
    return (run["emulator"], run["workload"], run.get("size"), run["mode"])


def aggregate(runs):
    """Groups the runs by (emulator, workload, size, mode) and, per phase, summarizes every
    metric over the successful repetitions. Returns rows: a list of dicts
    {emulator, workload, size, phase, mode, reps, failed, reasons, metrics: {name: summary}}
    in the order the phases and groups were first seen."""
    groups = {}
    order = []
    for run in runs:
        key = row_key(run)
        if key not in groups:
            groups[key] = []
            order.append(key)
        groups[key].append(run)
    rows = []
    for key in order:
        group = groups[key]
        good = [r for r in group if r.get("ok")]
        reasons = [f"rep {r['rep']}: {r['reason']}" for r in group if not r.get("ok")]
        phases = []
        for r in group:
            for name in r.get("figures", {}):
                if name not in phases:
                    phases.append(name)
        if not phases:
            phases = [None]     # a group whose every run failed still gets one row
        for phase in phases:
            metrics = {}
            names = []
            for r in good:
                for m in r["figures"].get(phase, {}):
                    if m not in names and m != "unit":
                        names.append(m)
            for m in names:
                metrics[m] = summarize([r["figures"].get(phase, {}).get(m) for r in good])
            unit = next((r["figures"][phase].get("unit") for r in good
                         if phase in r["figures"]), None)
            rows.append({"emulator": key[0], "workload": key[1], "size": key[2],
                         "phase": phase, "mode": key[3], "reps": len(group),
                         "failed": len(group) - len(good), "reasons": reasons,
                         "unit": unit, "metrics": metrics})
    return rows


def med(row, metric):
    if row is None:
        return None
    s = row["metrics"].get(metric)
    return s["median"] if s else None


def comparisons(rows):
    """Per (emulator, workload, size, phase): the three modes' rows side by side and the
    ratios of their medians: time (host seconds and guest clock) shadow/tdp, shadow/native,
    tdp/native, and exits shadow/tdp. A list of dicts in row order."""
    by = {}
    order = []
    for row in rows:
        key = (row["emulator"], row["workload"], row["size"], row["phase"])
        if key not in by:
            by[key] = {}
            order.append(key)
        by[key][row["mode"]] = row
    out = []
    for key in order:
        modes = by[key]
        sh, tdp, nat = (modes.get(m) for m in ("umbra-shadow", "umbra-tdp", "native"))
        c = {"emulator": key[0], "workload": key[1], "size": key[2], "phase": key[3],
             "modes": modes}
        for metric, tag in (("host_s", "time"), ("guest", "clock")):
            c[f"{tag}_shadow_tdp"] = ratio(med(sh, metric), med(tdp, metric))
            c[f"{tag}_shadow_native"] = ratio(med(sh, metric), med(nat, metric))
            c[f"{tag}_tdp_native"] = ratio(med(tdp, metric), med(nat, metric))
        c["exits_shadow_tdp"] = ratio(med(sh, "exits"), med(tdp, "exits"))
        out.append(c)
    return out
