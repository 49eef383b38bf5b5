# umbra.efi: Umbra's UEFI loader, a PE32+ application built with Debian's gnu-efi (package
# gnu-efi: crt0-efi-x86_64.o, elf_x86_64_efi.lds, libefi.a, libgnuefi.a). Included by the
# top-level Makefile. The loader is linked as a position-independent ELF shared object and
# objcopy turns it into a PE32+ image of subsystem 10, "EFI application" (UEFI 2.10 spec 2.1.1).

EFI_LIBDIR   := /usr/lib
EFI_INCDIR   := /usr/include/efi
EFI_CRT0     := $(EFI_LIBDIR)/crt0-efi-x86_64.o
EFI_LDS      := $(EFI_LIBDIR)/elf_x86_64_efi.lds
EFI_OUT      := $(BUILD)/efi

# MS ABI for the firmware's functions (UEFI 2.10 spec 2.3.4.2) comes from gcc's ms_abi
# attribute (GNU_EFI_USE_MS_ABI); our own code keeps the System V ABI.
EFI_CFLAGS   := -std=gnu11 -O2 -ffreestanding -fpic -fshort-wchar -mno-red-zone \
                -mgeneral-regs-only -fno-stack-protector -fno-strict-aliasing \
                -fno-asynchronous-unwind-tables -DGNU_EFI_USE_MS_ABI \
                -DGNU_EFI_USE_EXTERNAL_STDARG -isystem $(EFI_INCDIR) -isystem $(EFI_INCDIR)/x86_64 -I. \
                -Wall -Wextra -Werror -Wstrict-prototypes -Wmissing-prototypes -MMD -MP
EFI_ASFLAGS  := -fpic -I. -D__ASSEMBLY__ -MMD -MP
EFI_LDFLAGS  := -nostdlib -znocombreloc -shared -Bsymbolic -T $(EFI_LDS) -L$(EFI_LIBDIR)

# The loader's own files, and the pieces of Umbra it shares: the formatter.
EFI_SRCS     := $(sort $(wildcard boot/efi/*.c) $(wildcard boot/efi/*.S)) lib/format.c
EFI_OBJS     := $(patsubst %,$(EFI_OUT)/%.o,$(EFI_SRCS))

# The PE sections objcopy keeps: code, data (with .rodata and .bss inside, see the .lds),
# the dynamic relocations the crt0 applies at start, and the .reloc stub section.
EFI_SECTIONS := .text .sdata .data .dynamic .dynsym .rel .rela .rel.* .rela.* .reloc

.PHONY: efi
efi: $(BUILD)/umbra.efi

$(EFI_OUT)/%.c.o: %.c
	@mkdir -p $(dir $@)
	$(quiet) EFICC $<
	$(Q)$(CC) $(EFI_CFLAGS) -c $< -o $@

$(EFI_OUT)/%.S.o: %.S
	@mkdir -p $(dir $@)
	$(quiet) EFIAS $<
	$(Q)$(CC) $(EFI_ASFLAGS) -c $< -o $@

$(EFI_OUT)/umbra.so: $(EFI_OBJS) $(EFI_CRT0) $(EFI_LDS)
	$(quiet) EFILD $@
	$(Q)$(LD) $(EFI_LDFLAGS) $(EFI_CRT0) $(EFI_OBJS) -lefi -lgnuefi -o $@

# Without the package, say so rather than "no rule to make target".
$(EFI_CRT0) $(EFI_LDS):
	@echo "$@ is missing: it comes with Debian's gnu-efi (tools/setup.sh installs it)" >&2
	@exit 1

$(BUILD)/umbra.efi: $(EFI_OUT)/umbra.so
	$(quiet) PE32+ $@
	$(Q)objcopy $(addprefix -j ,$(EFI_SECTIONS)) --target efi-app-x86_64 --subsystem=10 $< $@

-include $(EFI_OBJS:.o=.d)
