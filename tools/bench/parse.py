"""Parsing of a benchmark run's serial output: phase lines, Umbra's mark lines, failures.

Pure functions over text (tests/bench/test_parse.py). The protocol is the one of
/work/notes/bench-contract.md, restated here so this file stands alone:

- At the start of phase K the guest prints `PREFIX: phase K NAME at T`, PREFIX `linux-init`
  (Linux's /init) or `bench` (the small guests), T the guest's own clock: seconds of
  /proc/uptime ("12.34") or `tsc=N` (RDTSC). The last phase is named `end`.
- Under Umbra the stop report has, per mark K (the byte the guest wrote to port 0x5fc at the
  start of phase K), two lines of key=value words, cumulative since the guest started:
    umbra: mark K: exits time_ns=N total=N KIND=N ...   (only the kinds that occurred)
    umbra: mark K: mmu faults=N fills=N reflected=N ...
  Any key may be missing (older builds, kinds that never occurred): it counts as 0, and new
  keys may appear.
"""
import re

# The guest's own page-fault count (faults=N, Linux's /proc/vmstat pgfault) is optional.
PHASE_RE = re.compile(r"^(linux-init|bench): phase (\d+) ([a-z0-9-]+) at (\S+)"
                      r"(?: faults=(\d+))?\s*$")
MARK_RE = re.compile(r"^umbra: mark (\d+): (exits|mmu) (.*?)\s*$")

# Lines that make a run a failure, with the reason they give.
FAIL_PATTERNS = [
    re.compile(r"^(?:linux-init|bench): FAIL\b.*"),
    re.compile(r"^umbra: .*\brefused: .*"),             # e.g. mmu=tdp without EPT/NPT
    re.compile(r"^umbra: cannot load the guest.*"),
    re.compile(r"^umbra: guest stopped: (?:triple fault|fatal).*"),
    re.compile(r".*\bKernel panic\b.*"),
    re.compile(r".*\bHOST EXCEPTION\b.*"),
    re.compile(r".*\bPANIC\b.*"),
]
LINUX_SUMMARY_RE = re.compile(r"^linux-init: (\d+) passed, (\d+) failed$")
HALT_RE = re.compile(r"\[\s*(\d+\.\d+)\] reboot: (?:System halted|Power down)")


def end_from_halt(timed_lines, phases):
    """Natively on Bochs, `poweroff -f` halts the machine before its UART has sent the tty's
    last lines (Bochs paces the UART at its baud rate in emulated time): /init's `end` line
    and summary are lost, the kernel's own "reboot: System halted" line is not. Where the
    `end` phase is missing, returns the phases with one made from that line (its arrival, its
    printk time as the guest clock) and True; else the phases unchanged and False."""
    if not phases or any(p["name"] == "end" for p in phases):
        return phases, False
    for t, line in timed_lines:
        m = HALT_RE.search(line)
        if m and t >= phases[-1]["host_s"]:
            end = {"k": phases[-1]["k"] + 1, "name": "end", "host_s": t, "unit": "s",
                   "clock": float(m.group(1)), "faults": None}
            return phases + [end], True
    return phases, False


def clock_value(text):
    """The guest clock of a phase line: ('s', float seconds) or ('tsc', int ticks); None if
    the text is neither."""
    if text.startswith("tsc="):
        try:
            return "tsc", int(text[4:])
        except ValueError:
            return None
    try:
        return "s", float(text)
    except ValueError:
        return None


def split_lines(buffer):
    """Complete lines of buffer (str) and the incomplete rest; \\r removed."""
    parts = buffer.replace("\r", "").split("\n")
    return parts[:-1], parts[-1]


