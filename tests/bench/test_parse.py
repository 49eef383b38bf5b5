"""Unit tests of tools/bench/parse.py: phase lines, mark lines, deltas, failures."""
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tools", "bench"))
import parse  # noqa: E402

LINUX = [
    (2.5, "[    0.000000] Linux version 6.1.0-1-cloud-amd64"),
    (3.0, "linux-init: start: Linux 6.1.0 x86_64, 1 cpu, 250000 KiB"),
    (3.1, "linux-init: phase 1 forkexec at 1.50"),
    (4.1, "linux-init: ok: fork: a child process"),
    (5.6, "linux-init: phase 2 anon at 2.25"),
    (9.6, "linux-init: phase 3 end at 4.00"),
    (9.7, "linux-init: 8 passed, 0 failed"),
]
MARKS = [
    "umbra: mark 1: exits time_ns=1500000000 total=1000 io=600 page-fault=400",
    "umbra: mark 1: mmu faults=400 fills=150 reflected=250 pt_writes=10 pt_updated=50",
    "umbra: mark 2: exits time_ns=2250000000 total=1800 io=700 page-fault=1000 cr=100",
    "umbra: mark 2: mmu faults=1000 fills=300 reflected=600 pt_writes=200 pt_updated=200 "
    "evicted=7",
    "umbra: mark 3: exits time_ns=4000000000 total=2000 io=800 page-fault=1100 cr=100",
    "umbra: mark 3: mmu faults=1100 fills=350 reflected=650 pt_writes=250 pt_updated=200 "
    "evicted=9",
]


class PhaseLines(unittest.TestCase):
    def test_linux_phases_in_order_with_uptime(self):
        phases = parse.parse_phases(LINUX, "linux-init")
        self.assertEqual([(p["k"], p["name"]) for p in phases],
                         [(1, "forkexec"), (2, "anon"), (3, "end")])
        self.assertEqual(phases[1]["host_s"], 5.6)
        self.assertEqual((phases[1]["unit"], phases[1]["clock"]), ("s", 2.25))

    def test_small_guest_tsc(self):
        phases = parse.parse_phases([(1.0, "bench: phase 2 work at tsc=123456789")], "bench")
        self.assertEqual((phases[0]["unit"], phases[0]["clock"]), ("tsc", 123456789))

    def test_other_prefix_and_garbage_ignored(self):
        lines = [(1.0, "bench: phase 1 setup at tsc=5"), (1.5, "linux-init: phase 1 x at 1"),
                 (2.0, "bench: phase two work at tsc=9"), (2.5, "xbench: phase 2 work at 1")]
        self.assertEqual([p["name"] for p in parse.parse_phases(lines, "bench")], ["setup"])

    def test_repeated_phase_keeps_the_first(self):
        lines = [(1.0, "bench: phase 1 setup at tsc=5"), (2.0, "bench: phase 1 setup at tsc=9")]
        self.assertEqual(parse.parse_phases(lines)[0]["host_s"], 1.0)

    def test_bad_clock_is_none(self):
        p = parse.parse_phases([(1.0, "bench: phase 1 setup at soon")])[0]
        self.assertIsNone(p["clock"])

    def test_split_lines_keeps_the_partial_line(self):
        self.assertEqual(parse.split_lines("a\r\nb\nc"), (["a", "b"], "c"))


class MarkLines(unittest.TestCase):
    def test_both_lines_merge_per_mark(self):
        marks = parse.parse_marks(MARKS)
        self.assertEqual(marks[1]["exits"], 1000)
        self.assertEqual(marks[1]["exit.page-fault"], 400)
        self.assertEqual(marks[1]["time_ns"], 1500000000)
        self.assertEqual(marks[2]["evicted"], 7)
        self.assertNotIn("exit.cr", marks[1])

    def test_delta_treats_missing_keys_as_zero(self):
        marks = parse.parse_marks(MARKS)
        d = parse.counter_delta(marks[2], marks[1])
        self.assertEqual(d["exit.cr"], 100)
        self.assertEqual(d["evicted"], 7)
        self.assertEqual(d["exits"], 800)
        self.assertEqual(parse.counter_delta({"a": 3}, None), {"a": 3})

    def test_non_integer_words_ignored(self):
        self.assertEqual(parse.parse_kv("a=1 b=x c d=4"), {"a": 1, "d": 4})


