#!/usr/bin/env python3
"""Umbra's emulator test harness.

Boots Umbra under QEMU and Bochs with the command lines and modules each test asks for, and checks
the serial output line by line: every `expect` pattern must match a line, in order; no `forbid`
pattern may match any line; Umbra's final status must be the expected one (QEMU's exit status
through isa-debug-exit, and the "umbra: exit status" line on every emulator, since Bochs's own
exit status says nothing). Prints one line per run and ends with "N passed, N failed".

Tests live in tests/emu/tests_*.py, each defining TESTS, a list of Test.
"""
import argparse
import concurrent.futures
import fnmatch
import glob
import hashlib
import importlib.util
import os
import re
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import emulators  # noqa: E402
from testlib import Test  # noqa: E402,F401

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def load_tests():
    tests = []
    for path in sorted(glob.glob(os.path.join(os.path.dirname(__file__), "tests_*.py"))):
        name = os.path.splitext(os.path.basename(path))[0]
        spec = importlib.util.spec_from_file_location(name, path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        tests.extend(mod.TESTS)
    return tests


_iso_locks = {}
_iso_locks_guard = threading.Lock()


# Shadow paging audits shadow entries, mmu=tdp the TDP tables (guest/report.c).
AUDIT_LINE = (r"^umbra: audit: \d+ (shadow entries and \d+ shadow pages|tdp entries and \d+ tdp "
              r"pages) checked, 0 violations$")


def runs_guest(test, ctx):
    """True when the test boots a guest that runs to its end (so Umbra can audit its MMU)."""
    return test.audit and any(s.split()[:1] == ["guest"] for _, s in test.module_files(ctx))


def umbra_args(test, ctx):
    """Umbra's command line: every guest run ends with a shadow-MMU audit (audit=exit)."""
    return test.args + (" audit=exit" if runs_guest(test, ctx) else "")


def build_iso(build, elf, test, ctx, config):
    """Builds (or reuses) the boot medium for a test: a GRUB ISO, or for a *-usb config a USB
    disk image with umbra.efi and GRUB for BIOS (tools/mkusb.sh). Cached by the content of everything that
    goes in."""
    modules = test.module_files(ctx)
    args = umbra_args(test, ctx)
    usb = emulators.CONFIGS[config][2].endswith("-usb")
    tool = os.path.join(ROOT, "tools", "mkusb.sh" if usb else "mkiso.sh")
    loader = os.path.join(build, "umbra.efi")
    h = hashlib.sha256()
    for part in [open(elf, "rb").read(), args.encode(), open(tool, "rb").read()]:
        h.update(part)
    if usb:
        h.update(open(loader, "rb").read())
        h.update(repr(test.usb_cfg).encode())
    for path, string in modules:
        h.update(open(path, "rb").read())
        h.update(string.encode())
    iso = os.path.join(build, "tests", "iso", h.hexdigest()[:16] + (".img" if usb else ".iso"))
    with _iso_locks_guard:
        lock = _iso_locks.setdefault(iso, threading.Lock())
    with lock:
        if os.path.exists(iso):
            return iso
        if usb:
            cmd = [tool]
            if test.usb_cfg is not None:
                cfg = os.path.join(build, "tests", "usb", f"{test.name}.cfg")
                os.makedirs(os.path.dirname(cfg), exist_ok=True)
                with open(cfg, "w") as f:
                    f.write(test.usb_cfg)
                cmd += ["--cfg", cfg]
            cmd += [iso, loader, elf, args]
        else:
            cmd = [tool, iso, elf, args]
        for path, string in modules:
            cmd += [path, string]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        return iso


def check(test, config, result, ctx):
    """Returns a list of failure reasons (empty when the run passed)."""
    problems = []
    lines = result.output.split("\n")
    if result.timed_out:
        problems.append(f"timed out after {test.timeout}s")
    pos = 0
    expected = test.expected(config, ctx)
    if runs_guest(test, ctx):
        expected.append(AUDIT_LINE)
    for pattern in expected:
        rx = re.compile(pattern)
        while pos < len(lines) and not rx.search(lines[pos]):
            pos += 1
        if pos == len(lines):
            problems.append(f"missing (in order): {pattern}")
            break
        pos += 1
    for pattern in test.forbid:
        rx = re.compile(pattern)
        for line in lines:
            if rx.search(line):
                problems.append(f"forbidden line: {line.strip()}")
                break
    if test.post is not None and not problems:
        problems += test.post(config, result.output, ctx)
    if test.native is not None:     # no Umbra: the kernel's own debug-exit value
        if not result.timed_out and result.exit_code != (test.status << 1) | 1:
            problems.append(f"QEMU exit status {result.exit_code}, expected "
                            f"{(test.status << 1) | 1}")
        return problems
    if test.status is None:     # Umbra must not run at all: no exit status to check
        return problems
    status_line = f"umbra: exit status 0x{test.status:x}"
    if not any(line.strip() == status_line for line in lines):
        problems.append(f"no '{status_line}' line")
    if emulators.CONFIGS[config][0] == "qemu" and not result.timed_out:
        want = (test.status << 1) | 1
        if result.exit_code != want:
            problems.append(f"QEMU exit status {result.exit_code}, expected {want}")
    return problems


# Bochs's only headless display library here (rfb) listens on a TCP port in 5900-5949, and
# panics at its first instruction when none is free (seen once with several Bochs runs ending and
# starting at once). That says nothing about Umbra: such a run is made again, at most twice.
BOCHS_NO_PORT = "RFB could not bind any port"


def bochs_had_no_port(config, workdir):
    if emulators.CONFIGS[config][0] != "bochs":
        return False
    try:
        with open(os.path.join(workdir, "bochs.log"), errors="replace") as f:
            return BOCHS_NO_PORT in f.read()
    except FileNotFoundError:
        return False


def run_one(build, elf, test, config, ctx):
    for attempt in range(3):
        result, problems, workdir = run_once(build, elf, test, config, ctx)
        if not problems or not bochs_had_no_port(config, workdir):
            break
        time.sleep(1 + attempt)
    return result, problems, workdir


def run_once(build, elf, test, config, ctx):
    workdir = os.path.join(build, "tests", "runs", f"{test.name}.{config}")
    if test.native is not None:
        kernel, append = test.native(ctx)
        result = emulators.boot_native(config, kernel, append, workdir, test.timeout,
                                       mem_mb=test.mem_mb)
        return result, check(test, config, result, ctx), workdir
    iso = build_iso(build, elf, test, ctx, config)
    if test.script:
        result = emulators.boot_interactive(config, iso, workdir, test.timeout, test.script,
                                            mem_mb=test.mem_mb, bochs_ips=test.bochs_ips)
        problems = check(test, config, result, ctx)
        if result.failed_step:
            problems.insert(0, f"console step never answered: {result.failed_step}")
        return result, problems, workdir
    extra = test.qemu_extra(ctx) if callable(test.qemu_extra) else test.qemu_extra
    result = emulators.boot(config, iso, workdir, test.timeout, mem_mb=test.mem_mb,
                            qemu_extra=extra, bochs_ips=test.bochs_ips,
                            until=test.until, screendump=test.screen is not None,
                            uart_iobase=test.uart_iobase, keys=test.keys,
                            keys_until=test.keys_until)
    problems = check(test, config, result, ctx)
    if test.screen is not None:
        problems += test.screen(workdir, result.output, ctx)
    return result, problems, workdir


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default="build")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--only", help="glob over 'test.config' names")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--long", action="store_true",
                    help="also the long variants (make test-long); --only selects among all")
    args = ap.parse_args()

    build = os.path.abspath(args.build)
    elf = os.path.join(build, "umbra.elf")
    ctx = {"build": build, "root": ROOT}
    # The long variants run with --long (make test-long), or when --only names them.
    runs = [(t, c) for t in load_tests() for c in t.configs
            if (fnmatch.fnmatch(f"{t.name}.{c}", args.only) if args.only
                else args.long or not t.long)]
    if args.list:
        for t, c in runs:
            print(f"{t.name}.{c}")
        return 0

    passed = failed = 0
    # The longest runs start first (their timeout says how long they can take: the Bochs Linux
    # boots), so the short ones fill the other jobs around them instead of one long run
    # starting last and holding the whole suite.
    started = sorted(runs, key=lambda run: -run[0].timeout)
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = {}
        for t, c in started:
            why_not = emulators.available(c)
            if why_not:
                print(f"FAIL  {t.name:28} {c:15}   -   cannot run: {why_not}", flush=True)
                failed += 1
                continue
            futures[pool.submit(run_one, build, elf, t, c, ctx)] = (t, c)
        for fut in concurrent.futures.as_completed(futures):
            t, c = futures[fut]
            try:
                result, problems, workdir = fut.result()
            except Exception as e:  # a broken harness step is a failed test, not a crash
                print(f"FAIL  {t.name:28} {c:15}   -   harness error: {e}", flush=True)
                failed += 1
                continue
            verdict = "PASS" if not problems else "FAIL"
            print(f"{verdict}  {t.name:28} {c:15} {result.seconds:5.1f}s", flush=True)
            if problems:
                failed += 1
                for p in problems:
                    print(f"      {p}")
                print(f"      serial output and logs: {workdir}")
                for line in result.output.rstrip("\n").split("\n")[-12:]:
                    print(f"      | {line}")
            else:
                passed += 1
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
