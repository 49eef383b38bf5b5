"""Hostile guests: each misuses one intercept or emulated access, checks the architectural result
from inside, then (guest_finish_after_console_check) waits while the harness proves that Umbra's
monitor still answers. tests_hostile_*.py build their tests with hostile_test()."""
import os

from testlib import Test

HOSTILE_CONFIGS = ["qemu-svm-bios", "bochs-vmx-bios", "bochs-svm-bios"]
GUEST_PASS = 0x20
CTRL_A = "\x01"

# After the guest's own checks: open the monitor, ask it something, close it, let the guest end.
CONSOLE_CHECK = [
    ("expect", r"hostile: console check"),
    ("send", CTRL_A + "c"),
    ("expect", r"\(umbra\) "),
    ("send", "info exits\r"),
    ("expect", r"umbra: exits: \d+ total"),
    ("send", "quit\r"),
    ("expect", r"\[umbra\] guest console"),
    ("send", "q\r"),
    ("expect", r"umbra: exit status 0x20"),
]


def hostile_test(name, checks, configs=HOSTILE_CONFIGS, cmdline="", script_before=(),
                 forbid_extra=(), timeout=240, **kw):
    """Test hostile-NAME: guest tests/guests/hostile_NAME.c must print checks (regexes, in
    order), pass all its checks, and leave the monitor answering. script_before: console steps
    played before the console check (for a guest that must be interrupted mid-misuse)."""
    def modules(ctx):
        return [(os.path.join(ctx["build"], "guests", f"hostile_{name}.elf"),
                 f"guest hostile_{name} {cmdline}".rstrip())]
    return Test(f"hostile-{name}",
                configs=configs,
                modules=modules,
                script=list(script_before) + CONSOLE_CHECK,
                expect=list(checks) + [
                    r"^hostile: console check$",
                    r"^\d+ passed, 0 failed$",
                    r"^umbra: guest stopped: debug exit 0x20$",
                ],
                forbid=[r"FAIL", r"HOST EXCEPTION", r"PANIC"] + list(forbid_extra),
                status=GUEST_PASS,
                timeout=timeout, **kw)
