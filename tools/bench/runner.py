"""One benchmark run: its boot medium, its emulator command, and the run itself with every
serial line timestamped on arrival.

The machines are those of tests/emu/emulators.py (qemu_command, bochs_config, run_process):
QEMU q35 with -cpu qemu64,+svm,+npt (QEMU_ICOUNT says why no -icount); Bochs corei7_skylake_x
(VMX + EPT) with clock sync=none. Under Umbra the emulator has 512 MiB and Umbra gives the
guest 256 MiB (guest_mem=256M); natively the emulator has 256 MiB.
"""
import os
import subprocess
import sys
import threading
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "emu"))
import emulators  # noqa: E402

import parse  # noqa: E402

QEMU_CPU = "qemu64,+svm,+npt"
# Deterministic time would be -icount shift=0,sleep=off (1 instruction = 1 ns), but QEMU 7.2
# with a fixed shift (0, 1 or 4 tried) never gets past GRUB's menu when it boots from a CD or
# disk (SeaBIOS in real mode, after GRUB cleared the screen; -kernel boots are fine), and
# shift=auto once left Linux under Umbra waiting minutes in its early boot on a loaded host
# (after "x87 FPU will use FXSAVE", where it waits 2 s of guest time). So QEMU keeps its real
# time clock, as the emulator tests run it: the counts stay exact, guest clocks follow the
# host. bench.py --qemu-icount sets one for every mode.
QEMU_ICOUNT = []
BOCHS_CPU = "corei7_skylake_x"
UMBRA_MEM_MB = 512
NATIVE_MEM_MB = 256
UMBRA_ARGS = "debug_exit=on guest_mem=256M"
# Bochs instructions per emulated second: Linux as tests_linux.py runs it (its 250 Hz tick
# through Umbra's exits leaves a 10-million CPU little else); the small guests as the other
# emulator tests (BIOS and GRUB wait in emulated time).
BOCHS_IPS_LINUX = 200000000
# With clock sync=none Bochs's TSC advances one per instruction, BOCHS_IPS_LINUX a second, but
# its CPU model's CPUID leaf 16h says 3500 MHz, which Linux believes natively: its clock then
# runs 17.5 times slow and its calibrated delays spin 17.5 times long (the native boot took
# 134 s against 60 s under Umbra). Under Umbra, Linux gets the rate Umbra measured
# (tsc_early_khz=, guest/loader/linux.h); the native Bochs run gets the true one the same way.
BOCHS_NATIVE_LINUX_TSC = f"tsc_early_khz={BOCHS_IPS_LINUX // 1000}"
BOCHS_IPS_SMALL = emulators.BOCHS_IPS
# How often the serial output is read: the resolution of the phases' host times.
POLL_S = 0.02


def drop_option(cmd, option):
    """cmd without any `option VALUE` pair."""
    out, i = [], 0
    while i < len(cmd):
        if cmd[i] == option:
            i += 2
            continue
        out.append(cmd[i])
        i += 1
    return out


def native_qemu_command(kernel, append, serial_path, cpu, mem_mb, initrd=None, extra=()):
    """QEMU booting kernel directly (-kernel: a bzImage, or a multiboot v1 ELF), on the same
    machine as qemu_command's. tests/emu/emulators.py's own is used where it has one."""
    own = getattr(emulators, "native_qemu_command", None)
    if own is not None:
        # Its -icount (if any) gives way to extra's: all three modes run with the same one.
        return drop_option(own(kernel, append, serial_path, cpu, mem_mb, initrd=initrd),
                           "-icount") + list(extra)
    cmd = ["qemu-system-x86_64", "-machine", "q35", "-cpu", cpu, "-m", f"{mem_mb}M",
           "-kernel", kernel, "-append", append]
    if initrd:
        cmd += ["-initrd", initrd]
    return cmd + ["-serial", f"file:{serial_path}", "-display", "none", "-monitor", "none",
                  "-no-reboot", "-nodefaults", "-vga", "std"] + emulators.QEMU_DEBUG_EXIT + \
        list(extra)


class Media:
    """Boot media built once per (Umbra, workload, size, mode) and kept under DIR/media."""

    def __init__(self, out_dir, umbra_elf):
        self.dir = os.path.join(out_dir, "media")
        self.umbra = umbra_elf
        self.lock = threading.Lock()
        self.made = {}

    def _build(self, name, cmd):
        path = os.path.join(self.dir, name)
        with self.lock:
            if path in self.made:
                return self.made[path]
            os.makedirs(self.dir, exist_ok=True)
            r = subprocess.run(cmd(path), capture_output=True, text=True, timeout=600)
            if r.returncode != 0:
                raise RuntimeError(f"building {name} failed: " +
                                   ((r.stderr or r.stdout).strip().splitlines() or ["?"])[-1])
            self.made[path] = path
            return path

    def umbra_iso(self, workload, size, mmu):
        tag = workload.name + (f"-{size}" if size is not None else "")
        mods = []
        for path, string in workload.umbra_modules(size):
            mods += [path, string]
        return self._build(f"umbra-{mmu}-{tag}.iso", lambda out: [
            os.path.join(ROOT, "tools", "mkiso.sh"), out, self.umbra,
            f"{UMBRA_ARGS} mmu={mmu}"] + mods)

    def native_iso(self, workload, size):
        tag = workload.name + (f"-{size}" if size is not None else "")
        kind, kernel, cmdline, initrd = workload.native_boot(size)
        if workload.linux:
            cmdline += f" {BOCHS_NATIVE_LINUX_TSC}"
        return self._build(f"native-{tag}.iso", lambda out: [
            os.path.join(ROOT, "tools", "bench", "mkiso_native.sh"), out, kind, kernel,
            cmdline] + ([initrd] if initrd else []))


