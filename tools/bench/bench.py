#!/usr/bin/env python3
"""`make bench`: each workload under Umbra with mmu=shadow, under Umbra with mmu=tdp, and
natively, on QEMU (SVM/NPT) and Bochs (VMX/EPT), interleaved (repetition 1 of every run, then
repetition 2, ...), with the figures per phase, their medians and spreads, the ratios side by
side, the issue's goals, and charts.

  tools/bench/bench.py [--quick] [--reps N] [--bochs-linux-reps N] [--only REGEX]
                       [--umbra PATH] [--out DIR] [--sizes NAME=N,N;...] [--emulators LIST]

Writes DIR/results.md (also printed), results.csv, results.json (with every raw run) and
DIR/plots/*.png; each run's serial output stays in DIR/runs/. Exits non-zero if any run failed
(or, with --quick, if a row lacks figures or a chart is missing).
"""
import argparse
import datetime
import os
import platform
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import parse  # noqa: E402
import plots  # noqa: E402
import render  # noqa: E402
import runner  # noqa: E402
import stats  # noqa: E402
import workloads  # noqa: E402

ROOT = runner.ROOT
MODES = ("umbra-shadow", "umbra-tdp", "native")
EMULATORS = ("qemu", "bochs")
# Each run's bound, in seconds (about three times the runs seen on the loaded 2-core machine).
TIMEOUTS = {("qemu", True): 300, ("bochs", True): 2400, ("qemu", False): 120,
            ("bochs", False): 600}


def plan(args, wls):
    """The runs in order: repetition by repetition, every emulator, workload, size and mode."""
    only = re.compile(args.only) if args.only else None
    runs = []
    for rep in range(1, args.reps + 1):
        for emu in args.emulators:
            for w in wls:
                if w.linux and emu == "bochs" and rep > args.bochs_linux_reps:
                    continue
                sizes = w.sizes()[:1] if args.quick else w.sizes()
                for size in sizes:
                    for mode in MODES:
                        if only and not only.search(f"{emu}/{w.name}/{mode}"):
                            continue
                        runs.append((rep, emu, w, size, mode))
    return runs


def version_of(cmd, pattern):
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    m = re.search(pattern, r.stdout + r.stderr)
    return m.group(1) if m else None


def package_version(name):
    return version_of(["dpkg-query", "-W", "-f=${Version}", name], r"(\S+)")


def machine_info():
    model, cores = None, 0
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name") and model is None:
                    model = line.split(":", 1)[1].strip()
                if line.startswith("processor"):
                    cores += 1
    except OSError:
        pass
    return f"{model or platform.processor() or '?'}, {cores or os.cpu_count()} cores"


def umbra_version(elf):
    """The version Umbra's build put in build/version.h next to it, else git describe."""
    vh = os.path.join(os.path.dirname(os.path.abspath(elf)), "version.h")
    try:
        with open(vh) as f:
            m = re.search(r'UMBRA_VERSION "([^"]*)"', f.read())
            if m:
                return m.group(1)
    except OSError:
        pass
    return version_of(["git", "-C", ROOT, "describe", "--always", "--dirty"], r"(\S+)") or "?"


def info(args):
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine_info(),
        "qemu": version_of(["qemu-system-x86_64", "--version"], r"version (\S+)"),
        "bochs": package_version("bochs"),
        "grub": version_of(["grub-mkrescue", "--version"], r"\(GRUB\) (\S+)"),
        "umbra": f"{umbra_version(args.umbra)} ({os.path.relpath(args.umbra, ROOT)})",
        "reps": f"{args.reps}" + (f" (Bochs Linux: {min(args.reps, args.bochs_linux_reps)})"
                                  if "bochs" in args.emulators and not args.quick else ""),
    }


