/* Guest paging library: descriptors, page tables, mode switches, probes (see paging.h). */
#include <stdarg.h>
#include <stddef.h>
#include "arch/uart16550.h"
#include "entry.h"
#include "guest.h"
#include "paging.h"
#include "lib/format.h"
#include "lib/string.h"

/* What a probe does and how it ended; shared with pg_stubs.S (REQ_* offsets). */
struct pg_req {
	uint64_t addr;
	uint32_t kind;
	uint32_t user;
	uint32_t value;
	uint32_t faulted;
	uint32_t vector;
	uint32_t error;
	uint64_t cr2;
	uint64_t rip;
} __attribute__((packed));

_Static_assert(offsetof(struct pg_req, kind) == 8, "pg_stubs.S layout");
_Static_assert(offsetof(struct pg_req, value) == 16, "pg_stubs.S layout");
_Static_assert(offsetof(struct pg_req, faulted) == 20, "pg_stubs.S layout");
_Static_assert(offsetof(struct pg_req, cr2) == 32, "pg_stubs.S layout");
_Static_assert(offsetof(struct pg_req, rip) == 40, "pg_stubs.S layout");

struct pg_req pg_req;
struct pg_cpu pg_cpu;

/* pg_stubs.S */
extern char pg_user_page[], pg_user_stack[];
extern const uint32_t pg_trap64_stubs[32];
void pg_access32(void *req);
void pg_user_return32(void);
void pg_user_return64(void);
void pg_lm_call(void);
void pg_lm_enter(uint32_t cr3, uint32_t cr4);
void pg_lm_exit(void);

/* ---- Descriptors ---- */

#define SEG_CODE	0x9b	/* present, code, execute/read, accessed */
#define SEG_DATA	0x93	/* present, data, read/write, accessed */
#define SEG_DPL3	0x60
#define SEG_TSS		0x89	/* present, available 32-bit (or, in IA-32e mode, 64-bit) TSS */
#define FLAT_SEG(access, flags) \
	(0x000f00000000ffffull | ((uint64_t)(access) << 40) | ((uint64_t)(flags) << 52))
#define FLAG_G		0x8
#define FLAG_DB		0x4
#define FLAG_L		0x2

#define SEL_TSS32	0x38
#define SEL_TSS64	0x40
#define PG_IDT_ENTRIES	0x82
#define PG_VEC_RETURN	0x81	/* user code's way back to CPL 0 */

/* The TSSs: only ESP0/RSP0 matter (offset 4 in both formats); no I/O bitmap. */
uint8_t pg_tss32[104] __attribute__((aligned(16)));
uint8_t pg_tss64[104] __attribute__((aligned(16)));

uint64_t pg_gdt[10] __attribute__((aligned(16))) = {
	[1] = FLAT_SEG(SEG_CODE, FLAG_G | FLAG_DB),		/* 0x08, as desc.c */
	[2] = FLAT_SEG(SEG_DATA, FLAG_G | FLAG_DB),		/* 0x10 */
	[3] = FLAT_SEG(SEG_CODE, FLAG_G | FLAG_L),		/* 0x18 */
	[4] = FLAT_SEG(SEG_CODE | SEG_DPL3, FLAG_G | FLAG_DB),	/* 0x23 */
	[5] = FLAT_SEG(SEG_DATA | SEG_DPL3, FLAG_G | FLAG_DB),	/* 0x2b */
	[6] = FLAT_SEG(SEG_CODE | SEG_DPL3, FLAG_G | FLAG_L),	/* 0x33 */
	/* [7] TSS32, [8..9] TSS64: filled by pg_init */
};

static uint64_t pg_idt32[PG_IDT_ENTRIES] __attribute__((aligned(16)));
static uint64_t pg_idt64[PG_IDT_ENTRIES * 2] __attribute__((aligned(16)));

struct desc_ptr32 pg_idt32_ptr;
struct {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed)) pg_idt64_ptr;

static uint64_t tss_desc(uint32_t base)
{
	return 103 | ((uint64_t)(base & 0xffffff) << 16) | ((uint64_t)SEG_TSS << 40) |
	       ((uint64_t)(base >> 24) << 56);
}

