/* The one path of emulated guest-memory accesses: checks at the instruction's CPL, then bytes. */
#include "guest/emu_mem.h"
#include "arch/pfec.h"
#include "arch/trap.h"
#include "mm/page.h"
#include "mm/walk.h"

/* Linear addresses outside 64-bit mode are 32 bits wide: base + offset wraps at 4 GiB
 * (SDM Vol. 3A 3.4.4 for compatibility mode, 3.3.6 for protected mode). */
static uint64_t emu_wrap(const struct emu_who *who, uint64_t linear)
{
	return who->mode64 ? linear : (uint32_t)linear;
}

/* Canonical on 48 bits: bits 63:47 all equal (SDM Vol. 1 3.3.7.1; 5-level paging is hidden). */
static bool emu_canonical(uint64_t linear)
{
	return (uint64_t)((int64_t)(linear << 16) >> 16) == linear;
}

static void emu_fault(struct x86_fault *f, uint8_t vector, bool has_error, uint32_t error,
		      uint64_t cr2)
{
	*f = (struct x86_fault){ .vector = vector, .has_error_code = has_error,
				 .error_code = error, .cr2 = cr2 };
}

/* The walker's access bits for who: a CPL 3 access is a user access, and EFLAGS.AC lets a
 * supervisor data access through SMAP (SDM Vol. 3A 4.6). */
static uint32_t emu_walk_access(const struct emu_who *who, uint32_t kind)
{
	return kind | (who->cpl == 3 ? WALK_USER : 0) | (who->rflags_ac ? WALK_RFLAGS_AC : 0);
}

/* #AC(0): CR0.AM, EFLAGS.AC, CPL 3 and an operand not aligned on its size (SDM Vol. 3A 6.15,
 * interrupt 17, table 6-7; data accesses only). It is checked as the address is formed, before
 * translation, so a misaligned access to an unmapped page raises #AC. */
static bool emu_misaligned(const struct emu_who *who, uint64_t linear, unsigned len)
{
	if (who->cpl != 3 || !who->cr0_am || !who->rflags_ac)
		return false;
	if (len & (len - 1))
		return false;	/* not a size with an alignment rule */
	return linear & (len - 1);
}

/* Translates one page's piece; on a guest fault CR2 is that piece's first byte, the first
 * byte of the access that faults (SDM Vol. 3A 4.7). */
static enum emu_mem_status emu_translate(const struct emu_mem_ops *ops, uint64_t linear,
					 uint32_t access, uint64_t *gpa, struct x86_fault *f)
{
	uint32_t pfec = 0;

	switch (ops->translate(ops->ctx, linear, access, gpa, &pfec)) {
	case 0:
		return EMU_MEM_OK;
	case 1:
		emu_fault(f, EXC_PF, true, pfec, linear);
		return EMU_MEM_FAULT;
	default:
		return EMU_MEM_NOT_RAM;
	}
}

enum emu_mem_status emu_mem_check(const struct emu_mem_ops *ops, const struct emu_who *who,
				  uint64_t linear, unsigned len, bool write,
				  struct emu_mem_plan *plan, struct x86_fault *f)
{
	uint32_t access = emu_walk_access(who, write ? WALK_WRITE : 0);
	uint64_t first = emu_wrap(who, linear), second;
	enum emu_mem_status st;

	if (!len || len > EMU_MEM_MAX_LEN)
		return EMU_MEM_NOT_RAM;
	if (who->mode64 && (!emu_canonical(first) || !emu_canonical(first + len - 1))) {
		emu_fault(f, who->via_ss ? EXC_SS : EXC_GP, true, 0, 0);
		return EMU_MEM_FAULT;
	}
	if (emu_misaligned(who, first, len)) {
		emu_fault(f, EXC_AC, true, 0, 0);
		return EMU_MEM_FAULT;
	}
	plan->len[0] = PAGE_SIZE - (first & (PAGE_SIZE - 1));
	if (plan->len[0] > len)
		plan->len[0] = len;
	plan->len[1] = len - plan->len[0];
	plan->pieces = plan->len[1] ? 2 : 1;
	/* Both pages are checked before any byte moves: a crossing access that faults on its
	 * second page leaves the first untouched, as the processor does. */
	st = emu_translate(ops, first, access, &plan->gpa[0], f);
	if (st != EMU_MEM_OK || plan->pieces == 1)
		return st;
	second = emu_wrap(who, first + plan->len[0]);
	return emu_translate(ops, second, access, &plan->gpa[1], f);
}

