"""Shadow-MMU hardening tests (issue 13, item 8): pg_* guests of tests/guests/ that check, from
inside, results the shadow once got wrong:

- pg_pse_role: CR4.PSE toggled under a live 32-bit page directory changes what PDE.PS means;
- pg_large_dirty: D of a 4 MiB / 2 MiB page is set again by a write to any 4 KiB part after the
  guest cleared it, and an alias of the same frames has its own D;
- pg_wp_smep_smap: with CR0.WP = 0 a supervisor write to a read-only user page leaves it a user
  page for SMEP and SMAP and read-only for user mode;
- pg_implicit_smap: descriptor loads from an LDT in a user page are implicit supervisor reads:
  with SMAP they fault with #PF 0x1 whatever EFLAGS.AC (at CPL 0 with AC = 1 only reported).

The guests print "ok: ..." / "FAIL: ..." per check and end with "N passed, N failed". The
expected outcomes are the SDM's. The guests pass bare-metal under Bochs (Intel and AMD models)
and QEMU (with SMEP and SMAP added to qemu64, which the SMEP/SMAP tests ask for), except that
Bochs 2.7 lets an implicit access with AC = 1 through at CPL 3, against the SDM: under Umbra the
guest sees the SDM's result there, because Umbra's walk decides it.
"""
from testlib import Test
from tests_paging import FORBID, GUEST_PASS, PAGING_CONFIGS, ok

# qemu64 has neither SMEP nor SMAP; the same model with them (QEMU emulates both, and the last
# -cpu option is the one QEMU uses). The Bochs models have both.
QEMU_SMEP_SMAP = ["-cpu", "qemu64,+svm,+smep,+smap"]


def hardening_guest(name, lines, qemu_extra=(), timeout=180):
    return Test(f"paging-hardening-{name}",
                configs=PAGING_CONFIGS,
                args="debug_exit=on",
                modules=lambda ctx: [(f"{ctx['build']}/guests/{name}.elf", f"guest {name}")],
                expect=[ok(line) for line in lines] + [
                    r"^\d+ passed, 0 failed$",
                    r"^umbra: guest stopped: debug exit 0x20$",
                ],
                forbid=FORBID + [r"^skipped: .*no SM[EA]P"],
                status=GUEST_PASS,
                qemu_extra=qemu_extra,
                timeout=timeout)


TESTS = [
    hardening_guest("pg_pse_role", [
        "PSE=1: PDE.PS maps a 4 MiB page",
        "PSE toggled to 0 under the same page directory: PDE.PS ignored, the PDE names a page "
        "table",
        "PSE toggled back to 1: PDE.PS maps a 4 MiB page",
        "fresh directory, PSE=0: PDE.PS ignored, the PDE names a page table",
        "fresh directory, PSE toggled to 1: PDE.PS maps a 4 MiB page",
        "fresh directory, PSE toggled back to 0: PDE.PS ignored, the PDE names a page table",
    ]),

    hardening_guest("pg_large_dirty", [
        "32-bit: reads of three 4 KiB parts leave the large page clean",
        "32-bit: a write to a part read before sets D",
        "32-bit: D cleared, INVLPG: a write to another part sets D again",
        "32-bit: D cleared, CR3 written: a write to the last part sets D again",
        "32-bit: a write through the alias sets the alias's D",
        "PAE: D cleared, INVLPG, a read: still clean",
        "PAE: D cleared, INVLPG: a write to another part sets D again",
        "PAE: D cleared, CR3 written: a write to the last part sets D again",
        "PAE: the alias of a dirty page reads clean",
        "PAE: a write through the alias sets the alias's D",
        "4-level: D cleared, INVLPG: a write to another part sets D again",
        "4-level: a write through the alias sets the alias's D",
    ]),

    hardening_guest("pg_wp_smep_smap", [
        "32-bit: SMEP, WP=0: supervisor write to a read-only user page: the value reached the "
        "frame",
        "32-bit: SMEP, WP=0: after the write, a supervisor fetch from it faults",
        "32-bit: SMEP, WP=0: a user write faults",
        "32-bit: SMEP, WP=0: a supervisor fetch still faults",
        "32-bit: SMAP, WP=0, AC=1: supervisor write to a read-only user page: the value reached "
        "the frame",
        "32-bit: SMAP, WP=0: after the write, a supervisor read with AC=0 faults",
        "32-bit: SMAP, WP=0: a supervisor write with AC=0 faults",
        "32-bit: SMAP, WP=0: the faulting write left the frame alone",
        "32-bit: SMAP, WP=0: a user write faults",
        "32-bit: SMAP, WP=0, AC=1: a supervisor write after the user accesses: the value reached "
        "the frame",
        "32-bit: SMEP and SMAP, WP=0: a supervisor fetch faults",
        "32-bit: SMEP and SMAP, WP=0: a supervisor read with AC=0 faults",
        "PAE: SMEP, WP=0: after the write, a supervisor fetch from it faults",
        "PAE: SMAP, WP=0: after the write, a supervisor read with AC=0 faults",
        "PAE: SMEP and SMAP, WP=0: a supervisor fetch faults",
        "4-level: SMEP, WP=0: after the write, a supervisor fetch from it faults",
        "4-level: SMAP, WP=0: after the write, a supervisor read with AC=0 faults",
        "4-level: SMAP, WP=0: a supervisor write with AC=0 faults",
        "4-level: SMAP, WP=0: a user write faults",
        "4-level: SMEP and SMAP, WP=0: a supervisor read with AC=0 faults",
    ], qemu_extra=QEMU_SMEP_SMAP),

    # Where the processor refuses an implicit access with AC = 1 (the SDM's rule), Umbra once
    # allowed it in its walk and refilled the same entry forever; the emulators let the access
    # through instead, so before the fix the guest saw the load succeed at CPL 3.
    hardening_guest("pg_implicit_smap", [
        "32-bit: no SMAP: CPL 3 loads FS from the user-page LDT",
        "32-bit: no SMAP: CPL 0 loads FS from the user-page LDT",
        "32-bit: SMAP, CPL 0, AC=0: #PF 0x1 (implicit supervisor read)",
        "32-bit: SMAP, CPL 3, AC=0: #PF 0x1 (implicit supervisor read)",
        "32-bit: SMAP, CPL 3, AC=1: #PF 0x1 (implicit supervisor read)",
        "32-bit: SMAP, CPL 3, AC=1: CR2 is the descriptor",
        "32-bit: SMAP, CPL 0, AC=1: an explicit read of the descriptor goes through",
        "32-bit: SMAP cleared: CPL 3 loads FS again",
        "PAE: no SMAP: CPL 3 loads FS from the user-page LDT",
        "PAE: SMAP, CPL 3, AC=1: #PF 0x1 (implicit supervisor read)",
        "PAE: SMAP cleared: CPL 3 loads FS again",
    ], qemu_extra=QEMU_SMEP_SMAP, timeout=120),
]