static uint64_t gate32(uint32_t handler, unsigned int type)
{
	return (handler & 0xffff) | (0x08ull << 16) | ((uint64_t)type << 40) |
	       ((uint64_t)(handler >> 16) << 48);
}

static void gate64(unsigned int v, uint32_t handler, unsigned int type)
{
	pg_idt64[2 * v] = (handler & 0xffff) | (0x18ull << 16) | ((uint64_t)type << 40) |
			  ((uint64_t)(handler >> 16) << 48);
	pg_idt64[2 * v + 1] = 0;
}

static void descriptors_init(void)
{
	struct desc_ptr32 gp = { .limit = sizeof(pg_gdt) - 1, .base = (uint32_t)pg_gdt };

	pg_tss32[8] = 0x10;			/* SS0 */
	pg_tss32[102] = sizeof(pg_tss32);	/* I/O map base beyond the limit */
	pg_tss64[102] = sizeof(pg_tss64);
	pg_gdt[SEL_TSS32 / 8] = tss_desc((uint32_t)pg_tss32);
	pg_gdt[SEL_TSS64 / 8] = tss_desc((uint32_t)pg_tss64);
	pg_gdt[SEL_TSS64 / 8 + 1] = 0;

	for (unsigned int v = 0; v < 32; v++) {
		pg_idt32[v] = gate32(trap_stubs[v], 0x8e);
		gate64(v, pg_trap64_stubs[v], 0x8e);
	}
	pg_idt32[PG_VEC_RETURN] = gate32((uint32_t)pg_user_return32, 0xee);
	gate64(PG_VEC_RETURN, (uint32_t)pg_user_return64, 0xee);
	pg_idt32_ptr.limit = sizeof(pg_idt32) - 1;
	pg_idt32_ptr.base = (uint32_t)pg_idt32;
	pg_idt64_ptr.limit = sizeof(pg_idt64) - 1;
	pg_idt64_ptr.base = (uint32_t)pg_idt64;

	__asm__ volatile("lgdt %0\n\t"
			 "ljmp $0x08, $1f\n"
			 "1:\n\t"
			 "movw %w1, %%ds\n\t"
			 "movw %w1, %%es\n\t"
			 "movw %w1, %%fs\n\t"
			 "movw %w1, %%gs\n\t"
			 "movw %w1, %%ss\n\t"
			 "ltr %w2"
			 : : "m"(gp), "r"(0x10), "r"(SEL_TSS32) : "memory");
	lidt(&pg_idt32_ptr);
}

static void cpu_init(void)
{
	struct cpuid_regs r = cpuid(CPUID_LEAF_FEATURES, 0);
	uint32_t max = cpuid(0, 0).eax, maxext = cpuid(CPUID_LEAF_EXT_MAX, 0).eax;

	pg_cpu.pse = r.edx & CPUID_1_EDX_PSE;
	pg_cpu.pae = r.edx & CPUID_1_EDX_PAE;
	pg_cpu.pge = r.edx & CPUID_1_EDX_PGE;
	if (max >= 7) {
		r = cpuid(CPUID_LEAF_EXT_FEATURES, 0);
		pg_cpu.smep = r.ebx & CPUID_7_EBX_SMEP;
		pg_cpu.smap = r.ebx & CPUID_7_EBX_SMAP;
	}
	pg_cpu.maxphyaddr = 36;
	if (maxext >= CPUID_LEAF_EXT_SIGNATURE) {
		r = cpuid(CPUID_LEAF_EXT_SIGNATURE, 0);
		pg_cpu.nx = r.edx & CPUID_80000001_EDX_NX;
		pg_cpu.lm = r.edx & CPUID_80000001_EDX_LM;
		pg_cpu.page1g = r.edx & CPUID_80000001_EDX_PAGE1GB;
	}
	if (maxext >= CPUID_LEAF_ADDR_SIZES)
		pg_cpu.maxphyaddr = cpuid(CPUID_LEAF_ADDR_SIZES, 0).eax & 0xff;
}

/* ---- Pool ---- */

static uint32_t pool_next;

uint32_t pg_alloc(void)
{
	uint32_t pa = pool_next;

	if (pa >= PG_POOL_END) {
		gprintf("FAIL: paging pool exhausted\n");
		guest_exit(GUEST_EXIT_FAIL);
	}
	pool_next += 4096;
	memset((void *)pa, 0, 4096);
	return pa;
}

