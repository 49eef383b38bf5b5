"""The hostile-guest harness (tests/emu/hostile.py) on its own."""
from hostile import hostile_test

TESTS = [hostile_test("smoke", [r"^ok: the hostile-guest harness runs$"])]
