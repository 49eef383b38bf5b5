/* boot_main(): the table of contents of Umbra, from the loader's hand-off to running the guest. */
#include "arch/cpu.h"
#include "arch/cpu_info.h"
#include "arch/cpuid.h"
#include "arch/cr.h"
#include "arch/desc.h"
#include "arch/fbcon.h"
#include "arch/font.h"
#include "arch/irq.h"
#include "arch/ps2kbd.h"
#include "arch/serial.h"
#include "arch/stop.h"
#include "arch/tsc.h"
#include "arch/uart16550.h"
#include "boot/acpi_spcr.h"
#include "boot/boot_info.h"
#include "boot/boot_report.h"
#include "boot/multiboot2.h"
#include "build/version.h"
#include "lib/options.h"
#include "arch/panic.h"
#include "lib/printk.h"
#include "guest/console/console.h"
#include "guest/guest.h"
#include "guest/loader/loader.h"
#include "guest/report.h"
#include "guest/run.h"
#include "mm/memory.h"
#include "svm/svm.h"
#include "svm/svm_probe.h"
#include "vmx/vmx.h"
#include "vmx/vmx_probe.h"

void boot_main(uint32_t magic, uint32_t mbi_addr);

/* Host-wide state of this one machine; everything else receives what it needs as arguments. */
static struct serial_port console;
static struct fbcon screen;
static struct ps2kbd keyboard;
static bool console_on_serial = true, console_on_screen;
static struct boot_info boot_info;
static struct umbra_options options;
static struct cpu_info cpu;
static struct virt_probe vmx_usability, svm_usability;
static struct host_memory memory;
static struct guest guest;
static struct guest_module guest_modules[BOOT_MAX_MODULES];

/* The host console: the serial port and, once it is up, the framebuffer, with one text. */
static void host_console_write(void *ctx, const char *s, unsigned long len)
{
	(void)ctx;
	if (console_on_serial)
		serial_write_text(&console, s, len);
	if (console_on_screen)
		fbcon_write(&screen, s, len);
}

/* COM1 at 115200 8N1 until the command line says otherwise. */
static void host_console_init(void)
{
	serial_init(&console, COM1_BASE, 115200);
	log_attach_sink(host_console_write, NULL);
}

/*
 * Where no UART answers at COM1 (most laptops; some servers put the console elsewhere), the
 * firmware's ACPI SPCR table may name the console's 16550. A serial= option wins over it.
 */
static void serial_console_from_acpi(void)
{
	struct spcr_uart u;
	char why[80];

	if (!boot_info.acpi_revision_tag)
		return;
	if (acpi_find_spcr(boot_info.acpi_rsdp, boot_info.acpi_rsdp_len, &u, why, sizeof(why))) {
		pr_info("umbra: acpi: %s\n", why);
		return;
	}
	pr_info("umbra: acpi: SPCR: interface type 0x%x, %s %llx, %u baud\n", u.interface_type,
		u.space_id == ACPI_GAS_IO ? "I/O port" : "address space", (unsigned long long)u.address,
		u.baud);
	if (console.present || !console_on_serial || options.serial_base != COM1_BASE)
		return;
	if (!spcr_is_16550_port(&u)) {
		pr_warn("umbra: console: the SPCR UART is not a 16550 at an I/O port; no serial console\n");
		return;
	}
	if (!serial_init(&console, (uint16_t)u.address, u.baud ? u.baud : options.baud)) {
		pr_warn("umbra: console: no UART answers at the SPCR port 0x%llx\n",
			(unsigned long long)u.address);
		return;
	}
	log_replay(serial_write_text, &console);
	pr_info("umbra: console: serial port 0x%llx from ACPI SPCR (no UART at COM1)\n",
		(unsigned long long)u.address);
}

/*
 * The loader's direct-colour framebuffer (Multiboot2 spec 3.6.12) mirrors the serial console,
 * for machines without COM1; it first shows what was printed before it came up. It is below
 * 4 GiB on every loader seen, which the boot map covers.
 */
