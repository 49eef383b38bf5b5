/*
 * The TDP table builder: guest-physical -> host-physical tables, filled on demand, one fault
 * at a time. Four levels of 512 entries in both formats (EPT with a page-walk length of 4,
 * NPT in long mode):
 *
 *   gpa:  47 .. 39 | 38 .. 30 | 29 .. 21 | 20 .. 12 | 11 .. 0
 *         level 4    level 3    level 2    level 1    offset
 *
 * A fault on guest RAM maps the 2 MiB region around it in one level-2 entry when that region
 * lies inside one slot at a 2 MiB aligned host address (and the caller says no MMIO range
 * meets it); otherwise the single 4 KiB page. Entries are only ever added until tdp_reset(),
 * so no flush is needed when one is installed: a TDP fault drops the translations the faulting
 * access used (SDM Vol. 3C 29.4.3.4; APM Vol. 2 15.25.6), and the retried access walks again.
 */
#include "mm/tdp.h"
#include "mm/guest_mem.h"
#include "mm/hostmap.h"
#include "mm/page.h"
#include "mm/pmm.h"
#include "lib/format.h"
#include "lib/string.h"

#define TDP_ENTRIES		512
#define LARGE_SIZE		(2ULL << 20)
#define LARGE_MASK		(~(LARGE_SIZE - 1))
#define TDP_GPA_LIMIT		(1ULL << 48)	/* 4 levels translate 48 bits */

static unsigned tdp_index(uint64_t gpa, unsigned level)
{
	return (gpa >> (PAGE_SHIFT + 9 * (level - 1))) & (TDP_ENTRIES - 1);
}

static uint64_t *tdp_table(uint64_t hpa)
{
	return phys_to_virt(hpa);
}

bool tdp_init(struct tdp *t, struct guest_mem *mem, struct pmm *pmm, const struct tdp_caps *caps)
{
	memset(t, 0, sizeof(*t));
	t->mem = mem;
	t->pmm = pmm;
	t->caps = *caps;
	t->root = hostmap_alloc_zeroed_page(pmm, UINT64_MAX);
	t->ones_page = hostmap_alloc_zeroed_page(pmm, UINT64_MAX);
	if (!t->root || !t->ones_page)
		return false;
	memset(phys_to_virt(t->ones_page), 0xff, PAGE_SIZE);
	t->stats.table_pages = 1;
	t->need_flush = true;	/* nothing cached from an earlier user of the root's frame */
	return true;
}

/* The table at level - 1 that entry *e points to, created when missing; 0 when out of memory. */
static uint64_t tdp_child(struct tdp *t, uint64_t *e, unsigned level)
{
	uint64_t hpa;

	if (tdp_entry_present(&t->caps, *e))
		return tdp_entry_addr(*e, level, false);
	hpa = hostmap_alloc_zeroed_page(t->pmm, UINT64_MAX);
	if (!hpa)
		return 0;
	t->stats.table_pages++;
	*e = tdp_encode_table(&t->caps, hpa);
	return hpa;
}

/* The entry that maps gpa at level stop (1 or 2), creating the tables above it; NULL when out of
 * memory, or *leaf_above set when a large leaf already covers gpa. */
static uint64_t *tdp_slot(struct tdp *t, uint64_t gpa, unsigned stop, uint64_t **leaf_above)
{
	uint64_t table = t->root;

	*leaf_above = NULL;
	for (unsigned level = TDP_LEVELS; level > stop; level--) {
		uint64_t *e = &tdp_table(table)[tdp_index(gpa, level)];

		if (tdp_entry_large(&t->caps, *e)) {
			*leaf_above = e;
			return NULL;
		}
		table = tdp_child(t, e, level);
		if (!table)
			return NULL;
	}
	return &tdp_table(table)[tdp_index(gpa, stop)];
}

/* Whether the 2 MiB region around gpa may be one leaf: the CPU allows it, and the whole region
 * is in one slot whose host frames keep the guest-physical offset within 2 MiB. */