static enum pg_mode cur_mode;

void pg_init(void)
{
	if ((uint32_t)image_end > PG_POOL_START) {
		gprintf("FAIL: image ends at %p, inside the paging pool\n", (void *)image_end);
		guest_exit(GUEST_EXIT_FAIL);
	}
	/* 8 data bits: a firmware may leave COM1 at its reset word length (Bochs does). */
	outb(COM1_BASE + UART_LCR, 0x03);
	descriptors_init();
	cpu_init();
	pool_next = PG_POOL_START;
	cur_mode = PG_OFF;
	gprintf("paging cpu: pse %d pae %d pge %d nx %d lm %d 1g %d smep %d smap %d maxphyaddr %u\n",
		pg_cpu.pse, pg_cpu.pae, pg_cpu.pge, pg_cpu.nx, pg_cpu.lm, pg_cpu.page1g,
		pg_cpu.smep, pg_cpu.smap, pg_cpu.maxphyaddr);
	/* The matrix target: RET everywhere, so reads give 0xc3c3c3c3 and any offset runs. */
	memset((void *)PG_TARGET_PA, 0xc3, 4096);
}

/* ---- Tables ---- */

int pg_top_level(enum pg_mode mode)
{
	return mode == PG_32 ? 2 : mode == PG_PAE ? 3 : 4;
}

unsigned int pg_index(enum pg_mode mode, uint64_t va, int level)
{
	if (mode == PG_32)
		return (unsigned int)(va >> (12 + 10 * (level - 1))) & 0x3ff;
	if (mode == PG_PAE && level == 3)
		return (unsigned int)(va >> 30) & 3;
	return (unsigned int)(va >> (12 + 9 * (level - 1))) & 0x1ff;
}

static unsigned int pte_size(enum pg_mode mode)
{
	return mode == PG_32 ? 4 : 8;
}

uint64_t pg_read_pte(enum pg_mode mode, uint32_t pa)
{
	if (mode == PG_32)
		return *(volatile uint32_t *)pa;
	return *(volatile uint64_t *)pa;
}

void pg_write_pte(enum pg_mode mode, uint32_t pa, uint64_t value)
{
	if (mode == PG_32) {
		*(volatile uint32_t *)pa = (uint32_t)value;
	} else {
		/* High half first: a present low half never pairs with a stale high half. */
		((volatile uint32_t *)pa)[1] = (uint32_t)(value >> 32);
		((volatile uint32_t *)pa)[0] = (uint32_t)value;
	}
}

static uint64_t table_flags(enum pg_mode mode, int level)
{
	return mode == PG_PAE && level == 3 ? PTE_P : PTE_P | PTE_W | PTE_U;
}

/* Physical address mask of a table pointer in an entry. */
#define ADDR_MASK	0x000ffffffffff000ull

uint32_t pg_entry_pa(const struct pg_space *as, uint64_t va, int level, bool create)
{
	uint32_t table = as->root;

	for (int l = pg_top_level(as->mode); ; l--) {
		uint32_t pa = table + pte_size(as->mode) * pg_index(as->mode, va, l);
		uint64_t e;

		if (l == level)
			return pa;
		e = pg_read_pte(as->mode, pa);
		if (!(e & PTE_P) || (e & PTE_PS)) {
			if (!create)
				return 0;
			e = pg_alloc() | table_flags(as->mode, l);
			pg_write_pte(as->mode, pa, e);
		}
		table = (uint32_t)(e & ADDR_MASK);
	}
}

uint64_t pg_get(const struct pg_space *as, uint64_t va, int level)
{
	uint32_t pa = pg_entry_pa(as, va, level, false);

	return pa ? pg_read_pte(as->mode, pa) : 0;
}

void pg_set(const struct pg_space *as, uint64_t va, int level, uint64_t value)
{
	pg_write_pte(as->mode, pg_entry_pa(as, va, level, true), value);
}

void pg_map(const struct pg_space *as, uint64_t va, uint64_t pa, int level, uint64_t flags)
{
	pg_set(as, va, level, pa | flags | (level > 1 ? PTE_PS : 0));
}

