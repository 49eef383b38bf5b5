"""Guest tests: the test guests of tests/guests/ run inside Umbra and check the platform it gives them.

Each guest prints "ok: ..." or "FAIL: ..." per check, then "N passed, N failed", and ends through
the debug-exit port with 0x20 (all passed) or 0x21; Umbra ends with the guest's status.
"""
import os

from testlib import Test, write_file

GUEST_CONFIGS = ["qemu-svm-bios", "bochs-vmx-bios", "bochs-svm-bios"]

GUEST_PASS = 0x20            # tests/guests/lib/guest.h GUEST_EXIT_PASS
UMBRA_GUEST_HALTED = 0x7a    # HLT with interrupts disabled
UMBRA_GUEST_TRIPLE = 0x7b    # triple fault

# The runtime itself only touches COM1 and the debug-exit port, which Umbra must emulate.
FORBID = [r"FAIL", r"HOST EXCEPTION", r"PANIC",
          r"^umbra: guest: port 0x(3f[8-9a-f]|f4) not emulated"]

# Keep in step with EXPECTED_CMDLINE in tests/guests/hello.c.
HELLO_CMDLINE = "hello-arg=42 second"


def guest_modules(name, cmdline="", extra=()):
    """The guest's module: "guest NAME CMDLINE" marks it as the guest; the words after "guest"
    are its command line (NAME first, like a program name). extra: (file name, content, string)
    modules that follow it."""
    def modules(ctx):
        path = os.path.join(ctx["build"], "guests", f"{name}.elf")
        mods = [(path, f"guest {name} {cmdline}".rstrip())]
        for fname, content, string in extra:
            mods.append((write_file(os.path.join(ctx["build"], "tests", "modules", fname), content),
                         string))
        return mods
    return modules


def passing_guest(name, checks, cmdline="", extra=()):
    """A guest that must end with all its checks passed; checks are its key lines, in order."""
    return Test(f"guest-{name}",
                configs=GUEST_CONFIGS,
                modules=guest_modules(name, cmdline, extra),
                expect=list(checks) + [
                    r"^\d+ passed, 0 failed$",
                    r"^umbra: guest stopped: debug exit 0x20$",
                ],
                forbid=FORBID,
                status=GUEST_PASS,
                timeout=180)


