"""Hostile guests against Umbra's intercepts and its console: #AC and #DB reflected, and their
delivery loops (CVE-2015-5307, CVE-2015-8104 patterns); MONITOR/MWAIT/RDPMC; task switches;
guests that never exit, or exit without end, while the console is driven like a busy client."""
import os

from hostile import CTRL_A, HOSTILE_CONFIGS, hostile_test
from testlib import Test

UMBRA_EXIT_OK = 0x10            # Ctrl-A x powers off
UMBRA_EXIT_GUEST_FATAL = 0x79   # the guest did something Umbra does not emulate
FORBID = [r"FAIL", r"HOST EXCEPTION", r"PANIC"]


def guest_module(name, cmdline=""):
    def modules(ctx):
        return [(os.path.join(ctx["build"], "guests", f"hostile_{name}.elf"),
                 f"guest hostile_{name} {cmdline}".rstrip())]
    return modules


def endless_test(name, checks, started, script, configs=HOSTILE_CONFIGS, timeout=300,
                 cmdline=""):
    """Test hostile-NAME for a guest that never ends by itself (it loops in something Umbra
    must survive): its checks, then the line `started`; the console script then proves the
    monitor answers while the guest goes on, and powers off with Ctrl-A x."""
    return Test(f"hostile-{name}",
                configs=configs,
                modules=guest_module(name, cmdline),
                script=[("expect", started + r"\n")] + list(script) + [
                    ("send", CTRL_A + "x"),
                    ("expect", r"umbra: exit status 0x10"),
                ],
                expect=list(checks) + [
                    started,
                    r"^umbra: guest stopped: power off from the console$",
                ],
                forbid=FORBID,
                status=UMBRA_EXIT_OK,
                timeout=timeout)


def monitor_shows(kind_pattern):
    """Console steps: open the monitor, and see `info exits` count kind_pattern."""
    return [
        ("send", CTRL_A + "c"),
        ("expect", r"\(umbra\) "),
        ("send", "info exits\r"),
        ("expect", kind_pattern),
    ]


# A client busy elsewhere: Ctrl-A c right after the guest's line, `help` 2 s later without
# reading in between, then the answer, then the exit counters.
BUSY_CLIENT = [
    ("send", CTRL_A + "c"),
    ("sleep", 2),
    ("send", "help\r"),
    ("expect", r"info exits +show VM-exit counts"),
    ("send", "info exits\r"),
]

DB_CHECKS = [
    r"^ok: an instruction breakpoint raises #DB$",
    r"^ok: the instruction breakpoint is a fault at the instruction$",
    r"^ok: DR6.B0 reports the instruction breakpoint$",
    r"^ok: a single step raises #DB$",
    r"^ok: the single step traps after the stepped instruction$",
    r"^ok: DR6.BS reports the single step$",
    r"^ok: a data write breakpoint raises #DB$",
    r"^ok: the data breakpoint traps after the write$",
    r"^ok: DR6.B0 reports the data breakpoint$",
]
DB_GD_INT1_CHECKS = [
    r"^ok: MOV from DR0 with DR7.GD set raises #DB$",
    r"^ok: the #DB cleared DR7.GD, so the handler may use the debug registers$",
    r"^ok: DR7.GD reads clear after the #DB$",
    r"^ok: DR6.BD reports the debug-register access",
    r"^ok: INT1 raises #DB$",
    r"^ok: INT1's #DB returns after the instruction$",
]
DB_STARTED = r"hostile: #DB loop on its own handler starts"
DB_LOOP = monitor_shows(r"umbra: exits: debug +\d{3,}")


def without_dr6(checks):
    """The checks of DR6 become skips (guest word stale-dr6)."""
    return [c.replace("^ok: DR6", "^skipped: DR6").rstrip("$") if "^ok: DR6" in c else c
            for c in checks]

MONITOR_CHECKS = [
    r"^ok: CPUID hides MONITOR/MWAIT$",
    r"^ok: MONITOR raises #UD$",
    r"^ok: MWAIT raises #UD$",
]