def check(rows, wls, emulators, pngs):
    """--quick's check: every row has figures, the charts were written. Problems, as text."""
    problems = []
    for row in rows:
        name = f"{row['emulator']} {render.workload_label(row['workload'], row['size'])} " \
               f"{row['mode']} {row['phase']}"
        if row["failed"] == row["reps"]:
            problems.append(f"{name}: no successful run")
            continue
        if stats.med(row, "host_s") is None:
            problems.append(f"{name}: no host time")
        if row["mode"] != "native" and stats.med(row, "exits") is None:
            problems.append(f"{name}: no exit counts")
    names = {os.path.basename(p) for p in pngs}
    for e in emulators:
        for w in wls:
            if any(r["emulator"] == e and r["workload"] == w.name for r in rows) and \
                    f"time-{e}-{w.name}.png" not in names:
                problems.append(f"chart time-{e}-{w.name}.png missing")
    for w in wls:
        if not w.linux and any(r["workload"] == w.name for r in rows) and \
                f"exits-{w.name}.png" not in names:
            problems.append(f"chart exits-{w.name}.png missing")
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true",
                    help="one repetition, the small guests only at their smallest size, both "
                         "emulators; checks every row has figures and the charts exist")
    ap.add_argument("--reps", type=int, default=int(os.environ.get("REPS", "3")))
    ap.add_argument("--bochs-linux-reps", type=int, default=1,
                    help="repetitions of the Bochs Linux runs (5-15 minutes each)")
    ap.add_argument("--only", help='regex on "emulator/workload/mode"')
    ap.add_argument("--umbra", default=os.path.join(ROOT, "build", "umbra.elf"))
    ap.add_argument("--out", default=os.path.join(ROOT, "build", "bench"))
    ap.add_argument("--guests", default=os.path.join(ROOT, "build", "guests"))
    ap.add_argument("--linux", default=os.environ.get("UMBRA_LINUX_DIR",
                                                      os.path.join(ROOT, "build", "linux")))
    ap.add_argument("--sizes", default="", help="NAME=N,N;... sizes of the small guests")
    ap.add_argument("--emulators", default=",".join(EMULATORS))
    ap.add_argument("--timeout-scale", type=float, default=1.0)
    ap.add_argument("--qemu-icount", default=runner.QEMU_ICOUNT[1] if runner.QEMU_ICOUNT else "",
                    help="QEMU's -icount for every run, e.g. shift=auto,sleep=off ('': none)")
    ap.add_argument("--render", nargs="+", metavar="RESULTS_JSON",
                    help="run nothing: the tables and charts again from earlier results.json "
                         "files; a later file's runs replace an earlier one's of the same "
                         "emulator, workload, size and mode (a subset measured again)")
    args = ap.parse_args()
    args.emulators = [e for e in args.emulators.split(",") if e]
    if args.render:
        return render_again(args)
    if args.quick:
        args.reps = 1
    args.umbra = os.path.abspath(args.umbra)
    try:
        sizes = workloads.parse_sizes(args.sizes)
    except ValueError as e:
        ap.error(str(e))
    wls = workloads.all_workloads(args.linux, args.guests, sizes)
    if args.quick:
        wls = [w for w in wls if not w.linux]
    if not os.path.exists(args.umbra):
        sys.exit(f"bench: {args.umbra} is missing (make build/umbra.elf)")
    os.makedirs(args.out, exist_ok=True)

    icount = ["-icount", args.qemu_icount] if args.qemu_icount else []
    todo = plan(args, wls)
    media = runner.Media(args.out, args.umbra)
    records = []
    width = len(str(len(todo)))
    for i, (rep, emu, w, size, mode) in enumerate(todo, 1):
        label = w.name + (f" size={size}" if size is not None else "")
        print(f"[{i:{width}}/{len(todo)}] {emu} {label} {mode} rep {rep} ...", end="", flush=True)
        t0 = time.monotonic()
        timeout = TIMEOUTS[(emu, w.linux)] * args.timeout_scale
        rec = runner.run(emu, w, size, mode, rep, media, args.out, timeout, icount)
        records.append(rec)
        took = time.monotonic() - t0
        print(f" {took:.1f} s" + ("" if rec["ok"] else f"  FAIL: {rec['reason']}"), flush=True)

    return write_results(args, info(args), records, wls)


