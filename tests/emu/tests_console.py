"""Console tests: the harness types on Umbra's COM1 and checks the answers, for the guest's own
console (input reaches its virtual UART) and for Umbra's monitor behind Ctrl-A c."""
import os

from testlib import Test

CTRL_A = "\x01"


def echo_module(ctx):
    return [(os.path.join(ctx["build"], "guests", "echo.elf"), "guest echo")]


SCRIPT = [
    ("expect", r"console guest ready"),
    ("send", "hello umbra\r"),
    ("expect", r"guest got: hello umbra"),
    ("send", CTRL_A + "h"),
    ("expect", r"\[umbra\] Ctrl-A x"),
    ("send", CTRL_A + "c"),
    ("expect", r"\(umbra\) "),
    ("send", "help\r"),
    ("expect", r"info mmu"),
    ("send", "info mmu\r"),
    ("expect", r"paging off, cr3 0, shadow root [0-9a-f]+ \(valid\)"),
    ("expect", r"level 1: quadrant 0"),
    ("send", "info cpu\r"),
    ("expect", r"rip [0-9a-f]{16}"),
    ("send", "info exits\r"),
    ("expect", r"umbra: exits: \d+ total"),
    ("send", "info devices\r"),
    ("expect", r"port 20-21 pic-master\n.*port a0-a1 pic-slave\n.*port 4d0-4d1 pic-elcr\n"
               r".*port 40-43 pit\n.*port 61-61 port61\n.*port 70-71 rtc\n"
               r".*port 60-60 i8042\n.*port 64-64 i8042\n.*port 80-80 post\n"
               r".*port 92-92 port92\n.*port 3f8-3ff uart-16550\n.*port 600-60b acpi-pm\n"
               r".*port f4-f4 debug-exit\n.*port 5f0-5ff umbra-counters\n"
               r".*mmio fee00000-fee00fff lapic\n.*mmio fec00000-fec00fff ioapic\n"
               r".*16 ranges; other ports read all-ones"),
    ("send", "info apic\r"),
    ("expect", r"lapic: base fee00900 xAPIC bsp, id 0, spiv ff \(off\).*\n.*irr: none\n"
               r"(.*\n)*ioapic: fec00000, id 1"),
    ("expect", r"24 pins masked"),
    ("send", "xp 0x100000 2\r"),
    ("expect", r"0000000000100000: [0-9a-f]{16}\n0000000000100008: "),
    ("send", "x 0x100000 1\r"),
    ("expect", r"0000000000100000: [0-9a-f]{16}"),
    ("send", "walk 0x100000\r"),
    ("expect", r"guest: gva 100000 -> gpa 100000"),
    ("expect", r"shadow: entry [0-9a-f]+"),
    ("send", "bogus\r"),
    ("expect", r'unknown command "bogus"'),
    ("send", "x 0x100000 999\r"),
    ("expect", r"x: bad N"),
    ("send", "help x\r"),
    ("expect", r"usage: x ADDR \[N\]"),
    ("send", "xyz" + "\x7f" * 3 + "audit\r"),
    ("expect", r"umbra: audit: \d+ shadow entries and \d+ shadow pages checked, 0 violations"),
    ("send", "quit\r"),
    ("expect", r"\[umbra\] guest console"),
    ("send", "after monitor\r"),
    ("expect", r"guest got: after monitor"),
    ("send", CTRL_A + "c"),
    ("expect", r"\(umbra\) "),
    ("send", "reset\r"),
    ("expect", r"umbra: guest reset"),
    ("expect", r"console guest ready"),
    ("send", "after reset\r"),
    ("expect", r"guest got: after reset"),
    ("send", "q\r"),
    ("expect", r"umbra: exit status 0x20"),
]

TESTS = [
    Test("console-monitor",
         configs=["qemu-svm-bios", "bochs-vmx-bios"],
         modules=echo_module,
         script=SCRIPT,
         expect=[
             r"^console guest ready$",
             r"^guest got: hello umbra$",
             r"^guest got: after monitor$",
             r"umbra: guest stopped: reset from the monitor$",
             r"^umbra: guest reset \(\d+ host pages free\)$",
             r"^guest got: after reset$",
             r"^ok: console input reached the guest$",
             r"^umbra: guest stopped: debug exit 0x20$",
         ],
         forbid=[r"HOST EXCEPTION", r"PANIC", r"FAIL"],
         status=0x20,
         timeout=180),
]


def echo_irq_module(ctx):
    return [(os.path.join(ctx["build"], "guests", "echo_irq.elf"), "guest echo_irq")]


# Console input delivered with the UART's interrupt through the guest's virtual PIC, to a guest
# that sleeps in HLT with interrupts enabled.
TESTS.append(Test("console-irq",
                  configs=["qemu-svm-bios", "bochs-vmx-bios", "bochs-svm-bios"],
                  modules=echo_irq_module,
                  script=[
                      ("expect", r"interrupt console guest ready"),
                      ("send", "ping one\r"),
                      ("expect", r"guest irq got: ping one"),
                      ("send", "ping two\r"),
                      ("expect", r"guest irq got: ping two"),
                      ("send", "q\r"),
                      ("expect", r"umbra: exit status 0x20"),
                  ],
                  expect=[
                      r"^ok: the PIC's mask register reads back$",
                      r"^guest irq got: ping one$",
                      r"^guest irq got: ping two$",
                      r"^uart interrupts taken: [1-9]\d*$",
                      r"^ok: console input arrived by the UART's interrupt$",
                      r"^umbra: guest stopped: debug exit 0x20$",
                  ],
                  forbid=[r"HOST EXCEPTION", r"PANIC", r"FAIL"],
                  status=0x20,
                  timeout=180))


# The monitor's reset keeps the guest's RAM, shadow pools and vCPU: three resets in a row leave
# the host with the same number of free pages (a reset that allocated anew would lose 64 MiB
# of guest RAM each time).
RESET_AGAIN = [
    ("send", CTRL_A + "c"),
    ("expect", r"\(umbra\) "),
    ("send", "reset\r"),
]
TESTS.append(Test("console-reset-no-leak",
                  configs=["qemu-svm-bios", "bochs-vmx-bios", "bochs-svm-bios"],
                  modules=echo_module,
                  script=[("expect", r"console guest ready")] + RESET_AGAIN + [
                      ("expect", r"umbra: guest reset \((?P<free>\d+) host pages free\)"),
                      ("expect", r"console guest ready"),
                  ] + RESET_AGAIN + [
                      ("expect", r"umbra: guest reset \({{free}} host pages free\)"),
                      ("expect", r"console guest ready"),
                  ] + RESET_AGAIN + [
                      ("expect", r"umbra: guest reset \({{free}} host pages free\)"),
                      ("expect", r"console guest ready"),
                      ("send", "after three resets\r"),
                      ("expect", r"guest got: after three resets"),
                      ("send", "q\r"),
                      ("expect", r"umbra: exit status 0x20"),
                  ],
                  expect=[
                      r"^umbra: guest reset \(\d+ host pages free\)$",
                      r"^umbra: guest reset \(\d+ host pages free\)$",
                      r"^umbra: guest reset \(\d+ host pages free\)$",
                      r"^guest got: after three resets$",
                      r"^umbra: guest stopped: debug exit 0x20$",
                  ],
                  forbid=[r"HOST EXCEPTION", r"PANIC", r"FAIL", r"cannot load the guest"],
                  status=0x20,
                  timeout=240))
