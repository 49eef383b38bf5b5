/*
 * Unit tests for TDP mode: the EPT and NPT entry encoders, the table builder over guest RAM
 * slots (2 MiB pages where a slot allows, 4 KiB elsewhere, the all-ones page, the audit, the
 * reset), the EPT capability check, and the EPT-violation and NPF decoders. Host memory is an
 * mmap'ed buffer handed to the page allocator, as Umbra's host map is the identity.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "arch/ept.h"
#include "arch/pt.h"
#include "mm/guest_mem.h"
#include "mm/mem_range.h"
#include "mm/pmm.h"
#include "mm/tdp.h"
#include "svm/svm_npf.h"
#include "svm/vmcb.h"
#include "vmx/vmcs.h"
#include "vmx/vmx_ept.h"
#include "vmx/vmx_ops.h"

#define HOST_BYTES	(64ULL << 20)
#define GUEST_RAM	(16ULL << 20)
#define MIB		(1ULL << 20)

static const struct tdp_caps ept = { TDP_FORMAT_EPT, true, true };
static const struct tdp_caps npt = { TDP_FORMAT_NPT, true, false };

/* ---- encoders ---------------------------------------------------------------------------- */

static void test_ept_entries(void **state)
{
	uint64_t t = tdp_encode_table(&ept, 0x123456789000ULL | 0xfff);
	uint64_t l4 = tdp_encode_leaf(&ept, 0x5000, 1, TDP_RWX);
	uint64_t l2 = tdp_encode_leaf(&ept, 0x40000000ULL, 2, TDP_RWX);
	uint64_t ro = tdp_encode_leaf(&ept, 0x7000, 1, TDP_READ | TDP_FETCH);

	(void)state;
	assert_int_equal(t, 0x123456789000ULL | EPT_R | EPT_W | EPT_X);	/* low bits dropped */
	assert_int_equal(l4, 0x5000 | EPT_RWX | (6 << 3) | EPT_IGNORE_PAT);	/* WB, ignore PAT */
	assert_int_equal(l2, 0x40000000ULL | EPT_RWX | (6 << 3) | EPT_IGNORE_PAT | EPT_PS);
	assert_int_equal(ro, 0x7000 | EPT_R | EPT_X | (6 << 3) | EPT_IGNORE_PAT);
	/* A write right is never without read (W without R is a misconfiguration, 29.3.3.1). */
	assert_true(tdp_encode_leaf(&ept, 0x8000, 1, TDP_WRITE) & EPT_R);
	assert_true(tdp_entry_present(&ept, l4) && tdp_entry_present(&ept, EPT_X));
	assert_false(tdp_entry_present(&ept, 0x5000 | (6 << 3)));
	assert_true(tdp_entry_large(&ept, l2));
	assert_false(tdp_entry_large(&ept, l4));
	assert_int_equal(tdp_entry_rights(&ept, ro), TDP_READ | TDP_FETCH);
	assert_int_equal(tdp_entry_addr(l2, 2, true), 0x40000000ULL);
	assert_null(tdp_entry_malformed(&ept, t, 4));
	assert_null(tdp_entry_malformed(&ept, l4, 1));
	assert_null(tdp_entry_malformed(&ept, l2, 2));
	assert_non_null(tdp_entry_malformed(&ept, 0x5000 | EPT_W | (6 << 3) | EPT_IGNORE_PAT, 1));
	assert_non_null(tdp_entry_malformed(&ept, 0x5000 | EPT_RWX, 1));	/* UC leaf */
	assert_non_null(tdp_entry_malformed(&ept, t | (1 << 3), 3));	/* reserved 7:3 */
	assert_non_null(tdp_entry_malformed(&ept, l2 | 0x1000, 2));	/* 20:12 of a 2 MiB page */
	assert_non_null(tdp_entry_malformed(&ept, l2, 3));		/* a 1 GiB page */
}

