"""Charts drawn with gnuplot (Debian's gnuplot-nox, installed by tools/setup.sh) as PNG.

- time-EMULATOR-WORKLOAD.png: per workload, bars for native, TDP and shadow: Linux's host
  time, one cluster per phase; the small guests' guest clock (TSC) of the work phase, one
  cluster per size.
- exits-WORKLOAD.png: per small guest, the work phase's exits against its size, a line per
  emulator and Umbra mode.
"""
import math
import os
import shutil
import subprocess

from stats import med

BAR_MODES = (("native", "native"), ("umbra-tdp", "tdp"), ("umbra-shadow", "shadow"))
LINE_MODES = (("umbra-shadow", "shadow"), ("umbra-tdp", "tdp"))


def value(x):
    return "NaN" if x is None or (isinstance(x, float) and math.isnan(x)) else repr(float(x))


def bar_data(comps, emulator, workload, metric="host_s", scale=1.0):
    """Lines 'LABEL native tdp shadow' of the time chart, or [] if nothing was measured."""
    out = []
    for c in comps:
        if (c["emulator"], c["workload"]) != (emulator, workload) or c["phase"] is None:
            continue
        if c["size"] is not None:
            if c["phase"] != "work":
                continue
            label = f"size={c['size']}"
        else:
            label = c["phase"]
        vals = [med(c["modes"].get(m), metric) for m, _ in BAR_MODES]
        vals = [None if v is None else v * scale for v in vals]
        if any(v is not None for v in vals):
            # A missing bar is 0: gnuplot's histograms refuse a column without a valid point.
            out.append(f'"{label}" ' + " ".join(value(v if v is not None else 0) for v in vals))
    return out


def line_data(comps, workload, emulators):
    """Lines 'SIZE v1 v2 ...' (columns: per emulator, shadow then tdp) of the exits chart,
    sorted by size, or [] if nothing was measured."""
    by_size = {}
    for c in comps:
        if c["workload"] != workload or c["phase"] != "work" or c["size"] is None:
            continue
        row = by_size.setdefault(c["size"], {})
        for m, _ in LINE_MODES:
            row[(c["emulator"], m)] = med(c["modes"].get(m), "exits")
    out = []
    for size in sorted(by_size):
        vals = [by_size[size].get((e, m)) for e in emulators for m, _ in LINE_MODES]
        if any(v is not None for v in vals):
            out.append(f"{size} " + " ".join(value(v) for v in vals))
    return out


def bar_script(data_path, png_path, title, terminal, ylabel="host seconds (median)"):
    cols = ", ".join(f"'{data_path}' using {i + 2}:xtic(1) title '{t}'"
                     if i == 0 else f"'' using {i + 2} title '{t}'"
                     for i, (_, t) in enumerate(BAR_MODES))
    return (f"set terminal {terminal} noenhanced size 900,500; set output '{png_path}'; "
            f"set title '{title}'; set ylabel '{ylabel}'; "
            "set style data histogram; set style histogram clustered gap 1; "
            "set style fill solid 0.8 border -1; set boxwidth 0.9; set yrange [0:*]; "
            "set grid ytics; set key top left; "
            f"plot {cols}")


def line_script(data_path, png_path, title, emulators, terminal):
    series = []
    col = 2
    for e in emulators:
        for _, t in LINE_MODES:
            series.append(f"'{data_path}' using 1:{col} with linespoints title '{e} {t}'")
            col += 1
    return (f"set terminal {terminal} noenhanced size 900,500; set output '{png_path}'; "
            f"set title '{title}'; set xlabel 'size (size=N)'; set ylabel 'exits (median)'; "
            "set logscale x 2; set grid; set key top left; set datafile missing 'NaN'; "
            f"plot {', '.join(series)}")


def terminal():
    """pngcairo where this gnuplot has it, else the libgd png terminal."""
    r = subprocess.run(["gnuplot", "-e", "set terminal pngcairo"], capture_output=True,
                       text=True, timeout=60)
    return "pngcairo" if r.returncode == 0 and not r.stderr.strip() else "png"


def draw(comps, out_dir, emulators, workloads):
    """Writes the charts; returns (paths written, problems)."""
    if shutil.which("gnuplot") is None:
        return [], ["gnuplot is not installed (tools/setup.sh installs gnuplot-nox)"]
    os.makedirs(os.path.join(out_dir, "plots"), exist_ok=True)
    term = terminal()
    jobs = []
    for e in emulators:
        for w in workloads:
            # The small guests' phases last milliseconds, below the host time's resolution
            # (the serial output is read every 20 ms): their bars are the guest's TSC.
            if w.linux:
                data = bar_data(comps, e, w.name)
                what, ylabel = "host time", "host seconds (median)"
            else:
                data = bar_data(comps, e, w.name, "guest", 1e-6)
                what, ylabel = "guest TSC in the work phase", "million TSC ticks (median)"
            if data:
                base = os.path.join(out_dir, "plots", f"time-{e}-{w.name}")
                jobs.append((base, data, bar_script(base + ".dat", base + ".png",
                                                    f"{w.name} on {e}: {what}", term,
                                                    ylabel)))
    for w in workloads:
        if w.linux:
            continue
        data = line_data(comps, w.name, emulators)
        if data:
            base = os.path.join(out_dir, "plots", f"exits-{w.name}")
            jobs.append((base, data, line_script(base + ".dat", base + ".png",
                                                 f"{w.name}: work-phase exits against size",
                                                 emulators, term)))
    written, problems = [], []
    for base, data, script in jobs:
        with open(base + ".dat", "w") as f:
            f.write("\n".join(data) + "\n")
        if os.path.exists(base + ".png"):
            os.unlink(base + ".png")
        r = subprocess.run(["gnuplot", "-e", script], capture_output=True, text=True,
                           timeout=120)
        if r.returncode != 0 or not os.path.exists(base + ".png") or \
                os.path.getsize(base + ".png") == 0:
            problems.append(f"gnuplot failed for {base}.png: {r.stderr.strip()[-200:]}")
        else:
            written.append(base + ".png")
    return written, problems
