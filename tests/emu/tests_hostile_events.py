"""Hostile guests against how Umbra treats events: an exception delivered onto a shadowed guest
page table (issue 13, item 7), and single steps over the instructions Umbra completes for the
guest (item 14)."""
from hostile import HOSTILE_CONFIGS, hostile_test


def deliver_checks(mode):
    c = []
    for event, frame in (("single-step #DB", [
            r"the handler ran once", r"no #DF", r"the frame's EIP is the next instruction",
            r"the frame's CS", r"the frame's EFLAGS has TF",
            r"the instruction after the trap did not run"]),
            ("#PF", [
            r"the handler ran once", r"no #DF", r"error code W \(not present, supervisor\)",
            r"CR2 is the store's address", r"the frame's EIP is the store", r"the frame's CS",
            r"the frame's EFLAGS"])):
        c += [rf"^ok: {mode}: {event}: {f}$" for f in frame]
        c += [rf"^ok: {mode}: {event}: the frame was pushed onto the page table$",
              rf"^ok: {mode}: {event}: Umbra unshadowed the table for the delivery$"]
    return c


TESTS = [
    # Item 7: the frame of a single-step #DB and of a #PF lands on a page table the shadow
    # MMU write-protects; the delivery is redone, not the instruction at EIP emulated.
    hostile_test("deliver", [r"^running under Umbra: yes$"] + deliver_checks("32-bit") +
                 deliver_checks("PAE"), configs=HOSTILE_CONFIGS),
]


def step_checks(dr6_native=True):
    seqs = [("NOP \\(native\\)", 1, True), ("REP MOVSB x3 \\(native\\)", 3, True),
            ("CPUID", 1, False), ("IN", 1, False), ("OUT", 1, False), ("RDMSR", 1, False),
            ("WRMSR", 1, False), ("MOV from CR3", 1, False), ("MOV to CR3", 1, False),
            ("INVLPG", 1, False), ("REP OUTSB x3", 3, False), ("REP INSB x3", 3, False),
            ("page-table store", 1, False), ("REP STOSD onto a page table", 3, False),
            ("MOV SS then CPUID", 1, False)]
    c = []
    for name, n, native in seqs:
        c += [rf"^ok: {name}: runs with TF set$", rf"^ok: {name}: {n} single-step #DB$",
              rf"^ok: {name}: each trap follows the instruction"]
        if native and not dr6_native:
            c.append(rf"^skipped: {name}: DR6.BS")
        else:
            c.append(rf"^ok: {name}: DR6.BS reports each single step$")
        if name == "page-table store":
            c += [r"^ok: page-table store: the page maps the new frame at once",
                  r"^ok: page-table store: Umbra emulated it$"]
        if name == "REP STOSD onto a page table":
            c += [r"^ok: REP STOSD onto a page table: the page maps the new frame at once",
                  r"^ok: REP STOSD onto a page table: Umbra emulated each iteration$"]
    return c + [r"^ok: RDMSR of a missing MSR with TF set raises #GP\(0\)$",
                r"^ok: the #GP is at the RDMSR$",
                r"^ok: no single-step #DB for the faulting RDMSR$"]


TESTS += [
    # Item 14: a single step over each instruction Umbra completes traps after it (after each
    # iteration of a REP), with DR6.BS, as the natively run NOP and REP MOVSB do. Bochs 2.7
    # with SVM leaves DR6 stale in the VMCB at an intercepted #DB: the native traps' DR6 is
    # not checked there.
    hostile_test("step", [r"^running under Umbra: yes$"] + step_checks(),
                 configs=["qemu-svm-bios", "bochs-vmx-bios"]),
    hostile_test("step", [r"^running under Umbra: yes$"] + step_checks(dr6_native=False),
                 configs=["bochs-svm-bios"], cmdline="stale-dr6"),
]