static void test_npt_entries(void **state)
{
	uint64_t t = tdp_encode_table(&npt, 0x9000);
	uint64_t l4 = tdp_encode_leaf(&npt, 0x5000, 1, TDP_RWX);
	uint64_t l2 = tdp_encode_leaf(&npt, 0x200000, 2, TDP_RWX);
	uint64_t ro = tdp_encode_leaf(&npt, 0x7000, 1, TDP_READ | TDP_FETCH);

	(void)state;
	/* Every nested access is a user access: U/S at every level (APM 15.25.5). */
	assert_int_equal(t, 0x9000 | PT_P | PT_RW | PT_US);
	assert_int_equal(l4, 0x5000 | PT_P | PT_RW | PT_US);
	assert_int_equal(l2, 0x200000 | PT_P | PT_RW | PT_US | PT_PS);
	assert_int_equal(ro, 0x7000 | PT_P | PT_US);
	assert_int_equal(tdp_entry_rights(&npt, ro), TDP_READ | TDP_FETCH);
	assert_int_equal(tdp_entry_rights(&npt, l4), TDP_RWX);
	assert_int_equal(tdp_entry_rights(&npt, l4 | PT_NX), TDP_READ | TDP_WRITE);
	assert_true(tdp_entry_large(&npt, l2));
	assert_false(tdp_entry_present(&npt, PT_RW | PT_US));
	assert_null(tdp_entry_malformed(&npt, t, 4));
	assert_null(tdp_entry_malformed(&npt, l2, 2));
	assert_non_null(tdp_entry_malformed(&npt, 0x9000 | PT_P | PT_RW, 3));	/* no U/S */
	assert_non_null(tdp_entry_malformed(&npt, t | PT_PS, 4));
	assert_non_null(tdp_entry_malformed(&npt, l4 | PT_PCD, 1));
}

/* ---- the builder --------------------------------------------------------------------------- */

struct fixture {
	void *host;
	struct pmm pmm;
	struct guest_mem gm;
	struct tdp tdp;
	uint64_t free_after_init;
};

static struct fixture *fixture_new(const struct tdp_caps *caps)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct mem_range r;

	f->host = mmap(NULL, HOST_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);
	assert_true(f->host != MAP_FAILED);
	r = (struct mem_range){ (uint64_t)(uintptr_t)f->host, HOST_BYTES, MEM_USABLE };
	pmm_init(&f->pmm, &r, 1, NULL, 0);
	assert_true(guest_mem_init(&f->gm, &f->pmm, GUEST_RAM));
	assert_true(tdp_init(&f->tdp, &f->gm, &f->pmm, caps));
	f->free_after_init = f->pmm.free_pages;
	return f;
}

static void fixture_free(struct fixture *f)
{
	munmap(f->host, HOST_BYTES);
	free(f);
}

static unsigned audit_lines;

static void count_line(void *ctx, const char *line)
{
	(void)ctx;
	audit_lines++;
	printf("  audit: %s\n", line);
}

static bool mmio_at_3m(void *ctx, uint64_t gpa, uint64_t len)
{
	(void)ctx;
	return gpa < 3 * MIB + 4096 && 3 * MIB < gpa + len;
}

static struct tdp_audit_report audit(struct fixture *f, tdp_is_mmio is_mmio)
{
	struct tdp_audit_report r;

	audit_lines = 0;
	tdp_audit(&f->tdp, is_mmio, NULL, count_line, NULL, &r);
	assert_int_equal(audit_lines, r.violations);
	return r;
}

/* The leaf the processor would use for gpa, and its level. */
static uint64_t leaf_of(struct fixture *f, uint64_t gpa, unsigned *level)
{
	uint64_t e[TDP_LEVELS];
	unsigned n = tdp_lookup(&f->tdp, gpa, e);

	*level = TDP_LEVELS + 1 - n;
	return e[n - 1];
}

/* The slots keep gpa and hpa congruent modulo 2 MiB from 2 MiB on (mm/guest_mem.c). */
static void test_slots_allow_large_pages(void **state)
{
	struct fixture *f = fixture_new(&ept);

	(void)state;
	for (unsigned i = 0; i < f->gm.count; i++) {
		const struct mem_slot *s = &f->gm.slots[i];

		if (s->gpa >= GUEST_LARGE_RAM_START)
			assert_int_equal((s->gpa ^ s->hpa) & (2 * MIB - 1), 0);
	}
	fixture_free(f);
}

