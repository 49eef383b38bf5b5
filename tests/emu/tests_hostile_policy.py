"""Hostile guests against Umbra's processor policy: XSETBV's rules, the MSRs a kernel reads at
boot, and CPUID showing only features whose MSRs exist (issue 13, items 1, 13 and 4)."""
from hostile import hostile_test

# A check that runs only where the CPU offers the feature prints "skipped: ..." instead.
OK_OR_SKIP = r"^(ok|skipped): "

MSR_CHECKS = [
    r"^ok: IA32_TSC_AUX \(0xc0000103\) ",
    r"^ok: IA32_MISC_ENABLE \(0x1a0\) ",
    r"^ok: IA32_MCG_CAP \(0x179\) ",
    r"^ok: IA32_MCG_STATUS \(0x17a\) ",
    r"^ok: IA32_DS_AREA \(0x600\) ",
    r"^ok: PerfEvtSel \(0xc0010000\) ",
    r"^ok: PerfCtr \(0xc0010007\) ",
    r"^ok: IA32_TSC_ADJUST \(0x3b\) ",
    r"^ok: IA32_PERF_CAPABILITIES \(0x345\) ",
]

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
    hostile_test("msr", MSR_CHECKS + [
        r"^ok: WRMSR SYSENTER_EIP 0x800000000000 \(non-canonical\) raises #GP\(0\)$",
        r"^ok: the guest still runs and exits after the refused writes$",
    ], configs=["bochs-vmx-bios", "bochs-svm-bios"]),
    # QEMU's TCG takes a non-canonical FS/GS base, LSTAR or SYSENTER address in WRMSR where the
    # processors (and Bochs) raise #GP(0); these MSRs pass through, so the guest sees what the
    # emulated CPU does, and checks only that Umbra survives it.
    hostile_test("msr", MSR_CHECKS + [
        r"^(ok|skipped): WRMSR SYSENTER_EIP 0x800000000000 \(non-canonical\)",
        r"^ok: the guest still runs and exits after the refused writes$",
    ], configs=["qemu-svm-bios"], cmdline="wrmsr-unchecked"),
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
