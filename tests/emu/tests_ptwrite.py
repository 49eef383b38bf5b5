"""Page-table-write tests: the pt_* guests of tests/guests/ write their own live page tables
with every instruction Umbra's write emulator supports and check, from inside, that the
translation is right at once, and from Umbra's counter port (guest/umbra_abi.h) what it cost:

- pt_demand: demand paging costs 2 exits per fault (reflected #PF + emulated PTE store whose
  shadow entry is updated in place), in 32-bit, PAE and 4-level paging;
- pt_quadrant: 32-bit tables: a PTE in the upper half of a page table and a PDE in each quarter
  of the page directory, the other quadrants unchanged;
- pt_insn: MOV, XCHG, CMPXCHG (8B, 16B), LOCK OR/AND/XOR, XOR, ADD, SUB, ADC, SBB, BTS, BTR, BTC,
  REP STOS, REP MOVS on live PTEs, from 32-bit code (32-bit and PAE paging) and 64-bit code;
- pt_flood: a former page table reused as data is unshadowed after a few emulated writes;
- pt_paehalves: PAE PTEs written in two 32-bit halves, in both orders;
- pt_smallpool: 4 times more live page tables than the smallest shadow pool (shadow_mem=256K)
  holds: shadow pages are evicted, the shadow MMU never reset, every mapping right;
- pt_hotwrite: one live PTE rewritten thousands of times (with and without INVLPG between),
  the exits per write printed and bounded, and a PTE naming memory outside guest RAM.

Every guest prints "ok: ..." or "FAIL: ..." per check and "skipped: ..." for checks that need a
CPUID feature or Umbra's counters (the guests run bare-metal too), and ends with
"N passed, N failed" and debug exit 0x20.
"""
import re

from testlib import Test

PTWRITE_CONFIGS = ["qemu-svm-bios", "bochs-vmx-bios", "bochs-svm-bios"]

GUEST_PASS = 0x20            # tests/guests/lib/guest.h GUEST_EXIT_PASS

FORBID = [r"FAIL", r"HOST EXCEPTION", r"PANIC", r"^skipped: .*not running under Umbra",
          r"^umbra: guest: port 0x(3f[8-9a-f]|f4) not emulated"]


def ok(text):
    """The regex of the line "ok: TEXT", TEXT taken literally."""
    return "^" + re.escape("ok: " + text)


def ptwrite_guest(name, lines, configs=PTWRITE_CONFIGS, suffix="", args=""):
    """args: more of Umbra's options (e.g. shadow_mem=)."""
    return Test(f"ptwrite-{name}{suffix}",
                configs=configs,
                args=("debug_exit=on " + args).strip(),
                modules=lambda ctx: [(f"{ctx['build']}/guests/{name}.elf", f"guest {name}")],
                expect=[r"^running under Umbra: yes$"] + [ok(line) for line in lines] + [
                    r"^\d+ passed, 0 failed$",
                    r"^umbra: guest stopped: debug exit 0x20$",
                ],
                forbid=FORBID,
                status=GUEST_PASS,
                timeout=180)


