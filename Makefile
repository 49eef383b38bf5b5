# Umbra: build, images, runs and tests. Everything is built under build/.
#
#   make            build/umbra.elf
#   make iso        build/umbra.iso (hybrid BIOS + UEFI GRUB image, dd-able to a USB stick)
#   make usb        build/umbra-usb.img (GPT disk image: umbra.efi on an EFI system partition)
#   make run        boot the ISO under QEMU (AMD SVM); EMU=bochs for Bochs (Intel VMX); FW=uefi for OVMF
#                   GUEST=linux boots Debian's Linux instead (KERNEL=, INITRD=, CMDLINE= override)
#   make linux      fetch Debian's kernels and busybox, build the initramfs images (build/linux/)
#   make test       host unit tests, layering check, then emulator tests
#   make unit       host unit tests only
#   make emu-test   emulator tests only (TESTS=pattern selects some)
#   make fuzz       libFuzzer targets, each for FUZZ_SECONDS (FUZZ=pattern selects some)
#   make bench      Umbra (shadow, TDP) against native on QEMU and Bochs: build/bench/results.md
#                   (REPS=N repetitions, BENCH_ARGS= more options of tools/bench/bench.py)
#   make bench-quick  one repetition of the small bench guests (what `make test` runs)

BUILD      := build
EMU        ?= qemu
FW         ?= bios
CPU        ?=
ARGS       ?=
JOBS       ?= 2

# Quiet build: one short line per step (`CC guest/run.c`); `make V=1` prints whole commands.
ifeq ($(V),1)
Q       :=
quiet    = @:
else
Q       := @
quiet    = @printf '  %-7s %s\n'
endif

CC         := gcc
LD         := ld
HOSTCC     := gcc

# The hypervisor: freestanding 64-bit code, identity mapped, linked at 2 MiB.
KCFLAGS := -std=gnu11 -O2 -g -ffreestanding -fno-builtin -nostdinc \
           -isystem $(shell $(CC) -print-file-name=include) \
           -fno-stack-protector -fno-pic -fno-pie -fno-asynchronous-unwind-tables \
           -mno-red-zone -mgeneral-regs-only -mcmodel=small -m64 -march=x86-64 \
           -Wall -Wextra -Werror -Wframe-larger-than=1024 -Wstrict-prototypes \
           -Wmissing-prototypes -Wshadow -Wvla -I. -MMD -MP
KASFLAGS := -g -m64 -nostdinc -ffreestanding -I. -MMD -MP -D__ASSEMBLY__
KLDFLAGS := -nostdlib -z max-page-size=0x1000 -z noexecstack --no-warn-rwx-segments -T linker.ld

# Sources are found at any depth below these folders: a new sub-folder needs no edit here.
KSRC_DIRS := boot arch mm lib vmx svm guest
# boot/efi/ is umbra.efi, a UEFI application of its own (boot/efi/efi.mk), not part of Umbra.
KSRC_SKIP := boot/efi
KSRCS_C   := $(sort $(shell find $(KSRC_DIRS) -path $(KSRC_SKIP) -prune -o -name '*.c' -print))
KSRCS_S   := $(sort $(shell find $(KSRC_DIRS) -path $(KSRC_SKIP) -prune -o -name '*.S' -print))
KOBJS     := $(patsubst %,$(BUILD)/k/%.o,$(KSRCS_S) $(KSRCS_C))
# Generated sources: the DSDT's AML, compiled from ASL by iasl (see "Firmware tables" below).
KOBJS     += $(BUILD)/k/gen/dsdt_aml.c.o

# The console font is generated from a Debian console font (package console-setup-linux) by
# tools/mkfont.py: build/font8x16.c, never committed (arch/font.h).
FONT_PSF  := /usr/share/consolefonts/Lat15-Fixed16.psf.gz
KOBJS     += $(BUILD)/k/$(BUILD)/font8x16.c.o

.PHONY: all iso usb run test test-long unit emu-test check-layering setup clean linux \
	fuzz fuzz-smoke fuzz-build bench bench-quick bench-unit

all: $(BUILD)/umbra.elf

$(BUILD)/font8x16.c: tools/mkfont.py
	@mkdir -p $(dir $@)
	$(quiet) FONT $@
	$(Q)python3 tools/mkfont.py $(FONT_PSF) $@