class ExitsPerFault(unittest.TestCase):
    def test_svm_two_exits_per_reflected_fault(self):
        # Each demand fault: the reflected #PF exit and the emulated PTE store's exit (the
        # fault path also counts fills for the faults it reflects: not a denominator).
        self.assertEqual(parse.exits_per_fault(
            {"exit.page-fault": 512, "fills": 259, "pt_updated": 256, "reflected": 256}), 2.0)

    def test_guest_count_wins(self):
        self.assertEqual(parse.exits_per_fault({"exit.page-fault": 515, "reflected": 256}, 256),
                         515 / 256)
        # VMX: nothing reflected, the guest's count gives the store's one exit per fault.
        self.assertEqual(parse.exits_per_fault(
            {"exit.page-fault": 256, "reflected": 0, "pt_updated": 256}, 256), 1.0)

    def test_none_without_page_fault_exits_or_faults(self):
        self.assertIsNone(parse.exits_per_fault({"exit.page-fault": 0, "reflected": 5}))
        self.assertIsNone(parse.exits_per_fault({"exit.page-fault": 5, "reflected": 0}))
        self.assertIsNone(parse.exits_per_fault({}, 0))

    def test_faults_key_when_the_kind_is_missing(self):
        self.assertEqual(parse.exits_per_fault({"faults": 4, "reflected": 2}), 2.0)


class Figures(unittest.TestCase):
    def test_linux_figures_with_boot_and_total(self):
        lines = [l for _, l in LINUX] + MARKS
        f = parse.phase_figures(0.0, parse.parse_phases(LINUX, "linux-init"),
                                parse.parse_marks(lines), boot=True, total=True)
        self.assertEqual(list(f), ["boot", "forkexec", "anon", "total"])
        self.assertAlmostEqual(f["boot"]["host_s"], 3.1)
        self.assertEqual(f["boot"]["guest"], 1.5)
        self.assertEqual(f["boot"]["exits"], 1000)
        self.assertAlmostEqual(f["forkexec"]["host_s"], 2.5)
        self.assertAlmostEqual(f["forkexec"]["guest"], 0.75)
        self.assertEqual(f["forkexec"]["exits"], 800)
        self.assertEqual(f["forkexec"]["exit.page-fault"], 600)
        self.assertAlmostEqual(f["forkexec"]["umbra_s"], 0.75)
        self.assertEqual(f["forkexec"]["exits_per_fault"], 600 / 350)
        self.assertEqual(f["anon"]["exits"], 200)
        self.assertEqual(f["anon"]["evicted"], 2)
        self.assertAlmostEqual(f["total"]["host_s"], 9.6)
        self.assertEqual(f["total"]["exits"], 2000)
        self.assertNotIn("end", f)

    def test_total_from_the_kernels_first_line(self):
        self.assertEqual(parse.kernel_start(LINUX), 2.5)
        self.assertIsNone(parse.kernel_start([(1.0, "umbra: [ok]"), (2.0, "GRUB")]))
        phases = parse.parse_phases(LINUX, "linux-init")
        f = parse.phase_figures(1.0, phases, {}, boot=True, total=True, total_start_s=2.5)
        self.assertEqual(f["boot"]["host_s"], 3.1 - 1.0)
        self.assertEqual(f["total"]["host_s"], 9.6 - 2.5)
        f = parse.phase_figures(1.0, phases, {}, total=True)
        self.assertEqual(f["total"]["host_s"], 9.6 - 1.0)

    def test_guest_fault_counts_from_phase_lines(self):
        lines = [(3.1, "linux-init: phase 1 forkexec at 1.50 faults=1000"),
                 (5.6, "linux-init: phase 2 anon at 2.25 faults=1300"),
                 (9.6, "linux-init: phase 3 end at 4.00 faults=1400")]
        phases = parse.parse_phases(lines, "linux-init")
        self.assertEqual([p["faults"] for p in phases], [1000, 1300, 1400])
        marks = parse.parse_marks(MARKS)
        f = parse.phase_figures(2.0, phases, marks, boot=True, total=True)
        # forkexec: page-fault exits 1000 - 400 over the guest's 300 faults; anon: 100 / 100.
        self.assertEqual(f["forkexec"]["exits_per_fault"], 600 / 300)
        self.assertEqual(f["anon"]["exits_per_fault"], 100 / 100)
        self.assertEqual(f["boot"]["exits_per_fault"], 400 / 1000)
        self.assertEqual(f["total"]["exits_per_fault"], 1100 / 1400)
        # The workload's own count wins over the lines'.
        f = parse.phase_figures(2.0, phases, marks, demand_faults={"anon": 50})
        self.assertEqual(f["anon"]["exits_per_fault"], 100 / 50)
        # Without faults=: the reflected faults stand in (forkexec: 600 / 350).
        self.assertIsNone(parse.parse_phases(LINUX, "linux-init")[0]["faults"])

    def test_demand_faults_per_phase(self):
        lines = [l for _, l in LINUX] + MARKS
        f = parse.phase_figures(0.0, parse.parse_phases(LINUX), parse.parse_marks(lines),
                                demand_faults={"anon": 50})
        self.assertEqual(f["anon"]["exits_per_fault"], 100 / 50)
        self.assertEqual(f["forkexec"]["exits_per_fault"], 600 / 350)

    def test_native_has_no_counters(self):
        f = parse.phase_figures(0.0, parse.parse_phases(LINUX), {})
        self.assertEqual(set(f["forkexec"]), {"host_s", "unit", "guest"})

    def test_start_offset(self):
        f = parse.phase_figures(1.0, parse.parse_phases(LINUX), {}, boot=True)
        self.assertAlmostEqual(f["boot"]["host_s"], 2.1)

    def test_mixed_clock_units_give_no_guest_delta(self):
        ph = parse.parse_phases([(1.0, "bench: phase 1 setup at tsc=5"),
                                 (2.0, "bench: phase 2 end at 3.5")])
        self.assertIsNone(parse.phase_figures(0.0, ph, {})["setup"]["guest"])


