# Test guests: tiny 32-bit multiboot (v1) kernels that run inside Umbra and report over COM1.
# Included by the top-level Makefile. `make guests` builds $(BUILD)/guests/NAME.elf for each
# name in GUESTS from tests/guests/NAME.c and the runtime in tests/guests/lib/.

GUESTS := hello cpuid portio msr cr triple_fault halt demo spin echo echo_irq pit_rtc acpi apic \
          machine_reset

GUEST_DIR     := tests/guests
# Paging scenarios (tests/guests/pg_*.c with lib/paging.c; run by tests/emu/tests_paging.py).
GUESTS        += $(patsubst $(GUEST_DIR)/%.c,%,$(wildcard $(GUEST_DIR)/pg_*.c))
# Page-table-write scenarios (tests/guests/pt_*.c with lib/ptw.c; run by tests/emu/tests_ptwrite.py).
GUESTS        += $(patsubst $(GUEST_DIR)/%.c,%,$(wildcard $(GUEST_DIR)/pt_*.c))
# Hostile guests: each misuses one intercept or emulated access and checks the architectural
# result (tests/guests/hostile_*.c; run by tests/emu/tests_hostile_*.py).
GUESTS        += $(patsubst $(GUEST_DIR)/%.c,%,$(wildcard $(GUEST_DIR)/hostile_*.c))
# Benchmark guests for `make bench` (tests/guests/bench_*.c with lib/bench.c: phase marks and
# lines; run by tests/emu/tests_bench_guests.py and tools/bench/).
GUESTS        += $(patsubst $(GUEST_DIR)/%.c,%,$(wildcard $(GUEST_DIR)/bench_*.c))
GUEST_OUT     := $(BUILD)/guests

# Freestanding i686 code at 1 MiB; no SSE or x87 so the guests never touch the FPU by accident.
GUEST_CFLAGS  := -std=gnu11 -m32 -march=i686 -O2 -g -ffreestanding -nostdinc \
                 -isystem $(shell $(CC) -print-file-name=include) \
                 -fno-pic -fno-pie -fno-stack-protector -fno-asynchronous-unwind-tables \
                 -mno-sse -mgeneral-regs-only \
                 -Wall -Wextra -Werror -Wstrict-prototypes -Wmissing-prototypes -Wshadow -Wvla \
                 -I. -I$(GUEST_DIR)/lib -MMD -MP
GUEST_ASFLAGS := -m32 -g -nostdinc -ffreestanding -I. -I$(GUEST_DIR)/lib -MMD -MP -D__ASSEMBLY__
GUEST_LDFLAGS := -m elf_i386 -nostdlib -z max-page-size=0x1000 -z noexecstack \
                 --no-warn-rwx-segments -T $(GUEST_DIR)/lib/guest.ld

# The runtime, plus the hypervisor's own formatter and string functions built for 32 bits.
GUEST_LIB_SRCS := $(wildcard $(GUEST_DIR)/lib/*.S) $(wildcard $(GUEST_DIR)/lib/*.c) \
                  lib/format.c lib/string.c
GUEST_LIB_OBJS := $(patsubst %,$(GUEST_OUT)/obj/%.o,$(GUEST_LIB_SRCS))
GUEST_MAIN_OBJS := $(patsubst %,$(GUEST_OUT)/obj/$(GUEST_DIR)/%.c.o,$(GUESTS))
GUEST_ELFS    := $(patsubst %,$(GUEST_OUT)/%.elf,$(GUESTS))

.PHONY: guests
guests: $(GUEST_ELFS)

$(GUEST_OUT)/obj/%.c.o: %.c
	@mkdir -p $(dir $@)
	$(quiet) CC32 $<
	$(Q)$(CC) $(GUEST_CFLAGS) -c $< -o $@

$(GUEST_OUT)/obj/%.S.o: %.S
	@mkdir -p $(dir $@)
	$(quiet) AS32 $<
	$(Q)$(CC) $(GUEST_ASFLAGS) -c $< -o $@

$(GUEST_ELFS): $(GUEST_OUT)/%.elf: $(GUEST_OUT)/obj/$(GUEST_DIR)/%.c.o $(GUEST_LIB_OBJS) \
		$(GUEST_DIR)/lib/guest.ld
	$(quiet) LD $@
	$(Q)$(LD) $(GUEST_LDFLAGS) -o $@ $< $(GUEST_LIB_OBJS)
	@if command -v grub-file >/dev/null; then grub-file --is-x86-multiboot $@ || \
		{ echo "$@ is not a multiboot image"; rm -f $@; exit 1; }; fi

-include $(GUEST_LIB_OBJS:.o=.d) $(GUEST_MAIN_OBJS:.o=.d)