class Tail:
    """Reads a file as it grows, in a thread, and timestamps each complete line on arrival
    (seconds since start, time.monotonic())."""

    def __init__(self, path, start):
        self.path, self.start = path, start
        self.lines = []         # [(seconds, line)]
        self.rest = ""
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _read(self, f):
        data = f.read()
        if data:
            now = time.monotonic() - self.start
            lines, self.rest = parse.split_lines(self.rest + data.decode(errors="replace"))
            self.lines += [(now, line) for line in lines]

    def _run(self):
        f = None
        while True:
            stopping = self.stop.is_set()
            if f is None:
                try:
                    f = open(self.path, "rb")
                except FileNotFoundError:
                    pass
            if f is not None:
                self._read(f)
            if stopping:
                break
            time.sleep(POLL_S)
        if f is not None:
            f.close()
        if self.rest:
            self.lines.append((time.monotonic() - self.start, self.rest))
            self.rest = ""

    def finish(self):
        self.stop.set()
        self.thread.join()
        return self.lines


def command(emulator, workload, size, mode, media, workdir, serial_path, icount=None):
    """The emulator command of one run and the regex that ends it (None: it ends by itself)."""
    umbra = mode.startswith("umbra-")
    mmu = mode[len("umbra-"):] if umbra else None
    icount = QEMU_ICOUNT if icount is None else icount
    if emulator == "qemu":
        if umbra:
            iso = media.umbra_iso(workload, size, mmu)
            return emulators.qemu_command(iso, serial_path, QEMU_CPU, "bios", UMBRA_MEM_MB,
                                          icount), None
        kind, kernel, cmdline, initrd = workload.native_boot(size)
        return native_qemu_command(kernel, cmdline, serial_path, QEMU_CPU, NATIVE_MEM_MB,
                                   initrd=initrd, extra=icount), workload.native_end
    iso = media.umbra_iso(workload, size, mmu) if umbra else media.native_iso(workload, size)
    rc_path = os.path.join(workdir, "bochsrc")
    ips = BOCHS_IPS_LINUX if workload.linux else BOCHS_IPS_SMALL
    with open(rc_path, "w") as f:
        f.write(emulators.bochs_config(os.path.abspath(iso), serial_path,
                                       os.path.join(workdir, "bochs.log"), BOCHS_CPU,
                                       UMBRA_MEM_MB if umbra else NATIVE_MEM_MB, ips))
    cmds = os.path.join(workdir, "bochs.cmds")
    with open(cmds, "w") as f:
        f.write("c\nq\n")
    # Natively nothing ends Bochs (no debug-exit port): the run ends on the last line.
    return ["bochs", "-q", "-f", rc_path, "-rc", cmds], None if umbra else workload.native_end


def run(emulator, workload, size, mode, rep, media, out_dir, timeout, icount=None):
    """One run: returns its record (a dict, JSON-ready) with ok, reason, the phases and the
    figures per phase."""
    tag = workload.name + (f"-{size}" if size is not None else "")
    workdir = os.path.join(out_dir, "runs", f"{emulator}-{tag}-{mode}-rep{rep}")
    os.makedirs(workdir, exist_ok=True)
    serial_path = os.path.join(workdir, "serial.out")
    if os.path.exists(serial_path):
        os.unlink(serial_path)
    record = {"emulator": emulator, "workload": workload.name, "size": size, "mode": mode,
              "rep": rep, "ok": False, "reason": None, "wall_s": None, "exit_code": None,
              "phases": [], "figures": {}, "workdir": os.path.relpath(workdir, out_dir)}
    umbra = mode.startswith("umbra-")
    try:
        for path in workload.inputs(size):
            if not os.path.exists(path):
                raise RuntimeError(f"{path} is missing")
        cmd, until = command(emulator, workload, size, mode, media, workdir, serial_path,
                             icount)
    except (RuntimeError, OSError, subprocess.TimeoutExpired) as e:
        record["reason"] = str(e)
        return record
    record["command"] = cmd
    start = time.monotonic()
    tail = Tail(serial_path, start)
    rc, timed_out, emu_out, secs = emulators.run_process(
        cmd, timeout, until=(serial_path, until) if until else None)
    timed = tail.finish()
    with open(os.path.join(workdir, "emulator.out"), "w") as f:
        f.write(emu_out)
    lines = [line for _, line in timed]
    phases = parse.parse_phases(timed, workload.prefix)
    halted = False
    if workload.linux and not umbra:
        phases, halted = parse.end_from_halt(timed, phases)
        if halted:
            record["note"] = "end taken from the kernel's halt line (the tty's tail was lost)"
            lines = lines + [f"{workload.prefix}: phase {phases[-1]['k']} end at "
                             f"{phases[-1]['clock']}"]
    marks = parse.parse_marks(lines) if umbra else {}
    record.update(wall_s=secs, exit_code=rc, phases=phases)
    record["figures"] = parse.phase_figures(0.0, phases, marks, boot=workload.linux,
                                            total=workload.linux,
                                            demand_faults=workload.demand_faults(size),
                                            total_start_s=parse.kernel_start(timed))
    record["reason"] = parse.failure(lines, workload.phases, umbra,
                                     linux_summary=workload.linux and not halted,
                                     timed_out=timed_out, timeout=timeout)
    if record["reason"] is None and not lines:
        record["reason"] = "no serial output" + (f": {emu_out.strip()[-120:]}" if emu_out else "")
    record["ok"] = record["reason"] is None
    if not record["ok"]:
        record["figures"] = {}
    return record