$(BUILD)/k/%.c.o: %.c
	@mkdir -p $(dir $@)
	$(quiet) CC $<
	$(Q)$(CC) $(KCFLAGS) -c $< -o $@

$(BUILD)/k/%.S.o: %.S
	@mkdir -p $(dir $@)
	$(quiet) AS $<
	$(Q)$(CC) $(KASFLAGS) -c $< -o $@

# build/version.h changes only when `git describe` does, so it rebuilds only what prints it.
$(BUILD)/version.h: FORCE
	@mkdir -p $(BUILD)
	@v="#define UMBRA_VERSION \"$$(git describe --always --dirty 2>/dev/null || echo unknown)\""; \
	 [ "$$(cat $@ 2>/dev/null)" = "$$v" ] || echo "$$v" > $@
FORCE:

$(BUILD)/k/boot/main.c.o: $(BUILD)/version.h

# Firmware tables: guest/firmware/dsdt.asl is compiled by iasl (Debian's acpica-tools, installed
# by tools/setup.sh) with its preprocessor, which reads the platform's numbers from
# acpi_platform.h; the AML becomes a C array that the loader copies into guest memory. Warnings
# are errors.
DSDT_ASL := guest/firmware/dsdt.asl
$(BUILD)/gen/dsdt.aml: $(DSDT_ASL) guest/firmware/acpi_platform.h
	@mkdir -p $(dir $@)
	$(quiet) IASL $<
	@command -v iasl >/dev/null || { echo "iasl is missing: run tools/setup.sh (acpica-tools)"; exit 1; }
	$(Q)iasl -we -I. -p $(basename $@) $< >$@.log 2>&1 || { cat $@.log; rm -f $@; exit 1; }

$(BUILD)/gen/dsdt_aml.c: $(BUILD)/gen/dsdt.aml
	$(quiet) GEN $@
	$(Q){ echo "/* Generated from $(DSDT_ASL) by iasl: do not edit. */"; \
	  echo '#include "guest/firmware/dsdt_aml.h"'; \
	  echo 'const uint8_t acpi_dsdt_aml[] = {'; xxd -i < $<; echo '};'; \
	  echo 'const size_t acpi_dsdt_aml_len = sizeof(acpi_dsdt_aml);'; } > $@.tmp && mv $@.tmp $@

$(BUILD)/k/gen/%.c.o: $(BUILD)/gen/%.c
	@mkdir -p $(dir $@)
	$(quiet) CC $<
	$(Q)$(CC) $(KCFLAGS) -c $< -o $@

$(BUILD)/umbra.elf: $(KOBJS) linker.ld
	$(quiet) LD $@
	$(Q)$(LD) $(KLDFLAGS) -o $@ $(KOBJS)
	@if command -v grub-file >/dev/null; then grub-file --is-x86-multiboot2 $@ || \
		{ echo "$@ is not a multiboot2 image"; rm -f $@; exit 1; }; fi

-include $(KOBJS:.o=.d)

# ---------------------------------------------------------------------------------------------
# Images
# The default ISO boots Umbra with its bundled demo guest and no extra options.
ISO_ARGS   ?=
iso: $(BUILD)/umbra.iso

$(BUILD)/umbra.iso: $(BUILD)/umbra.elf $(BUILD)/guests/demo.elf tools/mkiso.sh
	$(quiet) ISO $@
	$(Q)tools/mkiso.sh $@ $(BUILD)/umbra.elf "$(ISO_ARGS)" $(BUILD)/guests/demo.elf "guest demo"

# A raw disk image for a USB stick: GPT, an EFI system partition with umbra.efi as
# \EFI\BOOT\BOOTX64.EFI, Umbra, the demo guest and umbra.cfg (tools/mkusb.sh; README, "Real hardware").
USB_ARGS   ?= $(ISO_ARGS)
usb: setup $(BUILD)/umbra-usb.img

$(BUILD)/umbra-usb.img: $(BUILD)/umbra.efi $(BUILD)/umbra.elf $(BUILD)/guests/demo.elf tools/mkusb.sh
	$(quiet) USB $@
	$(Q)tools/mkusb.sh $@ $(BUILD)/umbra.efi $(BUILD)/umbra.elf "$(USB_ARGS)" $(BUILD)/guests/demo.elf "guest demo"

