"""Paging tests: the pg_* guests of tests/guests/ turn on guest paging (32-bit, PAE, 4-level) and
check, from inside, what Umbra's shadow MMU gives them: permissions and #PF error codes, A/D
bits, large pages, PDPTE loading, CR3 switches, INVLPG and global pages, mode switches and a
self-mapping page table.

Every guest prints "ok: ..." or "FAIL: ..." per check, "skipped: ..." for checks that need a
CPUID feature (SMEP, NX, 1 GiB pages) and ends with "N passed, N failed" and debug exit 0x20.
The key lines below avoid feature-dependent checks, so they hold on every configuration. The
expected outcomes are the SDM's; the guests pass bare-metal under Bochs (Intel and AMD models).
"""
import re

from testlib import Test

PAGING_CONFIGS = ["qemu-svm-bios", "bochs-vmx-bios", "bochs-svm-bios"]

GUEST_PASS = 0x20            # tests/guests/lib/guest.h GUEST_EXIT_PASS

FORBID = [r"FAIL", r"HOST EXCEPTION", r"PANIC",
          r"^umbra: guest: port 0x(3f[8-9a-f]|f4) not emulated"]


def ok(text):
    """The regex of the line "ok: TEXT", TEXT taken literally."""
    return "^" + re.escape("ok: " + text)


def paging_guest(name, lines):
    return Test(f"paging-{name}",
                configs=PAGING_CONFIGS,
                args="debug_exit=on",
                modules=lambda ctx: [(f"{ctx['build']}/guests/{name}.elf", f"guest {name}")],
                expect=[ok(line) for line in lines] + [
                    r"^\d+ passed, 0 failed$",
                    r"^umbra: guest stopped: debug exit 0x20$",
                ],
                forbid=FORBID,
                status=GUEST_PASS,
                timeout=180)