TESTS = [
    # SVM intercepts every #PF (no error-code filter, APM Vol. 2 15.12): 2 exits a fault.
    ptwrite_guest("pt_demand", [
        "32-bit: 64 faults served by the handler",
        "32-bit: exits per fault: 2.00",
        "32-bit: every PTE write updated its shadow entry in place",
        "PAE: exits per fault: 2.00",
        "PAE: every PTE write updated its shadow entry in place",
        "4-level: exits per fault: 2.00",
        "4-level: every PTE write updated its shadow entry in place",
    ], configs=["qemu-svm-bios", "bochs-svm-bios"]),
    # VMX lets guest-not-present faults through (SDM Vol. 3C 25.2, mm/spte.h): 1 exit a fault
    # with PAE and 4-level paging (NXE on). 32-bit paging without SMEP stays at 2: the I/D
    # bit of a direct fault would not be the guest's (SDM Vol. 3A 4.7).
    ptwrite_guest("pt_demand", [
        "32-bit: 64 faults served by the handler",
        "32-bit: exits per fault: 2.00",
        "PAE: exits per fault: 1.00",
        "PAE: no reflected fault per page",
        "PAE: every PTE write updated its shadow entry in place",
        "4-level: exits per fault: 1.00",
        "4-level: no reflected fault per page",
        "4-level: every PTE write updated its shadow entry in place",
    ], configs=["bochs-vmx-bios"], suffix="-vmx"),

    ptwrite_guest("pt_quadrant", [
        "in use: quarter 3 PTE 612",
        "PTE 700 (upper half) written: maps the new frame at once",
        "PTE 188 (its alias in the lower half) unchanged",
        "upper-half PTE write updated one shadow entry in place",
        "round 0, PDE 64 (quarter 0) to table 1: quarter 1 PTE 188",
        "round 0, PDE 320 (quarter 1) to table 1: quarter 1 PTE 700",
        "round 0, PDE 576 (quarter 2) to table 1: quarter 3 PTE 188",
        "round 0, PDE 832 (quarter 3) to table 1: quarter 3 PTE 612",
        "round 1, PDE 832 (quarter 3) to table 0: quarter 2 PTE 700",
        "quarter 2 PDE cleared: not present at once",
        "PDEs present again: quarter 3 PTE 612",
    ]),
    ptwrite_guest("pt_paehalves", [
        "PAE, high half first: between the halves: frame 0 or a #PF, never another frame",
        "PAE, high half first: both halves written: frame 1",
        "PAE, high half first: both halves written: XD",
        "PAE, low half first: between the halves: frame 1 or the half-written entry's",
        "PAE, low half first: both halves written: frame 2",
        "PAE, low half first: both halves written: executable",
        "4-level, high half first: both halves written: frame 1",
        "4-level, low half first: both halves written: XD",
    ]),
    ptwrite_guest("pt_insn", [
        "32-bit code, 32-bit: MOV r32: page 0 maps frame 1 at once",
        "32-bit code, 32-bit: XCHG: the register gets the old PTE",
        "32-bit code, 32-bit: LOCK CMPXCHG failing: the accumulator gets the PTE",
        "32-bit code, 32-bit: LOCK CMPXCHG8B succeeding: page 0 maps frame 8 at once",
        "32-bit code, 32-bit: LOCK OR (R/W on): page 0 writable at once",
        "32-bit code, 32-bit: LOCK AND (R/W off): page 0 read-only at once",
        "32-bit code, 32-bit: STC, ADC imm32: page 0 maps frame 14 at once",
        "32-bit code, 32-bit: BTR r (P of the next PTE): page 1 not present at once",
        "32-bit code, 32-bit: BTC imm (address bit 12): page 0 maps frame 19 at once",
        "32-bit code, 32-bit: REP STOS: page 3 not present at once",
        "32-bit code, 32-bit: REP MOVS: emulated",
        "32-bit code, 32-bit: REP MOVS: page 3 maps frame 28 at once",
        "32-bit code, PAE: MOV r32: page 0 maps frame 1 at once",
        "32-bit code, PAE: XCHG: the register gets the old PTE",
        "32-bit code, PAE: LOCK CMPXCHG failing: the accumulator gets the PTE",
        "32-bit code, PAE: LOCK CMPXCHG8B succeeding: page 0 maps frame 8 at once",
        "32-bit code, PAE: LOCK OR (R/W on): page 0 writable at once",
        "32-bit code, PAE: LOCK AND (R/W off): page 0 read-only at once",
        "32-bit code, PAE: STC, ADC imm32: page 0 maps frame 14 at once",
        "32-bit code, PAE: BTR r (P of the next PTE): page 1 not present at once",
        "32-bit code, PAE: BTC imm (address bit 12): page 0 maps frame 19 at once",
        "32-bit code, PAE: REP STOS: page 3 not present at once",
        "32-bit code, PAE: REP MOVS: emulated",
        "32-bit code, PAE: REP MOVS: page 3 maps frame 28 at once",
        "64-bit code, 4-level: MOV r64: page 0 maps frame 1 at once",
        "64-bit code, 4-level: XCHG: the register gets the old PTE",
        "64-bit code, 4-level: LOCK CMPXCHG failing: the accumulator gets the PTE",
        "64-bit code, 4-level: LOCK CMPXCHG8B succeeding: page 0 maps frame 8 at once",
        "64-bit code, 4-level: LOCK OR (R/W on): page 0 writable at once",
        "64-bit code, 4-level: LOCK AND (R/W off): page 0 read-only at once",
        "64-bit code, 4-level: STC, ADC imm32: page 0 maps frame 14 at once",
        "64-bit code, 4-level: BTR r (P of the next PTE): page 1 not present at once",
        "64-bit code, 4-level: BTC imm (address bit 12): page 0 maps frame 19 at once",
        "64-bit code, 4-level: REP STOS: page 3 not present at once",
        "64-bit code, 4-level: REP MOVS: emulated",
        "64-bit code, 4-level: REP MOVS: page 3 maps frame 28 at once",
    ]),
    ptwrite_guest("pt_flood", [
        "32-bit, after a CR3 switch: 100 stores to the former page table landed",
        "32-bit, after a CR3 switch: emulated page-table writes: between 1 and 5",
        "32-bit, after a CR3 switch: the table was unshadowed",
        "32-bit, after unmapping it: 100 stores to the former page table landed",
        "32-bit, after unmapping it: emulated page-table writes: between 1 and 5",
        "32-bit, after unmapping it: the table was unshadowed",
        "PAE, after a CR3 switch: 100 stores to the former page table landed",
        "PAE, after a CR3 switch: emulated page-table writes: between 1 and 5",
        "PAE, after a CR3 switch: the table was unshadowed",
        "PAE, after unmapping it: 100 stores to the former page table landed",
        "PAE, after unmapping it: emulated page-table writes: between 1 and 5",
        "PAE, after unmapping it: the table was unshadowed",
        "4-level, after a CR3 switch: 100 stores to the former page table landed",
        "4-level, after a CR3 switch: emulated page-table writes: between 1 and 5",
        "4-level, after a CR3 switch: the table was unshadowed",
        "4-level, after unmapping it: 100 stores to the former page table landed",
        "4-level, after unmapping it: emulated page-table writes: between 1 and 5",
        "4-level, after unmapping it: the table was unshadowed",
    ]),
    # The smallest pool (lib/options.c: 256K) holds a few dozen shadow pages
    # (mm/shadow_pool.c); the guest builds 4 page tables per shadow page.
    ptwrite_guest("pt_smallpool", [
        "the shadow pool is small (shadow_mem=)",
        "32-bit: 4 rounds: every read through every mapping saw its frame",
        "32-bit: every store landed in its own frame",
        "32-bit: shadow pages were evicted",
        "32-bit: no full reset of the shadow MMU",
        "PAE: 4 rounds: every read through every mapping saw its frame",
        "PAE: every store landed in its own frame",
        "PAE: shadow pages were evicted",
        "PAE: no full reset of the shadow MMU",
        "4-level: 4 rounds: every read through every mapping saw its frame",
        "4-level: every store landed in its own frame",
        "4-level: shadow pages were evicted",
        "4-level: no full reset of the shadow MMU",
    ], args="shadow_mem=256K"),
    # With an INVLPG after each store: the store's exit and the INVLPG's; without: the table
    # goes out of sync after a few trapped stores, then none (the guest prints the figures).
    ptwrite_guest("pt_hotwrite", [
        line.format(mode=mode)
        for mode in ("32-bit", "PAE", "4-level")
        for line in (
            "{mode}, INVLPG after each store: every read saw the new frame",
            "{mode}, INVLPG after each store: the witness never changed",
            "{mode}, INVLPG after each store: at most 2 exits per store (and 16 one-off)",
            "{mode}, INVLPG after each store: no store emulated twice",
            "{mode}, no INVLPG between stores: before the INVLPG, the first or the last frame",
            "{mode}, no INVLPG between stores: the last store wins",
            "{mode}, no INVLPG between stores: the witness unchanged",
            "{mode}, no INVLPG between stores: at most 0 exits per store (and 16 one-off)",
            "{mode}, no INVLPG between stores: no store emulated twice",
            "{mode}: a PTE outside guest RAM reads all-ones",
            "{mode}: Umbra counted a read outside guest RAM",
        ) + (("{mode}: a PTE with address bit",) if mode != "32-bit" else ()) + (
            "{mode}: back in guest RAM: the new frame",
            "{mode}: the witness unchanged at the end",
        )
    ]),
]