static uint64_t leaf_identity_flags(uint32_t pa)
{
	if (pa == (uint32_t)pg_user_page || pa == (uint32_t)pg_user_stack)
		return PTE_P | PTE_W | PTE_U;
	return PTE_P | PTE_W;
}

void pg_space_init_at(struct pg_space *as, enum pg_mode mode, uint32_t root)
{
	uint32_t table = 0;

	as->mode = mode;
	as->root = root;
	for (uint32_t pa = 0; pa < PG_IDMAP_END; pa += 4096) {
		unsigned int i = pg_index(mode, pa, 1);

		if (!table || i == 0)
			table = pg_entry_pa(as, pa, 1, true) - pte_size(mode) * i;
		pg_write_pte(mode, table + pte_size(mode) * i, pa | leaf_identity_flags(pa));
	}
}

void pg_space_init(struct pg_space *as, enum pg_mode mode)
{
	pg_space_init_at(as, mode, pg_alloc());
}

static unsigned int rsvd_bit(void)
{
	return pg_cpu.maxphyaddr < 52 ? pg_cpu.maxphyaddr : 51;
}

int pg_chain_set(const struct pg_space *as, uint64_t va, const uint64_t *flags, uint64_t leaf_pa)
{
	int top = pg_top_level(as->mode);
	uint32_t table = as->root;
	int n = 0;

	for (int l = top; l >= 1; l--, n++) {
		uint32_t pa = table + pte_size(as->mode) * pg_index(as->mode, va, l);
		uint64_t f = flags[top - l], e;
		bool leaf = l == 1 || (f & PTE_PS);

		if (f & PTE_RSVD) {
			f &= ~PTE_RSVD;
			f |= as->mode == PG_32 ? 1ull << 21 : 1ull << rsvd_bit();
		}
		if (leaf) {
			uint64_t size_mask = (1ull << (12 + (as->mode == PG_32 ? 10 : 9) *
							(l - 1))) - 1;

			pg_write_pte(as->mode, pa, (leaf_pa & ~size_mask) | f);
			return n + 1;
		}
		/* Keep the table this entry pointed to, or give it one. */
		e = pg_read_pte(as->mode, pa);
		if ((e & ADDR_MASK) == 0 || (e & PTE_PS) ||
		    (e & ADDR_MASK) < PG_POOL_START || (e & ADDR_MASK) >= PG_POOL_END)
			e = pg_alloc();
		table = (uint32_t)(e & ADDR_MASK);
		pg_write_pte(as->mode, pa, table | f);
	}
	return n;
}

/* ---- Modes ---- */

enum pg_mode pg_current_mode(void)
{
	return cur_mode;
}

const char *pg_mode_name(enum pg_mode mode)
{
	static const char *const names[] = { "off", "32-bit", "PAE", "4-level" };

	return names[mode];
}

void pg_deactivate(void)
{
	if (cur_mode == PG_LM)
		pg_lm_exit();
	else if (cur_mode != PG_OFF)
		write_cr0(read_cr0() & ~CR0_PG);
	write_cr4(read_cr4() & ~CR4_PAE);
	cur_mode = PG_OFF;
}

void pg_activate(const struct pg_space *as)
{
	if (cur_mode == as->mode) {
		write_cr3(as->root);
		return;
	}
	if (cur_mode != PG_OFF)
		pg_deactivate();
	switch (as->mode) {
	case PG_32:
		write_cr3(as->root);
		write_cr0(read_cr0() | CR0_PG);
		break;
	case PG_PAE:
		write_cr4(read_cr4() | CR4_PAE);
		write_cr3(as->root);
		write_cr0(read_cr0() | CR0_PG);
		break;
	case PG_LM:
		pg_lm_enter(as->root, read_cr4() | CR4_PAE);
		break;
	case PG_OFF:
		break;
	}
	cur_mode = as->mode;
}

void pg_flush(void)
{
	write_cr3(read_cr3());
}

void pg_invlpg(uint64_t va)
{
	if (cur_mode == PG_LM) {
		pg_probe(va, PG_INVLPG, false, 0);
		return;
	}
	__asm__ volatile("invlpg (%0)" : : "r"((uint32_t)va) : "memory");
}

