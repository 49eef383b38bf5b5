"""Linux tests: Debian's own kernels boot under Umbra through the Linux boot protocol.

The kernels and busybox come from Debian with `apt-get download` (tools/fetch-linux.sh, the same
as `make linux`); the initramfs runs the project's /init workload (tests/linux/init). A fetch
that fails makes every test here fail: nothing is skipped.

Each run checks the loader's line, then the kernel's early boot: "Linux version" (the
decompressor ran and jumped to the kernel it unpacked), the command line as Umbra passed it,
the e820 map Umbra built, the initramfs where Umbra put it, and the serial console. When /init
starts, the harness opens Umbra's monitor and checks the paging mode the kernel runs in
(4-level, PAE or 32-bit), then returns to the guest console. /init's 8 checks must pass, the
kernel must halt after `poweroff -f` (no ACPI: HLT with interrupts off, Umbra status 0x7a), and
the shadow-MMU audit at the stop must find nothing. The 686-pae run first resets Linux from the
monitor in the middle of its boot, and its second boot must do all of this.
"""
import os
import re
import subprocess
import threading

from testlib import Test, write_file

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))

CTRL_A = "\x01"
UMBRA_GUEST_HALTED = 0x7a    # HLT with interrupts disabled: how `poweroff -f` ends without ACPI
UMBRA_LOAD_FAILED = 0x78     # the guest could not be loaded

# Umbra's options: the cloud kernel needs RAM up to pref_address (16 MiB) + init_size (52 MiB)
# before its initramfs; 256 MiB leaves room for the workload (32 MiB of anonymous memory, a
# 16 MiB tmpfs).
ARGS = "debug_exit=on guest_mem=256M"
GUEST_MEM = 256 << 20

# The kernel command line: tests/linux/cmdline (shared with `make run GUEST=linux`; README.md
# "Linux guests" says why each word is there), plus, for these runs only:
#   earlyprintk=serial,ttyS0,115200  the kernel's messages reach COM1 as they are printed, before
#                                    its serial driver starts, so a kernel that dies early still
#                                    says where (Debian's decompressor itself prints nothing:
#                                    CONFIG_X86_VERBOSE_BOOTUP is off).
with open(os.path.join(ROOT, "tests", "linux", "cmdline")) as f:
    BASE_CMDLINE = f.read().strip()
CMDLINE = BASE_CMDLINE + " earlyprintk=serial,ttyS0,115200"
# The ACPI run: the same without `acpi=off`, so the kernel reads Umbra's ACPI tables (RSDP, XSDT,
# FADT, FACS, MADT, DSDT) and uses the PM timer and PM1a blocks; `noapic nolapic` stay, because
# Umbra has no APIC yet (with them Linux still parses the tables and the FADT). `poweroff -f`
# then writes \_S5's sleep type to PM1a_CNT, and Umbra stops with "power off".
ACPI_CMDLINE = CMDLINE.replace(" acpi=off", "")

_fetch_lock = threading.Lock()
_fetched = {}


def fetch(ctx):
    """Runs tools/fetch-linux.sh once per harness run; raises (the test fails) if it cannot."""
    out = os.path.join(ctx["build"], "linux")
    with _fetch_lock:
        if out not in _fetched:
            r = subprocess.run([os.path.join(ROOT, "tools", "fetch-linux.sh"), out],
                               capture_output=True, text=True, timeout=1800)
            if r.returncode != 0:
                raise RuntimeError("tools/fetch-linux.sh failed: " +
                                   (r.stderr.strip().splitlines() or ["?"])[-1])
            _fetched[out] = True
    return out


def linux_modules(flavour, arch, cmdline=CMDLINE):
    def modules(ctx):
        d = fetch(ctx)
        return [(os.path.join(d, f"vmlinuz-{flavour}"), f"guest {cmdline}"),
                (os.path.join(d, f"initramfs-{arch}.cpio.gz"), "initrd")]
    return modules


def esc(text):
    return re.escape(text)


# What Umbra adds to the command line (guest/loader/linux.h, linux_cmdline_compose).
TSC_WORD = r" tsc_early_khz=\d+"