def merge_runs(results):
    """The runs of several results.json contents, later ones replacing earlier ones' groups
    (emulator, workload, size, mode), in first-seen order."""
    groups, order = {}, []
    for res in results:
        fresh = {}
        for run in res.get("runs", []):
            fresh.setdefault(stats.row_key(run), []).append(run)
        for key, runs in fresh.items():
            if key not in groups:
                order.append(key)
            groups[key] = runs
    return [run for key in order for run in groups[key]]


def render_again(args):
    results = [render.load_results(path, "runs", "bench") for path in args.render]
    records = merge_runs(results)
    head = dict(results[-1].get("info", {}))
    if len(results) > 1:
        head["date"] = " + ".join(r.get("info", {}).get("date", "?") for r in results)
        head["umbra"] = " + ".join(sorted({r.get("info", {}).get("umbra", "?")
                                           for r in results}))
    seen = {r["emulator"] for r in records}
    args.emulators = [e for e in args.emulators if e in seen]
    wls = workloads.all_workloads(args.linux, args.guests, workloads.parse_sizes(args.sizes))
    names = {r["workload"] for r in records}
    wls = [w for w in wls if w.name in names]
    os.makedirs(args.out, exist_ok=True)
    return write_results(args, head, records, wls,
                         [f"Rendered again from {', '.join(args.render)}."])


def write_results(args, head, records, wls, notes=None):
    """The tables, goals and charts of records: results.md (also printed), .csv, .json and
    plots/ in args.out; the exit status."""
    rows = stats.aggregate(records)
    comps = stats.comparisons(rows)
    goal_list = render.goals(comps, args.emulators)
    notes = list(notes or [])
    if "bochs" in args.emulators and not args.quick and args.bochs_linux_reps < args.reps:
        notes.append(f"Bochs Linux runs: {args.bochs_linux_reps} repetition(s) "
                     f"(--bochs-linux-reps), the others {args.reps}.")
    if getattr(runner.emulators, "native_qemu_command", None) is None:
        notes.append("native QEMU command: tools/bench/runner.py's own "
                     "(tests/emu/emulators.py has none yet).")
    notes.append(f"QEMU: -icount {args.qemu_icount or 'off: real-time clock'} (runner.py says "
                 "why not shift=0); Bochs: clock sync=none.")
    notes.append("Under Umbra QEMU and Bochs boot a GRUB ISO; natively QEMU boots the guest "
                 "with -kernel (no firmware menu or GRUB in the native boot), Bochs a GRUB ISO.")
    pngs, plot_problems = plots.draw(comps, args.out, args.emulators, wls)
    md = render.markdown(head, rows, comps, goal_list, notes)
    if pngs:
        md += "\n## Charts\n\n" + "\n".join(
            f"![{os.path.basename(p)}](plots/{os.path.basename(p)})" for p in pngs) + "\n"
    with open(os.path.join(args.out, "results.md"), "w") as f:
        f.write(md)
    with open(os.path.join(args.out, "results.csv"), "w") as f:
        f.write(render.csv_text(rows))
    with open(os.path.join(args.out, "results.json"), "w") as f:
        f.write(render.json_text(head, records, rows, comps, goal_list))
    print()
    print(md)
    for p in plot_problems:
        print(f"bench: {p}")
    failed = [r for r in records if not r["ok"]]
    status = 0
    if failed:
        print(f"bench: {len(failed)} of {len(records)} runs failed")
        status = 1
    if not records:
        print("bench: nothing to run (--only matched nothing?)")
        status = 1
    if args.quick:
        problems = check(rows, wls, args.emulators, pngs) + plot_problems
        for p in problems:
            print(f"bench: check: {p}")
        if problems:
            status = 1
    print(f"bench: results in {os.path.relpath(args.out, os.getcwd())}/results.md, "
          f"results.csv, results.json, plots/")
    return status


if __name__ == "__main__":
    sys.exit(main())