static void screen_console_init(void)
{
	const struct fb_info *fb = &boot_info.framebuffer;

	if (!boot_info.have_framebuffer || boot_info.framebuffer_type != MB2_FRAMEBUFFER_RGB)
		return;
	if (fb->addr + (uint64_t)fb->pitch * fb->height > (1ull << 32) ||
	    !fbcon_init(&screen, (void *)(uintptr_t)fb->addr, fb, font8x16)) {
		pr_warn("umbra: console: framebuffer %ux%u, %u bpp at %llx not usable\n", fb->width,
			fb->height, fb->bpp, (unsigned long long)fb->addr);
		return;
	}
	log_replay(fbcon_write, &screen);
	console_on_screen = true;
	pr_info("umbra: console: framebuffer %ux%u, %u bpp at %llx, %ux%u characters\n",
		fb->width, fb->height, fb->bpp, (unsigned long long)fb->addr, screen.cols,
		screen.rows);
}

static void banner(void)
{
	pr_info("\numbra: Umbra " UMBRA_VERSION " - shadow-paging hypervisor\n");
}

static void traps_init(void)
{
	gdt_init();
	idt_init();
	irq_init();
}

/* The loader told us where everything is; nothing can go on without it. */
static void boot_info_init(uint32_t magic, uint32_t mbi_addr)
{
	char err[160];

	if (magic != MB2_BOOTLOADER_MAGIC) {
		pr_err("umbra: fatal: bad multiboot2 magic 0x%x\n", magic);
		machine_stop(UMBRA_EXIT_BAD_BOOT);
	}
	if (mb2_parse((const void *)(uintptr_t)mbi_addr, &boot_info, err, sizeof(err))) {
		pr_err("umbra: fatal: malformed multiboot2 information at 0x%x: %s\n", mbi_addr, err);
		machine_stop(UMBRA_EXIT_BAD_BOOT);
	}
}

/* Applies the command line; a bad option is reported and the rest still take effect. */
static void options_init(void)
{
	char errs[OPTIONS_ERR_MAX];
	unsigned problems;

	options_set_defaults(&options);
	problems = options_parse(boot_info.cmdline, &options, errs, sizeof(errs));
	if (options.serial_base != COM1_BASE || options.baud != 115200) {
		if (!options.serial_base || !serial_init(&console, options.serial_base, options.baud))
			console_on_serial = false;
	}
	log_set_level((enum log_level)options.loglevel);
	machine_set_debug_exit(options.debug_exit);
	if (problems)
		pr_warn("umbra: command line: %u problem%s:\n%s", problems, problems == 1 ? "" : "s",
			errs);
}

static void cpu_init(void)
{
	const char *no_osxsave;

	cpu_info_read(&cpu);
	cpu_report(&cpu);
	/* Each backend's probe runs once; the backend choice below reads its verdict. */
	vmx_probe(&cpu, &vmx_usability);
	svm_probe(&cpu, &svm_usability);
	pr_info("umbra: cpu: vmx %s: %s\n", vmx_usability.usable ? "usable" : "unusable",
		vmx_usability.reason);
	pr_info("umbra: cpu: svm %s: %s\n", svm_usability.usable ? "usable" : "unusable",
		svm_usability.reason);
	/* The guest's XSETBV is carried out by Umbra, which needs CR4.OSXSAVE for it. Where Umbra
	 * cannot set it, XSAVE drops out of Umbra's view of the CPU and so out of the guest's. */
	no_osxsave = cpu_osxsave_blocker(&cpu);
	if (!no_osxsave) {
		write_cr4(read_cr4() | CR4_OSXSAVE);
	} else if (cpu_has(cpu.leaf1_ecx, CPUID_1_ECX_XSAVE)) {
		pr_warn("umbra: cpu: xsave not enabled: %s; the guest sees no XSAVE\n", no_osxsave);
		cpu.leaf1_ecx &= ~CPUID_1_ECX_XSAVE;
	}
}