def early_boot(flavour, bits, compression, cmdline=CMDLINE):
    """The loader's line and the kernel's early messages, in order."""
    top = GUEST_MEM - 1
    return [
        rf"^umbra: guest: Linux bzImage, boot protocol 2\.\d+, {bits}-bit kernel \({compression}\), "
        r"at 1000000-[0-9a-f]+, initramfs \d+ bytes at [0-9a-f]+, 256 MiB RAM",
        r"^umbra: guest: Linux command line \+ tsc_early_khz=\d+ ",
        rf"Linux version \d+\.\d+\.\d+-\d+-{esc(flavour)} ",
    ] + ([rf"\] Command line: {esc(cmdline)}{TSC_WORD}$"] if bits == 64 else []) + [  # x86-64 only
        r"\] BIOS-e820: \[mem 0x0000000000000000-0x000000000009ffff\] usable$",
        r"\] BIOS-e820: \[mem 0x00000000000a0000-0x00000000000fffff\] reserved$",
        rf"\] BIOS-e820: \[mem 0x0000000000100000-0x{top:016x}\] usable$",
        rf"\] RAMDISK: \[mem 0x[0-9a-f]+-0x{top:08x}\]$",
        rf"\] Kernel command line: {esc(cmdline)}{TSC_WORD}$",
        r"\] printk: console \[ttyS0\] enabled$",
    ]


# Umbra's TSC rate (guest/loader/linux.h) spares Linux its PIT calibration, which fails when
# every poll of port 0x61 is an exit: Linux keeps time with the TSC, not by counting ticks.
# Where the line falls among the others depends on the platform: checked on its own.
CLOCK_TSC = re.compile(r"\] clocksource: Switched to clocksource tsc(-early)?$", re.M)


def clock_is_tsc(config, output, ctx):
    if CLOCK_TSC.search(output):
        return []
    return ["Linux did not switch to the TSC clocksource (Umbra's tsc_early_khz= ignored?)"]


# The kernel's last message before it starts /init.
INIT_STARTS = r"Run /init as init process"


# What `info mmu` says of the MMU that runs Linux (guest/console/monitor_commands.c).
MMU_ROOT = {"shadow": r"shadow root [0-9a-f]+ \(valid\)", "tdp": r"tdp root [0-9a-f]+"}


def monitor_script(paging, reset, status=UMBRA_GUEST_HALTED, mmu="shadow"):
    """When /init starts: the paging mode from Umbra's monitor, then back to the guest console.
    With reset, the monitor first restarts Linux (guest_restart), and the check is made in the
    second boot. The run then goes on to its end (the halt)."""
    look = [
        ("send", CTRL_A + "c"),
        ("expect", r"\(umbra\) "),
        ("send", "info mmu\r"),
        ("expect", rf"paging {esc(paging)}, cr3 [0-9a-f]+, {MMU_ROOT[mmu]}"),
        ("send", "quit\r"),
        ("expect", r"\[umbra\] guest console"),
    ]
    again = [
        ("send", CTRL_A + "c"),
        ("expect", r"\(umbra\) "),
        ("send", "reset\r"),
        ("expect", r"umbra: guest reset"),
        ("expect", r"Linux version"),
        ("expect", INIT_STARTS),
    ] if reset else []
    return [("expect", INIT_STARTS)] + again + look + [
        ("expect", rf"umbra: exit status 0x{status:x}")]


# The workload's lines (tests/linux/init), then the kernel's halt and Umbra's stop.
# The phases of `make bench` (tools/bench/) are marked by lines with the uptime, and by a byte
# written to Umbra's counter mark register (bin/umbra-mark, tests/linux/umbra_mark.c).
PHASE = r"^linux-init: phase %d %s at \d+\.\d\d faults=\d+$"
WORKLOAD_LINES = [
    r"^linux-init: start: Linux ",
    PHASE % (1, "forkexec"),
    r"^linux-init: ok: fork: ",
    r"^linux-init: ok: exec: ",
    PHASE % (2, "anon"),
    r"^linux-init: ok: anonymous memory: awk ",
    r"^linux-init: ok: anonymous memory: dd ",
    PHASE % (3, "tmpfs"),
    r"^linux-init: ok: tmpfs: a 4 MiB file ",
    r"^linux-init: ok: tmpfs: unmounted",
    PHASE % (4, "pipeline"),
    r"^linux-init: ok: pipeline: ",
    PHASE % (5, "parallel"),
    r"^linux-init: ok: parallel jobs: ",
    PHASE % (6, "end"),
    r"^linux-init: 8 passed, 0 failed$",
]
# Umbra's stop report ends with the six marks: the counters when each phase began
# (guest/report.c), the exits and guest time of a real workload, never zero.
MARKS = [line for k in range(1, 7) for line in (
    rf"^umbra: mark {k}: exits time_ns=[1-9]\d* total=[1-9]\d* .*\bio=[1-9]",
    rf"^umbra: mark {k}: mmu faults=\d+ fills=\d+ ")]
