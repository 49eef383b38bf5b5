"""Hostile guests against Umbra's intercepts and its console: guests that never exit, or exit
without end, while the console is driven like a busy client would."""
import os

from hostile import CTRL_A, HOSTILE_CONFIGS
from testlib import Test

UMBRA_EXIT_OK = 0x10            # Ctrl-A x powers off
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


# A client busy elsewhere: Ctrl-A c right after the guest's line, `help` 2 s later without
# reading in between, then the answer, then the exit counters.
BUSY_CLIENT = [
    ("send", CTRL_A + "c"),
    ("sleep", 2),
    ("send", "help\r"),
    ("expect", r"info exits +show VM-exit counts"),
    ("send", "info exits\r"),
]

TESTS = [
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
