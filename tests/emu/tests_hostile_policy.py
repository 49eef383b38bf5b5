"""Hostile guests against Umbra's processor policy: XSETBV's rules, and CPUID showing only
features whose MSRs exist (issue 13, items 1 and 4)."""
from hostile import hostile_test

# A check that runs only where the CPU offers the feature prints "skipped: ..." instead.
OK_OR_SKIP = r"^(ok|skipped): "

TESTS = [
    hostile_test("xsetbv", [
        r"^ok: XSETBV (with CR4\.OSXSAVE clear|without CPUID\.1:ECX\.XSAVE) raises #UD$",
        OK_OR_SKIP + r"XSETBV XCR0=0x7 \(x87\|SSE\|AVX\)",
        OK_OR_SKIP + r"XSETBV XCR0=0x27 \(opmask without ZMM_Hi256 and Hi16_ZMM\)",
        OK_OR_SKIP + r"XSETBV XCR0=0xe3 \(AVX-512 without AVX\)",
        OK_OR_SKIP + r"XSETBV XCR0=0x20003 \(TILECFG without TILEDATA\)",
        OK_OR_SKIP + r"XSETBV XCR1=0x1 \(XCR1 does not exist\)",
        OK_OR_SKIP + r"XSETBV at CPL 3 with XCR0's own value",
        OK_OR_SKIP + r"XSETBV at CPL 3 with another valid value",
        OK_OR_SKIP + r"XSETBV XCR0=0x1 \(x87 only, the reset value\)",
    ]),
    hostile_test("cpuid", [
        r"^ok: SPEC_CTRL: ",
        r"^ok: ARCH_CAPABILITIES: ",
        r"^ok: WAITPKG: ",
        r"^ok: XSAVES: ",
        r"^ok: MTRR: RDMSR 0xfe ",
        r"^ok: MPX: ",
        r"^ok: VIRT_SSBD: ",
    ]),
]