SMALL_OK = ["bench: phase 1 setup at tsc=1", "bench: phase 2 work at tsc=5",
            "bench: phase 3 end at tsc=9", "bench: done bench_demand size=4"]
SMALL_MARKS = [f"umbra: mark {k}: exits time_ns={k} total={k}" for k in (1, 2, 3)]


class Failures(unittest.TestCase):
    phases = ("setup", "work", "end")

    def test_good_native_and_umbra(self):
        self.assertIsNone(parse.failure(SMALL_OK, self.phases, umbra=False))
        self.assertIsNone(parse.failure(SMALL_OK + SMALL_MARKS, self.phases, umbra=True))

    def test_umbra_without_marks(self):
        self.assertIn("lacks marks 1 2 3", parse.failure(SMALL_OK, self.phases, umbra=True))
        self.assertIn("lacks marks 3",
                      parse.failure(SMALL_OK + SMALL_MARKS[:2], self.phases, umbra=True))

    def test_fail_lines(self):
        for line in ("bench: FAIL: work: 3 pages wrong", "linux-init: FAIL: tmpfs: mount",
                     "umbra: mmu=tdp refused: no EPT; the guest does not start",
                     "[    1.0] Kernel panic - not syncing: VFS",
                     "umbra: guest stopped: triple fault"):
            self.assertEqual(parse.failure(SMALL_OK + [line], self.phases, False), line)

    def test_apic_refused_count_is_not_a_failure(self):
        line = "umbra: apic: 5 MMIO accesses (0 refused), 3 interrupts accepted"
        self.assertIsNone(parse.failure(SMALL_OK + [line], self.phases, False))

    def test_missing_phase_and_timeout(self):
        self.assertIn("missing phases: end", parse.failure(SMALL_OK[:2], self.phases, False))
        self.assertEqual(parse.failure([], self.phases, False, timed_out=True, timeout=120),
                         "timeout after 120 s")
        self.assertIn("(no output)", parse.failure([], self.phases, False))

    def test_out_of_order(self):
        lines = [SMALL_OK[1], SMALL_OK[0], SMALL_OK[2]]
        self.assertIn("out of order", parse.failure(lines, self.phases, False))

    def test_linux_summary(self):
        lines = [l for _, l in LINUX]
        names = ("forkexec", "anon", "end")
        self.assertIsNone(parse.failure(lines, names, False, linux_summary=True))
        bad = lines[:-1] + ["linux-init: 7 passed, 1 failed"]
        self.assertEqual(parse.failure(bad, names, False, linux_summary=True),
                         "linux-init: 7 passed, 1 failed")
        self.assertIn("passed", parse.failure(lines[:-1], names, False, linux_summary=True))


class HaltEnd(unittest.TestCase):
    def test_end_made_from_the_halt_line(self):
        timed = LINUX[:5] + [(7.0, "linux-init: ok: parallel jobs: 4[    3.418989] reboot: "
                                   "System halted")]
        phases, made = parse.end_from_halt(timed, parse.parse_phases(timed))
        self.assertTrue(made)
        self.assertEqual(phases[-1], {"k": 3, "name": "end", "host_s": 7.0, "unit": "s",
                                      "clock": 3.418989, "faults": None})

    def test_nothing_made_when_end_is_there_or_no_halt(self):
        phases = parse.parse_phases(LINUX)
        self.assertEqual(parse.end_from_halt(LINUX, phases), (phases, False))
        short = parse.parse_phases(LINUX[:5])
        self.assertEqual(parse.end_from_halt(LINUX[:5], short), (short, False))


if __name__ == "__main__":
    unittest.main()
