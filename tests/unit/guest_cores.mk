UNIT_TESTS += guest_cores
UNIT_SRCS_guest_cores := guest/exits/cr_access.c guest/exits/port_io.c guest/mode.c guest/gva.c \
	guest/insn.c guest/emu_mem.c guest/guest.c guest/interrupts.c guest/vcpu.c guest/exit_names.c \
	guest/exits/interrupt.c guest/clock.c guest/single_step.c arch/tsc.c \
	guest/devices/bus.c guest/devices/vpic.c guest/devices/vuart.c guest/devices/vpit.c \
	guest/devices/i8042.c guest/devices/lapic.c guest/devices/lapic_regs.c guest/devices/ioapic.c guest/apic_wiring.c guest/mmio_windows.c \
	guest/devices/counter_port.c guest/devices/debug_exit.c guest/x86/x86_decode.c \
	mm/mmu.c mm/prefetch.c mm/unsync.c mm/mmu_evict.c mm/shadow_pool.c mm/walk.c mm/rmap.c mm/shadow_page.c mm/guest_mem.c mm/pmm.c mm/hostmap.c \
	mm/tdp.c mm/tdp_format.c \
	lib/format.c lib/printk.c
