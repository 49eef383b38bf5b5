/*
 * The two TDP entry formats. EPT entries (SDM Vol. 3C 29.3.2, tables 29-1 to 29-6) carry R/W/X
 * bits, and in a leaf the memory type and ignore-PAT. NPT entries are ordinary long-mode
 * entries (APM Vol. 2 15.25.5): every nested access counts as a user access, so U/S is set at
 * every level, and a leaf's PAT/PCD/PWT of 0 selects the host PAT's entry 0, write-back.
 */
#include "mm/tdp.h"
#include "arch/ept.h"
#include "arch/pt.h"

#include <stddef.h>

#define TDP_ADDR_MASK		0x000ffffffffff000ULL	/* bits 51:12 in both formats */
#define TDP_LARGE_MASK		0x000fffffffe00000ULL	/* a 2 MiB page: bits 51:21 */
/* EPT: bits 7:3 of a non-leaf entry are reserved (tables 29-1, 29-3, 29-5). */
#define EPT_TABLE_RESERVED	0xf8ULL
/* NPT: PS is reserved (must be 0) in a PML4E (APM Vol. 2 5.3.3, figure 5-18). */
#define NPT_TABLE_BITS		(PT_P | PT_RW | PT_US)

static bool is_ept(const struct tdp_caps *c)
{
	return c->format == TDP_FORMAT_EPT;
}

uint64_t tdp_encode_table(const struct tdp_caps *c, uint64_t hpa)
{
	hpa &= TDP_ADDR_MASK;
	return is_ept(c) ? hpa | EPT_RWX : hpa | NPT_TABLE_BITS;
}

/* EPT: leaves are write-back with ignore-PAT, so the guest's PAT and MTRR-like choices cannot
 * make Umbra's memory uncached or change its type behind its back (SDM 29.3.7.2). */
static uint64_t ept_leaf(uint64_t hpa, unsigned level, unsigned rights)
{
	uint64_t e = hpa | (EPT_MT_WB << EPT_MEMTYPE_SHIFT) | EPT_IGNORE_PAT;

	/* W without R is a misconfiguration (29.3.3.1): a writable leaf is always readable. */
	if (rights & (TDP_READ | TDP_WRITE))
		e |= EPT_R;
	if (rights & TDP_WRITE)
		e |= EPT_W;
	if (rights & TDP_FETCH)
		e |= EPT_X;
	return level > 1 ? e | EPT_PS : e;
}

/* NPT: present means readable and executable (Umbra never sets NX in a nested entry). */
static uint64_t npt_leaf(uint64_t hpa, unsigned level, unsigned rights)
{
	uint64_t e = hpa | PT_P | PT_US;

	if (rights & TDP_WRITE)
		e |= PT_RW;
	return level > 1 ? e | PT_PS : e;
}

uint64_t tdp_encode_leaf(const struct tdp_caps *c, uint64_t hpa, unsigned level, unsigned rights)
{
	hpa &= level > 1 ? TDP_LARGE_MASK : TDP_ADDR_MASK;
	return is_ept(c) ? ept_leaf(hpa, level, rights) : npt_leaf(hpa, level, rights);
}

bool tdp_entry_present(const struct tdp_caps *c, uint64_t e)
{
	/* SDM 29.3.2: an EPT entry is present when any of bits 2:0 is set. */
	return is_ept(c) ? (e & EPT_RWX) != 0 : (e & PT_P) != 0;
}

bool tdp_entry_large(const struct tdp_caps *c, uint64_t e)
{
	return tdp_entry_present(c, e) && (e & (is_ept(c) ? EPT_PS : PT_PS));
}

uint64_t tdp_entry_addr(uint64_t e, unsigned level, bool leaf)
{
	return e & (leaf && level > 1 ? TDP_LARGE_MASK : TDP_ADDR_MASK);
}

unsigned tdp_entry_rights(const struct tdp_caps *c, uint64_t e)
{
	unsigned r = 0;

	if (is_ept(c))
		return ((e & EPT_R) ? TDP_READ : 0) | ((e & EPT_W) ? TDP_WRITE : 0) |
		       ((e & EPT_X) ? TDP_FETCH : 0);
	if (e & PT_P)
		r = TDP_READ | ((e & PT_NX) ? 0 : TDP_FETCH);
	if ((e & PT_P) && (e & PT_RW))
		r |= TDP_WRITE;
	return r;
}

static const char *ept_malformed(uint64_t e, unsigned level, bool leaf)
{
	if ((e & EPT_W) && !(e & EPT_R))
		return "writable but not readable (EPT misconfiguration)";
	if ((e & EPT_X) && !(e & EPT_R))
		return "execute-only (Umbra never asks for it)";
	if (!leaf)
		return (e & EPT_TABLE_RESERVED) ? "reserved bits 7:3 set in a table entry" : NULL;
	if (level > 2)
		return "a 1 GiB page (Umbra maps at most 2 MiB)";
	if (((e >> EPT_MEMTYPE_SHIFT) & 7) != EPT_MT_WB || !(e & EPT_IGNORE_PAT))
		return "memory type is not write-back with ignore-PAT";
	if (level == 2 && (e & 0x1ff000ULL))
		return "reserved bits 20:12 set in a 2 MiB entry";
	return NULL;
}

static const char *npt_malformed(uint64_t e, unsigned level, bool leaf)
{
	if (!(e & PT_US))
		return "U/S clear (every nested access is a user access)";
	if (level == 4 && (e & PT_PS))
		return "PS set in a level-4 entry";
	if (leaf && level > 2)
		return "a 1 GiB page (Umbra maps at most 2 MiB)";
	if (leaf && (e & (PT_PWT | PT_PCD)))
		return "not write-back (PWT/PCD set)";
	if (leaf && level == 2 && (e & 0x1fe000ULL))
		return "reserved bits 20:13 set in a 2 MiB entry";
	return NULL;
}

const char *tdp_entry_malformed(const struct tdp_caps *c, uint64_t e, unsigned level)
{
	bool leaf = level == 1 || tdp_entry_large(c, e);

	if (e & ~(TDP_ADDR_MASK | 0xfffULL | PT_NX))
		return "bits 62:52 set";
	return is_ept(c) ? ept_malformed(e, level, leaf) : npt_malformed(e, level, leaf);
}