void pg_set_nxe(bool on)
{
	uint64_t efer;

	if (!pg_cpu.nx)
		return;
	efer = rdmsr(MSR_IA32_EFER);
	wrmsr(MSR_IA32_EFER, on ? efer | EFER_NXE : efer & ~(uint64_t)EFER_NXE);
}

/* ---- Probes ---- */

struct pg_result pg_probe(uint64_t va, enum pg_access kind, bool user, uint32_t value)
{
	struct pg_result res = { 0 };

	pg_req.addr = va;
	pg_req.kind = kind;
	pg_req.user = user;
	pg_req.value = value;
	pg_req.faulted = 0;
	if (cur_mode == PG_LM) {
		pg_lm_call();
		res.faulted = pg_req.faulted;
		res.vector = (uint8_t)pg_req.vector;
		res.error = pg_req.error;
		res.cr2 = pg_req.cr2;
	} else {
		struct fault f = try_call(pg_access32, &pg_req);

		__asm__ volatile("movw %w0, %%ds\n\tmovw %w0, %%es" : : "r"(0x10) : "memory");
		res.faulted = f.faulted;
		res.vector = f.vector;
		res.error = f.error;
		res.cr2 = f.cr2;
	}
	res.value = pg_req.value;
	return res;
}

void pg_result_text(char *buf, unsigned int size, bool faulted, uint8_t vector, uint32_t error)
{
	if (!faulted)
		snprintk(buf, size, "no fault");
	else
		snprintk(buf, size, "%s 0x%x", vector_name(vector), error);
}

/* ---- The access-matrix interpreter ---- */

#define PF_P	(1u << 0)
#define PF_W	(1u << 1)
#define PF_U	(1u << 2)
#define PF_RSVD	(1u << 3)
#define PF_I	(1u << 4)

uint64_t pg_probe_va(enum pg_mode mode)
{
	/* PML4 1, PDPT 1, PD 8, PT 0x123: offset 0x1123000 in its 1 GiB page and 0x123000 in
	 * its 2 MiB page; the 32-bit and PAE address is offset 0x123000 in its 4 MiB page too. */
	return mode == PG_LM ? 0x0000008041123000ull : 0x41123000ull;
}

static bool entry_reserved(enum pg_mode mode, int level, uint64_t e, bool leaf, bool nxe)
{
	if (e & PTE_RSVD)
		return true;
	if (mode == PG_32)
		return false;
	if ((e & PTE_NX) && !nxe)
		return true;
	if (mode == PG_LM && level == 4 && (e & PTE_PS))
		return true;
	if (mode == PG_LM && level == 3 && (e & PTE_PS) && !pg_cpu.page1g)
		return true;
	/* Large leaves: bits 20:13 of a 2 MiB entry, 29:13 of a 1 GiB one (bit 12 is PAT). */
	if (leaf && level == 2 && (e & 0x1fe000ull))
		return true;
	if (leaf && level == 3 && (e & 0x3fffe000ull))
		return true;
	return false;
}

struct pg_expect pg_predict(enum pg_mode mode, const struct pg_row *row, char acc)
{
	struct pg_expect x = { 0 };
	int top = pg_top_level(mode);
	bool user = acc >= 'A' && acc <= 'Z';
	char k = user ? (char)(acc - 'A' + 'a') : acc;
	bool write = k == 'w', fetch = k == 'x';
	bool wp = row->cfg & PG_CFG_WP, nxe = row->cfg & PG_CFG_NXE;
	bool smep = row->cfg & PG_CFG_SMEP;
	bool u = true, w = true, nx = false;
	uint32_t code = (write ? PF_W : 0) | (user ? PF_U : 0);