def parse_phases(timed_lines, prefix=None):
    """Phase lines of [(host_seconds, line)], in order of K: a list of dicts
    {k, name, host_s, unit, clock}. A repeated K keeps its first line (a guest that restarted
    would print it again; the run is then flagged by missing or extra phases elsewhere)."""
    seen = {}
    for t, line in timed_lines:
        m = PHASE_RE.match(line)
        if not m or (prefix and m.group(1) != prefix):
            continue
        k = int(m.group(2))
        if k in seen:
            continue
        clock = clock_value(m.group(4))
        seen[k] = {"k": k, "name": m.group(3), "host_s": t,
                   "unit": clock[0] if clock else None, "clock": clock[1] if clock else None,
                   "faults": int(m.group(5)) if m.group(5) else None}
    return [seen[k] for k in sorted(seen)]


def parse_kv(text):
    """'a=1 b=2 c' -> {'a': 1, 'b': 2}: integer values only, other words ignored."""
    out = {}
    for word in text.split():
        key, sep, value = word.partition("=")
        if not sep:
            continue
        try:
            out[key] = int(value)
        except ValueError:
            continue
    return out


def parse_marks(lines):
    """Umbra's mark lines: {K: {counter: value}}. The exits line gives `time_ns`, `exits` (its
    total=) and `exit.KIND` per kind; the mmu line its keys unchanged."""
    marks = {}
    for line in lines:
        m = MARK_RE.match(line)
        if not m:
            continue
        k = int(m.group(1))
        kv = parse_kv(m.group(3))
        dest = marks.setdefault(k, {})
        if m.group(2) == "exits":
            for key, value in kv.items():
                if key == "time_ns":
                    dest["time_ns"] = value
                elif key == "total":
                    dest["exits"] = value
                else:
                    dest["exit." + key] = value
        else:
            dest.update(kv)
    return marks


def counter_delta(later, earlier):
    """later - earlier over the union of their keys, a missing key being 0."""
    earlier = earlier or {}
    return {key: later.get(key, 0) - earlier.get(key, 0)
            for key in sorted(set(later) | set(earlier))}


def exits_per_fault(counters, demand_faults=None):
    """Exits per demand fault of a phase's counter deltas, or None where it means nothing.

    exits per demand fault = page-fault exits / demand faults. The page-fault exits are the
    shadow MMU's whole cost: the #PF exits themselves (reflected to the guest or filled) and
    the guest's page-table stores (write-protected, so each is a #PF exit, emulated).
    demand_faults: the guest's own count where the workload knows it (bench_demand's work
    phase: size=N fresh pages, each faulted once; Linux's pgfault between two phase lines:
    every page fault the kernel handled, demand and copy-on-write); otherwise the faults
    Umbra reflected to the guest, which are the guest's demand faults only where every guest
    fault exits (SVM; on VMX the not-present ones reach the guest without an exit).
    On SVM a demand fault costs 2 (the reflected #PF, the PTE store), on VMX 1 (the store).
    Under TDP there are no page-fault exits: None."""
    pf = counters.get("exit.page-fault", counters.get("faults", 0))
    faults = demand_faults if demand_faults else counters.get("reflected", 0)
    if pf == 0 or not faults or faults <= 0:
        return None
    return pf / faults


# A line of the Linux kernel's log on its console: "[    0.000000] ...".
KERNEL_LINE_RE = re.compile(r"^\[\s*\d+\.\d+\] ")


def kernel_start(timed_lines):
    """The arrival time of the kernel's first console line, or None. Linux prints its log
    from the start when the serial console registers, the same point of its boot under Umbra
    and natively: a start that leaves out the firmware, GRUB and Umbra's own start, which a
    native QEMU run (-kernel) skips."""
    for t, line in timed_lines:
        if KERNEL_LINE_RE.match(line):
            return t
    return None