STOP_COUNTERS = [
    r"^umbra: time: \d+\.\d{3} s of guest time$",
    r"^umbra: exits: \d+ total$",
]
WORKLOAD = WORKLOAD_LINES + [
    r"reboot: System halted",
    r"umbra: guest stopped: halted with interrupts disabled$",
] + STOP_COUNTERS

FORBID = [r"HOST EXCEPTION", r"PANIC", r"Kernel panic", r"linux-init: FAIL",
          r"umbra: guest stopped: (triple fault|fatal)", r"cannot load the guest",
          r"invalid opcode", r"general protection fault", r"BUG: ", r"Oops"]


# Bochs runs Linux as a CPU of 200 million instructions per emulated second (emulators.py's
# default is 10 million): at 10 million, the 250 Hz PIT tick and the exits it costs (the PIC's
# mask, EOI and unmask, each with its port 0x80 delay) took most of the emulated CPU, and the
# boot took 19 minutes.
LINUX_BOCHS_IPS = 200000000


def linux_test(flavour, arch, bits, compression, paging, configs, timeout, reset=False,
               mmu="shadow", long=False):
    """mmu="tdp": the same run on EPT/NPT (linux-tdp-FLAVOUR), which the stop counters say.
    long: only in `make test-long`."""
    cmdline = CMDLINE
    early = early_boot(flavour, bits, compression, cmdline)
    again = [r"umbra: guest stopped: reset from the monitor$",
             r"^umbra: guest reset \(\d+ host pages free\)$"] + early[:2] if reset else []
    workload = WORKLOAD
    mode = [rf"^umbra: mmu: mode {mmu}"]
    name = "linux-" + ("" if mmu == "shadow" else f"{mmu}-") + flavour
    return Test(name, configs=configs, args=ARGS + ("" if mmu == "shadow" else f" mmu={mmu}"),
                modules=linux_modules(flavour, arch, cmdline),
                expect=early + [INIT_STARTS] + again + workload + mode + MARKS,
                script=monitor_script(paging, reset, mmu=mmu), forbid=FORBID, long=long,
                status=UMBRA_GUEST_HALTED, timeout=timeout, mem_mb=512,
                bochs_ips=LINUX_BOCHS_IPS, post=clock_is_tsc)


UMBRA_EXIT_OK = 0x10         # arch/stop.h: after a power-off there is nothing left to run

# What the kernel says of Umbra's ACPI tables (drivers/acpi/acpica's table list, the PM timer),
# in order, and how the run ends: ACPI's power-off, not the HLT.
ACPI_BOOT = [
    r"\] ACPI: Early table checksum verification disabled$",
    r"\] ACPI: RSDP 0x00000000000F0000 000024 \(v02 UMBRA \)$",
    r"\] ACPI: XSDT 0x[0-9A-F]+ 000034 \(v01 UMBRA  UMBRAVM  00000001 UMBR 00000001\)$",
    r"\] ACPI: FACP 0x[0-9A-F]+ 000114 \(v06 UMBRA  UMBRAVM  00000001 UMBR 00000001\)$",
    r"\] ACPI: DSDT 0x[0-9A-F]+ [0-9A-F]+ \(v02 UMBRA  UMBRAVM  00000001 INTL \d+\)$",
    r"\] ACPI: FACS 0x[0-9A-F]+ 000040$",
    r"\] ACPI: APIC 0x[0-9A-F]+ [0-9A-F]+ \(v04 UMBRA  UMBRAVM  00000001 UMBR 00000001\)$",
    r"\] ACPI: PM-Timer IO Port: 0x608$",
]
ACPI_LATER = [
    r"\] ACPI: 1 ACPI AML tables successfully acquired and loaded$",
    r"\] ACPI: Interpreter enabled$",
    r"\] ACPI: PM: \(supports S0 S5\)$",
    r"\] clocksource: acpi_pm: mask: 0xffffff ",
]
ACPI_END = [
    r"reboot: Power down",
    r"^umbra: guest stopped: the guest powered off \(ACPI S5\)$",
] + STOP_COUNTERS
ACPI_FORBID = [r"ACPI BIOS Error", r"ACPI Error", r"ACPI: Unable to", r"ACPI BIOS Warning",
               r"ACPI Warning", r"\[Firmware Bug\]"]


