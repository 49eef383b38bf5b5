"""Before/after: two `make bench` results side by side, for a change to the MMU or the exit
path (the figures its commit message or closing note states).

    python3 tools/bench/compare.py BEFORE/results.json AFTER/results.json [--only REGEX]

For every (emulator, workload, size, phase, mode) measured in both, under Umbra: the median
exits, emulated page-table writes, shadow pages created and host time, before and after, and
after/before. Measure "before" with the old build (`make bench BENCH_ARGS="--umbra
OLD/umbra.elf --out build/bench-before"`) in the same sitting as "after": times are only
comparable on the same machine under the same load.
"""
import argparse
import re
import sys

from render import fmt_num, fmt_ratio, load_results, table, workload_label
from stats import med, ratio

# (metric, column label, digits: None for counts)
METRICS = (("exits", "exits", None), ("pt_writes", "PT writes", None),
           ("sp_created", "shadow pages", None), ("host_s", "host s", 2))


def key_of(row):
    return (row["emulator"], row["workload"], row["size"], row["phase"], row["mode"])


def pairs(before_rows, after_rows, only=None):
    """The rows measured in both (the after order), under Umbra, with a phase: a list of
    (key, before row, after row). only: a regex on "emulator/workload/mode"."""
    before = {key_of(r): r for r in before_rows}
    out = []
    for r in after_rows:
        k = key_of(r)
        if k not in before or r["phase"] is None or r["mode"] == "native":
            continue
        if only and not re.search(only, f"{r['emulator']}/{r['workload']}/{r['mode']}"):
            continue
        out.append((k, before[k], r))
    return out


def compare_table(before_rows, after_rows, only=None):
    """The Markdown table of the before/after medians and their ratios."""
    header = ["emulator", "workload", "phase", "mode"]
    for _, label, _ in METRICS:
        header += [f"{label} before", f"{label} after", "after/before"]
    lines = []
    for (emu, wl, size, phase, mode), b, a in pairs(before_rows, after_rows, only):
        line = [emu, workload_label(wl, size), phase, mode]
        for metric, _, digits in METRICS:
            vb, va = med(b, metric), med(a, metric)
            line += [fmt_num(vb, digits), fmt_num(va, digits), fmt_ratio(ratio(va, vb))]
        lines.append(line)
    return table(header, lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("before")
    ap.add_argument("after")
    ap.add_argument("--only", help='regex on "emulator/workload/mode"')
    args = ap.parse_args()
    results = [load_results(path, "rows", "compare") for path in (args.before, args.after)]
    for label, res in zip(("before", "after"), results):
        print(f"- {label}: Umbra {res.get('info', {}).get('umbra', '?')}, "
              f"{res.get('info', {}).get('date', '?')}")
    print()
    print(compare_table(results[0]["rows"], results[1]["rows"], args.only))
    return 0


if __name__ == "__main__":
    sys.exit(main())