	if (fetch && (smep || (mode != PG_32 && nxe)))
		code |= PF_I;
	for (int i = 0; i <= top - 1; i++) {
		int level = top - i;
		uint64_t e = row->e[i];
		bool leaf = level == 1 || (e & PTE_PS);

		x.leaf = i;
		if (!(e & PTE_P)) {
			x.faulted = true;
			x.error = code;
			return x;
		}
		if (entry_reserved(mode, level, e, leaf, nxe)) {
			x.faulted = true;
			x.error = code | PF_P | PF_RSVD;
			return x;
		}
		/* A PAE PDPTE has no R/W, U/S or XD. */
		if (!(mode == PG_PAE && level == 3)) {
			u = u && (e & PTE_U);
			w = w && (e & PTE_W);
			nx = nx || (nxe && (e & PTE_NX));
		}
		if (leaf)
			break;
	}
	if (user) {
		x.faulted = !u || (write && !w) || (fetch && nx);
	} else {
		x.faulted = (write && !w && wp) || (fetch && nx) || (fetch && smep && u);
	}
	if (x.faulted)
		x.error = code | PF_P;
	return x;
}

static const char *acc_name(char acc)
{
	switch (acc) {
	case 'r': return "sup read";
	case 'w': return "sup write";
	case 'x': return "sup fetch";
	case 'R': return "user read";
	case 'W': return "user write";
	case 'X': return "user fetch";
	}
	return "?";
}

static void flags_text(char *buf, unsigned int size, uint64_t e)
{
	static const struct { uint64_t bit; char c; } bits[] = {
		{ PTE_P, 'P' }, { PTE_W, 'W' }, { PTE_U, 'U' }, { PTE_A, 'A' }, { PTE_D, 'D' },
		{ PTE_PS, 'S' }, { PTE_G, 'G' }, { PTE_NX, 'X' }, { PTE_RSVD, 'R' },
	};
	unsigned int n = 0;

	for (unsigned int i = 0; i < sizeof(bits) / sizeof(bits[0]) && n + 1 < size; i++)
		if (e & bits[i].bit)
			buf[n++] = bits[i].c;
	if (n == 0 && size > 1)
		buf[n++] = '-';
	buf[n] = 0;
}

static const char *const level_names[5] = { "", "PT", "PD", "PDP", "PML4" };

/* "PD=PWU PT=PU": the row's entries as the walk sees them. */
static void row_text(char *buf, unsigned int size, enum pg_mode mode, const struct pg_row *row)
{
	int top = pg_top_level(mode);
	unsigned int n = 0;

	buf[0] = 0;
	for (int i = 0; i < top && n < size; i++) {
		char f[16];

		flags_text(f, sizeof(f), row->e[i]);
		n += snprintk(buf + n, size - n, "%s%s=%s", i ? " " : "", level_names[top - i], f);
		if (top - i == 1 || (row->e[i] & PTE_PS))
			break;
	}
	if (row->cfg & PG_CFG_WP)
		n += snprintk(buf + n, size - n, " wp");
	if (row->cfg & PG_CFG_NXE)
		n += snprintk(buf + n, size - n, " nxe");
	if (row->cfg & PG_CFG_SMEP)
		snprintk(buf + n, size - n, " smep");
}

static const char *row_skip_reason(const struct pg_row *row)
{
	if ((row->cfg & PG_CFG_NXE) && !pg_cpu.nx)
		return "no NX";
	if ((row->cfg & PG_CFG_SMEP) && !pg_cpu.smep)
		return "no SMEP";
	if ((row->cfg & PG_CFG_1G) && !pg_cpu.page1g)
		return "no 1 GiB pages";
	return 0;
}

/* After a successful access: A in every entry the walk used, D in the leaf iff written. */
static bool ad_ok(char *detail, unsigned int size, const struct pg_space *as, uint64_t va,
		  const struct pg_row *row, int leaf, bool write)
{
	int top = pg_top_level(as->mode);

	for (int i = 0; i <= leaf; i++) {
		int level = top - i;
		uint64_t e = pg_get(as, va, level);

		if (as->mode == PG_PAE && level == 3)
			continue;	/* PDPTEs have no A bit */
		if (!(e & PTE_A)) {
			snprintk(detail, size, "%s entry 0x%llx has no A", level_names[level],
				 (unsigned long long)e);
			return false;
		}
		if (i == leaf && !!(e & PTE_D) != (write || (row->e[i] & PTE_D))) {
			snprintk(detail, size, "%s leaf 0x%llx has D %s", level_names[level],
				 (unsigned long long)e, e & PTE_D ? "set" : "clear");
			return false;
		}
	}
	return true;
}

