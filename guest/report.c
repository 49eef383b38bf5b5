/* Stop reports and counters, in a stable format tests can match. */
#include "guest/report.h"
#include "guest/clock.h"
#include "guest/devices/counter_port.h"
#include "guest/guest.h"
#include "guest/mode.h"
#include "guest/phys.h"
#include "mm/mmu_audit.h"
#include "lib/format.h"
#include "lib/printk.h"

static const char *const stop_names[] = {
	[GUEST_RUNNING] = "running",
	[GUEST_STOP_DEBUG_EXIT] = "debug exit",
	[GUEST_STOP_HALTED] = "halted",
	[GUEST_STOP_TRIPLE_FAULT] = "triple fault",
	[GUEST_STOP_FATAL] = "fatal",
	[GUEST_STOP_RESET] = "reset",
	[GUEST_STOP_POWEROFF] = "power off",
	[GUEST_STOP_GUEST_RESET] = "guest reset",
};

void guest_report_registers(struct guest *g)
{
	struct vcpu *v = &g->vcpu;
	const uint64_t *r = v->gpr;
	struct segment cs;

	v->ops->get_segment(v, SEG_CS, &cs);
	pr_info("  rip %016llx  rflags %016llx  cs %04x base %llx %s\n", (unsigned long long)v->rip,
		(unsigned long long)v->rflags, cs.selector, (unsigned long long)cs.base,
		cs.l ? "64-bit" : cs.db ? "32-bit" : "16-bit");
	pr_info("  cr0 %016llx  cr3 %016llx  cr4 %016llx\n", (unsigned long long)v->cr0,
		(unsigned long long)v->cr3, (unsigned long long)v->cr4);
	pr_info("  cr2 %016llx  efer %016llx  xcr0 %llx\n", (unsigned long long)v->cr2,
		(unsigned long long)v->efer, (unsigned long long)v->xcr0);
	pr_info("  rax %016llx  rbx %016llx  rcx %016llx  rdx %016llx\n",
		(unsigned long long)r[GPR_RAX], (unsigned long long)r[GPR_RBX],
		(unsigned long long)r[GPR_RCX], (unsigned long long)r[GPR_RDX]);
	pr_info("  rsi %016llx  rdi %016llx  rbp %016llx  rsp %016llx\n",
		(unsigned long long)r[GPR_RSI], (unsigned long long)r[GPR_RDI],
		(unsigned long long)r[GPR_RBP], (unsigned long long)r[GPR_RSP]);
}

void guest_report_mmu_mode(struct guest *g)
{
	const struct tdp_stats *t = &g->tdp.stats;

	if (!guest_tdp(g)) {
		pr_info("umbra: mmu: mode shadow\n");
		return;
	}
	pr_info("umbra: mmu: mode tdp (%s): %llu tdp faults, %llu 4K maps, %llu 2M maps, "
		"%llu table pages, %llu non-RAM reads, %llu MMIO, %llu spurious\n",
		g->tdp.caps.format == TDP_FORMAT_EPT ? "ept" : "npt", (unsigned long long)t->faults,
		(unsigned long long)t->maps_4k, (unsigned long long)t->maps_2m,
		(unsigned long long)t->table_pages, (unsigned long long)t->not_ram_reads,
		(unsigned long long)t->mmio, (unsigned long long)t->spurious);
}

/* Two lines per mark the guest wrote (guest/umbra_abi.h), of key=value words: the time and
 * the exits by kind (only those that occurred), then the MMU counters. */
static void guest_report_marks(struct guest *g)
{
	const struct counter_marks *ms = &g->marks;
	static char line[440];	/* printk takes 512-byte lines */	/* one vCPU: never reentered */

	for (unsigned i = 0; i < ms->count; i++) {
		const struct counter_mark *m = &ms->mark[i];
		int n;

		n = snprintk(line, sizeof(line), "time_ns=%llu total=%llu",
			     (unsigned long long)m->time_ns, (unsigned long long)m->exits);
		for (unsigned k = 0; k < EXIT_KIND_COUNT && n < (int)sizeof(line); k++)
			if (m->by_kind[k])
				n += snprintk(line + n, sizeof(line) - n, " %s=%llu",
					      exit_kind_name(k), (unsigned long long)m->by_kind[k]);
		pr_info("umbra: mark %u: exits %s\n", m->tag, line);
		n = 0;
		for (unsigned c = 0; c < UMBRA_MARK_COUNTER_COUNT && n < (int)sizeof(line); c++)
			n += snprintk(line + n, sizeof(line) - n, "%s%s=%llu", c ? " " : "",
				      counter_mark_name(c), (unsigned long long)m->counters[c]);
		pr_info("umbra: mark %u: mmu %s\n", m->tag, line);
	}
	if (ms->dropped)
		pr_info("umbra: marks: %llu dropped (at most %u are kept)\n",
			(unsigned long long)ms->dropped, UMBRA_MARKS_MAX);
}

