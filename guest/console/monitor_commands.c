/* The monitor's commands, carried out against the running guest (the parser is monitor.c). */
#include "guest/console/monitor_commands.h"
#include "guest/console/monitor.h"
#include "guest/firmware/acpi_info.h"
#include "guest/guest.h"
#include "guest/mode.h"
#include "guest/report.h"
#include "arch/pt.h"
#include "mm/hostmap.h"
#include "mm/page.h"
#include "mm/walk.h"

static int cmd_info_cpu(void *ctx, struct monitor_out *out)
{
	(void)out;
	guest_report_registers(ctx);
	return 0;
}

static int cmd_info_exits(void *ctx, struct monitor_out *out)
{
	(void)out;
	guest_report_counters(ctx);
	return 0;
}

/* TDP mode: the guest's paging mode and CR3, the TDP root and counters, the PDPTEs. */
static int info_mmu_tdp(struct guest *g, struct monitor_out *out)
{
	struct paging_state ps = guest_paging_state(g);
	const struct tdp_stats *t = &g->tdp.stats;

	monitor_printf(out, "mmu: tdp (%s)\n",
		       g->tdp.caps.format == TDP_FORMAT_EPT ? "ept" : "npt");
	monitor_printf(out, "paging %s, cr3 %llx, tdp root %llx\n",
		       paging_mode_name(paging_mode_of(&ps)), (unsigned long long)ps.cr3,
		       (unsigned long long)g->tdp.root);
	monitor_printf(out, "tdp: %llu table pages, %llu faults, %llu 4K maps, %llu 2M maps, "
		       "%llu non-RAM reads, %llu MMIO, %llu spurious\n",
		       (unsigned long long)t->table_pages, (unsigned long long)t->faults,
		       (unsigned long long)t->maps_4k, (unsigned long long)t->maps_2m,
		       (unsigned long long)t->not_ram_reads, (unsigned long long)t->mmio,
		       (unsigned long long)t->spurious);
	if (paging_mode_of(&ps) == PAGING_PAE)
		monitor_printf(out, "PDPTEs: %llx %llx %llx %llx\n",
			       (unsigned long long)ps.pdptes[0], (unsigned long long)ps.pdptes[1],
			       (unsigned long long)ps.pdptes[2], (unsigned long long)ps.pdptes[3]);
	return 0;
}

/* Paging mode, roots, shadow pages by level and quadrant, cached PDPTEs. */
static int cmd_info_mmu(void *ctx, struct monitor_out *out)
{
	struct guest *g = ctx;
	struct paging_state ps = guest_paging_state(g);
	unsigned by_level[5][4] = { { 0 } }, direct = 0;
	const struct sp_cache *c = &g->mmu.cache;

	if (guest_tdp(g))
		return info_mmu_tdp(g, out);
	monitor_printf(out, "mmu: shadow\n");
	monitor_printf(out, "paging %s, cr3 %llx, shadow root %llx (%s)\n",
		       paging_mode_name(paging_mode_of(&ps)), (unsigned long long)ps.cr3,
		       (unsigned long long)g->mmu.root, g->mmu.root_valid ? "valid" : "to rebuild");
	for (unsigned i = 0; i < c->capacity; i++) {
		const struct shadow_page *sp = &c->pool[i];

		if (!sp->in_use)
			continue;
		if (sp->role.direct)
			direct++;
		else if (sp->role.level <= 4)
			by_level[sp->role.level][sp->role.quadrant]++;
	}
	monitor_printf(out, "shadow pages: %u in use, %u direct\n", c->used, direct);
	monitor_printf(out, "pool: shadow pages %u/%u, reverse map %u/%u, parent links %u/%u\n",
		       c->used, c->capacity, g->mmu.rmap.used, g->mmu.rmap.capacity, c->links_used,
		       c->link_capacity);
	monitor_printf(out, "evictions %llu, resets %llu\n",
		       (unsigned long long)g->mmu.stats.evictions,
		       (unsigned long long)g->mmu.stats.resets);
	monitor_printf(out, "out of sync: %u frames now (at most %u), %llu pages went, %llu syncs, "
		       "%llu entries changed by syncs\n", g->mmu.unsync.count, MMU_UNSYNC_MAX,
		       (unsigned long long)g->mmu.stats.unsync_pages,
		       (unsigned long long)g->mmu.stats.syncs,
		       (unsigned long long)g->mmu.stats.sync_changed);
	for (unsigned l = 4; l >= 1; l--)
		monitor_printf(out, "  level %u: quadrant 0: %u, 1: %u, 2: %u, 3: %u\n", l,
			       by_level[l][0], by_level[l][1], by_level[l][2], by_level[l][3]);
	if (paging_mode_of(&ps) == PAGING_PAE)
		monitor_printf(out, "PDPTEs: %llx %llx %llx %llx\n",
			       (unsigned long long)ps.pdptes[0], (unsigned long long)ps.pdptes[1],
			       (unsigned long long)ps.pdptes[2], (unsigned long long)ps.pdptes[3]);
	return 0;
}