enum emu_mem_status emu_mem_commit_read(const struct emu_mem_ops *ops,
					const struct emu_mem_plan *plan, void *buf)
{
	uint8_t *p = buf;

	for (unsigned i = 0; i < plan->pieces; p += plan->len[i], i++)
		if (!ops->read(ops->ctx, plan->gpa[i], p, plan->len[i]))
			return EMU_MEM_NOT_RAM;
	return EMU_MEM_OK;
}

/* Each piece is reported to the MMU as soon as it is in guest memory, so the store and the
 * shadow update are one step (shadow-mmu.md 7). */
enum emu_mem_status emu_mem_commit_write(const struct emu_mem_ops *ops,
					 const struct emu_mem_plan *plan, const void *buf)
{
	const uint8_t *p = buf;

	for (unsigned i = 0; i < plan->pieces; p += plan->len[i], i++) {
		if (!ops->write(ops->ctx, plan->gpa[i], p, plan->len[i]))
			return EMU_MEM_NOT_RAM;
		ops->wrote(ops->ctx, plan->gpa[i], plan->len[i]);
	}
	return EMU_MEM_OK;
}

enum emu_mem_status emu_mem_read(const struct emu_mem_ops *ops, const struct emu_who *who,
				 uint64_t linear, void *buf, unsigned len, struct x86_fault *f)
{
	struct emu_mem_plan plan;
	enum emu_mem_status st = emu_mem_check(ops, who, linear, len, false, &plan, f);

	return st == EMU_MEM_OK ? emu_mem_commit_read(ops, &plan, buf) : st;
}

enum emu_mem_status emu_mem_write(const struct emu_mem_ops *ops, const struct emu_who *who,
				  uint64_t linear, const void *buf, unsigned len,
				  struct x86_fault *f)
{
	struct emu_mem_plan plan;
	enum emu_mem_status st = emu_mem_check(ops, who, linear, len, true, &plan, f);

	return st == EMU_MEM_OK ? emu_mem_commit_write(ops, &plan, buf) : st;
}

/* A fetch is a fetch at who's CPL: from CPL 3 a user fetch, which a supervisor page refuses
 * with #PF (U=1, and I/D when NXE or SMEP, the walker's business), and at CPL < 3 a supervisor
 * fetch, which SMEP refuses from user pages (SDM Vol. 3A 4.6). No alignment check applies. */
size_t emu_mem_fetch(const struct emu_mem_ops *ops, const struct emu_who *who, uint64_t base,
		     uint64_t ip, uint64_t ip_mask, uint8_t *buf, size_t len,
		     enum emu_mem_status *st, struct x86_fault *f)
{
	uint32_t access = WALK_FETCH | (who->cpl == 3 ? WALK_USER : 0);
	size_t done = 0;

	*st = EMU_MEM_OK;
	while (done < len) {
		uint64_t linear = emu_wrap(who, base + ((ip + done) & ip_mask));
		size_t n = PAGE_SIZE - (linear & (PAGE_SIZE - 1));
		uint64_t to_wrap = ~ip_mask ? ip_mask - ((ip + done) & ip_mask) + 1 : ~0ULL;
		uint64_t gpa;

		if (who->mode64 && !emu_canonical(linear)) {
			emu_fault(f, EXC_GP, true, 0, 0);
			*st = EMU_MEM_FAULT;
			break;
		}
		if (n > len - done)
			n = len - done;
		if (n > to_wrap)
			n = to_wrap;	/* the offset wraps first: a new linear address follows */
		*st = emu_translate(ops, linear, access, &gpa, f);
		if (*st == EMU_MEM_OK &&
		    !(ops->fetch ? ops->fetch : ops->read)(ops->ctx, gpa, buf + done, n))
			*st = EMU_MEM_NOT_RAM;
		if (*st != EMU_MEM_OK)
			break;
		done += n;
	}
	return done;
}