static void check_builder(const struct tdp_caps *caps)
{
	struct fixture *f = fixture_new(caps);
	uint64_t hpa, leaf;
	unsigned level;

	/* A 2 MiB region inside one slot, [4, 6) MiB: one level-2 leaf at the slot's host
	 * address, whichever of its pages faulted. */
	assert_int_equal(tdp_map_ram(&f->tdp, 4 * MIB + 0x123000, TDP_READ, true), TDP_MAPPED);
	leaf = leaf_of(f, 4 * MIB + 0x1ff000, &level);
	assert_int_equal(level, 2);
	assert_true(guest_mem_gpa_to_hpa(&f->gm, 4 * MIB, &hpa));
	assert_int_equal(tdp_entry_addr(leaf, 2, true), hpa);
	assert_int_equal(f->tdp.stats.maps_2m, 1);
	/* Another page of it: already allowed, a spurious fault. */
	assert_int_equal(tdp_map_ram(&f->tdp, 4 * MIB, TDP_WRITE, true), TDP_SPURIOUS);
	/* Without large_ok (an MMIO range meets the region): 4 KiB leaves. */
	assert_int_equal(tdp_map_ram(&f->tdp, 3 * MIB + 0x5000, TDP_FETCH, false), TDP_MAPPED);
	leaf = leaf_of(f, 3 * MIB + 0x5000, &level);
	assert_int_equal(level, 1);
	assert_true(guest_mem_gpa_to_hpa(&f->gm, 3 * MIB + 0x5000, &hpa));
	assert_int_equal(tdp_entry_addr(leaf, 1, true), hpa);
	assert_int_equal(tdp_entry_rights(caps, leaf), TDP_RWX);
	/* The first 2 MiB hold the 640 KiB-1 MiB hole: 4 KiB leaves even with large_ok. */
	assert_int_equal(tdp_map_ram(&f->tdp, 0x1000, TDP_READ, true), TDP_MAPPED);
	leaf_of(f, 0x1000, &level);
	assert_int_equal(level, 1);
	assert_int_equal(tdp_map_ram(&f->tdp, 0x100000, TDP_READ, true), TDP_MAPPED);
	/* The hole and what lies above RAM are not RAM; reads there see the all-ones page. */
	assert_int_equal(tdp_map_ram(&f->tdp, 0xb8000, TDP_READ, true), TDP_NOT_RAM);
	assert_int_equal(tdp_map_ram(&f->tdp, GUEST_RAM, TDP_READ, true), TDP_NOT_RAM);
	assert_int_equal(tdp_map_ram(&f->tdp, 1ULL << 48, TDP_READ, true), TDP_NOT_RAM);
	assert_int_equal(tdp_map_ones(&f->tdp, 0xb8000, TDP_READ), TDP_MAPPED);
	leaf = leaf_of(f, 0xb8000, &level);
	assert_int_equal(tdp_entry_addr(leaf, 1, true), f->tdp.ones_page);
	assert_int_equal(tdp_entry_rights(caps, leaf), TDP_READ | TDP_FETCH);
	assert_int_equal(*(uint8_t *)(uintptr_t)f->tdp.ones_page, 0xff);
	assert_int_equal(f->tdp.stats.not_ram_reads, 1);
	/* Root, level 3, level 2, and two level-1 tables (first 2 MiB and 3 MiB region). */
	assert_int_equal(f->tdp.stats.table_pages, 5);
	assert_int_equal(audit(f, mmio_at_3m).violations, 0);
	assert_int_equal(audit(f, NULL).entries, 3 + 1 + 1 + 3 + 1);
	fixture_free(f);
}

static void test_builder_ept(void **state)
{
	(void)state;
	check_builder(&ept);
}

static void test_builder_npt(void **state)
{
	(void)state;
	check_builder(&npt);
}

/* The audit sees a leaf that maps the wrong frame, a writable all-ones page, an MMIO range. */
static void test_audit_finds_violations(void **state)
{
	struct fixture *f = fixture_new(&ept);
	uint64_t e[TDP_LEVELS], *pt;
	unsigned n;

	(void)state;
	assert_int_equal(tdp_map_ram(&f->tdp, 3 * MIB, TDP_READ, false), TDP_MAPPED);
	assert_int_equal(tdp_map_ones(&f->tdp, 0xa0000, TDP_READ), TDP_MAPPED);
	assert_int_equal(audit(f, NULL).violations, 0);
	assert_int_equal(audit(f, mmio_at_3m).violations, 1);
	n = tdp_lookup(&f->tdp, 3 * MIB, e);
	pt = (uint64_t *)(uintptr_t)tdp_entry_addr(e[n - 2], 2, false);
	pt[256] += 0x1000;				/* 3 MiB: the next host frame */
	pt[257] = EPT_W;				/* write without read */
	assert_int_equal(audit(f, NULL).violations, 2);
	n = tdp_lookup(&f->tdp, 0xa0000, e);
	pt = (uint64_t *)(uintptr_t)tdp_entry_addr(e[n - 2], 2, false);
	pt[0xa0] |= EPT_W;
	assert_int_equal(audit(f, NULL).violations, 3);
	fixture_free(f);
}

