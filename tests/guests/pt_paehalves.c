/*
 * pt_paehalves: 32-bit code writes 8-byte PTEs of a live table in two 4-byte halves
 * (shadow-mmu.md 7), PAE and (from compatibility mode) 4-level. First the high half then the
 * low half, as Linux's set_pte does, then the other order. The high half carries XD (bit 63),
 * so each half changes what the entry means. Between the halves an access must see either the
 * entry before or the entry as it is in memory (the old frame, or the new low half with the
 * old high half), or fault: never another frame. After both halves the new entry translates:
 * the new frame, and XD as written.
 *
 * The first half is written after a CR3 reload with the address not accessed since; the
 * entry after both halves is checked after another CR3 reload (the read between the halves
 * may have cached a translation). Umbra keeps its shadow entries across CR3 reloads, so a
 * stale translation there can only be Umbra's.
 */
#include "guest.h"
#include "lib/format.h"
#include "lib/string.h"
#include "paging.h"
#include "ptw.h"
#include "guest/umbra_abi.h"

#define VA	0x41123000u
#define XD_HI	0x80000000u	/* bit 63, in the high half */
#define PF_P	0x1u
#define PF_I	0x10u

static uint32_t frame[3];

static uint32_t mark(int i)
{
	return *(volatile uint32_t *)frame[i];
}

static const char *frame_name(const struct pg_result *r, char *buf, unsigned int size)
{
	if (r->faulted) {
		pg_result_text(buf, size, true, r->vector, r->error);
		return buf;
	}
	for (int i = 0; i < 3; i++)
		if (r->value == mark(i)) {
			snprintk(buf, size, "frame %d", i);
			return buf;
		}
	snprintk(buf, size, "0x%x", r->value);
	return buf;
}

struct ctrs {
	uint64_t writes, updated, zapped;
};

static void ctrs_read(struct ctrs *c)
{
	c->writes = ptw_counter(UMBRA_CTR_PT_WRITES);
	c->updated = ptw_counter(UMBRA_CTR_PT_UPDATED);
	c->zapped = ptw_counter(UMBRA_CTR_PT_ZAPPED);
}

/*
 * Rewrites the PTE at pte from (old_frame, old_hi) to (new_frame, new_hi) in two halves, high
 * first when hi_first. Between the halves a read must give the old frame, or the frame of the
 * half-written entry as memory holds it (mid_frame), or fault.
 */
static void halves(const char *name, bool umbra, volatile uint32_t *pte, int old_frame,
		   uint32_t old_hi, int new_frame, uint32_t new_hi, bool hi_first)
{
	const char *order = hi_first ? "high half first" : "low half first";
	int mid_frame = hi_first ? old_frame : new_frame;
	struct pg_result r;
	struct ctrs c0, c1;
	char got[32];

	pte[1] = old_hi;
	pte[0] = frame[old_frame] | PTW_LEAF;
	pg_flush();
	pg_check_read(VA, mark(old_frame), "%s, %s: maps frame %d before", name, order, old_frame);
	pg_flush();
	ctrs_read(&c0);
	if (hi_first)
		pte[1] = new_hi;
	else
		pte[0] = frame[new_frame] | PTW_LEAF;
	r = pg_probe(VA, PG_READ, false, 0);
	gprintf("%s, %s: between the halves a read gives %s\n", name, order,
		frame_name(&r, got, sizeof(got)));
	CHECK(r.faulted ? r.vector == EXC_PF :
	      r.value == mark(old_frame) || r.value == mark(mid_frame),
	      "%s, %s: between the halves: frame %d%s or a #PF, never another frame", name, order,
	      old_frame, mid_frame != old_frame ? " or the half-written entry's" : "");
	if (hi_first)
		pte[0] = frame[new_frame] | PTW_LEAF;
	else
		pte[1] = new_hi;
	ctrs_read(&c1);
	/* The read between the halves may have left the processor a translation to drop. */
	pg_flush();
	pg_check_read(VA, mark(new_frame), "%s, %s: both halves written: frame %d", name,
		      order, new_frame);
	if (new_hi & XD_HI)
		pg_check_fault(VA + 8, PG_FETCH, false, PF_P | PF_I,
			       "%s, %s: both halves written: XD", name, order);
	else
		CHECK_NO_FAULT(pg_fault(pg_probe(VA + 8, PG_FETCH, false, 0)),
			       "%s, %s: both halves written: executable", name, order);
	if (umbra)
		gprintf("%s, %s: pt writes %llu, updated %llu, zapped %llu\n", name, order,
			(unsigned long long)(c1.writes - c0.writes),
			(unsigned long long)(c1.updated - c0.updated),
			(unsigned long long)(c1.zapped - c0.zapped));
}

static void run(enum pg_mode mode, bool umbra)
{
	const char *name = pg_mode_name(mode);
	struct pg_space as;
	volatile uint32_t *pte;

	pg_space_init(&as, mode);
	pg_map(&as, VA, frame[0], 1, PTW_LEAF);
	pte = (volatile uint32_t *)pg_entry_pa(&as, VA, 1, false);
	pg_activate(&as);
	pg_set_nxe(true);
	halves(name, umbra, pte, 0, 0, 1, XD_HI, true);
	halves(name, umbra, pte, 1, XD_HI, 2, 0, false);
	halves(name, umbra, pte, 2, 0, 0, XD_HI, false);
	halves(name, umbra, pte, 0, XD_HI, 1, 0, true);
	pg_deactivate();
	pg_set_nxe(false);
}

void guest_main(void)
{
	bool umbra;

	pg_init();
	umbra = ptw_umbra();
	gprintf("running under Umbra: %s\n", umbra ? "yes" : "no");
	for (int i = 0; i < 3; i++) {
		frame[i] = pg_alloc();
		memset((void *)frame[i], 0xc3, 4096);	/* RET, for the fetches */
		*(volatile uint32_t *)frame[i] = 0xbb000000u | (uint32_t)i;
	}
	if (!pg_cpu.nx) {
		SKIP("no NX: the high half would change nothing");
		return;
	}
	run(PG_PAE, umbra);
	if (pg_cpu.lm)
		run(PG_LM, umbra);
	else
		SKIP("4-level: no long mode");
}
