"""Unit tests of tools/bench/stats.py and render.py: medians, spreads, ratios, rows, goals,
and the Markdown, CSV and JSON output."""
import csv
import io
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tools", "bench"))
import render  # noqa: E402
import stats  # noqa: E402


class Basics(unittest.TestCase):
    def test_median(self):
        self.assertEqual(stats.median([3, 1, 2]), 2)
        self.assertEqual(stats.median([4, 1, 2, 3]), 2.5)
        self.assertEqual(stats.median([None, 5]), 5)
        self.assertIsNone(stats.median([]))
        self.assertIsNone(stats.median([None]))

    def test_spread_and_summary(self):
        self.assertEqual(stats.spread([3, 1, 2]), (1, 3))
        self.assertIsNone(stats.spread([None]))
        self.assertEqual(stats.summarize([3, None, 1]),
                         {"median": 2, "min": 1, "max": 3, "n": 2})

    def test_ratio(self):
        self.assertEqual(stats.ratio(3, 2), 1.5)
        self.assertIsNone(stats.ratio(3, 0))
        self.assertIsNone(stats.ratio(None, 2))
        self.assertIsNone(stats.ratio(2, None))


def run(emu, wl, mode, rep, figures, ok=True, size=None, reason=None):
    return {"emulator": emu, "workload": wl, "size": size, "mode": mode, "rep": rep, "ok": ok,
            "reason": reason, "figures": figures if ok else {}}


def linux(host_fork, host_total, exits_fork=None, clock=1.0):
    f = {"forkexec": {"host_s": host_fork, "unit": "s", "guest": clock},
         "total": {"host_s": host_total, "unit": "s", "guest": clock * 10}}
    if exits_fork is not None:
        f["forkexec"].update({"exits": exits_fork, "exit.page-fault": exits_fork // 2,
                              "fills": 10, "pt_updated": 0,
                              "exits_per_fault": exits_fork / 2 / 10})
        f["total"]["exits"] = exits_fork * 4
    return f


RUNS = [
    run("qemu", "linux", "umbra-shadow", 1, linux(6.0, 30.0, 1000)),
    run("qemu", "linux", "umbra-tdp", 1, linux(4.0, 24.0, 100)),
    run("qemu", "linux", "native", 1, linux(2.0, 15.0, clock=0.8)),
    run("qemu", "linux", "umbra-shadow", 2, linux(8.0, 34.0, 1200)),
    run("qemu", "linux", "umbra-tdp", 2, {}, ok=False, reason="timeout after 300 s"),
    run("qemu", "linux", "native", 2, linux(2.0, 17.0, clock=0.8)),
    run("qemu", "linux", "umbra-shadow", 3, linux(7.0, 32.0, 1100)),
    run("qemu", "linux", "umbra-tdp", 3, linux(4.0, 26.0, 120)),
    run("qemu", "linux", "native", 3, linux(3.0, 16.0, clock=0.8)),
]


