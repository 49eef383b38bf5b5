/* Printing what the boot loader handed over. */
#ifndef UMBRA_BOOT_BOOT_REPORT_H
#define UMBRA_BOOT_BOOT_REPORT_H

#include "boot/boot_info.h"

/* Prints the loader, command line, memory map, modules (with size and CRC-32), ACPI and EFI tags. */
void boot_report(const struct boot_info *bi);

#endif