def phase_figures(start_s, phases, marks, boot=False, total=False, demand_faults=None,
                  total_start_s=None):
    """The figures of each phase: {name: {host_s, guest, unit, counters...}} in phase order.

    Phase K runs from its line to the next phase's line (host time: the lines' arrival
    times; guest clock: their T; counters: mark K+1 minus mark K). The last phase (`end`) has
    no figures. boot: a `boot` phase first, from the emulator's start (start_s) to phase 1's
    line, its guest clock phase 1's T (Linux's uptime counts from the kernel's start) and its
    counters mark 1's (counted from zero). total: a `total` phase from total_start_s (the
    kernel's first console line; start_s without one) to the last line, the whole workload
    (its counters and guest clock from zero). demand_faults: {phase name: the guest's own count of demand
    faults} where the workload knows it (exits_per_fault); otherwise the difference of the
    phase lines' faults=N where both have one (Linux's pgfault: boot and total count from 0)."""
    out = {}
    demand_faults = dict(demand_faults or {})

    def faults_between(b, a):
        fb, fa = b.get("faults"), a.get("faults", 0) if a else 0
        return fb - fa if fb is not None and fa is not None else None

    if phases:
        counted = {"boot": faults_between(phases[0], None),
                   "total": faults_between(phases[-1], None)}
        for a, b in zip(phases, phases[1:]):
            counted[a["name"]] = faults_between(b, a)
        for name, n in counted.items():
            if n is not None and name not in demand_faults:
                demand_faults[name] = n

    def figures(host, unit, guest, later, earlier, name):
        f = {"host_s": host, "unit": unit, "guest": guest}
        if later is not None:
            c = counter_delta(later, earlier)
            f["umbra_s"] = c.pop("time_ns", 0) / 1e9
            f.update(c)
            f["exits_per_fault"] = exits_per_fault(c, demand_faults.get(name))
        return f

    def clock_diff(a, b):
        if a["clock"] is None or b["clock"] is None or a["unit"] != b["unit"]:
            return None
        return a["clock"] - b["clock"]

    if not phases:
        return out
    have_marks = bool(marks)
    first, last = phases[0], phases[-1]
    if boot:
        out["boot"] = figures(first["host_s"] - start_s, first["unit"], first["clock"],
                              marks.get(first["k"], {}) if have_marks else None, None, "boot")
    for a, b in zip(phases, phases[1:]):
        out[a["name"]] = figures(b["host_s"] - a["host_s"], a["unit"], clock_diff(b, a),
                                 marks.get(b["k"], {}) if have_marks else None,
                                 marks.get(a["k"], {}) if have_marks else None, a["name"])
    if total:
        begin = start_s if total_start_s is None else total_start_s
        out["total"] = figures(last["host_s"] - begin, last["unit"], last["clock"],
                               marks.get(last["k"], {}) if have_marks else None, None,
                               "total")
    return out


def failure(lines, workload_phases, umbra, linux_summary=False, timed_out=False, timeout=None):
    """Why a run failed, or None. workload_phases: the phase names expected, in order.
    umbra: the run is under Umbra, whose stop report must have the marks of those phases."""
    for line in lines:
        for rx in FAIL_PATTERNS:
            if rx.match(line):
                return line.strip()[:160]
    if timed_out:
        return f"timeout after {timeout:.0f} s" if timeout else "timeout"
    names = [m.group(3) for m in (PHASE_RE.match(l) for l in lines) if m]
    missing = [n for n in workload_phases if n not in names]
    if missing:
        return "missing phases: " + " ".join(missing) + (
            f" (last line: {lines[-1].strip()[:80]!r})" if lines else " (no output)")
    if names[:len(workload_phases)] != list(workload_phases):
        return "phases out of order: " + " ".join(names)
    if linux_summary:
        summary = [LINUX_SUMMARY_RE.match(l) for l in lines]
        summary = [m for m in summary if m]
        if not summary:
            return "no 'linux-init: N passed, N failed' line"
        if int(summary[-1].group(2)):
            return summary[-1].group(0)
    if umbra:
        marks = parse_marks(lines)
        want = set(range(1, len(workload_phases) + 1))
        if not want <= set(marks):
            return "Umbra's stop report lacks marks " + " ".join(
                str(k) for k in sorted(want - set(marks)))
    return None