static bool tdp_region_large(const struct tdp *t, uint64_t gpa, uint64_t *hpa)
{
	uint64_t base = gpa & LARGE_MASK;
	const struct mem_slot *s = guest_mem_find(t->mem, base);

	if (!t->caps.large_2m || !s || base + LARGE_SIZE > s->gpa + s->size)
		return false;
	*hpa = s->hpa + (base - s->gpa);
	return (*hpa & ~LARGE_MASK) == 0;
}

/* Installs leaf at *e, or reports that what is there already allows access. */
static enum tdp_result tdp_install(struct tdp *t, uint64_t *e, uint64_t leaf, unsigned level,
				   unsigned access)
{
	if (tdp_entry_present(&t->caps, *e)) {
		if ((tdp_entry_rights(&t->caps, *e) & access) == access) {
			t->stats.spurious++;
			return TDP_SPURIOUS;
		}
		/* Only the all-ones page is mapped with fewer rights, and RAM is never behind it:
		 * a write there is refused before it reaches here. Rights only grow. */
		t->need_flush = true;
	}
	*e = leaf;
	if (level == 2)
		t->stats.maps_2m++;
	else
		t->stats.maps_4k++;
	return TDP_MAPPED;
}

enum tdp_result tdp_map_ram(struct tdp *t, uint64_t gpa, unsigned access, bool large_ok)
{
	uint64_t hpa, *e, *above;

	if (gpa >= TDP_GPA_LIMIT || !guest_mem_gpa_to_hpa(t->mem, gpa & PAGE_MASK, &hpa))
		return TDP_NOT_RAM;
	if (large_ok && tdp_region_large(t, gpa, &hpa)) {
		e = tdp_slot(t, gpa, 2, &above);
		/* A level-2 slot that already holds a table keeps its 4 KiB entries. */
		if (e && !tdp_entry_present(&t->caps, *e))
			return tdp_install(t, e, tdp_encode_leaf(&t->caps, hpa, 2, TDP_RWX), 2,
					   access);
		guest_mem_gpa_to_hpa(t->mem, gpa & PAGE_MASK, &hpa);
	}
	e = tdp_slot(t, gpa, 1, &above);
	if (above)
		return tdp_install(t, above, *above, 2, access);
	if (!e)
		return TDP_NO_MEMORY;
	return tdp_install(t, e, tdp_encode_leaf(&t->caps, hpa, 1, TDP_RWX), 1, access);
}

enum tdp_result tdp_map_ones(struct tdp *t, uint64_t gpa, unsigned access)
{
	uint64_t *e, *above;

	if (gpa >= TDP_GPA_LIMIT)
		return TDP_NOT_RAM;
	e = tdp_slot(t, gpa, 1, &above);
	if (above)
		return tdp_install(t, above, *above, 2, access);
	if (!e)
		return TDP_NO_MEMORY;
	t->stats.not_ram_reads++;
	return tdp_install(t, e, tdp_encode_leaf(&t->caps, t->ones_page, 1, TDP_READ | TDP_FETCH),
			   1, access);
}

unsigned tdp_lookup(const struct tdp *t, uint64_t gpa, uint64_t entries[TDP_LEVELS])
{
	uint64_t table = t->root;
	unsigned n = 0;

	for (unsigned level = TDP_LEVELS; level >= 1; level--) {
		uint64_t e = tdp_table(table)[tdp_index(gpa, level)];

		entries[n++] = e;
		if (!tdp_entry_present(&t->caps, e) || level == 1 || tdp_entry_large(&t->caps, e))
			break;
		table = tdp_entry_addr(e, level, false);
	}
	return n;
}

/* Frees the tables below entry e of a table at level (> 1). */
static void tdp_free_below(struct tdp *t, uint64_t e, unsigned level)
{
	uint64_t child;

	if (!tdp_entry_present(&t->caps, e) || tdp_entry_large(&t->caps, e))
		return;
	child = tdp_entry_addr(e, level, false);
	if (level > 2)
		for (unsigned i = 0; i < TDP_ENTRIES; i++)
			tdp_free_below(t, tdp_table(child)[i], level - 1);
	pmm_free(t->pmm, child, 1);
	t->stats.table_pages--;
}