static bool peek_read(void *ctx, uint64_t gpa, void *buf, unsigned len)
{
	return guest_mem_read(ctx, gpa, buf, len);
}

static bool peek_write(void *ctx, uint64_t gpa, const void *buf, unsigned len)
{
	(void)ctx, (void)gpa, (void)buf, (void)len;
	return false;	/* the monitor looks, it never sets A/D bits */
}

/* The guest's translation of gva without side effects. */
static void guest_peek_walk(struct guest *g, uint64_t gva, struct walk_result *w)
{
	struct paging_state ps = guest_paging_state(g);
	struct walk_mem mem = { peek_read, peek_write, &g->mem };
	struct walk_request req = { .ps = ps, .addr = gva, .maxphyaddr = g->mmu.cpu.maxphyaddr,
				    .pse36 = g->mmu.cpu.pse36, .gb_pages = g->mmu.cpu.gb_pages,
				    .set_ad = false };

	for (int i = 0; i < 4; i++)
		req.pdptes[i] = ps.pdptes[i];
	walk_guest(&req, &mem, w);
}

/*
 * The shadow entry the processor would use for gva, or 0 when none is present. Only tables of
 * the shadow pool are followed, each at the level its role says: an entry that points anywhere
 * else (a stale root, a corrupted entry) is reported, never dereferenced, since its address
 * could come from guest-controlled bytes. Returns false with *why set in that case.
 */
static bool shadow_leaf(struct guest *g, uint64_t gva, uint64_t *leaf, const char **why)
{
	struct paging_state ps = guest_paging_state(g);
	uint64_t table = g->mmu.root, e = 0;
	bool four = paging_mode_of(&ps) == PAGING_4LEVEL;

	*leaf = 0;
	if (!g->mmu.root_valid) {
		*why = "no valid shadow root (it is rebuilt at the next entry)";
		return false;
	}
	for (int level = four ? 4 : 3; level >= 1; level--) {
		unsigned idx = (!four && level == 3) ? (gva >> 30) & 3 :
						       (gva >> (12 + 9 * (level - 1))) & 511;
		const struct shadow_page *sp;

		e = ((uint64_t *)phys_to_virt(table))[idx];
		if (!(e & PT_P) || level == 1)
			break;
		table = e & PT_ADDR_MASK;
		sp = sp_by_hpa(&g->mmu.cache, table);
		if (!sp || sp->role.level != (unsigned)level - 1) {
			*why = "a shadow entry points outside the shadow pool";
			return false;
		}
	}
	*leaf = (e & PT_P) ? e : 0;
	return true;
}

static int cmd_walk(void *ctx, uint64_t gva, struct monitor_out *out)
{
	struct guest *g = ctx;
	struct walk_result w;
	const char *why;
	uint64_t leaf;

	guest_peek_walk(g, gva, &w);
	for (unsigned l = w.levels; l >= 1 && w.levels; l--)
		monitor_printf(out, "  guest level %u: entry %llx at gpa %llx\n", l,
			       (unsigned long long)w.pte[l], (unsigned long long)w.pte_gpa[l]);
	if (w.not_ram)
		monitor_printf(out, "guest: a page table is not in guest RAM\n");
	else if (w.fault)
		monitor_printf(out, "guest: #PF, error code %x\n", w.pfec);
	else
		monitor_printf(out, "guest: gva %llx -> gpa %llx (%s, rights %c%c%c)\n",
			       (unsigned long long)gva, (unsigned long long)w.gpa,
			       !w.levels ? "paging off" : w.leaf_level == 3 ? "1 GiB page" :
			       w.leaf_level == 2 ? "large page" : "4 KiB page",
			       (w.access & ACC_USER) ? 'u' : '-', (w.access & ACC_WRITE) ? 'w' : '-',
			       (w.access & ACC_EXEC) ? 'x' : '-');
	if (guest_tdp(g)) {
		uint64_t entries[TDP_LEVELS];
		unsigned n;

		if (w.fault || w.not_ram)
			return 0;
		n = tdp_lookup(&g->tdp, w.gpa, entries);
		for (unsigned i = 0; i < n; i++)
			monitor_printf(out, "tdp level %u: entry %llx\n", TDP_LEVELS - i,
				       (unsigned long long)entries[i]);
	} else if (shadow_leaf(g, gva, &leaf, &why))
		monitor_printf(out, "shadow: entry %llx\n", (unsigned long long)leaf);
	else
		monitor_printf(out, "shadow: %s\n", why);
	return 0;
}