def linux_acpi_test(flavour, arch, bits, compression, paging, configs, timeout):
    early = early_boot(flavour, bits, compression, ACPI_CMDLINE)
    at = next(i for i, p in enumerate(early) if "RAMDISK" in p) + 1   # the tables come next
    return Test(f"linux-acpi-{flavour}", configs=configs, args=ARGS,
                modules=linux_modules(flavour, arch, ACPI_CMDLINE),
                expect=early[:at] + ACPI_BOOT + early[at:] + ACPI_LATER + [INIT_STARTS] +
                WORKLOAD_LINES + ACPI_END + MARKS,
                script=monitor_script(paging, False, UMBRA_EXIT_OK),
                forbid=FORBID + ACPI_FORBID, status=UMBRA_EXIT_OK, timeout=timeout,
                mem_mb=512, bochs_ips=LINUX_BOCHS_IPS, post=clock_is_tsc)


# The whole virtual PC: the command line of tests/linux/cmdline without `nosmp noapic nolapic
# acpi=off`, and `maxcpus=1` instead of `nosmp` (which would also keep Linux off the I/O APIC).
# Linux reads the MADT, routes its interrupts through the I/O APIC ("symmetric I/O mode",
# "Using IOAPIC for interrupt routing"), takes the local APIC timer as its clock event device
# (/init prints the devices and the local timer interrupts), and powers off through ACPI S5.
PC_CMDLINE = " ".join(["maxcpus=1" if w == "nosmp" else w for w in CMDLINE.split()
                       if w not in ("noapic", "nolapic", "acpi=off")])
PC_WORKLOAD = WORKLOAD_LINES[:-1] + [
    r"^linux-init: clockevents: .*\blapic",
    r"^linux-init: local timer interrupts: [1-9]\d*$",
] + WORKLOAD_LINES[-1:]


def linux_pc_test(flavour, arch, bits, compression, paging, configs, timeout, long=False):
    """The acpi_pm clocksource line is not required here: Linux checks the PM timer against
    PIT channel 2 over 50 ms and drops it when a loaded host delays one read ("PM-Timer
    running at invalid rate: 113% of normal" was seen); linux-acpi-* still requires it."""
    early = early_boot(flavour, bits, compression, PC_CMDLINE)
    at = next(i for i, p in enumerate(early) if "RAMDISK" in p) + 1   # the tables come next
    return Test(f"linux-pc-{flavour}", configs=configs, args=ARGS,
                modules=linux_modules(flavour, arch, PC_CMDLINE),
                expect=early[:at] + ACPI_BOOT + early[at:] +
                [r"\] APIC: Switch to symmetric I/O mode setup$"] + ACPI_LATER[:3] +
                [r"\] ACPI: Using IOAPIC for interrupt routing$"] +
                [INIT_STARTS] + PC_WORKLOAD + ACPI_END +
                [r"^umbra: apic: [1-9]\d* MMIO accesses \(0 refused\), [1-9]\d* interrupts "
                 r"accepted, [1-9]\d* timer expiries, \d+ timer periods coalesced, [1-9]\d* I/O "
                 r"APIC messages"] + MARKS,
                script=monitor_script(paging, False, UMBRA_EXIT_OK),
                forbid=FORBID + ACPI_FORBID, status=UMBRA_EXIT_OK, timeout=timeout,
                mem_mb=512, bochs_ips=LINUX_BOCHS_IPS, long=long, post=clock_is_tsc)


def refused(name, modules, reason, args=ARGS):
    """A Linux guest Umbra must refuse with one line: no start, load-failure status."""
    return Test(f"linux-refused-{name}", configs=["qemu-svm-bios"], args=args, modules=modules,
                expect=[rf'^umbra: cannot load the guest "[^"]*": {reason}'],
                forbid=[p for p in FORBID if p != r"cannot load the guest"] +
                [r"Linux version", r"umbra: guest stopped"],
                status=UMBRA_LOAD_FAILED, timeout=120, audit=False)