TESTS = [
    passing_guest("hello", [
        r"^hello from an Umbra guest$",
        r"^ok: multiboot magic 0x2badb002 in EAX$",
        r"^ok: EFLAGS\.IF clear at entry",
        r"^ok: protected mode without paging at entry",
        r"^ok: flags 0x[0-9a-f]+ have mem, cmdline, mmap and loader name$",
        r"^ok: mem_lower is 640 KiB$",
        rf'^cmdline: "hello {HELLO_CMDLINE}"$',
        rf'^ok: cmdline is "hello {HELLO_CMDLINE}"$',
        r'^ok: boot loader name is "Umbra"$',
        r'^ok: module 0 string is "payload two words"$',
        r"^ok: module 0 holds its file's 27 bytes$",
        r"^ok: module 0 starts on a page boundary$",
        r"^ok: memory map has RAM at 0-640 KiB$",
        r"^ok: memory map has RAM at 1 MiB-64 MiB, matching mem_upper$",
        r"^ok: memory map has no RAM between 640 KiB and 1 MiB$",
    ], cmdline=HELLO_CMDLINE,
       extra=[("hello-payload.txt", "Umbra guest module payload\n", "payload two words")]),

    passing_guest("cpuid", [
        r"^ok: CPUID\.1:ECX\.hypervisor\[31\] is set$",
        r'^hypervisor leaf: max 0x40000001, signature "UmbraUmbraUm"$',
        r"^ok: CPUID\.40000000h:EAX is the max hypervisor leaf 0x40000001$",
        r'^ok: hypervisor signature is "UmbraUmbraUm"$',
        r"^ok: CPUID\.40000001h:EAX interface version is 1$",
        r"^ok: CPUID\.1:ECX\.VMX\[5\] is hidden$",
        r"^ok: CPUID\.1:ECX\.x2APIC\[21\] is hidden$",
        r"^ok: CPUID\.1:EDX\.APIC\[9\] is hidden$",
        r"^ok: CPUID\.80000001h:ECX\.SVM\[2\] is hidden$",
    ]),

    passing_guest("portio", [
        r"^ok: COM1 LSR reads THRE\|TEMT \(0x60\)$",
        r"^ok: COM1 scratch register keeps 0xa5 and 0x5a",
        r"^ok: COM1 IER reads back 0x5$",
        r"^ok: COM1 divisor latch high reads back 0x1 with DLAB set \(not IER\)$",
        r"^ok: COM1 IER is back once DLAB is clear$",
        r"^rep outsb: a line across a page boundary$",
        r"^ok: rep outsb to COM1 leaves ECX 0 and ESI past the string",
        r"^umbra: guest: port 0x5e0 not emulated",
        r"^umbra: guest: port 0x5e2 not emulated",
        r"^umbra: guest: port 0x5e4 not emulated",
        r"^ok: inb from unknown port 0x5e0 reads 0xff$",
        r"^ok: inw from unknown port 0x5e2 reads 0xffff$",
        r"^ok: inl from unknown port 0x5e4 reads 0xffffffff$",
        r"^ok: rep insb from port 0x5e0 fills 16 bytes with 0xff across a page boundary$",
        r"^ok: rep insb writes nothing outside its string$",
        r"^ok: rep insb with DF=1 fills 16 bytes downwards",
    ]),

    passing_guest("msr", [
        r"^ok: IA32_EFER reads 0 at start$",
        r"^ok: EFER\.SCE reads back$",
        r"^ok: EFER\.LME reads back$",
        r"^ok: WRMSR cannot set EFER\.LMA",
        r"^ok: WRMSR EFER reserved bit 1 raises #GP\(0\)$",
        r"^ok: WRMSR EFER reserved bit 63 raises #GP\(0\)$",
        r"^ok: IA32_EFER is still 0 after the faulting writes$",
        r"^ok: RDMSR IA32_TSC$",
        r"^ok: RDMSR unknown MSR 0x12345678 raises #GP\(0\)$",
        r"^ok: WRMSR unknown MSR 0x12345678 raises #GP\(0\)$",
        r"^ok: RDMSR unknown MSR 0xc0011234 raises #GP\(0\)$",
        r"^ok: WRMSR unknown MSR 0xc0011234 raises #GP\(0\)$",
        r"^ok: WRMSR IA32_FEATURE_CONTROL raises #GP\(0\)$",
        r"^ok: WRMSR VM_CR raises #GP\(0\)$",
        r"^ok: WRMSR VM_HSAVE_PA raises #GP\(0\)$",
    ]),

    passing_guest("cr", [
        r"^ok: CR0 has PE=1, PG=0, ET=1$",
        r"^ok: CR0\.TS reads back set$",
        r"^ok: CR0\.AM reads back set$",
        r"^ok: CR3 reads back 0x5000 with paging off$",
        r"^ok: CR4 reads 0 at start$",
        r"^ok: CR4\.VMXE raises #GP\(0\) \(VMX hidden\)$",
        r"^ok: CR4 reserved bit 15 raises #GP\(0\)$",
        r"^ok: CR4 reserved bit 31 raises #GP\(0\)$",
        # XSETBV is checked only where CPUID reports XSAVE.
        r"^(ok: XSETBV XCR1 \(ECX=1\) raises #GP\(0\)$|skipped: XSETBV)",
        r"^ok: CR0 with PG=1 and PE=0 raises #GP\(0\)$",
        r"^ok: CR0 with NW=1 and CD=0 raises #GP\(0\)$",
    ]),

    # Not on bochs-svm-bios: Bochs 2.7 panics on a triple fault inside an SVM guest before it
    # looks at the shutdown intercept (its VMX model exits properly).
    Test("guest-triple-fault",
         configs=["qemu-svm-bios", "bochs-vmx-bios"],
         modules=guest_modules("triple_fault"),
         expect=[
             r"^about to triple fault$",
             r"^umbra: guest stopped: triple fault$",
             r"^  rip [0-9a-f]{16}  rflags [0-9a-f]{16}  cs 0008 base 0 32-bit$",
             r"^  cr0 [0-9a-f]{16}  cr3",
             r"^umbra: exits: \d+ total$",
         ],
         forbid=FORBID,
         status=UMBRA_GUEST_TRIPLE,
         timeout=180),

    Test("guest-halt",
         configs=GUEST_CONFIGS,
         modules=guest_modules("halt"),
         expect=[
             r"^halting with interrupts disabled$",
             r"^umbra: guest stopped: halted with interrupts disabled",
         ],
         forbid=FORBID,
         status=UMBRA_GUEST_HALTED,
         timeout=180),
]

# The demo guest that `make run` boots.
TESTS.append(passing_guest("demo", [
    r"^Hello from the Umbra demo guest\.$",
    r'^CPUID says: hypervisor "UmbraUmbraUm", 64 MiB of RAM, command line "demo"\.$',
    r"^ok: running under Umbra$",
]))

# A module marked "guest" that is no multiboot kernel: a one-line reason, and Umbra stops cleanly.
TESTS.append(Test("guest-malformed",
                  configs=["qemu-svm-bios", "bochs-vmx-bios"],
                  modules=lambda ctx: [(write_file(
                      os.path.join(ctx["build"], "tests", "modules", "not-a-kernel.txt"),
                      "this is not a multiboot kernel\n" * 40), "guest broken")],
                  expect=[
                      r'^umbra: cannot load the guest "guest broken": no multiboot header',
                      r"^umbra: exit status 0x78$",
                  ],
                  forbid=[r"HOST EXCEPTION", r"PANIC", r"guest stopped"],
                  status=0x78, audit=False))