static void dump_line(struct monitor_out *out, uint64_t addr, const uint64_t *v, bool ok)
{
	if (ok)
		monitor_printf(out, "%016llx: %016llx\n", (unsigned long long)addr,
			       (unsigned long long)*v);
	else
		monitor_printf(out, "%016llx: (not readable)\n", (unsigned long long)addr);
}

static int cmd_x(void *ctx, uint64_t gva, unsigned n, struct monitor_out *out)
{
	struct guest *g = ctx;

	for (unsigned i = 0; i < n; i++) {
		uint64_t a = gva + 8 * i, v = 0;
		struct walk_result w;

		guest_peek_walk(g, a, &w);
		dump_line(out, a, &v, !w.fault && !w.not_ram && guest_mem_read(&g->mem, w.gpa, &v, 8));
	}
	return 0;
}

static int cmd_xp(void *ctx, uint64_t gpa, unsigned n, struct monitor_out *out)
{
	struct guest *g = ctx;

	for (unsigned i = 0; i < n; i++) {
		uint64_t v = 0;

		dump_line(out, gpa + 8 * i, &v, guest_mem_read(&g->mem, gpa + 8 * i, &v, 8));
	}
	return 0;
}

static int cmd_audit(void *ctx, struct monitor_out *out)
{
	(void)out;
	guest_audit(ctx);
	return 0;
}

static int cmd_reset(void *ctx, struct monitor_out *out)
{
	struct guest *g = ctx;

	g->reset_requested = true;
	guest_stop(g, GUEST_STOP_RESET, "reset from the monitor");
	monitor_printf(out, "the guest restarts from its image\n");
	return MONITOR_QUIT;
}

/* The bus's table: one line a range, in registration order. */
static int cmd_info_devices(void *ctx, struct monitor_out *out)
{
	const struct device_bus *b = &((struct guest *)ctx)->bus;

	for (unsigned i = 0; i < b->count; i++) {
		const struct bus_range *r = &b->range[i];

		monitor_printf(out, "%s %llx-%llx %s\n", r->space == BUS_PORT ? "port" : "mmio",
			       (unsigned long long)r->base,
			       (unsigned long long)(r->base + r->length - 1), r->owner);
	}
	monitor_printf(out, "%u range%s; other ports read all-ones and ignore writes\n", b->count,
		       b->count == 1 ? "" : "s");
	return 0;
}

static bool acpi_read(void *ctx, uint64_t gpa, void *buf, size_t len)
{
	return guest_mem_read(ctx, gpa, buf, len);
}

static void acpi_line(void *ctx, const char *text)
{
	monitor_printf(ctx, "%s\n", text);
}

/* The firmware tables as guest memory holds them now, found as an OS finds them. */
static int cmd_info_acpi(void *ctx, struct monitor_out *out)
{
	struct guest *g = ctx;
	struct acpi_info_io io = { acpi_read, &g->mem, acpi_line, out };
	unsigned bad = acpi_info_describe(&io);

	if (bad)
		monitor_printf(out, "%u table%s with a bad checksum\n", bad, bad == 1 ? "" : "s");
	return 0;
}

void monitor_commands_for_guest(struct monitor_commands *cmds, struct guest *g)
{
	*cmds = (struct monitor_commands){
		.ctx = g, .info_cpu = cmd_info_cpu, .info_mmu = cmd_info_mmu,
		.info_exits = cmd_info_exits, .info_devices = cmd_info_devices,
		.info_acpi = cmd_info_acpi, .info_apic = monitor_info_apic, .walk = cmd_walk,
		.x = cmd_x, .xp = cmd_xp, .audit = cmd_audit, .reset = cmd_reset,
	};
}
