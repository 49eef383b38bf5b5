/* Page-table-write scenarios: Umbra's counters, instruction runners, demand paging (ptw.h). */
#include "guest.h"
#include "ptw.h"
#include "guest/umbra_abi.h"
#include "lib/format.h"
#include "lib/string.h"

/* ptw_stubs.S */
void ptw_body32(void *req);
void ptw_call64(void);
void ptw_pf32(void);
void ptw_pf64(void);
extern uint32_t ptw_dp_base, ptw_dp_len, ptw_dp_shr, ptw_dp_pte, ptw_dp_frames, ptw_dp_prev32;
extern uint64_t ptw_dp_prev64;
extern uint32_t ptw_cur;
/* paging.c */
extern struct desc_ptr32 pg_idt32_ptr;
extern struct {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed)) pg_idt64_ptr;

bool ptw_umbra(void)
{
	struct cpuid_regs r = cpuid(0x40000000, 0);
	char sig[13];

	memcpy(sig + 0, &r.ebx, 4);
	memcpy(sig + 4, &r.ecx, 4);
	memcpy(sig + 8, &r.edx, 4);
	sig[12] = 0;
	return memcmp(sig, "UmbraUmbraUm", 12) == 0;
}

uint64_t ptw_counter(uint32_t index)
{
	uint32_t lo, hi;

	outl(UMBRA_COUNTER_INDEX_PORT, index);
	lo = inl(UMBRA_COUNTER_LOW_PORT);
	hi = inl(UMBRA_COUNTER_HIGH_PORT);
	return ((uint64_t)hi << 32) | lo;
}

void ptw_frames_init(void)
{
	for (unsigned int k = 0; k < PTW_FRAMES; k++) {
		uint32_t pa = pg_alloc();

		if (pa != PTW_FRAME(k)) {
			gprintf("FAIL: frame %u at 0x%x, not 0x%x\n", k, pa, PTW_FRAME(k));
			guest_exit(GUEST_EXIT_FAIL);
		}
		memset((void *)pa, 0xc3, 4096);
		*(volatile uint32_t *)pa = PTW_MARK(k);
	}
}

void ptw_run32(struct ptw_req *req)
{
	struct fault f;

	req->done = 0;
	f = try_call(ptw_body32, req);
	__asm__ volatile("movw %w0, %%ds\n\tmovw %w0, %%es" : : "r"(0x10) : "memory");
	if (f.faulted)
		req->done = 0;
}

void ptw_run64(struct ptw_req *req)
{
	req->done = 0;
	ptw_cur = (uint32_t)req;
	ptw_call64();
}

/* ---- Demand paging ---- */

static uint64_t saved_gate32, saved_gate64[2];

void ptw_demand_install(uint32_t base, uint32_t pages, uint32_t pte, unsigned int pte_size,
			uint32_t frames)
{
	uint64_t *idt32 = (uint64_t *)pg_idt32_ptr.base;
	uint64_t *idt64 = (uint64_t *)(uint32_t)pg_idt64_ptr.base;
	uint32_t h32 = (uint32_t)ptw_pf32, h64 = (uint32_t)ptw_pf64;
	uint64_t g = idt32[EXC_PF];

	ptw_dp_base = base;
	ptw_dp_len = pages * 4096;
	ptw_dp_shr = pte_size == 4 ? 10 : 9;
	ptw_dp_pte = pte;
	ptw_dp_frames = frames;
	ptw_dp_count = 0;

	saved_gate32 = g;
	ptw_dp_prev32 = (uint32_t)(g & 0xffff) | (uint32_t)((g >> 48) << 16);
	idt32[EXC_PF] = (g & 0x0000ffffffff0000ull) | (h32 & 0xffff) |
			((uint64_t)(h32 >> 16) << 48);

	g = idt64[2 * EXC_PF];
	saved_gate64[0] = g;
	saved_gate64[1] = idt64[2 * EXC_PF + 1];
	ptw_dp_prev64 = (g & 0xffff) | ((g >> 48) << 16) | (idt64[2 * EXC_PF + 1] << 32);
	idt64[2 * EXC_PF] = (g & 0x0000ffffffff0000ull) | (h64 & 0xffff) |
			    ((uint64_t)(h64 >> 16) << 48);
	idt64[2 * EXC_PF + 1] = 0;
}

void ptw_demand_remove(void)
{
	uint64_t *idt32 = (uint64_t *)pg_idt32_ptr.base;
	uint64_t *idt64 = (uint64_t *)(uint32_t)pg_idt64_ptr.base;

	idt32[EXC_PF] = saved_gate32;
	idt64[2 * EXC_PF] = saved_gate64[0];
	idt64[2 * EXC_PF + 1] = saved_gate64[1];
	ptw_dp_len = 0;
}

void ptw_ratio(char *buf, unsigned int size, uint64_t value, uint64_t div)
{
	uint64_t x100 = div ? value * 100 / div : 0;

	snprintk(buf, size, "%llu.%02llu", (unsigned long long)(x100 / 100),
		 (unsigned long long)(x100 % 100));
}
