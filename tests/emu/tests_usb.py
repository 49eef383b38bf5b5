"""USB tests: Umbra boots from a USB stick image (tools/mkusb.sh, as `make usb` builds it)
under OVMF, through umbra.efi, on the SVM backend, and from the same image under SeaBIOS
through GRUB; umbra.efi's own errors return to the firmware with a clear line."""
import copy
import os

import screen
import tests_boot
import tests_guest
from testlib import Test

USB = ["qemu-svm-usb"]
USB_BIOS = ["qemu-svm-usb-bios"]
HEX16 = r"[0-9a-f]{16}"
HEX = r"[0-9a-f]+"

# umbra.efi's own lines on the UEFI console (OVMF mirrors it on COM1). OVMF's terminal
# emulation may put escape sequences at the start of a line: these patterns are not anchored.
LOADER_START = r"umbra\.efi: Umbra's UEFI loader on UEFI \d+\.\d+ firmware$"
LOADER_KERNEL = (rf"umbra\.efi: kernel \\EFI\\umbra\\umbra\.elf: \d+ bytes, loaded at "
                 rf"200000-{HEX}, entry {HEX}$")
LOADER_ACPI = rf"umbra\.efi: ACPI RSDP at {HEX} \(ACPI 2\.0 table\)$"
LOADER_FB = rf"umbra\.efi: framebuffer \d+x\d+, \d+ bytes a line, at {HEX} \(GOP mode \d+\)$"
LOADER_EXIT = (rf"umbra\.efi: exiting boot services; entering Umbra at {HEX} with the "
               rf"multiboot2 information at {HEX}$")

# OVMF's boot manager saw umbra.efi return its error and goes on to the next boot option.
FIRMWARE_TAKES_OVER = r"BdsDxe: failed to start Boot\d+ .*USB"

FORBID = [r"HOST EXCEPTION", r"PANIC", r"umbra\.efi: error"]


def loader_module(index, name, string):
    return rf'umbra\.efi: module {index}: \\EFI\\umbra\\{name}: \d+ bytes at {HEX}-{HEX} "{string}"$'


def loader_error_test(name, cfg, errors):
    """umbra.efi with umbra.cfg's text cfg must print the lines errors and return to the
    firmware, never starting Umbra; the run ends when the firmware takes over."""
    return Test(name,
                configs=USB,
                modules=demo_modules,
                usb_cfg=cfg,
                expect=[LOADER_START] + errors + [FIRMWARE_TAKES_OVER],
                forbid=[r"umbra: Umbra ", r"exiting boot services"],
                until=FIRMWARE_TAKES_OVER,
                audit=False,
                status=None,
                timeout=120)


def demo_modules(ctx):
    return [(os.path.join(ctx["build"], "guests", "demo.elf"), "guest demo")]