# ---------------------------------------------------------------------------------------------
# Linux guests: `make linux` fetches Debian's kernels and busybox (apt-get download, cached in
# ~/.cache/umbra) and builds the initramfs images with tests/linux/init (tools/fetch-linux.sh).
LINUX_DIR     := $(BUILD)/linux
LINUX_CMDLINE := $(shell cat tests/linux/cmdline)
# Umbra's own options for a Linux run: the cloud kernel needs 68 MiB before its initramfs.
LINUX_ARGS    ?= guest_mem=256M
KERNEL        ?= $(LINUX_DIR)/vmlinuz-cloud-amd64
INITRD        ?= $(LINUX_DIR)/initramfs-$(if $(findstring 686,$(notdir $(KERNEL))),i386,amd64).cpio.gz
CMDLINE       ?= $(LINUX_CMDLINE)

linux:
	$(Q)tools/fetch-linux.sh $(LINUX_DIR)

# Rebuilt every time, so that KERNEL=, INITRD= and CMDLINE= always take effect; the files under
# $(LINUX_DIR) are fetched first when the run uses them.
$(BUILD)/umbra-linux.iso: $(BUILD)/umbra.elf tools/mkiso.sh $(if $(filter $(LINUX_DIR)/%,$(KERNEL) $(INITRD)),linux) FORCE
	$(quiet) ISO $@
	$(Q)tools/mkiso.sh $@ $(BUILD)/umbra.elf "$(LINUX_ARGS) $(ISO_ARGS)" $(KERNEL) "guest $(CMDLINE)" \
		$(INITRD) initrd

# ---------------------------------------------------------------------------------------------
# Running
setup:
	@tools/setup.sh

RUN_ISO := $(if $(filter linux,$(GUEST)),$(BUILD)/umbra-linux.iso,$(BUILD)/umbra.iso)
run: setup $(RUN_ISO)
	tools/run.sh --emu $(EMU) --fw $(FW) --iso $(RUN_ISO) $(if $(CPU),--cpu $(CPU)) \
		$(if $(filter linux,$(GUEST)),--ips 200000000)