/* The information block and every module stay where the loader put them. */
static unsigned boot_reserved_ranges(struct phys_range *reserved)
{
	unsigned n = 0;

	_Static_assert(1 + BOOT_MAX_MODULES <= MEMORY_MAX_RESERVED, "room for the MBI and modules");
	reserved[n++] = (struct phys_range){ boot_info.mbi_start, boot_info.mbi_end };
	for (unsigned i = 0; i < boot_info.module_count; i++)
		reserved[n++] = (struct phys_range){ boot_info.modules[i].start,
						     boot_info.modules[i].end };
	return n;
}

static void memory_bring_up(void)
{
	struct phys_range reserved[MEMORY_MAX_RESERVED];
	unsigned nreserved = boot_reserved_ranges(reserved);
	uint64_t highest;
	unsigned checked;

	if (!memory_init(&memory, boot_info.mem, boot_info.mem_count, reserved, nreserved,
			 cpu_has(cpu.ext1_edx, CPUID_80000001_EDX_PAGE1GB)))
		machine_stop(UMBRA_EXIT_BAD_BOOT);
	checked = memory_check_reachable(&memory, &highest);
	pr_info("umbra: mm: %u free ranges reachable, highest byte %llx\n", checked,
		(unsigned long long)highest);
}

/* Picks VMX or SVM as the command line asks; "auto" prefers VMX. */
static const struct vcpu_ops *backend_select(void)
{
	if (options.backend != BACKEND_SVM && vmx_usability.usable)
		return &vmx_ops;
	if (options.backend != BACKEND_VMX && svm_usability.usable)
		return &svm_ops;
	pr_err("umbra: backend: none usable for backend=%s (vmx: %s; svm: %s)\n",
	       options.backend == BACKEND_AUTO ? "auto" : options.backend == BACKEND_VMX ? "vmx" : "svm",
	       vmx_usability.reason, svm_usability.reason);
	return NULL;
}

/* crash=: deliberate failures so the tests can prove the failure paths report and stop. */
static void crash_if_asked(void)
{
	switch (options.crash) {
	case CRASH_UD:
		pr_info("umbra: crash=ud: executing UD2\n");
		__asm__ volatile("ud2");
		break;
	case CRASH_PF:
		pr_info("umbra: crash=pf: reading an unmapped address\n");
		(void)*(volatile uint64_t *)(memory.map.top + 0x1000);
		break;
	case CRASH_PANIC:
		panic("crash=panic requested on the command line");
	case CRASH_NONE:
		break;
	}
}

/* The exit status that tells a harness how the guest ended. */
static unsigned guest_exit_status(const struct guest *g)
{
	switch (g->stop) {
	case GUEST_STOP_DEBUG_EXIT:
		return g->exit_value;
	case GUEST_STOP_HALTED:
		return UMBRA_EXIT_GUEST_HALTED;
	case GUEST_STOP_TRIPLE_FAULT:
		return UMBRA_EXIT_GUEST_TRIPLE_FAULT;
	case GUEST_STOP_GUEST_RESET:
		return UMBRA_EXIT_GUEST_RESET;
	default:
		return UMBRA_EXIT_GUEST_FATAL;
	}
}

/* mmu=tdp: asks the backend whether the CPU has EPT or NPT; false, with one line, when not. */
static bool tdp_select(const struct vcpu_ops *ops, struct tdp_caps *caps)
{
	char why[160];

	if (!ops->tdp_probe(caps, why, sizeof(why))) {
		pr_err("umbra: mmu=tdp refused: %s; the guest does not start\n", why);
		return false;
	}
	pr_info("umbra: mmu: tdp (%s, 2 MiB pages %s, A/D bits %s)\n",
		caps->format == TDP_FORMAT_EPT ? "ept" : "npt", caps->large_2m ? "yes" : "no",
		caps->format == TDP_FORMAT_NPT ? "always" : caps->ad_bits ? "on" : "off");
	return true;
}

/* Loads the guest from its module and runs it until it stops, again after each monitor reset;
 * returns Umbra's exit status. */