TESTS = [
    # off -> 32-bit -> off -> PAE -> off -> 4-level -> off -> 4-level -> PAE -> 32-bit -> ...
    paging_guest("pg_modes", [
        "off: physical 0x200000 reads 0xa5a50001",
        "32-bit: CR0.PG",
        "32-bit: 0x50000000 reads 0xa5a50001",
        "32-bit: unmapped 0x50002000 raises #PF(0)",
        "PAE: CR4.PAE",
        "PAE: 0x50000000 reads 0xa5a50002",
        "4-level: EFER.LMA",
        "4-level: 0x50000000 reads 0xa5a50003",
        "4-level: 0xffff800012345000 reads 0xa5a50003",
        "off: EFER.LMA",
        "4-level: 0xffff800012345000 reads 0xa5a50003",
        "PAE: 0x50000000 reads 0xa5a50002",
        "32-bit: 0x50000000 reads 0xa5a50001",
        "4-level: 0x50000000 reads 0xa5a50003",
        "32-bit: 0x50000000 reads 0xa5a50001",
        "PAE: a write to 0x50000004 lands in frame",
        "off: physical 0x200000 reads 0xa5a50001",
    ]),

    # Permission and error-code matrices; every row re-written, CR3 reloaded, A/D checked.
    paging_guest("pg_access32", [
        "32 0: PD=PWU PT=PWU: user fetch -> no fault, A/D",
        "32 1: PD=PWU PT=PW: user write -> #PF 0x7",
        "32 2: PD=PWU PT=PU: sup write -> no fault, A/D",
        "32 3: PD=PWU PT=PU wp: sup write -> #PF 0x3",
        "32 4: PD=PU PT=PWU wp: sup write -> #PF 0x3",
        "32 6: PD=PW PT=PWU: user read -> #PF 0x5",
        "32 8: PD=- PT=PWU wp: user write -> #PF 0x6",
        "32 9: PD=PWU PT=-: sup fetch -> #PF 0x0",
        "32 12: PD=PWUS: user write -> no fault, A/D",
        "32 16: PD=PWUSR: user write -> #PF 0xf",
        "32 17: PD=S: user fetch -> #PF 0x4",
    ]),
    paging_guest("pg_accesspae", [
        "pae 0: PDP=P PD=PWU PT=PWU: user fetch -> no fault, A/D",
        "pae 3: PDP=P PD=PWU PT=PU wp: sup write -> #PF 0x3",
        "pae 9: PDP=P PD=PWU PT=PWUX: sup read -> #PF 0x9",
        "pae 10: PDP=P PD=PWUX PT=PWU: user read -> #PF 0xd",
        "pae 11: PDP=- PD=PWU PT=PWU: user write -> #PF 0x6",
        "pae 16: PDP=P PD=PWUS: user write -> no fault, A/D",
        "pae 19: PDP=P PD=PWUSR: user write -> #PF 0xf",
        "pae 20: PDP=P PD=PWUS: sup read -> #PF 0x9",
    ]),
    paging_guest("pg_access64", [
        "64 0: PML4=PWU PDP=PWU PD=PWU PT=PWU: user fetch -> no fault, A/D",
        "64 1: PML4=PW PDP=PWU PD=PWU PT=PWU: user read -> #PF 0x5",
        "64 3: PML4=PWU PDP=PWU PD=PW PT=PWU: user read -> #PF 0x5",
        "64 6: PML4=PU PDP=PWU PD=PWU PT=PWU wp: sup write -> #PF 0x3",
        "64 9: PML4=PWU PDP=PWU PD=PWU PT=PU: sup write -> no fault, A/D",
        "64 15: PML4=PWUX PDP=PWU PD=PWU PT=PWU: sup read -> #PF 0x9",
        "64 18: PML4=PWU PDP=- PD=PWU PT=PWU: user write -> #PF 0x6",
        "64 21: PML4=PWUR PDP=PWU PD=PWU PT=PWU: user write -> #PF 0xf",
        "64 25: PML4=PWUS: sup read -> #PF 0x9",
        "64 26: PML4=PWU PDP=PWUR PD=- PT=PWU: sup read -> #PF 0x9",
        "64 27: PML4=PWU PDP=- PD=PWUR PT=PWU: sup read -> #PF 0x0",
        "64 30: PML4=PWU PDP=PWU PD=PWUS: user fetch -> no fault, A/D",
    ]),

    paging_guest("pg_large", [
        "32-bit, CR4.PSE=0: PDE.PS ignored, the PDE maps a page table",
        "32-bit 4 MiB page +0x3ffffc",
        "32-bit 4 MiB page: large leaf has A and D after a write",
        "32-bit 4 MiB page: split into 4 KiB pages, INVLPG",
        "PAE 2 MiB page +0x1ff004",
        "PAE 2 MiB page: large leaf has A and D after a write",
        "4-level 2 MiB page +0x1ff004",
        "4-level 2 MiB page: split into 4 KiB pages, INVLPG",
    ]),

    paging_guest("pg_pdpte", [
        "CR3 holds a PDPT at page offset 0x40",
        "CR3 reloaded: PDPTE 1 points to directory B",
        "CR3 reloaded: PDPTE 1 not present",
        "MOV CR3 with PDPTE 2 bit 1 set raises #GP(0)",
        "CR3 keeps its old value after the bit 1 #GP",
        "MOV CR3 with PDPTE 2 bit 63 (XD) set raises #GP(0)",
        "MOV CR3 with PDPTE 2 bit MAXPHYADDR set raises #GP(0)",
        "the old PDPTEs still translate",
        "MOV CR3 with junk in a not-present PDPTE",
        "MOV CR0 enabling PAE paging with a bad PDPTE raises #GP(0)",
        "PAE paging on with the fixed PDPT",
    ]),

    paging_guest("pg_cr3", [
        "32-bit round 2: space 2 sees its frame",
        "32-bit: a PTE changed while its space was inactive is seen",
        "PAE round 1: space 0 does not map space 1's page",
        "PAE: writes land in each space's own frame",
        "4-level round 2: space 1 maps its extra page",
        "4-level: a PTE changed while its space was inactive is seen",
    ]),

    paging_guest("pg_invlpg", [
        "32-bit: PTE to frame 1, INVLPG",
        "32-bit: PTE read-only, INVLPG, write",
        "32-bit: PDE to another page table, INVLPG",
        "32-bit: global PTE to frame 1, INVLPG",
        "PAE: global PTE to frame 2, CR4.PGE toggled",
        "4-level: PTE not present, INVLPG",
        "4-level: PDE to another page table, INVLPG",
        "4-level: CR4.PGE off: a CR3 write flushes it",
    ]),

    paging_guest("pg_selfmap", [
        "32-bit: PTE of 0x41123000 read at 0xffd0448c",
        "32-bit: PTE written through the self map translates",
        "PAE: PDE of 0xc1123000",
        "PAE: PTE written through the self map translates",
        "4-level: PML4E of 0x8041123000",
        "4-level: the self PML4E reads itself",
        "4-level: PTE written through the self map translates",
    ]),
]