void guest_report_counters(struct guest *g)
{
	const struct vcpu_stats *s = &g->vcpu.stats;
	const struct mmu_stats *m = &g->mmu.stats;
	uint64_t ms = guest_now_ns(g) / 1000000;

	/* Guest time is virtual time (the guest's TSC since power-on): under an emulator it is
	 * emulated time, so runs compare by it and by counts, not by the host's clock. */
	pr_info("umbra: time: %llu.%03llu s of guest time\n", (unsigned long long)(ms / 1000),
		(unsigned long long)(ms % 1000));
	pr_info("umbra: exits: %llu total\n", (unsigned long long)s->exits);
	for (unsigned k = 0; k < EXIT_KIND_COUNT; k++)
		if (s->by_reason[k])
			pr_info("umbra: exits: %-14s %llu\n", exit_kind_name(k),
				(unsigned long long)s->by_reason[k]);
	guest_report_mmu_mode(g);
	pr_info("umbra: mmu: %llu faults, %llu fills, %llu reflected, %llu emulated page-table "
		"writes, %llu non-RAM reads\n", (unsigned long long)m->faults,
		(unsigned long long)m->fills, (unsigned long long)m->reflected,
		(unsigned long long)m->emulated_writes, (unsigned long long)m->not_ram_reads);
	pr_info("umbra: mmu: %llu shadow pages created, %llu zapped, %llu roots built, %llu reused, "
		"%llu resets, %llu retries\n", (unsigned long long)m->shadow_pages_created,
		(unsigned long long)m->shadow_pages_zapped, (unsigned long long)m->roots_built,
		(unsigned long long)m->roots_reused, (unsigned long long)m->resets,
		(unsigned long long)m->retries);
	pr_info("umbra: mmu: %llu evictions; pool %u/%u shadow pages, %u/%u reverse-map entries "
		"in use\n", (unsigned long long)m->evictions, g->mmu.cache.used,
		g->mmu.cache.capacity, g->mmu.rmap.used, g->mmu.rmap.capacity);
	pr_info("umbra: mmu: %llu prefetched, %llu updated in place, %llu zapped by writes\n",
		(unsigned long long)m->prefetched, (unsigned long long)m->pte_updated,
		(unsigned long long)m->pte_zapped);
	pr_info("umbra: mmu: %llu pages out of sync, %llu syncs, %llu entries changed by syncs, "
		"%u frames out of sync now (%llu kept in sync: at most %u)\n",
		(unsigned long long)m->unsync_pages, (unsigned long long)m->syncs,
		(unsigned long long)m->sync_changed, g->mmu.unsync.count,
		(unsigned long long)m->unsync_full, MMU_UNSYNC_MAX);
	if (g->pit.irqs)
		pr_info("umbra: pit: %llu interrupts raised, %llu periods coalesced\n",
			(unsigned long long)g->pit.irqs, (unsigned long long)g->pit.irqs_coalesced);
	if (g->lapic.stats.accepted || g->mmu.stats.mmio)
		pr_info("umbra: apic: %llu MMIO accesses (%llu refused), %llu interrupts accepted, "
			"%llu timer expiries, %llu timer periods coalesced, %llu I/O APIC messages\n",
			(unsigned long long)m->mmio, (unsigned long long)g->mmio_refused,
			(unsigned long long)g->lapic.stats.accepted,
			(unsigned long long)g->lapic.stats.timer_fires,
			(unsigned long long)g->lapic.stats.timer_coalesced,
			(unsigned long long)g->ioapic.stats.sent);
	guest_report_marks(g);
}

static void audit_line(void *ctx, const char *line)
{
	(void)ctx;
	pr_info("umbra: audit: %s\n", line);
}

static bool audit_mmio(void *ctx, uint64_t gpa, uint64_t len)
{
	return guest_phys_mmio_meets(ctx, gpa, len);
}

static void guest_audit_tdp(struct guest *g)
{
	struct tdp_audit_report r;

	tdp_audit(&g->tdp, audit_mmio, g, audit_line, NULL, &r);
	pr_info("umbra: audit: %u tdp entries and %u tdp pages checked, %u violation%s\n",
		r.entries, r.pages, r.violations, r.violations == 1 ? "" : "s");
}

void guest_audit(struct guest *g)
{
	struct paging_state ps = guest_paging_state(g);
	struct mmu_audit_report r;

	if (guest_tdp(g)) {
		guest_audit_tdp(g);
		return;
	}

	mmu_audit(&g->mmu, &ps, audit_line, NULL, &r);
	pr_info("umbra: audit: %u shadow entries and %u shadow pages checked, %u violation%s\n",
		r.checked_sptes, r.checked_pages, r.violations, r.violations == 1 ? "" : "s");
}

void guest_report_stop(struct guest *g)
{
	const struct vm_exit *e = &g->last_exit;

	pr_info("umbra: guest stopped: %s\n", g->stop_detail[0] ? g->stop_detail : stop_names[g->stop]);
	if (g->stop != GUEST_STOP_DEBUG_EXIT && g->stop != GUEST_STOP_RESET &&
	    g->stop != GUEST_STOP_POWEROFF && g->stop != GUEST_STOP_GUEST_RESET) {
		pr_info("  exit %s (vendor reason 0x%llx, info %llx %llx)\n", exit_kind_name(e->kind),
			(unsigned long long)e->raw_reason, (unsigned long long)e->raw_info1,
			(unsigned long long)e->raw_info2);
		guest_report_registers(g);
		g->vcpu.ops->dump(&g->vcpu);
	}
	guest_report_counters(g);
}