def kernel_only(cmdline):
    def modules(ctx):
        return [(os.path.join(fetch(ctx), "vmlinuz-cloud-amd64"), f"guest {cmdline}")]
    return modules


def damaged_kernel(fname, length, patch=None):
    """The cloud kernel's first length bytes, with patch(bytearray) applied, as a module."""
    def modules(ctx):
        with open(os.path.join(fetch(ctx), "vmlinuz-cloud-amd64"), "rb") as f:
            data = bytearray(f.read(length))
        if patch:
            patch(data)
        path = write_file(os.path.join(ctx["build"], "tests", "modules", fname), bytes(data))
        return [(path, f"guest {CMDLINE}"),
                (os.path.join(fetch(ctx), "initramfs-amd64.cpio.gz"), "initrd")]
    return modules


def old_protocol(data):
    data[0x206:0x208] = (0x0204).to_bytes(2, "little")


# Timeouts: about three times the runs seen on the loaded 2-core machine.
TESTS = [
    linux_test("cloud-amd64", "amd64", 64, "lz4", "4-level", ["qemu-svm-bios"], 300),
    linux_test("cloud-amd64", "amd64", 64, "lz4", "4-level", ["bochs-vmx-bios"], 2400),
    linux_test("686-pae", "i386", 32, "xz", "PAE", ["qemu-svm-bios"], 600, reset=True),
    linux_test("686", "i386", 32, "xz", "32-bit", ["qemu-svm-bios"], 400),
    # The cloud kernel with ACPI: the tables, the PM timer and the S5 power-off.
    linux_acpi_test("cloud-amd64", "amd64", 64, "lz4", "4-level", ["qemu-svm-bios"], 300),
    # The whole virtual PC: local APIC timer, I/O APIC routing, ACPI power-off.
    linux_pc_test("cloud-amd64", "amd64", 64, "lz4", "4-level", ["qemu-svm-bios"], 300),
    linux_pc_test("cloud-amd64", "amd64", 64, "lz4", "4-level", ["bochs-vmx-bios"], 2400),
    linux_pc_test("686-pae", "i386", 32, "xz", "PAE", ["qemu-svm-bios"], 600),
    linux_pc_test("686", "i386", 32, "xz", "32-bit", ["qemu-svm-bios"], 400),
    # The same kernel on the processor's two-dimensional paging, once per backend.
    linux_test("cloud-amd64", "amd64", 64, "lz4", "4-level", ["qemu-npt-bios"], 300, mmu="tdp"),
    linux_test("cloud-amd64", "amd64", 64, "lz4", "4-level", ["bochs-vmx-bios"], 2400,
               mmu="tdp"),
    # The 32-bit kernel too; 686-pae on QEMU 7.2 TCG's NPT halts before its first message
    # (the same TCG's PAE quirks as in tests_tdp.py's NOT_ON), so it is not run here.
    linux_test("686", "i386", 32, "xz", "32-bit", ["qemu-npt-bios"], 400, mmu="tdp"),
    # What Umbra refuses, each with one line and no guest start.
    refused("no-initramfs", kernel_only("console=ttyS0"),
            r"Linux: no initramfs module after the kernel, and the command line needs one"),
    refused("rdinit-no-initramfs", kernel_only("console=ttyS0 root=/dev/vda rdinit=/init"),
            r"Linux: no initramfs module after the kernel"),
    refused("guest-mem-too-small", linux_modules("cloud-amd64", "amd64"),
            r"Linux: the kernel needs \[0x1000000, 0x[0-9a-f]+\) \(pref_address \+ init_size\) "
            r"but guest RAM ends at 0x4000000: give guest_mem=\d+M or more$",
            args="debug_exit=on guest_mem=64M"),
    refused("truncated", damaged_kernel("vmlinuz-truncated", 4 << 20),
            r"bzImage: truncated: the protected-mode code is \d+ bytes"),
    refused("old-protocol", damaged_kernel("vmlinuz-old-protocol", 64 << 10, old_protocol),
            r"bzImage: boot protocol 2\.04 is too old \(2\.06 or later needed\)$"),
]