TESTS = [
    # What `make usb` builds: umbra.efi, Umbra and the demo guest; the boot report must show
    # the multiboot2 information umbra.efi built, exactly as Umbra's GRUB path reports it.
    Test("usb-demo",
         configs=USB,
         modules=demo_modules,
         expect=[
             LOADER_START,
             r'umbra\.efi: config \\EFI\\umbra\\umbra\.cfg: kernel \\EFI\\umbra\\umbra\.elf, '
             r'1 module, cmdline "debug_exit=on audit=exit"$',
             LOADER_KERNEL,
             loader_module(0, "demo.elf", "guest demo"),
             LOADER_ACPI,
             LOADER_FB,
             LOADER_EXIT,
             tests_boot.BANNER,
             r'^umbra: loader: "umbra\.efi"$',
             r'^umbra: cmdline: "debug_exit=on audit=exit"$',
             rf"^umbra: mbi: {HEX16}-{HEX16}$",
             rf"^umbra: mem: 0000000000100000-{HEX16} usable$",
             r"^umbra: mem: \d+ KiB usable in \d+ ranges$",
             rf'^umbra: module 0: {HEX16}-{HEX16} \d+ bytes crc32 [0-9a-f]{{8}} "guest demo"$',
             r'^umbra: acpi: RSDP revision 2 \(new tag\), OEM ".*", checksum ok$',
             rf"^umbra: efi: 64-bit system table at {HEX16}, boot services exited, "
             r"EFI memory map present$",
             r'^umbra: efi: firmware "EDK II" revision 0x[0-9a-f]+, UEFI 2\.\d+(\.\d)?$',
             r'^umbra: machine: "QEMU" "Standard PC \(Q35 \+ ICH9, 2009\)", BIOS "EFI Development '
             r'Kit II / OVMF" ',
             r"^umbra: cpu: local APIC at fee00000, xAPIC mode \(BSP\), x2apic (yes|no)$",
             r"^umbra: backend: svm$",
             r"^Hello from the Umbra demo guest\.$",
             r"^ok: running under Umbra$",
             r"^1 passed, 0 failed$",
             r"^umbra: guest stopped: debug exit 0x20$",
         ],
         forbid=FORBID,
         status=0x20,
         timeout=180),

    # The framebuffer console (GOP through umbra.efi's framebuffer tag) mirrors the serial
    # console: the screen, read back glyph by glyph, shows only serial lines. Without
    # debug_exit Umbra ends in its monitor, where the screen is dumped.
    Test("usb-screen",
         configs=USB,
         args="loglevel=info",
         modules=demo_modules,
         expect=[
             LOADER_FB,
             tests_boot.BANNER,
             r"^umbra: console: framebuffer \d+x\d+, 32 bpp at [0-9a-f]+, \d+x\d+ characters$",
             r"^Hello from the Umbra demo guest\.$",
             r"^umbra: guest stopped: debug exit 0x20$",
         ],
         forbid=FORBID,
         until=r"\[umbra\] monitor",
         status=None,
         # The monitor typed on from the PS/2 keyboard: the answer is on both consoles.
         keys=["h", "e", "l", "p", "ret"],
         keys_until=r"^\(umbra\) help\n(.*\n){3}",
         screen=lambda workdir, serial, ctx: screen.check_mirrors_serial(
             workdir, serial, ctx,
             must_show=[r"^\(umbra\) help$", r"^  help \[CMD\] +list the commands"]),
         timeout=180),

    # The same image on a legacy BIOS: GRUB from the BIOS boot partition, files from the ESP.
    Test("usb-bios-demo",
         configs=USB_BIOS,
         modules=demo_modules,
         expect=[
             tests_boot.BANNER,
             r'^umbra: loader: "GRUB',
             r'^umbra: cmdline: "debug_exit=on audit=exit"$',
             rf'^umbra: module 0: {HEX16}-{HEX16} \d+ bytes crc32 [0-9a-f]{{8}} "guest demo"$',
             r"^umbra: efi: none \(BIOS boot\)$",
             r'^umbra: machine: "QEMU" "Standard PC \(Q35 \+ ICH9, 2009\)", BIOS "SeaBIOS" ',
             r"^umbra: backend: svm$",
             r"^Hello from the Umbra demo guest\.$",
             r"^1 passed, 0 failed$",
             r"^umbra: guest stopped: debug exit 0x20$",
         ],
         forbid=FORBID + [r"umbra\.efi"],
         status=0x20,
         timeout=120),

    # Modules with known content through umbra.efi: sizes, CRC-32s and strings must arrive.
    Test("usb-boot-report",
         configs=USB,
         args="debug_exit=on loglevel=info",
         modules=tests_boot.boot_modules,
         expect=[
             LOADER_START,
             loader_module(0, "alpha.bin", "alpha one two"),
             loader_module(1, "beta.txt", "beta"),
             LOADER_EXIT,
             tests_boot.BANNER,
             r'^umbra: loader: "umbra\.efi"$',
             r'^umbra: cmdline: "debug_exit=on loglevel=info"$',
             tests_boot.module_line(0, "alpha.bin", "alpha one two"),
             tests_boot.module_line(1, "beta.txt", "beta"),
             r"^umbra: 2 modules$",
             r"^umbra: no guest to run",
         ],
         forbid=FORBID,
         timeout=180),

    # A malformed umbra.cfg: one clear line, and umbra.efi returns to the firmware.
    loader_error_test("usb-bad-config", "cmdline debug_exit=on\nmodul demo.elf\n", [
        r'umbra\.efi: error: umbra\.cfg line 2: unknown directive "modul" \(expected '
        r'kernel, cmdline, guest or module\)$',
        r"umbra\.efi: returning to the firmware \(EFI_INVALID_PARAMETER\)$",
    ]),

    # umbra.cfg names a guest that is not on the stick.
    loader_error_test("usb-missing-file", "cmdline debug_exit=on\nguest nosuch.elf\n", [
        LOADER_KERNEL,
        r"umbra\.efi: error: \\EFI\\umbra\\nosuch\.elf: cannot open \(EFI_NOT_FOUND\)$",
        r"umbra\.efi: returning to the firmware \(EFI_NOT_FOUND\)$",
    ]),
]

# The guest matrix's smallest guest, the same test as tests_guest.py's, booted from the stick.
for _t in tests_guest.TESTS:
    if _t.name == "guest-hello":
        _usb = copy.copy(_t)
        _usb.name = "usb-guest-hello"
        _usb.configs = USB
        TESTS.append(_usb)
