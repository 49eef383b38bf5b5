"""TDP mode (mmu=tdp): the guest and paging matrices of tests_guest.py and tests_paging.py run
again with the processor's two-dimensional paging (EPT under Bochs's Skylake model, NPT under
QEMU with +npt and Bochs's Ryzen model), and the refusal where the CPU has neither.

The variants are made from the shadow tests themselves (same guests, same expected lines), so a
check added there is checked in TDP mode too. Each run also says which MMU ran it, and the
audit at the stop checks the TDP tables instead of the shadow pages.
"""
import copy
import importlib.util
import os

from testlib import Test

# EPT (Intel) and NPT (AMD): the CPU models that have them (docs: platform.md).
TDP_CONFIGS = ["bochs-vmx-bios", "qemu-npt-bios", "bochs-svm-bios"]
TDP_FORMAT = {"bochs-vmx-bios": "ept", "qemu-npt-bios": "npt", "bochs-svm-bios": "npt"}

UMBRA_EXIT_GUEST_LOAD_FAILED = 0x78


def _load(name):
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), f"{name}.py")
    spec = importlib.util.spec_from_file_location(f"tdp_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def mode_line(config, ctx):
    """The stop counters' MMU line of a TDP run on config."""
    return rf"^umbra: mmu: mode tdp \({TDP_FORMAT[config]}\): \d+ tdp faults"


# Where the processor, not Umbra, decides what a guest sees, and the shadow test expects
# something else:
# - pg_pdpte checks Intel's PDPTE registers (SDM Vol. 3A 4.4.1: loaded and checked at MOV to
#   CR3). Under NPT the processor walks the guest's PAE tables with AMD's semantics: no #GP
#   at MOV to CR3, and a later write to the PDPT changes the translation (seen on Bochs's
#   Ryzen model). Under EPT it passes: Umbra and the processor keep the registers.
# - QEMU 7.2 TCG with NPT: the guest's own walks raise no reserved-bit #PF (pg_access32/pae/64)
#   and leave an A bit in a PAE PDPT that was never used as a 4-level table, so a later PDPTE
#   load sees a reserved bit (pg_modes, pg_invlpg). The same guests pass with NPT on Bochs.
NOT_ON = {
    "paging-pg_pdpte": {"qemu-npt-bios", "bochs-svm-bios"},
    "paging-pg_access32": {"qemu-npt-bios"},
    "paging-pg_accesspae": {"qemu-npt-bios"},
    "paging-pg_access64": {"qemu-npt-bios"},
    "paging-pg_modes": {"qemu-npt-bios"},
    "paging-pg_invlpg": {"qemu-npt-bios"},
}


def tdp_variant(test, configs=TDP_CONFIGS):
    """test with mmu=tdp on configs, named tdp-NAME; its expected lines, then the mode line."""
    t = copy.copy(test)
    t.name = "tdp-" + test.name
    t.args = test.args + " mmu=tdp"
    t.configs = [c for c in configs if c not in NOT_ON.get(test.name, ())]
    t.expect = list(test.expect) + [mode_line]
    t.forbid = list(test.forbid) + [r"^umbra: mmu=tdp refused"]
    return t


def _by_name(tests, names):
    found = {t.name: t for t in tests}
    return [found[n] for n in names]


_guest = _load("tests_guest")
_paging = _load("tests_paging")
_console = _load("tests_console")

# Every paging-mode guest (off, 32-bit 4K/4M, PAE, 4-level with 2M/1G, CR3 switches, INVLPG,
# PDPTE loading, self-maps, access matrices), and the platform guests that pass on every config.
TESTS = [tdp_variant(t) for t in _paging.TESTS]
TESTS += [tdp_variant(t) for t in _by_name(_guest.TESTS, [
    "guest-hello", "guest-cpuid", "guest-portio", "guest-msr", "guest-cr", "guest-demo",
])]
# The firmware tables in the backed BIOS area, read and powered off through as an OS does.
TESTS += [tdp_variant(t, ["qemu-npt-bios", "bochs-vmx-bios"])
          for t in _by_name(_load("tests_acpi").TESTS, ["guest-acpi"])]
# The APIC programming model: its registers are MMIO, reached through EPT violations and NPFs.
TESTS += [tdp_variant(t, ["qemu-npt-bios", "bochs-vmx-bios"])
          for t in _by_name(_load("tests_apic").TESTS, ["guest-apic"])]
# Three monitor resets with the same host pages free each time: the TDP tables go back too.
TESTS += [tdp_variant(t, ["qemu-npt-bios", "bochs-vmx-bios"])
          for t in _by_name(_console.TESTS, ["console-reset-no-leak"])]

# No NPT in QEMU's plain qemu64 model (and no VMX at all in TCG): mmu=tdp is refused with one
# line, the guest never starts, and Umbra ends with the load-failure status.
TESTS.append(Test(
    "tdp-refused",
    configs=["qemu-svm-bios"],
    args="debug_exit=on mmu=tdp",
    modules=_guest.guest_modules("hello"),
    expect=[r"^umbra: mmu=tdp refused: the CPU lacks NPT \(CPUID 8000000Ah EDX\[0\] nested "
            r"paging is 0\); the guest does not start$"],
    forbid=[r"hello from an Umbra guest", r"HOST EXCEPTION", r"PANIC"],
    status=UMBRA_EXIT_GUEST_LOAD_FAILED,
    audit=False,
    timeout=120))
