UNIT_TESTS += mmio
UNIT_SRCS_mmio := guest/exits/mmio.c guest/exits/page_fault.c guest/exits/pt_write.c \
	guest/emu_cpu.c guest/mode.c guest/gva.c guest/insn.c guest/emu_mem.c guest/guest.c \
	guest/vcpu.c guest/clock.c guest/single_step.c arch/tsc.c arch/cpu_info.c \
	guest/apic_wiring.c guest/mmio_windows.c \
	guest/devices/bus.c guest/devices/vpic.c guest/devices/vuart.c guest/devices/lapic.c \
	guest/devices/lapic_regs.c \
	guest/devices/ioapic.c guest/devices/counter_port.c guest/devices/debug_exit.c \
	guest/x86/x86_decode.c guest/x86/x86_emulate.c \
	mm/mmu.c mm/prefetch.c mm/unsync.c mm/mmu_evict.c mm/shadow_pool.c mm/walk.c mm/rmap.c mm/shadow_page.c mm/guest_mem.c mm/pmm.c mm/hostmap.c \
	mm/tdp.c mm/tdp_format.c \
	lib/format.c lib/printk.c
