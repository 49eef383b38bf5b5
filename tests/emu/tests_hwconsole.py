"""Console paths of real machines: no UART at COM1, the console UART named by ACPI's SPCR."""
import os
import struct

import tests_boot
from testlib import Test, write_file

SPCR_PORT = 0x2f8


def spcr_table(ctx):
    """QEMU options adding an SPCR table (Microsoft SPCR rev. 2; QEMU writes the header and
    the checksum): a full 16550 at I/O port 0x2f8, 115200 baud (code 7), 8N1."""
    body = bytearray(80 - 36)
    body[0] = 0x00                                          # interface type: full 16550
    body[4:16] = struct.pack("<BBBBQ", 1, 8, 0, 1, SPCR_PORT)   # GAS: I/O, 8 bits, byte access
    body[16] = 0x01                                         # interrupt type: PC-AT 8259 IRQ
    body[17] = 3                                            # IRQ 3
    body[22] = 7                                            # baud rate: 115200
    body[25] = 0                                            # no flow control
    body[26] = 0                                            # terminal type VT100
    path = write_file(os.path.join(ctx["build"], "tests", "acpi", "spcr-2f8.bin"), bytes(body))
    return ["-acpitable", f"sig=SPCR,rev=2,oem_id=UMBRA,data={path}"]


TESTS = [
    # No COM1; SPCR names the UART at 0x2f8: Umbra takes it and replays what it had printed.
    Test("console-spcr",
         configs=["qemu-svm-bios", "qemu-svm-uefi"],
         args="debug_exit=on",
         qemu_extra=spcr_table,
         uart_iobase=SPCR_PORT,
         expect=[
             tests_boot.BANNER,
             r"^umbra: acpi: SPCR: interface type 0x0, I/O port 2f8, 115200 baud$",
             r"^umbra: console: serial port 0x2f8 from ACPI SPCR \(no UART at COM1\)$",
             r'^umbra: loader: "GRUB',
             r"^umbra: backend: svm$",
         ]),
]