static unsigned guest_start(const struct vcpu_ops *ops)
{
	struct guest_load_params lp;
	struct tdp_caps tdp;
	char err[160];
	int index;

	/* The loader sees the modules as neutral {start, end, string} ranges. */
	for (unsigned i = 0; i < boot_info.module_count; i++)
		guest_modules[i] = (struct guest_module){ boot_info.modules[i].start,
							  boot_info.modules[i].end,
							  boot_info.modules[i].string };
	index = guest_find_module(guest_modules, boot_info.module_count);

	if (index < 0) {
		pr_info("umbra: no guest to run (give one as `module2 /path guest [command line]`)\n");
		return UMBRA_EXIT_OK;
	}
	if (!ops) {
		pr_err("umbra: cannot run the guest: no usable virtualization backend\n");
		return UMBRA_EXIT_GUEST_LOAD_FAILED;
	}
	if (!ops->hw_enable(&cpu, &memory.pmm)) {
		pr_err("umbra: cannot run the guest: the %s backend did not start\n", ops->name);
		return UMBRA_EXIT_GUEST_LOAD_FAILED;
	}
	if (options.mmu == MMU_MODE_TDP && !tdp_select(ops, &tdp))
		return UMBRA_EXIT_GUEST_LOAD_FAILED;
	lp = (struct guest_load_params){ guest_modules, boot_info.module_count, (unsigned)index,
					 &memory.pmm, &cpu, ops, options.guest_mem,
					 options.mmu == MMU_MODE_TDP ? &tdp : NULL,
					 options.shadow_mem };
	for (bool first = true;; first = false) {
		if ((first ? guest_load : guest_restart)(&guest, &lp, err, sizeof(err))) {
			pr_err("umbra: cannot load the guest \"%s\": %s\n",
			       boot_info.modules[index].string, err);
			return UMBRA_EXIT_GUEST_LOAD_FAILED;
		}
		console_attach_guest(&guest, console.present ? &console : NULL);
		/* A keyboard types on the monitor where the screen is the console. */
		if (console_on_screen && ps2kbd_init(&keyboard))
			console_attach_keyboard(&keyboard);
		/* The tick gives Umbra control back even from a guest that never exits by
		 * itself, unless the backend has a timer of its own. */
		if (!guest.vcpu.own_timer)
			irq_enable_tick();
		guest_run(&guest);
		memory_report_losses(&memory);
		if (options.audit_at_exit)
			guest_audit(&guest);
		if (guest.stop == GUEST_STOP_POWEROFF)
			return UMBRA_EXIT_OK;
		/* The guest's own reset (i8042, port 0x92) restarts it as the monitor's reset does;
		 * under test (debug_exit) it is a stop the harness sees. */
		if (guest.stop == GUEST_STOP_GUEST_RESET && !options.debug_exit)
			guest.reset_requested = true;
		/* On an interactive console (no debug_exit), Umbra stays up with its monitor open
		 * after the guest ends: `reset` starts the guest again, Ctrl-A x powers off. */
		if (!guest.reset_requested && !options.debug_exit) {
			console_open_monitor();
			while (!guest.reset_requested && console_poll())
				cpu_relax();
		}
		if (!guest.reset_requested)
			return guest_exit_status(&guest);
		pr_info("umbra: guest reset (%llu host pages free)\n",
			(unsigned long long)memory.pmm.free_pages);
	}
}

void boot_main(uint32_t magic, uint32_t mbi_addr)
{
	const struct vcpu_ops *backend;

	host_console_init();
	banner();
	traps_init();
	boot_info_init(magic, mbi_addr);
	options_init();
	screen_console_init();
	serial_console_from_acpi();
	boot_report(&boot_info);
	cpu_init();
	tsc_calibrate(&cpu);
	memory_bring_up();
	backend = backend_select();
	if (backend)
		pr_info("umbra: backend: %s\n", backend->name);
	crash_if_asked();
	machine_stop(guest_start(backend));
}