void pg_run_rows(const char *name, enum pg_mode mode, const struct pg_row *rows, unsigned int n)
{
	struct pg_space as;
	uint64_t va = pg_probe_va(mode);
	unsigned long cr0 = read_cr0(), cr4 = read_cr4();

	pg_deactivate();
	pg_space_init(&as, mode);
	if (mode == PG_32 && pg_cpu.pse)
		write_cr4(read_cr4() | CR4_PSE);
	pg_activate(&as);
	for (unsigned int r = 0; r < n; r++) {
		const struct pg_row *row = &rows[r];
		const char *skip_reason = row_skip_reason(row);
		char desc[96];

		row_text(desc, sizeof(desc), mode, row);
		if (skip_reason) {
			SKIP("%s %u: %s (%s)", name, r, desc, skip_reason);
			continue;
		}
		write_cr0(row->cfg & PG_CFG_WP ? read_cr0() | CR0_WP : read_cr0() & ~CR0_WP);
		pg_set_nxe(row->cfg & PG_CFG_NXE);
		if (pg_cpu.smep)
			write_cr4(row->cfg & PG_CFG_SMEP ? read_cr4() | CR4_SMEP :
				  read_cr4() & ~CR4_SMEP);
		for (const char *a = row->acc; *a; a++) {
			struct pg_expect x = pg_predict(mode, row, *a);
			enum pg_access kind = *a == 'r' || *a == 'R' ? PG_READ :
					      *a == 'w' || *a == 'W' ? PG_WRITE : PG_FETCH;
			bool user = *a >= 'A' && *a <= 'Z';
			struct pg_result res;
			char what[160], got[32], exp[32];

			pg_chain_set(&as, va, row->e, PG_TARGET_PA);
			pg_flush();
			res = pg_probe(va, kind, user, 0xc3c3c3c3);
			snprintk(what, sizeof(what), "%s %u: %s: %s", name, r, desc, acc_name(*a));
			pg_result_text(got, sizeof(got), res.faulted, res.vector, res.error);
			pg_result_text(exp, sizeof(exp), x.faulted, EXC_PF, x.error);
			if (x.faulted) {
				if (!CHECK(res.faulted && res.vector == EXC_PF &&
					   res.error == x.error && res.cr2 == va,
					   "%s -> %s", what, exp))
					gprintf("  got %s, cr2 0x%llx\n", got,
						(unsigned long long)res.cr2);
			} else {
				char detail[96] = "";
				bool ok = !res.faulted &&
					  (kind != PG_READ || res.value == 0xc3c3c3c3) &&
					  ((row->cfg & PG_CFG_NOAD) ||
					   ad_ok(detail, sizeof(detail), &as, va, row, x.leaf,
						 kind == PG_WRITE));

				if (!CHECK(ok, "%s -> %s, A/D", what, exp))
					gprintf("  got %s, value 0x%x %s\n", got, res.value, detail);
			}
		}
	}
	pg_deactivate();
	pg_set_nxe(false);
	write_cr0(cr0);
	write_cr4(cr4);
}

/* ---- Checks ---- */

bool pg_check_read(uint64_t va, uint32_t expected, const char *fmt, ...)
{
	char what[160];
	va_list ap;
	struct pg_result r = pg_probe(va, PG_READ, false, 0);

	va_start(ap, fmt);
	vsnprintk(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (r.faulted) {
		char got[32];

		pg_result_text(got, sizeof(got), true, r.vector, r.error);
		return CHECK(false, "%s (0x%llx reads 0x%x; got %s, cr2 0x%llx)", what,
			     (unsigned long long)va, expected, got, (unsigned long long)r.cr2);
	}
	return CHECK_EQ(r.value, expected, "%s (0x%llx reads 0x%x)", what,
			(unsigned long long)va, expected);
}

bool pg_check_fault(uint64_t va, enum pg_access kind, bool user, uint32_t error,
		    const char *fmt, ...)
{
	char what[160];
	va_list ap;
	struct pg_result r = pg_probe(va, kind, user, 0xc3c3c3c3);

	va_start(ap, fmt);
	vsnprintk(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (!CHECK_FAULT(pg_fault(r), EXC_PF, error, "%s (#PF 0x%x)", what, error))
		return false;
	return CHECK_EQ(r.cr2, va, "%s: CR2", what);
}