void tdp_reset(struct tdp *t)
{
	uint64_t *root = tdp_table(t->root);

	for (unsigned i = 0; i < TDP_ENTRIES; i++)
		tdp_free_below(t, root[i], TDP_LEVELS);
	memset(root, 0, PAGE_SIZE);
	t->need_flush = true;
	t->stats.resets++;
}

/* ---- audit ------------------------------------------------------------------------------ */

struct tdp_auditor {
	const struct tdp *t;
	tdp_is_mmio is_mmio;
	void *mmio_ctx;
	tdp_audit_line line;
	void *line_ctx;
	struct tdp_audit_report *r;
};

static void tdp_violation(struct tdp_auditor *a, uint64_t gpa, unsigned level, uint64_t e,
			  const char *why)
{
	char buf[160];

	a->r->violations++;
	snprintk(buf, sizeof(buf), "gpa %llx level %u entry %llx: %s", (unsigned long long)gpa,
		 level, (unsigned long long)e, why);
	a->line(a->line_ctx, buf);
}

/* A leaf maps what guest_mem says for every page it covers, or the all-ones page read-only. */
static void tdp_audit_leaf(struct tdp_auditor *a, uint64_t gpa, unsigned level, uint64_t e)
{
	const struct tdp_caps *c = &a->t->caps;
	uint64_t size = level == 2 ? LARGE_SIZE : PAGE_SIZE, hpa = tdp_entry_addr(e, level, true);
	uint64_t want;

	if (a->is_mmio && a->is_mmio(a->mmio_ctx, gpa, size))
		tdp_violation(a, gpa, level, e, "maps a device's MMIO range");
	if (hpa == a->t->ones_page && level == 1) {
		if (guest_mem_gpa_to_hpa(a->t->mem, gpa, &want))
			tdp_violation(a, gpa, level, e, "guest RAM mapped to the all-ones page");
		if (tdp_entry_rights(c, e) & TDP_WRITE)
			tdp_violation(a, gpa, level, e, "the all-ones page is writable");
		return;
	}
	for (uint64_t off = 0; off < size; off += PAGE_SIZE)
		if (!guest_mem_gpa_to_hpa(a->t->mem, gpa + off, &want) || want != hpa + off) {
			tdp_violation(a, gpa + off, level, e,
				      "does not map the host frame of this guest RAM page");
			return;
		}
}

static void tdp_audit_table(struct tdp_auditor *a, uint64_t table, unsigned level, uint64_t base)
{
	const struct tdp_caps *c = &a->t->caps;

	a->r->pages++;
	for (unsigned i = 0; i < TDP_ENTRIES; i++) {
		uint64_t e = tdp_table(table)[i];
		uint64_t gpa = base + ((uint64_t)i << (PAGE_SHIFT + 9 * (level - 1)));
		const char *why;

		if (!tdp_entry_present(c, e)) {
			if (e)
				tdp_violation(a, gpa, level, e, "not present but not zero");
			continue;
		}
		a->r->entries++;
		why = tdp_entry_malformed(c, e, level);
		if (why)
			tdp_violation(a, gpa, level, e, why);
		else if (level == 1 || tdp_entry_large(c, e))
			tdp_audit_leaf(a, gpa, level, e);
		else
			tdp_audit_table(a, tdp_entry_addr(e, level, false), level - 1, gpa);
	}
}

void tdp_audit(const struct tdp *t, tdp_is_mmio is_mmio, void *mmio_ctx, tdp_audit_line line,
	       void *line_ctx, struct tdp_audit_report *out)
{
	struct tdp_auditor a = { t, is_mmio, mmio_ctx, line, line_ctx, out };

	memset(out, 0, sizeof(*out));
	tdp_audit_table(&a, t->root, TDP_LEVELS, 0);
	if (out->pages != t->stats.table_pages) {
		char buf[96];

		out->violations++;
		snprintk(buf, sizeof(buf), "%u table pages reachable, %llu counted", out->pages,
			 (unsigned long long)t->stats.table_pages);
		line(line_ctx, buf);
	}
}
