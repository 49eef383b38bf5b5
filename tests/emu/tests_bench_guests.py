"""The small benchmark guests of `make bench` (tests/guests/bench_*.c, lib/bench.c). Their
phase protocol: at the start of phase K a mark byte K to Umbra's counter port (0x5fc), then
"bench: phase K NAME at tsc=N"; phases setup, work, end; then "bench: done NAME size=N" and
debug exit 0x20. They are checked

- under Umbra (qemu-svm-bios, bochs-vmx-bios) with a small size: the three phases in order,
  the done line, the stop report's two lines for each of the three marks (guest/report.c), and
  figures of the work phase (mark 3 minus mark 2) that only the workload explains;
- natively (QEMU's own multiboot loader, no Umbra, emulators.native_qemu_command): the same
  ELF prints the same phases, and a bad size= is refused with a "bench: FAIL: size=" line.

Every guest checks its own work (values read back through its mappings) and prints
"bench: FAIL: ..." with exit 0x21 when it is wrong.
"""
from testlib import Test, mark_delta, umbra_marks

CONFIGS = ["qemu-svm-bios", "bochs-vmx-bios"]
NATIVE_CONFIG = "qemu-npt-bios"      # the bench's machine: -cpu qemu64,+svm,+npt

GUEST_PASS = 0x20            # tests/guests/lib/guest.h GUEST_EXIT_PASS
GUEST_FAIL = 0x21
CR3_ROUNDS = 8               # tests/guests/bench_cr3.c ROUNDS

FORBID = [r"FAIL", r"HOST EXCEPTION", r"PANIC"]


def phase_lines(name, size):
    return [rf"^bench: phase 1 setup at tsc=\d+$",
            rf"^bench: phase 2 work at tsc=\d+$",
            rf"^bench: phase 3 end at tsc=\d+$",
            rf"^bench: done bench_{name} size={size}$"]


MARK_LINES = [rf"^umbra: mark {k}: {kind} " for k in (1, 2, 3) for kind in ("exits", "mmu")]


def work_figures(check):
    """A post check: check(config, delta) -> [problems], delta(key) being the work phase's
    figure (mark 3 minus mark 2)."""
    def post(config, output, ctx):
        marks = umbra_marks(output)
        missing = [k for k in (1, 2, 3) if k not in marks]
        if missing:
            return [f"no figures for mark(s) {missing}"]
        return check(config, lambda key: mark_delta(marks, key, 2, 3))
    return post


def within(delta, key, low, high=None):
    """Problems unless the work phase's key is in [low, high] (high None: no upper bound)."""
    value = delta(key)
    if value < low or (high is not None and value > high):
        bound = f"at least {low}" if high is None else f"between {low} and {high}"
        return [f"work phase: {key}={value}, expected {bound}"]
    return []


# Work-phase exits the workload does not explain: the phase line (port I/O only), the first
# touches of the check's code, stack and table pages.
SLACK = 16


def demand_figures(size):
    # Every fresh page costs the emulated PTE store's #PF exit, updated in place. VMX lets the
    # guest-not-present faults through (PAE with NXE, mm/spte.h): one exit a page; SVM
    # intercepts every #PF (APM Vol. 2 15.12) and reflects it: two.
    def check(config, delta):
        per = 1 if config.startswith("bochs-vmx") else 2
        return (within(delta, "pt_writes", size) + within(delta, "pt_updated", size) +
                within(delta, "page-fault", per * size, per * size + SLACK) +
                within(delta, "reflected", size * (per - 1), size * (per - 1)))
    return check


def cr3_figures(size):
    # Each MOV to CR3 is a CR exit under the shadow MMU and finds its space's root again.
    def check(config, delta):
        return (within(delta, "cr", CR3_ROUNDS * size, CR3_ROUNDS * size + SLACK) +
                within(delta, "roots_reused", CR3_ROUNDS * size))
    return check


def ptstorm_figures(size):
    # Each remap is one emulated write of a shadowed leaf table (its #PF exit), updated in
    # place, and one INVLPG exit; the INVLPG keeps the exact shadow leaf (mm/mmu.c,
    # mmu_invlpg), so the read after it takes no refill fault: two exits a remap.
    def check(config, delta):
        return (within(delta, "pt_writes", size) + within(delta, "pt_updated", size) +
                within(delta, "invlpg", size, size + SLACK) +
                within(delta, "page-fault", size, size + SLACK))
    return check


def large_figures(size_mib):
    # The region was never touched: its shadow entries are filled by the work phase's
    # faults, at most one a 4 KiB page and one a sample page (of each 2 MiB page), and none
    # is the guest's (its large pages are present).
    def check(config, delta):
        pages, samples = size_mib * 256, size_mib // 2
        return (within(delta, "fills", 1) +
                within(delta, "page-fault", 1, pages + samples + SLACK) +
                within(delta, "reflected", 0, 0))
    return check


def bench_guest(name, size, figures, suffix="", args="debug_exit=on", long=False, timeout=300,
                default=False):
    """default: the module string has no size= (size is then the guest's default)."""
    guest = f"bench_{name}"
    string = f"guest {guest}" + ("" if default else f" size={size}")
    return Test(f"bench-{name}{suffix}",
                configs=CONFIGS,
                args=args,
                long=long,
                modules=lambda ctx: [(f"{ctx['build']}/guests/{guest}.elf", string)],
                expect=phase_lines(name, size) + [
                    r"^umbra: guest stopped: debug exit 0x20$"] + MARK_LINES,
                forbid=FORBID,
                status=GUEST_PASS,
                post=work_figures(figures(size)),
                timeout=timeout)


def native_guest(name, size, expect=None, status=GUEST_PASS, suffix=""):
    guest = f"bench_{name}"
    return Test(f"bench-native-{name}{suffix}",
                configs=[NATIVE_CONFIG],
                native=lambda ctx: (f"{ctx['build']}/guests/{guest}.elf", f"size={size}"),
                expect=expect or phase_lines(name, size),
                forbid=(FORBID if status == GUEST_PASS else [r"^umbra: "]) +
                [r"^umbra: mark"],
                status=status,
                mem_mb=256,
                timeout=120)


TESTS = [
    bench_guest("demand", 64, demand_figures),
    bench_guest("cr3", 16, cr3_figures),
    bench_guest("ptstorm", 1536, ptstorm_figures),
    bench_guest("large", 8, large_figures),
    # The default sizes, in the bench's guest RAM (make test-long).
    *[bench_guest(name, size, figures, suffix="-default", args="debug_exit=on guest_mem=256M",
                  long=True, timeout=900, default=True)
      for name, size, figures in [("demand", 1024, demand_figures), ("cr3", 64, cr3_figures),
                                  ("ptstorm", 4096, ptstorm_figures),
                                  ("large", 64, large_figures)]],

    native_guest("demand", 64),
    native_guest("cr3", 16),
    native_guest("ptstorm", 1536),
    native_guest("large", 8),
    native_guest("demand", 0, expect=[r"^bench: FAIL: size=0: must be at least 1$"],
                 status=GUEST_FAIL, suffix="-size0"),
    native_guest("large", "9x", expect=[r"^bench: FAIL: size=9x: not a decimal number$"],
                 status=GUEST_FAIL, suffix="-badsize"),
    native_guest("large", 4096,
                 expect=[r"^bench: FAIL: size=4096: at most \d+ MiB \(what fits in guest RAM "
                         r"above 32 MiB\)$"],
                 status=GUEST_FAIL, suffix="-toolarge"),
]
