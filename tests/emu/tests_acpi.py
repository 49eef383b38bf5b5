"""ACPI and MP tests: a guest finds Umbra's firmware tables as an OS does, then powers off by ACPI.

tests/guests/acpi.c scans 0xE0000-0xFFFFF for the RSDP, checks every checksum, walks the XSDT,
reads the FADT (and its FACS and DSDT, with \\_S5 taken from the AML), the MADT and the MP tables
(which Umbra writes only when an I/O APIC is on its device bus),
and times the PM timer against PIT channel 2 (and the TSC when CPUID shows its rate). While it
waits, the harness lists the tables with the monitor's `info acpi`; the guest then writes the S5
sleep type with SLP_EN to PM1a_CNT, and the run must end with Umbra's power-off stop (status 0x10).
"""
import os

from testlib import Test

CTRL_A = "\x01"
UMBRA_EXIT_OK = 0x10         # arch/stop.h: a power-off ends Umbra with "nothing left to run"


def _guest(ctx):
    return [(os.path.join(ctx["build"], "guests", "acpi.elf"), "guest acpi")]


INFO_ACPI = [
    ("expect", r"acpi: tables checked; waiting for q"),
    ("send", CTRL_A + "c"),
    ("expect", r"\(umbra\) "),
    ("send", "info acpi\r"),
    ("expect", r"RSDP +f0000 len +36 rev 2 oem \"UMBRA \" RSDT [0-9a-f]+ XSDT [0-9a-f]+ "
               r"checksum ok, extended ok"),
    ("expect", r"XSDT +[0-9a-f]+ len +52 rev 1 oem \"UMBRA \" \"UMBRAVM \" checksum ok"),
    ("expect", r"FACP +[0-9a-f]+ len +276 rev 6 .* checksum ok"),
    ("expect", r"DSDT +[0-9a-f]+ len +\d+ rev 2 oem \"UMBRA \" \"UMBRAVM \" checksum ok"),
    ("expect", r"FACS +[0-9a-f]+ len +64 version 2"),
    ("expect", r"FADT: SCI 9, PM1a_EVT 600, PM1a_CNT 604, PM_TMR 608 \(32 bits\), SMI_CMD 0"),
    ("expect", r"APIC +[0-9a-f]+ len +\d+ rev 4 .* checksum ok"),
    ("expect", r"RSDT +[0-9a-f]+ len +44 rev 1 .* checksum ok"),
    # The MP tables exist only with an I/O APIC on the device bus (guest/loader/guest_firmware.c).
    ("expect", r"(PCMP +[0-9a-f]+ len +\d+ spec 1\.4, 21 entries, local APIC fee00000 checksum ok"
               r"|MP: no floating pointer in f0000-fffff)"),
    ("send", "quit\r"),
    ("expect", r"\[umbra\] guest console"),
    ("send", "q\r"),
    ("expect", r"umbra: exit status 0x10"),
]

TESTS = [Test(
    "guest-acpi",
    configs=["qemu-svm-bios", "bochs-vmx-bios"],
    modules=_guest,
    script=INFO_ACPI,
    expect=[
        r"^umbra: guest: ACPI tables at f0000-[0-9a-f]+ \(RSDP f0000, XSDT [0-9a-f]+, "
        r"FADT [0-9a-f]+, MADT [0-9a-f]+, DSDT [0-9a-f]+\)$",
        r"^umbra: guest: (MP table at [0-9a-f]+ \(configuration [0-9a-f]+\)"
        r"|no MP table: no I/O APIC on the device bus)$",
        r"^ok: the memory map reserves f0000-fffff, where the tables are$",
        r"^acpi: RSDP at f0000, OEM \"UMBRA \", revision 2$",
        r"^ok: RSDP extended checksum$",
        r"^acpi: FACP at [0-9a-f]+, length 276, revision 6, checksum ok$",
        r"^acpi: APIC at [0-9a-f]+, length \d+, revision 4, checksum ok$",
        r"^ok: SMI_CMD 0: always in ACPI mode$",
        r"^ok: X_PM_TMR_BLK: I/O 608, 32 bits$",
        r"^ok: the DSDT has \\_S5 with SLP_TYPa 5$",
        r"^ok: override: IRQ 9 -> GSI 9, level, active high \(the SCI\)$",
        r"^(mp: floating pointer at [0-9a-f]+, spec 1\.4, configuration table at [0-9a-f]+"
        r"|skipped: the MP tables: there are none \(Umbra writes them only with an I/O APIC\))$",
        r"^ok: PM1a_CNT\.SCI_EN reads 1 \(ACPI mode\)$",
        r"^pm timer: \d+ clocks while PIT channel 2 counted 50 ms \(expected 178977\)",
        r"^ok: the PM timer ran at least 50 ms while the PIT did$",
        r"^\d+ passed, 0 failed$",
        r"^acpi: powering off: SLP_TYP 5 with SLP_EN in PM1a_CNT$",
        r"^umbra: guest stopped: the guest powered off \(ACPI S5\)$",
    ],
    forbid=[r"FAIL", r"HOST EXCEPTION", r"PANIC",
            r"^umbra: guest: port 0x(60[0-9a-b]|4[0-3]|61) not emulated"],
    status=UMBRA_EXIT_OK,
    timeout=240)]
