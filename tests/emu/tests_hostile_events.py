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
