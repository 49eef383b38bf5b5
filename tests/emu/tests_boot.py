"""Boot tests: the boot report, the command line, and Umbra's own failure paths."""
import os
import random
import zlib

from testlib import Test, backend_of, write_file

BANNER = r"^umbra: Umbra \S+ - shadow-paging hypervisor$"
HEX16 = r"[0-9a-f]{16}"


def boot_modules(ctx):
    """Two modules with known content, so the test can predict sizes and CRC-32s."""
    d = os.path.join(ctx["build"], "tests", "modules")
    rng = random.Random(1234)
    alpha = write_file(os.path.join(d, "alpha.bin"), bytes(rng.randrange(256) for _ in range(5000)))
    beta = write_file(os.path.join(d, "beta.txt"), "Umbra boot module beta\n")
    return [(alpha, "alpha one two"), (beta, "beta")]


def module_line(index, name, string):
    def pattern(config, ctx):
        data = open(os.path.join(ctx["build"], "tests", "modules", name), "rb").read()
        return (rf"^umbra: module {index}: {HEX16}-{HEX16} {len(data)} bytes "
                rf"crc32 {zlib.crc32(data):08x} \"{string}\"$")
    return pattern


def efi_line(config, ctx):
    if config.endswith("uefi"):
        return rf"^umbra: efi: 64-bit system table at {HEX16}, boot services exited"
    return r"^umbra: efi: none \(BIOS boot\)$"


def vendor_line(config, ctx):
    return r"^umbra: cpu: (GenuineIntel|AuthenticAMD) family 0x[0-9a-f]+ model 0x[0-9a-f]+"


def usable_line(config, ctx):
    return rf"^umbra: cpu: {backend_of(config)} usable: "


def backend_line(config, ctx):
    return rf"^umbra: backend: {backend_of(config)}$"


TESTS = [
    Test("boot-report",
         args="debug_exit=on loglevel=info",
         modules=boot_modules,
         expect=[
             BANNER,
             r'^umbra: loader: "GRUB',
             r'^umbra: cmdline: "debug_exit=on loglevel=info"$',
             rf"^umbra: mbi: {HEX16}-{HEX16}$",
             rf"^umbra: mem: {HEX16}-{HEX16} usable$",
             r"^umbra: mem: \d+ KiB usable in \d+ ranges$",
             module_line(0, "alpha.bin", "alpha one two"),
             module_line(1, "beta.txt", "beta"),
             r"^umbra: 2 modules$",
             r'^umbra: acpi: RSDP revision \d+ \((old|new) tag\), OEM ".*", checksum ok$',
             efi_line,
             vendor_line,
             r"^umbra: cpu: maxphyaddr \d+, nx (yes|no), 1g-pages (yes|no), pcid",
             usable_line,
             r"^umbra: mm: \d+ pages free in \d+ ranges; host map 0-ffffffff with",
             r"^umbra: mm: \d+ free ranges reachable, highest byte [0-9a-f]+$",
             backend_line,
             r"^umbra: no guest to run \(give one as `module2 /path guest \[command line\]`\)$",
         ],
         forbid=[r"HOST EXCEPTION", r"PANIC", r"command line: \d+ problem"]),

    # With 5 GiB, QEMU's q35 puts RAM above 4 GiB: the host map and the allocator must reach it.
    Test("high-memory",
         configs=["qemu-svm-bios"],
         mem_mb=5120,
         expect=[
             BANNER,
             rf"^umbra: mem: 0000000100000000-{HEX16} usable$",
             r"^umbra: mm: \d+ pages free in \d+ ranges; host map 0-[0-9a-f]{9,} with 2 MiB pages",
             r"^umbra: mm: \d+ free ranges reachable, highest byte 1[0-9a-f]{8}$",
             r"^umbra: no guest to run \(give one as `module2 /path guest \[command line\]`\)$",
         ]),

    Test("bad-options",
         configs=["qemu-svm-bios", "bochs-vmx-bios"],
         args="debug_exit=on bogus=1 loglevel=loud backend=vmx",
         expect=[
             BANNER,
             r"^umbra: command line: 2 problems:$",
             r'^unknown option "bogus"$',
             r'^bad value "loud" for loglevel',
             r"^umbra: cpu: ",
             r"^umbra: (backend: vmx|backend: none usable for backend=vmx \(vmx: CPUID)",
             r"^umbra: no guest to run \(give one as `module2 /path guest \[command line\]`\)$",
         ]),

    Test("exception-ud",
         configs=["qemu-svm-bios", "bochs-vmx-bios"],
         args="debug_exit=on crash=ud",
         expect=[
             r"^umbra: crash=ud: executing UD2$",
             r"^umbra: HOST EXCEPTION vector 6 \(#UD invalid opcode\), error code 0x0$",
             rf"^  rip {HEX16}  cs 0008  rflags {HEX16}$",
             rf"^  rsp {HEX16}  ss 0010  cr2 {HEX16}$",
             rf"^  r13 {HEX16}  r14 {HEX16}  r15 {HEX16}$",
         ],
         forbid=[r"PANIC", r"no guest to run"],
         status=0x7e),

    # 512 MiB of RAM: the host map ends at 4 GiB, so top + 4 KiB is unmapped.
    Test("exception-pf",
         configs=["qemu-svm-bios", "bochs-vmx-bios"],
         args="debug_exit=on crash=pf",
         expect=[
             r"^umbra: HOST EXCEPTION vector 14 \(#PF page fault\), error code 0x0$",
             rf"^  rsp {HEX16}  ss 0010  cr2 0000000100001000$",
         ],
         forbid=[r"PANIC", r"no guest to run"],
         status=0x7e),

    Test("panic",
         configs=["qemu-svm-bios"],
         args="debug_exit=on crash=panic",
         expect=[r"^umbra: PANIC at boot/main\.c:\d+: crash=panic requested on the command line$"],
         forbid=[r"HOST EXCEPTION", r"no guest to run"],
         status=0x7d),
]
