"""Unit tests of tools/bench/compare.py: the before/after pairing and table."""
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tools", "bench"))
import compare  # noqa: E402
import stats  # noqa: E402


def run(mode, exits, host, phase="forkexec", emu="qemu", ok=True):
    figures = {phase: {"host_s": host, "unit": "s", "guest": 1.0}}
    if mode != "native":
        figures[phase].update({"exits": exits, "pt_writes": exits // 2, "sp_created": 10})
    return {"emulator": emu, "workload": "linux", "size": None, "mode": mode, "rep": 1,
            "ok": ok, "reason": None if ok else "timeout", "figures": figures if ok else {}}


class Compare(unittest.TestCase):
    def test_pairs_keep_umbra_rows_measured_in_both(self):
        before = stats.aggregate([run("umbra-shadow", 1000, 10.0), run("native", 0, 2.0),
                                  run("umbra-tdp", 100, 4.0, emu="bochs")])
        after = stats.aggregate([run("umbra-shadow", 400, 6.0), run("native", 0, 2.0),
                                 run("umbra-tdp", 90, 4.0)])
        keys = [k for k, _, _ in compare.pairs(before, after)]
        # native has no counters to compare; qemu umbra-tdp was not measured before.
        self.assertEqual(keys, [("qemu", "linux", None, "forkexec", "umbra-shadow")])

    def test_table_ratios(self):
        before = stats.aggregate([run("umbra-shadow", 1000, 10.0)])
        after = stats.aggregate([run("umbra-shadow", 400, 6.0)])
        lines = compare.compare_table(before, after).splitlines()
        self.assertEqual(len(lines), 3)
        cells = [c.strip() for c in lines[2].strip("|").split("|")]
        self.assertEqual(cells[:4], ["qemu", "linux", "forkexec", "umbra-shadow"])
        self.assertEqual(cells[4:7], ["1000", "400", "0.40x"])      # exits
        self.assertEqual(cells[7:10], ["500", "200", "0.40x"])      # PT writes
        self.assertEqual(cells[13:16], ["10.00", "6.00", "0.60x"])   # host seconds

    def test_only_and_failed_rows(self):
        before = stats.aggregate([run("umbra-shadow", 1000, 10.0)])
        after = stats.aggregate([run("umbra-shadow", 0, 0, ok=False)])
        # A group whose every run failed has no phase: nothing to compare.
        self.assertEqual(compare.pairs(before, after), [])
        after = stats.aggregate([run("umbra-shadow", 400, 6.0)])
        self.assertEqual(compare.pairs(before, after, only="bochs/"), [])
        self.assertEqual(len(compare.pairs(before, after, only="qemu/linux/umbra-shadow")), 1)


if __name__ == "__main__":
    unittest.main()