/* A reset gives every table back and leaves an empty root. */
static void test_reset(void **state)
{
	struct fixture *f = fixture_new(&npt);

	(void)state;
	for (uint64_t gpa = 0; gpa < GUEST_RAM; gpa += 0x3000)
		tdp_map_ram(&f->tdp, gpa, TDP_READ, (gpa >> 20) & 1);
	assert_true(f->pmm.free_pages < f->free_after_init);
	tdp_reset(&f->tdp);
	assert_int_equal(f->pmm.free_pages, f->free_after_init);
	assert_int_equal(f->tdp.stats.table_pages, 1);
	assert_true(f->tdp.need_flush);
	assert_int_equal(audit(f, NULL).entries, 0);
	assert_int_equal(audit(f, NULL).violations, 0);
	fixture_free(f);
}

/* Out of host memory for a table: TDP_NO_MEMORY, nothing half-built that the audit minds. */
static void test_out_of_memory(void **state)
{
	struct fixture *f = fixture_new(&ept);

	(void)state;
	while (pmm_alloc(&f->pmm, 1, 4096, UINT64_MAX))
		;
	assert_int_equal(tdp_map_ram(&f->tdp, 6 * MIB, TDP_READ, false), TDP_NO_MEMORY);
	assert_int_equal(audit(f, NULL).violations, 0);
	fixture_free(f);
}

/* ---- capability check ------------------------------------------------------------------- */

#define PROC2_ALLOWED(bits)	((uint64_t)(bits) << 32)
#define EPT_GOOD		(EPT_CAP_WALK_4 | EPT_CAP_MT_WB | EPT_CAP_2M | EPT_CAP_INVEPT | \
				 EPT_CAP_INVEPT_SINGLE | EPT_CAP_INVEPT_ALL | EPT_CAP_AD)

static void test_ept_check(void **state)
{
	uint64_t proc2 = PROC2_ALLOWED(PROC2_ENABLE_EPT | PROC2_UNRESTRICTED_GUEST);
	struct vmx_ept e;
	char why[200];

	(void)state;
	assert_true(vmx_ept_check(proc2, EPT_GOOD, &e, why, sizeof(why)));
	assert_int_equal(e.caps.format, TDP_FORMAT_EPT);
	assert_true(e.caps.large_2m && e.caps.ad_bits);
	assert_int_equal(e.invept_type, INVEPT_SINGLE_CONTEXT);
	assert_true(vmx_ept_check(proc2, EPT_GOOD & ~(EPT_CAP_INVEPT_SINGLE | EPT_CAP_AD |
						      EPT_CAP_2M), &e, why, sizeof(why)));
	assert_int_equal(e.invept_type, INVEPT_ALL_CONTEXTS);
	assert_false(e.caps.large_2m || e.caps.ad_bits);
	assert_int_equal(vmx_eptp(&e, 0x123000), 0x123000 | 6 | (3 << 3));
	e.caps.ad_bits = true;
	assert_int_equal(vmx_eptp(&e, 0x123000), 0x123000 | 6 | (3 << 3) | (1 << 6));

	assert_false(vmx_ept_check(0, 0, &e, why, sizeof(why)));
	assert_non_null(strstr(why, "the CPU lacks EPT: no the secondary control \"enable EPT\""));
	assert_false(vmx_ept_check(PROC2_ALLOWED(PROC2_ENABLE_EPT | PROC2_ENABLE_VPID), EPT_GOOD,
				   &e, why, sizeof(why)));
	assert_non_null(strstr(why, "unrestricted guest"));
	assert_false(vmx_ept_check(proc2, EPT_GOOD & ~EPT_CAP_WALK_4, &e, why, sizeof(why)));
	assert_non_null(strstr(why, "page-walk length of 4"));
	assert_false(vmx_ept_check(proc2, EPT_GOOD & ~EPT_CAP_MT_WB, &e, why, sizeof(why)));
	assert_non_null(strstr(why, "write-back"));
	assert_false(vmx_ept_check(proc2, EPT_GOOD & ~EPT_CAP_INVEPT, &e, why, sizeof(why)));
	assert_non_null(strstr(why, "INVEPT"));
	assert_false(vmx_ept_check(proc2, EPT_GOOD & ~(EPT_CAP_INVEPT_SINGLE | EPT_CAP_INVEPT_ALL),
				   &e, why, sizeof(why)));
	/* The allowed-0 half (bits 31:0) says nothing about whether a control may be 1. */
	assert_false(vmx_ept_check(PROC2_ENABLE_EPT | PROC2_UNRESTRICTED_GUEST, EPT_GOOD, &e, why,
				   sizeof(why)));
}