# ---------------------------------------------------------------------------------------------
# Host unit tests: pure code compiled with the host compiler and sanitizers, cmocka as framework.
# Each tests/unit/NAME.mk adds NAME to UNIT_TESTS, lists the sources under test in UNIT_SRCS_NAME
# and any extra host library (an oracle such as Zydis) in UNIT_LIBS_NAME.
UNIT_TESTS :=
include $(wildcard tests/unit/*.mk)

HOST_CFLAGS := -std=gnu11 -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all \
               -fno-omit-frame-pointer -Wall -Wextra -Werror -I. -DUMBRA_HOSTED -MMD -MP
HOST_LIBS   := -lcmocka

UNIT_BINS := $(patsubst %,$(BUILD)/unit/test_%,$(UNIT_TESTS))

define unit_rule
$(BUILD)/unit/test_$(1): tests/unit/test_$(1).c $(UNIT_SRCS_$(1))
	@mkdir -p $$(dir $$@)
	$$(quiet) HOSTCC $$@
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -o $$@ tests/unit/test_$(1).c $(UNIT_SRCS_$(1)) $(HOST_LIBS) $(UNIT_LIBS_$(1))
endef
$(foreach t,$(UNIT_TESTS),$(eval $(call unit_rule,$(t))))
-include $(UNIT_BINS:=.d)

unit: setup $(UNIT_BINS) bench-unit
	tools/run-unit-tests.sh $(UNIT_BINS)

# The benchmark runner's pure logic (tools/bench/), Python's unittest: one PASS/FAIL line.
bench-unit:
	@mkdir -p $(BUILD); if python3 -m unittest discover -s tests/bench -p 'test_*.py' >$(BUILD)/bench-unit.log 2>&1; \
	then echo "PASS  bench-unit ($$(grep -Eo '^Ran [0-9]+ tests' $(BUILD)/bench-unit.log))"; \
	else echo "FAIL  bench-unit"; tail -n 30 $(BUILD)/bench-unit.log; exit 1; fi

# The floors look down only (tools/check-layering.sh says which folder may include which);
# tools/test-layering.sh proves the check fails on planted violations.
check-layering:
	@tools/check-layering.sh
	@tools/test-layering.sh

# ---------------------------------------------------------------------------------------------
# Fuzzing: libFuzzer targets over the same host-built sources as the unit tests, built with
# clang and ASan/UBSan. Each tests/fuzz/NAME.mk adds NAME to FUZZ_TARGETS, lists the sources in
# FUZZ_SRCS_NAME and any extra library in FUZZ_LIBS_NAME; tests/fuzz/fuzz_NAME.c is the target,
# tests/fuzz/corpus/NAME/ its seeds and tests/fuzz/regress/NAME/ the inputs of fixed findings.
# `make fuzz` runs each target for FUZZ_SECONDS; `make fuzz-smoke` (part of `make test`) runs
# each for FUZZ_SMOKE_SECONDS, then replays the seeds and regression inputs.
FUZZ_TARGETS :=
include $(wildcard tests/fuzz/*.mk)

FUZZ_CC            := clang
FUZZ_CFLAGS        := -std=gnu11 -O1 -g -fsanitize=fuzzer,address,undefined \
                      -fno-sanitize-recover=all -fno-omit-frame-pointer \
                      -Wall -Wextra -Werror -I. -DUMBRA_HOSTED -MMD -MP
FUZZ_SECONDS       ?= 600
FUZZ_SMOKE_SECONDS ?= 20
FUZZ               ?=

FUZZ_BINS := $(patsubst %,$(BUILD)/fuzz/fuzz_%,$(FUZZ_TARGETS))

define fuzz_rule
$(BUILD)/fuzz/fuzz_$(1): tests/fuzz/fuzz_$(1).c $(FUZZ_SRCS_$(1))
	@mkdir -p $$(dir $$@)
	$$(quiet) FUZZCC $$@
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -o $$@ tests/fuzz/fuzz_$(1).c $(FUZZ_SRCS_$(1)) $(FUZZ_LIBS_$(1))
endef
$(foreach t,$(FUZZ_TARGETS),$(eval $(call fuzz_rule,$(t))))
-include $(FUZZ_BINS:=.d)

fuzz-build: setup $(FUZZ_BINS)

fuzz: fuzz-build
	tools/fuzz.sh --out $(BUILD)/fuzz --seconds $(FUZZ_SECONDS) $(if $(FUZZ),--only '$(FUZZ)') $(FUZZ_BINS)

fuzz-smoke: fuzz-build
	tools/fuzz.sh --out $(BUILD)/fuzz --seconds $(FUZZ_SMOKE_SECONDS) --jobs $(JOBS) --replay $(if $(FUZZ),--only '$(FUZZ)') $(FUZZ_BINS)

# umbra.efi, the UEFI loader (boot/efi/efi.mk).
include boot/efi/efi.mk

# ---------------------------------------------------------------------------------------------
# Test guests: tiny multiboot kernels that run inside Umbra (tests/guests/guests.mk).
-include tests/guests/guests.mk

# ---------------------------------------------------------------------------------------------
# Emulator tests: tests/emu/run.py boots Umbra under QEMU and Bochs and checks the serial output.
emu-test: setup $(BUILD)/umbra.elf $(BUILD)/umbra.efi guests
	python3 tests/emu/run.py --build $(BUILD) --jobs $(JOBS) $(if $(TESTS),--only '$(TESTS)')

# ---------------------------------------------------------------------------------------------
# Benchmark: tools/bench/bench.py runs each workload under Umbra (mmu=shadow, mmu=tdp) and
# natively, on QEMU and Bochs; results in build/bench/ (results.md, .csv, .json, plots/).
REPS       ?= 3
BENCH_ARGS ?=
bench: setup $(BUILD)/umbra.elf guests linux
	python3 tools/bench/bench.py --reps $(REPS) --linux $(LINUX_DIR) --out $(BUILD)/bench $(BENCH_ARGS)

bench-quick: setup $(BUILD)/umbra.elf guests
	python3 tools/bench/bench.py --quick --out $(BUILD)/bench-quick $(BENCH_ARGS)

test: setup
	@tools/test-all.sh

# The whole suite plus its long variants (the Bochs Linux runs with the local APIC and on EPT).
test-long: setup
	@LONG=1 tools/test-all.sh

clean:
	rm -rf $(BUILD)