# A guest that never exits on its own: Umbra's tick (VMX preemption timer, SVM: the PIT's
# interrupt) still brings it back regularly. Not on bochs-svm-bios: Bochs 2.7 never turns a
# physical interrupt into an SVM INTR exit here (the interrupt stays pending in the PIC).
_spin = passing_guest("spin", [
    r"^tick exits while spinning: [1-9]\d*$",
    r"^ok: Umbra got control back while the guest spun without exiting$",
])
_spin.configs = ["qemu-svm-bios", "bochs-vmx-bios"]
TESTS.append(_spin)

# CPUs with XSAVE but without XSAVEOPT, where QEMU TCG hangs on MOV to CR4.OSXSAVE: Umbra boots,
# says why it leaves XSAVE off, and the guest sees no XSAVE (its XSETBV checks are skipped).
TESTS.append(Test("guest-cr-no-osxsave",
                  configs=["qemu-svm-xsave-bios", "qemu-opteron-g5-bios"],
                  modules=guest_modules("cr"),
                  expect=[
                      r"^umbra: cpu: xsave not enabled: QEMU TCG hangs on MOV to CR4\.OSXSAVE",
                      r"^skipped: XSETBV",
                      r"^\d+ passed, 0 failed$",
                      r"^umbra: guest stopped: debug exit 0x20$",
                  ],
                  forbid=FORBID,
                  status=GUEST_PASS,
                  timeout=120))

# The PC's timers and small devices (tests/guests/pit_rtc.c): the TSC calibrated on PIT channel
# 2 through port 0x61, IRQ 0 at its programmed rate across HLT measured against that TSC, mode
# 4 one-shots, the PIC's poll command and auto-EOI, the CMOS RTC, the i8042 and ports 0x80,
# 0x92 and 0x4d0-0x4d1; none of their ports may be reported as not emulated.
TESTS.append(Test(
    "guest-pit-rtc",
    configs=GUEST_CONFIGS,
    modules=guest_modules("pit_rtc"),
    expect=[
        r"^umbra: tsc: \d+\.\d{3} MHz \(PIT channel 2\)$",
        r"^tsc: \d+ kHz by PIT channel 2 \(\d+ polls of port 0x61 in 50 ms\)$",
        r"^ok: OUT2 is low after the count is written and rises later$",
        r"^ok: a read of channel 2 within \d+ clocks of terminal count",
        r"^ok: channel 2 wraps past zero in mode 0 \(0x[0-9a-f]+\)$",
        r"^pit: \d+ interrupts in 500 ms of TSC time at 100 Hz \(expected 50\), \d+ HLTs$",
        r"^ok: IRQ 0 comes at the programmed rate within 50% ",
        r"^ok: each HLT waited for an interrupt",
        r"^pit: \d+ interrupts while spinning 200 ms without exits",
        r"^ok: mode 4 raises IRQ 0 once per count$",
        r"^ok: poll command reports IRQ 0 pending",
        r"^ok: auto-EOI: IRQ 0 keeps coming without EOI",
        r"^rtc: 2020-01-01 00:00:0\d \(BCD\), status A 26 B 02 D 80$",
        r"^ok: the RTC starts on 2020-01-01 at 00:00$",
        r"^ok: UIP rises and falls around an update$",
        r"^ok: the seconds advance by one in 1\.5 s after an update",
        r"^ok: CMOS 0x34/0x35: 48 MiB above 16 MiB$",
        r"^ok: i8042 self-test \(0xAA\) answers 0x55$",
        r"^ok: port 0x92: A20 reads back off$",
        r"^ok: ELCR 0x4d1: IRQ 8 and 13 always edge$",
        r"^\d+ passed, 0 failed$",
        r"^umbra: guest stopped: debug exit 0x20$",
    ],
    forbid=FORBID + [r"^umbra: guest: port 0x(4[0-3]|6[014]|7[01]|80|92|4d[01]) not emulated"],
    status=GUEST_PASS,
    timeout=240))

# The guest resets the machine (tests/guests/machine_reset.c): through the i8042's 0xFE pulse
# or port 0x92's fast-reset bit. With debug_exit=on Umbra reports it and stops with 0x77 (without
# debug_exit it would start the guest again, as the monitor's reset does).
UMBRA_GUEST_RESET = 0x77
for _how, _line, _detail in [("i8042", "through the i8042", "i8042 pulse"),
                             ("port92", "through port 0x92", "port 0x92")]:
    TESTS.append(Test(
        f"guest-pit-reset-{_how}",
        configs=["qemu-svm-bios", "bochs-vmx-bios"],
        modules=guest_modules("machine_reset", _how),
        expect=[
            rf"^resetting {_line}$",
            rf"^umbra: guest stopped: the guest reset the machine \({_detail}\)$",
            r"^umbra: exits: \d+ total$",
        ],
        forbid=FORBID + [r"^  rip ", r"did not reset"],
        status=UMBRA_GUEST_RESET,
        timeout=120))