class Rows(unittest.TestCase):
    def setUp(self):
        self.rows = stats.aggregate(RUNS)
        self.comps = stats.comparisons(self.rows)

    def row(self, mode, phase):
        return next(r for r in self.rows if r["mode"] == mode and r["phase"] == phase)

    def test_medians_over_successful_reps(self):
        sh = self.row("umbra-shadow", "forkexec")
        self.assertEqual(sh["metrics"]["host_s"], {"median": 7.0, "min": 6.0, "max": 8.0, "n": 3})
        self.assertEqual(sh["metrics"]["exits"]["median"], 1100)
        tdp = self.row("umbra-tdp", "forkexec")
        self.assertEqual((tdp["reps"], tdp["failed"]), (3, 1))
        self.assertEqual(tdp["metrics"]["host_s"]["median"], 4.0)
        self.assertEqual(tdp["reasons"], ["rep 2: timeout after 300 s"])
        self.assertEqual(tdp["unit"], "s")

    def test_ratios(self):
        fork = next(c for c in self.comps if c["phase"] == "forkexec")
        self.assertAlmostEqual(fork["time_shadow_tdp"], 7.0 / 4.0)
        self.assertAlmostEqual(fork["time_shadow_native"], 7.0 / 2.0)
        self.assertAlmostEqual(fork["time_tdp_native"], 4.0 / 2.0)
        self.assertAlmostEqual(fork["exits_shadow_tdp"], 1100 / 110)
        self.assertAlmostEqual(fork["clock_shadow_tdp"], 1.0)

    def test_all_failed_group_keeps_a_row(self):
        rows = stats.aggregate([run("bochs", "linux", "umbra-tdp", 1, {}, ok=False,
                                    reason="umbra: mmu=tdp refused: no EPT")])
        self.assertEqual(len(rows), 1)
        self.assertIsNone(rows[0]["phase"])
        self.assertEqual(rows[0]["failed"], 1)

    def test_goals(self):
        goals = render.goals(self.comps, ["qemu"])
        by = {(g[0], g[2]): g for g in goals}
        fork = next(g for g in goals if "fork/exec" in g[0])
        self.assertEqual((fork[2], fork[3]), ("1.75x", "not met"))
        natives = [g for g in goals if "native" in g[0]]
        self.assertEqual([(g[2], g[3]) for g in natives],
                         [(f"{32 / 16:.2f}x", "not met"), (f"{25 / 16:.2f}x", "not met")])
        demand = next(g for g in goals if g[0].startswith("exits per demand fault <="))
        self.assertEqual(demand[3], "not measured")
        self.assertTrue(by)

    def test_goal_met_and_vmx_demand(self):
        small = [run("bochs", "bench_demand", m, 1,
                     {"work": {"host_s": 1.0, "unit": "tsc", "guest": 10,
                               **({"exits": 100, "exits_per_fault": 1.0} if m != "native"
                                  else {})}}, size=s)
                 for s in (4, 8) for m in ("umbra-shadow", "umbra-tdp", "native")]
        goals = render.goals(stats.comparisons(stats.aggregate(small)), ["bochs"])
        demand = next(g for g in goals if g[0].startswith("exits per demand fault <="))
        self.assertEqual((demand[2], demand[3]), ("1.00", "met"))
        self.assertIn("VMX", demand[1])

    def test_exits_goal_slack(self):
        self.assertEqual(render.verdict(1.01, 1.0, render.EXITS_PER_FAULT_SLACK), "met")
        self.assertEqual(render.verdict(1.2, 1.0, render.EXITS_PER_FAULT_SLACK), "not met")
        self.assertEqual(render.verdict(1.31, 1.3), "not met")
        self.assertEqual(render.verdict(None, 1.3), "not measured")

    def test_markdown(self):
        md = render.markdown({"date": "2026-01-01", "machine": "cpu, 2 cores"}, self.rows,
                             self.comps, render.goals(self.comps, ["qemu"]), ["a note"])
        self.assertIn("- machine: cpu, 2 cores", md)
        self.assertIn("- a note", md)
        self.assertIn("| qemu | linux | forkexec | 2.00 [2.00-3.00] | 4.00 (1 failed) | "
                      "7.00 [6.00-8.00] | 1.75x | 2.00x | 3.50x |", md)
        self.assertIn("## Failed runs", md)
        self.assertIn("- qemu linux umbra-tdp rep 2: timeout after 300 s", md)
        # The counters table: Umbra rows only, shadow rows with the exit ratio.
        counters = md.split("## Umbra's counters")[1].split("## Definitions")[0]
        self.assertNotIn("native", counters)
        self.assertIn("| qemu | linux | forkexec | umbra-shadow | 1100 [1000-1200] |", counters)
        self.assertIn("10.00x", counters)

    def test_csv(self):
        rows = list(csv.reader(io.StringIO(render.csv_text(self.rows))))
        self.assertEqual(rows[0], render.CSV_FIELDS)
        line = next(r for r in rows if r[3] == "forkexec" and r[4] == "umbra-shadow" and
                    r[5] == "host_s")
        self.assertEqual(line[6:], ["7.0", "6.0", "8.0", "3", "3", "0"])

    def test_json_keeps_raw_runs(self):
        data = json.loads(render.json_text({"date": "d"}, RUNS, self.rows, self.comps, []))
        self.assertEqual(len(data["runs"]), len(RUNS))
        self.assertEqual(data["runs"][4]["reason"], "timeout after 300 s")
        self.assertNotIn("modes", data["comparisons"][0])


