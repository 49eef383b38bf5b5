"""The local APIC and the I/O APIC: tests/guests/apic.c programs them as a kernel does, and
tests/guests/hostile_apic.c misuses them (with an APIC timer interrupt storm during which the
harness proves Umbra's monitor still answers)."""
from hostile import CTRL_A, hostile_test
from tests_guest import passing_guest

APIC_CONFIGS = ["qemu-svm-bios", "bochs-vmx-bios", "bochs-svm-bios"]

apic = passing_guest("apic", [
    r"^ok: CPUID\.1:EDX\.APIC\[9\] is set$",
    r"^ok: IA32_APIC_BASE is FEE00000H, enabled, BSP",
    r"^ok: software disabled APIC: the 8259 reaches INTR",
    r"^ok: LINT0 masked: the 8259 is cut off$",
    r"^ok: LINT0 ExtINT \(virtual wire\): the 8259 reaches the CPU",
    r"^apic: timer clock \d+ kHz",
    r"^ok: one-shot: never early",
    r"^ok: one-shot: 10 ms < 10 ms at divide 2 < 40 ms$",
    r"^ok: periodic: the period is never short$",
    r"^ok: TSC deadline: not before the deadline$",
    r"^ok: TPR 50H masks vector 45H$",
    r"^ok: TPR 30H lets it in$",
    r"^apic: handler order LHlW$",
    r"^ok: EOI ordering: 90H nests inside 60H, 50H waits for its EOI$",
    r"^ok: globally disabled: CPUID hides the APIC$",
    r"^ok: re-enabled: a self-IPI is delivered$",
    r"^ok: relocated: the registers answer at FE000000H$",
    r"^ok: x2APIC SELF IPI \(MSR 83FH\) delivers, EOI by MSR 80BH$",
    r"^ok: x2APIC to xAPIC directly raises #GP\(0\)",
    r"^ok: the PIT reaches the CPU through I/O APIC pin 2",
    r"^ok: and not through pin 0$",
    r"^ok: COM1 THRE reaches the CPU through pin 4, once$",
    r"^ok: the EOI cleared remote IRR$",
])
apic.configs = APIC_CONFIGS

# While the storm runs: open the monitor, ask it something, leave, then type the key that
# ends the storm.
STORM_SCRIPT = [
    ("expect", r"hostile: apic timer storm running"),
    ("send", CTRL_A + "c"),
    ("expect", r"\(umbra\) "),
    ("send", "info apic\r"),
    ("expect", r"lapic: .*timer periodic"),
    ("send", "quit\r"),
    ("expect", r"\[umbra\] guest console"),
    ("send", "x"),
]

TESTS = [
    apic,
    hostile_test("apic", [
        r"^umbra: guest: MMIO access to fee00030 by an instruction Umbra does not emulate",
        r"^ok: TEST on an APIC register: #GP\(0\) \(not emulated\)$",
        r"^ok: a write to the version register is ignored$",
        r"^ok: LVT LINT0 keeps its defined bits only",
        r"^ok: x2APIC TPR bit 8 is reserved: #GP\(0\)$",
        r"^ok: illegal IPI vector: ESR bit 5",
        r"^ok: the error LVT raised its interrupt$",
        r"^hostile: apic timer storm running$",
        r"^ok: the storm ended by a key typed during it: the console answered$",
    ], configs=APIC_CONFIGS, script_before=STORM_SCRIPT),
]