/* ---- exit decoders ------------------------------------------------------------------------ */

static void test_ept_violation_decode(void **state)
{
	struct vm_exit x;

	(void)state;
	/* A write to a page mapped read/execute, the access to the linear address's page. */
	memset(&x, 0, sizeof(x));
	vmx_decode_ept_violation(EPTQ_WRITE | EPTQ_READABLE | EPTQ_EXECUTABLE | EPTQ_LINEAR_VALID |
				 EPTQ_FINAL, 0xfee00030, 0xffff8000fee00030ULL, &x);
	assert_int_equal(x.kind, EXIT_TDP_FAULT);
	assert_int_equal(x.tdp.gpa, 0xfee00030);
	assert_int_equal(x.tdp.access, TDP_WRITE);
	assert_int_equal(x.tdp.allowed, TDP_READ | TDP_FETCH);
	assert_true(x.tdp.present && x.tdp.linear_valid && !x.tdp.walk);
	assert_int_equal(x.tdp.linear, 0xffff8000fee00030ULL);
	/* A fetch of a page not mapped at all. */
	vmx_decode_ept_violation(EPTQ_FETCH | EPTQ_LINEAR_VALID | EPTQ_FINAL, 0x1000, 0x401000, &x);
	assert_int_equal(x.tdp.access, TDP_FETCH);
	assert_false(x.tdp.present);
	/* A guest paging-structure access with A/D flags on: read and write bits, bit 8 clear. */
	vmx_decode_ept_violation(EPTQ_READ | EPTQ_WRITE | EPTQ_LINEAR_VALID, 0x5000, 0x1234, &x);
	assert_int_equal(x.tdp.access, TDP_WRITE);
	assert_true(x.tdp.walk);
	/* No linear address (a PDPTE load at MOV to CR3): the linear field is not used. */
	vmx_decode_ept_violation(EPTQ_READ | EPTQ_FINAL, 0x6000, 0xdead, &x);
	assert_int_equal(x.tdp.access, TDP_READ);
	assert_false(x.tdp.linear_valid || x.tdp.walk);
	assert_int_equal(x.tdp.linear, 0);
}

static void test_npf_decode(void **state)
{
	struct vm_exit x;

	(void)state;
	memset(&x, 0, sizeof(x));
	svm_decode_npf(SVM_NPF_USER | SVM_NPF_FINAL, 0x200000, &x);
	assert_int_equal(x.kind, EXIT_TDP_FAULT);
	assert_int_equal(x.tdp.gpa, 0x200000);
	assert_int_equal(x.tdp.access, TDP_READ);
	assert_false(x.tdp.present || x.tdp.walk || x.tdp.linear_valid);
	svm_decode_npf(SVM_NPF_P | SVM_NPF_WRITE | SVM_NPF_USER | SVM_NPF_FINAL, 0xa0000, &x);
	assert_int_equal(x.tdp.access, TDP_WRITE);
	assert_true(x.tdp.present);
	assert_int_equal(x.tdp.allowed, TDP_READ | TDP_FETCH);
	svm_decode_npf(SVM_NPF_FETCH | SVM_NPF_USER | SVM_NPF_FINAL, 0x3000, &x);
	assert_int_equal(x.tdp.access, TDP_FETCH);
	svm_decode_npf(SVM_NPF_USER | SVM_NPF_WALK, 0x4000, &x);
	assert_true(x.tdp.walk);
	/* A reserved bit in a nested entry is Umbra's bug: a misconfiguration. */
	svm_decode_npf(SVM_NPF_P | SVM_NPF_RSVD | SVM_NPF_USER | SVM_NPF_FINAL, 0x7000, &x);
	assert_int_equal(x.kind, EXIT_TDP_MISCONFIG);
	assert_int_equal(x.tdp.gpa, 0x7000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ept_entries),
		cmocka_unit_test(test_npt_entries),
		cmocka_unit_test(test_slots_allow_large_pages),
		cmocka_unit_test(test_builder_ept),
		cmocka_unit_test(test_builder_npt),
		cmocka_unit_test(test_audit_finds_violations),
		cmocka_unit_test(test_reset),
		cmocka_unit_test(test_out_of_memory),
		cmocka_unit_test(test_ept_check),
		cmocka_unit_test(test_ept_violation_decode),
		cmocka_unit_test(test_npf_decode),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