class Formatting(unittest.TestCase):
    def test_numbers(self):
        self.assertEqual(render.fmt_num(None), "-")
        self.assertEqual(render.fmt_num(1234), "1234")
        self.assertEqual(render.fmt_num(12.345), "12.3")
        self.assertEqual(render.fmt_num(1.2345), "1.23")
        self.assertEqual(render.fmt_num(2.0, 2), "2.00")
        self.assertEqual(render.fmt_num(65.0), "65")

    def test_summary_shows_spread_only_when_it_exists(self):
        self.assertEqual(render.fmt_summary({"median": 5, "min": 5, "max": 5, "n": 3}), "5")
        self.assertEqual(render.fmt_summary({"median": 5, "min": 4, "max": 7, "n": 3}),
                         "5 [4-7]")
        self.assertEqual(render.fmt_summary(None), "-")

    def test_label(self):
        self.assertEqual(render.workload_label("bench_cr3", 16), "bench_cr3 size=16")
        self.assertEqual(render.workload_label("linux", None), "linux")


if __name__ == "__main__":
    unittest.main()


class PlotData(unittest.TestCase):
    def test_bars_and_lines(self):
        import plots
        small = [run(e, "bench_cr3", m, 1,
                     {"work": {"host_s": 0.5, "unit": "tsc", "guest": 2e6 * s,
                               **({"exits": 10 * s} if m != "native" else {})}}, size=s)
                 for e in ("qemu", "bochs") for s in (16, 4)
                 for m in ("umbra-shadow", "umbra-tdp", "native")]
        comps = stats.comparisons(stats.aggregate(small))
        bars = plots.bar_data(comps, "qemu", "bench_cr3", "guest", 1e-6)
        self.assertEqual(bars, ['"size=16" 32.0 32.0 32.0', '"size=4" 8.0 8.0 8.0'])
        lines = plots.line_data(comps, "bench_cr3", ["qemu", "bochs"])
        self.assertEqual(lines, ["4 40.0 40.0 40.0 40.0", "16 160.0 160.0 160.0 160.0"])
        linux = stats.comparisons(stats.aggregate(RUNS))
        self.assertEqual(plots.bar_data(linux, "qemu", "linux")[0],
                         '"forkexec" 2.0 4.0 7.0')
        self.assertEqual(plots.bar_data(linux, "bochs", "linux"), [])


class Workloads(unittest.TestCase):
    def test_sizes_option(self):
        import workloads
        self.assertEqual(workloads.parse_sizes("bench_demand=1,2;bench_cr3=4"),
                         {"bench_demand": (1, 2), "bench_cr3": (4,)})
        with self.assertRaises(ValueError):
            workloads.parse_sizes("nosuch=1")

    def test_native_end_matches_the_guests_last_line(self):
        import re
        import workloads
        w = workloads.SmallGuest("bench_demand", "/nonexistent", (1,))
        self.assertTrue(re.search(w.native_end, "bench: done demand size=256", re.M))
        self.assertEqual(w.demand_faults(256), {"work": 256})
        self.assertTrue(re.search(workloads.Linux("/x").native_end,
                                  "linux-init: 8 passed, 0 failed", re.M))