TESTS = [
    # Item 3: #AC is reflected as the processor raises it; an #AC whose delivery raises #AC
    # again is a loop of exits, and the monitor still answers (thousands of #AC exits). Not
    # under QEMU: TCG does not implement alignment checking at all.
    endless_test("ac", [
        r"^ok: a misaligned load at CPL3 with CR0.AM and EFLAGS.AC raises #AC\(0\)$",
        r"^ok: #AC reports the load's own address$",
        r"^ok: no #AC with EFLAGS.AC clear$",
        r"^ok: no #AC at CPL0$",
        r"^ok: no #AC with CR0.AM clear$",
    ], r"hostile: #AC delivery loop starts", monitor_shows(r"umbra: exits: alignment +\d{3,}"),
        configs=["bochs-vmx-bios", "bochs-svm-bios"]),

    # Item 3: #DB is reflected with DR6/DR7 as the processor leaves them; a breakpoint on the
    # #DB handler itself is a loop of exits, and the monitor still answers. Emulator gaps are
    # skipped by the guest: QEMU TCG models neither DR7.GD nor INT1 (an INT1 is #UD there);
    # Bochs 2.7 with SVM takes the #DB intercept before it writes DR6, so the VMCB holds the
    # old DR6 (APM 15.12 has it updated; QEMU does that).
    # Bochs 2.7 with VMX stops matching the code breakpoint after the VM entry that injects
    # the #DB (seen: one #DB exit, then the guest spins in its handler on preemption-timer
    # exits), so there the loop goes round once: the monitor must answer all the same.
    endless_test("db", DB_CHECKS + DB_GD_INT1_CHECKS, DB_STARTED,
                 monitor_shows(r"umbra: exits: debug +\d+"), configs=["bochs-vmx-bios"]),
    endless_test("db", without_dr6(DB_CHECKS + DB_GD_INT1_CHECKS), DB_STARTED, DB_LOOP,
                 configs=["bochs-svm-bios"], cmdline="stale-dr6"),
    endless_test("db", DB_CHECKS, DB_STARTED, DB_LOOP,
                 configs=["qemu-svm-bios"], cmdline="no-general-detect no-int1"),

    # Item 4: MONITOR/MWAIT give #UD and RDPMC sees the counters CPUID shows: the four
    # legacy ones (modelled, never counting) under the AMD vendor, none under Intel's.
    hostile_test("insns", MONITOR_CHECKS + [
        r"^ok: WRMSR PerfCtr0$",
        r"^ok: RDPMC of legacy counter 0 at CPL0$",
        r"^ok: RDPMC reads what WRMSR put in PerfCtr0$",
        r"^ok: RDPMC of counter 4 raises #GP\(0\): PerfCtrExtCore is hidden$",
        r"^ok: RDPMC of an Intel fixed-counter index raises #GP\(0\)$",
        r"^ok: RDPMC at CPL3 with CR4.PCE clear raises #GP\(0\)$",
        r"^ok: RDPMC at CPL3 with CR4.PCE set reads the counter$",
    ], configs=["qemu-svm-bios", "bochs-svm-bios"]),
    hostile_test("insns", MONITOR_CHECKS + [
        r"^ok: RDPMC of counter 0 raises #GP\(0\)$",
        r"^ok: RDPMC of fixed counter 0 raises #GP\(0\)$",
        r"^ok: RDPMC at CPL3 with CR4.PCE set still raises #GP\(0\): no counter exists$",
    ], configs=["bochs-vmx-bios"]),

    # Item 4: a task switch stops the guest with a clear report instead of running natively.
    Test("hostile-task-switch",
         configs=HOSTILE_CONFIGS,
         modules=guest_module("task_switch"),
         expect=[
             r"^hostile: task switch by far JMP to TSS 0x38$",
             # "by JMP" where the processor intercepts it, "by an unknown instruction" under
             # QEMU TCG, which switches tasks without the SVM intercept (Umbra notices the CR3
             # it did not load at the next exit).
             r"^umbra: guest stopped: task switch not supported \(to TSS selector 0x38 by ",
         ],
         forbid=FORBID,
         status=UMBRA_EXIT_GUEST_FATAL,
         timeout=240),

    # Item 11: the same client against a guest that exits without end, but only on CPUID:
    # the VMX preemption timer restarts at each entry and never expires, and Bochs's SVM
    # masks the PIT for an IF=0 guest, so only the exits themselves can serve the console.
    endless_test("exitstorm", [], r"hostile: CPUID exits without end, interrupts off",
                 BUSY_CLIENT + [("expect", r"umbra: exits: cpuid +\d{3,}")]),

    # Item 11: a guest that prints a line and then spins with interrupts off and never exits.
    # The client sends Ctrl-A c right after the line, and `help` 2 s later without reading in
    # between; only Umbra's own tick can serve the console. Not on bochs-svm-bios: Bochs 2.7
    # masks physical interrupts at VMRUN for a guest that enters with IF=0 whatever
    # V_INTR_MASKING says (APM 15.21.1 has the host's IF decide), so nothing can interrupt
    # such a guest there (README, "Serial console and monitor").
    endless_test("nowait", [], r"hostile: spinning with interrupts off, no exits",
                 BUSY_CLIENT + [("expect", r"umbra: exits: (ext-intr|preempt) +\d+")],
                 configs=["qemu-svm-bios", "bochs-vmx-bios"]),
]
