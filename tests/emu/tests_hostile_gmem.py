"""Hostile guests against Umbra's emulated guest-memory accesses (INS, OUTS, SMSW, instruction
fetch): rights at the instruction's CPL, faults and CR2, alignment check, page-table tracking,
address forming, and REP string I/O that must not hold Umbra for its whole count."""
from hostile import CTRL_A, hostile_test

# While a REP string instruction of 0x10000000 iterations runs: the monitor must answer, then
# "s" reaches the guest's UART, whose interrupt handler ends the instruction.
def monitor_during(marker):
    return [
        ("expect", marker),
        ("send", CTRL_A + "c"),
        ("expect", r"\(umbra\) "),
        ("send", "info exits\r"),
        ("expect", r"umbra: exits: \d+ total"),
        ("send", "quit\r"),
        ("expect", r"\[umbra\] guest console"),
        # One more round trip (the key list) before typing to the guest: under QEMU a key sent
        # right behind "quit" can still reach the monitor instead of the guest's UART.
        ("send", CTRL_A + "h"),
        ("expect", r"Ctrl-A x +power off"),
        ("send", "s"),
    ]


TESTS = [
    hostile_test("gmem_rep", [
        r"^ok: REP INSB: the UART interrupt arrived in the middle of it",
        r"^ok: REP INSB: at most \d+ iterations per exit$",
        r"^ok: REP OUTSB: the UART interrupt arrived in the middle of it",
        r"^ok: REP OUTSB: at most \d+ iterations per exit$",
    ], script_before=monitor_during(r"hostile: rep insb running")
       + monitor_during(r"hostile: rep outsb running"),
       # Under QEMU (SVM) the monitor answers during the REP too, but after it has been open,
       # typed input no longer raises the guest's UART interrupt, so the REP never ends there.
       configs=["bochs-vmx-bios", "bochs-svm-bios"]),
    hostile_test("gmem_priv", [
        r"^ok: CPL 3 REP INSB into a supervisor page: #PF with error code 0x7$",
        r"^ok: CPL 3 REP OUTSB from a supervisor page: #PF with error code 0x5$",
        r"^ok: no secret byte reached the port$",
        r"^ok: INSD crossing into a read-only page: CR2 is 0x40004000$",
        r"^ok: no byte of the crossing INSD was written$",
        r"^ok: misaligned INSW with CR0.AM and EFLAGS.AC at CPL 3: #AC\(0\)$",
        r"^ok: CPL 3 SMSW into a supervisor page: #PF with error code 0x7$",
        r"^ok: CPL 3 SMSW into its own page completes, and the next instructions run$",
        r"^ok: after INSB rewrote its PTE and MOV CR3, VA_T reads frame B$",
    ]),
    hostile_test("gmem_addr", [
        r"^ok: CPL 3 store into its user-writable page table completes",
        r"^ok: an OUT at EIP 0xffffffff continues at EIP 0$",
        r"^ok: 64-bit REP OUTSB read at RSI: the DS base counts as 0$",
        r"^ok: 64-bit REP INSB wrote at RDI: ES has base 0$",
        r"^ok: 64-bit FS: REP OUTSB read at FS.base \+ RSI$",
        r"^ok: its linear address wrapped at 4 GiB$",
    ]),
]
