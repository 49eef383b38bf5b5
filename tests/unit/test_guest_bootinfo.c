/* Host unit tests for the guest's Multiboot information block builder (guest/loader/guest_bootinfo.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest/loader/guest_bootinfo.h"

#define KiB		(1ull << 10)
#define MiB		(1ull << 20)
#define GiB		(1ull << 30)
#define BUF_GPA		0x9000u
#define FILL		0xa5

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* The guest's view of the block (Multiboot 0.6.96, 3.3), written out independently. */
struct t_info {
	uint32_t flags, mem_lower, mem_upper, boot_device, cmdline, mods_count, mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length, mmap_addr, drives_length, drives_addr, config_table;
	uint32_t boot_loader_name, apm_table, vbe_control_info, vbe_mode_info;
	uint16_t vbe_mode, vbe_interface_seg, vbe_interface_off, vbe_interface_len;
	uint64_t framebuffer_addr;
	uint32_t framebuffer_pitch, framebuffer_width, framebuffer_height;
	uint8_t framebuffer_bpp, framebuffer_type, color_info[6];
} __attribute__((packed));
_Static_assert(sizeof(struct t_info) == 116, "t_info size");
_Static_assert(offsetof(struct t_info, mmap_length) == 44, "t_info mmap_length");
_Static_assert(offsetof(struct t_info, boot_loader_name) == 64, "t_info boot_loader_name");
_Static_assert(offsetof(struct t_info, framebuffer_addr) == 88, "t_info framebuffer_addr");

struct t_module {
	uint32_t mod_start, mod_end, string, reserved;
} __attribute__((packed));
_Static_assert(sizeof(struct t_module) == 16, "t_module size");

/* The fields after the size field of a memory map entry. */
struct t_mmap_body {
	uint64_t base_addr, length;
	uint32_t type;
} __attribute__((packed));
_Static_assert(sizeof(struct t_mmap_body) == 20, "t_mmap_body size");

#define T_INFO_MEMORY		0x001u
#define T_INFO_CMDLINE		0x004u
#define T_INFO_MODS		0x008u
#define T_INFO_MEM_MAP		0x040u
#define T_INFO_LOADER_NAME	0x200u
#define T_MEM_AVAILABLE		1u
#define T_MEM_RESERVED		2u

/* An expected memory map entry. */
struct t_range {
	uint64_t base, length;
	uint32_t type;
};

/* A byte range of the block that something points to, for the disjointness check. */
struct t_region {
	size_t off, len;
};

/* What the reader gathered while walking a block. */
struct t_walk {
	const uint8_t *buf;
	size_t used;
	uint32_t gpa;
	struct t_region reg[512];
	unsigned nreg;
};

/* Translates a guest-physical pointer into an offset in the block; fails if it points out. */
static size_t to_off(const struct t_walk *w, uint32_t ptr, size_t len)
{
	size_t off;

	if (ptr < w->gpa || ptr - w->gpa > w->used || len > w->used - (ptr - w->gpa))
		fail_msg("pointer 0x%x (+%zu) outside the block [0x%x, +%zu)", ptr, len, w->gpa,
			 w->used);
	off = ptr - w->gpa;
	return off;
}

/* Records [off, off + len) as used by one structure. */
static void add_region(struct t_walk *w, size_t off, size_t len)
{
	assert_true(w->nreg < ARRAY_SIZE(w->reg));
	w->reg[w->nreg].off = off;
	w->reg[w->nreg].len = len;
	w->nreg++;
}

/* Returns the C string at guest-physical ptr, checking it ends inside the block. */
static const char *read_string(struct t_walk *w, uint32_t ptr)
{
	size_t off = to_off(w, ptr, 1);
	const char *s = (const char *)w->buf + off;
	size_t n = strnlen(s, w->used - off);

	assert_true(n < w->used - off);
	add_region(w, off, n + 1);
	return s;
}

/* Checks the regions are pairwise disjoint and every byte outside them is 0 (padding). */
static void check_regions(const struct t_walk *w)
{
	unsigned i, j;
	size_t b;

	for (i = 0; i < w->nreg; i++)
		for (j = 0; j < i; j++)
			if (w->reg[i].off < w->reg[j].off + w->reg[j].len &&
			    w->reg[j].off < w->reg[i].off + w->reg[i].len)
				fail_msg("regions [%zu, +%zu) and [%zu, +%zu) overlap", w->reg[i].off,
					 w->reg[i].len, w->reg[j].off, w->reg[j].len);
	for (b = 0; b < w->used; b++) {
		bool covered = false;

		for (i = 0; i < w->nreg && !covered; i++)
			covered = b >= w->reg[i].off && b < w->reg[i].off + w->reg[i].len;
		if (!covered && w->buf[b] != 0)
			fail_msg("padding byte %zu is 0x%x, not 0", b, w->buf[b]);
	}
}

/* Checks the memory map against the expected entries. */
static void check_mmap(struct t_walk *w, const struct t_info *info, const struct t_range *want,
		       unsigned nwant)
{
	size_t off = to_off(w, info->mmap_addr, info->mmap_length);
	size_t pos = 0;
	unsigned n = 0;

	assert_int_equal(info->mmap_addr % 8, 0);
	add_region(w, off, info->mmap_length);
	while (pos < info->mmap_length) {
		struct t_mmap_body e;
		uint32_t size;

		assert_true(info->mmap_length - pos >= 4 + sizeof(e));
		memcpy(&size, w->buf + off + pos, 4);
		assert_int_equal(size, 20);
		memcpy(&e, w->buf + off + pos + 4, sizeof(e));
		assert_true(n < nwant);
		assert_int_equal(e.base_addr, want[n].base);
		assert_int_equal(e.length, want[n].length);
		assert_int_equal(e.type, want[n].type);
		pos += size + 4;
		n++;
	}
	assert_int_equal(pos, info->mmap_length);
	assert_int_equal(n, nwant);
}

/* Checks the module list against p's modules. */
static void check_modules(struct t_walk *w, const struct t_info *info,
			  const struct guest_boot_params *p)
{
	size_t off;
	unsigned i;

	if (!p->module_count) {
		assert_int_equal(info->flags & T_INFO_MODS, 0);
		assert_int_equal(info->mods_count, 0);
		assert_int_equal(info->mods_addr, 0);
		return;
	}
	assert_int_equal(info->flags & T_INFO_MODS, T_INFO_MODS);
	assert_int_equal(info->mods_count, p->module_count);
	assert_int_equal(info->mods_addr % 8, 0);
	off = to_off(w, info->mods_addr, (size_t)p->module_count * sizeof(struct t_module));
	add_region(w, off, (size_t)p->module_count * sizeof(struct t_module));
	for (i = 0; i < p->module_count; i++) {
		const struct guest_boot_module *pm = &p->modules[i];
		struct t_module m;

		memcpy(&m, w->buf + off + i * sizeof(m), sizeof(m));
		assert_int_equal(m.mod_start, pm->gpa_start);
		assert_int_equal(m.mod_end, pm->gpa_end);
		assert_int_equal(m.reserved, 0);
		assert_string_equal(read_string(w, m.string), pm->string ? pm->string : "");
	}
}

/* Returns the memory map a guest with ram_size bytes should see; sets *n. */
static unsigned expected_mmap(uint64_t ram_size, struct t_range *r)
{
	unsigned n = 0;
	uint64_t low = ram_size < 0xA0000 ? ram_size : 0xA0000;

	if (low)
		r[n++] = (struct t_range){ 0, low, T_MEM_AVAILABLE };
	r[n++] = (struct t_range){ 0xF0000, 0x10000, T_MEM_RESERVED };
	if (ram_size > MiB)
		r[n++] = (struct t_range){ MiB, ram_size - MiB, T_MEM_AVAILABLE };
	return n;
}

/* Walks a built block of used bytes at gpa and checks every field against p. */
static void check_block(const uint8_t *buf, size_t used, uint32_t gpa,
			const struct guest_boot_params *p)
{
	struct t_walk *w = calloc(1, sizeof(*w));
	struct t_range want[3];
	struct t_info info, zero;
	uint64_t upper;

	assert_non_null(w);
	w->buf = buf;
	w->used = used;
	w->gpa = gpa;
	assert_true(used >= sizeof(info));
	assert_int_equal(used % 8, 0);
	memcpy(&info, buf, sizeof(info));
	add_region(w, 0, sizeof(info));

	assert_int_equal(info.flags & ~T_INFO_MODS,
			 T_INFO_MEMORY | T_INFO_CMDLINE | T_INFO_MEM_MAP | T_INFO_LOADER_NAME);
	assert_int_equal(info.mem_lower, (p->ram_size < 0xA0000 ? p->ram_size : 0xA0000) / 1024);
	upper = p->ram_size > MiB ? (p->ram_size - MiB) / 1024 : 0;
	assert_int_equal(info.mem_upper, upper > UINT32_MAX ? UINT32_MAX : upper);
	assert_string_equal(read_string(w, info.cmdline), p->cmdline ? p->cmdline : "");
	assert_string_equal(read_string(w, info.boot_loader_name),
			    p->loader_name ? p->loader_name : "");
	check_modules(w, &info, p);
	check_mmap(w, &info, want, expected_mmap(p->ram_size, want));

	/* Every field this builder does not fill is 0. */
	memset(&zero, 0, sizeof(zero));
	zero.flags = info.flags;
	zero.mem_lower = info.mem_lower;
	zero.mem_upper = info.mem_upper;
	zero.cmdline = info.cmdline;
	zero.mods_count = info.mods_count;
	zero.mods_addr = info.mods_addr;
	zero.mmap_length = info.mmap_length;
	zero.mmap_addr = info.mmap_addr;
	zero.boot_loader_name = info.boot_loader_name;
	assert_memory_equal(&info, &zero, sizeof(info));

	check_regions(w);
	free(w);
}

/* Builds p into a bufsize heap buffer at gpa, checks the block and the untouched tail. */
static size_t build_and_check(const struct guest_boot_params *p, size_t bufsize, uint32_t gpa)
{
	uint8_t *buf = malloc(bufsize);
	size_t used, i;

	assert_non_null(buf);
	memset(buf, FILL, bufsize);
	used = guest_bootinfo_build(buf, bufsize, gpa, p);
	assert_true(used > 0 && used <= bufsize);
	assert_int_equal(used, guest_bootinfo_size(p));
	for (i = used; i < bufsize; i++)
		assert_int_equal(buf[i], FILL);
	check_block(buf, used, gpa, p);
	free(buf);
	return used;
}

static const struct guest_boot_module two_modules[2] = {
	{ 0x400000, 0x412345, "initrd.img root=/dev/ram0" },
	{ 0x413000, 0x413000, "" },
};

/* A typical block: 64 MiB, a command line, two modules. */
static void test_typical(void **state)
{
	const struct guest_boot_params p = {
		.ram_size = 64 * MiB,
		.cmdline = "console=ttyS0 quiet",
		.loader_name = "Umbra",
		.modules = two_modules,
		.module_count = 2,
	};
	uint8_t buf[1024];
	struct t_info info;
	size_t used;

	(void)state;
	used = build_and_check(&p, 4096, BUF_GPA);
	assert_true(used < sizeof(buf));

	/* Spot checks with literal values, on top of the walk. */
	memset(buf, FILL, sizeof(buf));
	assert_int_equal(guest_bootinfo_build(buf, sizeof(buf), BUF_GPA, &p), used);
	memcpy(&info, buf, sizeof(info));
	assert_int_equal(info.flags, 0x24d);
	assert_int_equal(info.mem_lower, 640);
	assert_int_equal(info.mem_upper, 64512);
	assert_int_equal(info.mods_count, 2);
	assert_int_equal(info.mmap_length, 3 * 24);
	assert_int_equal(info.mmap_addr, BUF_GPA + 120);
	assert_string_equal((const char *)buf + (info.boot_loader_name - BUF_GPA), "Umbra");
}

/* No modules: the MODS flag stays clear and both fields are 0. */
static void test_no_modules(void **state)
{
	const struct guest_boot_params p = {
		.ram_size = 128 * MiB,
		.cmdline = "",
		.loader_name = "Umbra",
	};
	uint8_t buf[512];
	struct t_info info;

	(void)state;
	build_and_check(&p, 512, BUF_GPA);
	assert_true(guest_bootinfo_build(buf, sizeof(buf), BUF_GPA, &p) > 0);
	memcpy(&info, buf, sizeof(info));
	assert_int_equal(info.flags, 0x245);
	assert_int_equal(info.mods_count, 0);
	assert_int_equal(info.mods_addr, 0);
}

/* NULL strings become empty strings, still pointed to. */
static void test_null_strings(void **state)
{
	const struct guest_boot_module mods[2] = {
		{ 0x200000, 0x201000, NULL },
		{ 0x300000, 0x300001, "x" },
	};
	const struct guest_boot_params p = {
		.ram_size = 16 * MiB,
		.modules = mods,
		.module_count = 2,
	};

	(void)state;
	build_and_check(&p, 1024, BUF_GPA);
}

/* The memory map and mem_* across RAM sizes, including tiny and huge ones. */
static void test_ram_sizes(void **state)
{
	static const uint64_t sizes[] = {
		0, 1, 1023, 1024, 512 * KiB, 0x9FFFF, 0xA0000, 0xA0001, 0xF0000, MiB - 1, MiB,
		MiB + 1, MiB + 1023, MiB + 1024, 64 * MiB, 4 * GiB - 1, 4 * GiB, 8 * GiB,
		(1ull << 42) + MiB - 1, (1ull << 42) + MiB, (1ull << 42) + MiB + 1024,
		(1ull << 42) + MiB + 2048, UINT64_MAX,
	};
	struct guest_boot_params p = { .cmdline = "c", .loader_name = "Umbra" };
	uint8_t buf[512];
	struct t_info info;
	unsigned i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		p.ram_size = sizes[i];
		build_and_check(&p, 512, BUF_GPA);
	}

	/* Literal values at the edges. */
	p.ram_size = MiB;
	assert_true(guest_bootinfo_build(buf, sizeof(buf), BUF_GPA, &p) > 0);
	memcpy(&info, buf, sizeof(info));
	assert_int_equal(info.mem_lower, 640);
	assert_int_equal(info.mem_upper, 0);
	assert_int_equal(info.mmap_length, 2 * 24);
	p.ram_size = 512 * KiB;
	assert_true(guest_bootinfo_build(buf, sizeof(buf), BUF_GPA, &p) > 0);
	memcpy(&info, buf, sizeof(info));
	assert_int_equal(info.mem_lower, 512);
	p.ram_size = 0;
	assert_true(guest_bootinfo_build(buf, sizeof(buf), BUF_GPA, &p) > 0);
	memcpy(&info, buf, sizeof(info));
	assert_int_equal(info.mem_lower, 0);
	assert_int_equal(info.mmap_length, 24);
	p.ram_size = (1ull << 42) + MiB + 1024;		/* 2^32 KiB above 1 MiB: saturates */
	assert_true(guest_bootinfo_build(buf, sizeof(buf), BUF_GPA, &p) > 0);
	memcpy(&info, buf, sizeof(info));
	assert_int_equal(info.mem_upper, 0xffffffffu);
	p.ram_size = (1ull << 42) + MiB - 1024;
	assert_true(guest_bootinfo_build(buf, sizeof(buf), BUF_GPA, &p) > 0);
	memcpy(&info, buf, sizeof(info));
	assert_int_equal(info.mem_upper, 0xffffffffu);
}

/* Many modules with distinct strings. */
static void test_many_modules(void **state)
{
	struct guest_boot_module mods[200];
	char names[200][32];
	struct guest_boot_params p = {
		.ram_size = 512 * MiB,
		.cmdline = "a fairly long command line with=some options and more=values",
		.loader_name = "Umbra",
		.modules = mods,
	};
	unsigned i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(mods); i++) {
		snprintf(names[i], sizeof(names[i]), "module-%u%.*s", i, (int)(i % 7), "xxxxxxx");
		mods[i].gpa_start = 0x1000000 + i * 0x10000;
		mods[i].gpa_end = mods[i].gpa_start + i * 3;
		mods[i].string = names[i];
	}
	for (p.module_count = 0; p.module_count <= ARRAY_SIZE(mods); p.module_count += 13)
		build_and_check(&p, 16384, 0x7000);
}

/* Every buffer size below the need returns 0 and leaves the buffer untouched; the need fits. */
static void test_buffer_too_small(void **state)
{
	const struct guest_boot_params p = {
		.ram_size = 64 * MiB,
		.cmdline = "console=ttyS0",
		.loader_name = "Umbra",
		.modules = two_modules,
		.module_count = 2,
	};
	size_t need = guest_bootinfo_size(&p), n, i;
	uint8_t *buf;

	(void)state;
	assert_true(need > 116);
	for (n = 0; n < need; n++) {
		buf = malloc(n ? n : 1);
		assert_non_null(buf);
		memset(buf, FILL, n ? n : 1);
		assert_int_equal(guest_bootinfo_build(buf, n, BUF_GPA, &p), 0);
		for (i = 0; i < (n ? n : 1); i++)
			assert_int_equal(buf[i], FILL);
		free(buf);
	}
	assert_int_equal(build_and_check(&p, need, BUF_GPA), need);	/* exact size */
}

/* Invalid parameters give 0 from both functions and leave the buffer alone. */
static void test_invalid_params(void **state)
{
	const struct guest_boot_module backwards[1] = { { 0x200001, 0x200000, "m" } };
	struct guest_boot_params p = { .ram_size = 64 * MiB, .loader_name = "Umbra" };
	uint8_t buf[512];
	size_t i;

	(void)state;
	memset(buf, FILL, sizeof(buf));
	assert_int_equal(guest_bootinfo_size(NULL), 0);
	assert_int_equal(guest_bootinfo_build(buf, sizeof(buf), BUF_GPA, NULL), 0);
	assert_int_equal(guest_bootinfo_build(NULL, sizeof(buf), BUF_GPA, &p), 0);
	assert_int_equal(guest_bootinfo_build(buf, sizeof(buf), BUF_GPA + 4, &p), 0);
	assert_int_equal(guest_bootinfo_build(buf, sizeof(buf), BUF_GPA + 1, &p), 0);
	p.module_count = 1;
	assert_int_equal(guest_bootinfo_size(&p), 0);
	assert_int_equal(guest_bootinfo_build(buf, sizeof(buf), BUF_GPA, &p), 0);
	p.modules = backwards;
	assert_int_equal(guest_bootinfo_size(&p), 0);
	assert_int_equal(guest_bootinfo_build(buf, sizeof(buf), BUF_GPA, &p), 0);
	for (i = 0; i < sizeof(buf); i++)
		assert_int_equal(buf[i], FILL);
}

/* The block may end exactly at 4 GiB but not cross it. */
static void test_below_4g(void **state)
{
	const struct guest_boot_params p = {
		.ram_size = 8 * GiB,
		.cmdline = "x",
		.loader_name = "Umbra",
		.modules = two_modules,
		.module_count = 2,
	};
	size_t need = guest_bootinfo_size(&p);
	uint32_t top = (uint32_t)(4 * GiB - need);
	uint8_t buf[1024];

	(void)state;
	assert_true(need <= sizeof(buf));
	build_and_check(&p, need, top);
	assert_int_equal(guest_bootinfo_build(buf, sizeof(buf), top + 8, &p), 0);
	assert_int_equal(guest_bootinfo_build(buf, sizeof(buf), 0xfffffff8u, &p), 0);
	build_and_check(&p, need, 0);
}

/* Moving the block changes every pointer by the distance moved, and nothing else. */
static void test_relocation(void **state)
{
	const struct guest_boot_params p = {
		.ram_size = 32 * MiB,
		.cmdline = "root=/dev/sda1",
		.loader_name = "Umbra",
		.modules = two_modules,
		.module_count = 2,
	};
	uint8_t a[1024], b[1024];
	struct t_info ia, ib;
	struct t_module ma, mb;
	size_t na, nb;
	unsigned i;

	(void)state;
	na = guest_bootinfo_build(a, sizeof(a), 0x1000, &p);
	nb = guest_bootinfo_build(b, sizeof(b), 0x7ff000, &p);
	assert_true(na > 0);
	assert_int_equal(na, nb);
	memcpy(&ia, a, sizeof(ia));
	memcpy(&ib, b, sizeof(ib));
	assert_int_equal(ib.cmdline - ia.cmdline, 0x7fe000);
	assert_int_equal(ib.mods_addr - ia.mods_addr, 0x7fe000);
	assert_int_equal(ib.mmap_addr - ia.mmap_addr, 0x7fe000);
	assert_int_equal(ib.boot_loader_name - ia.boot_loader_name, 0x7fe000);
	for (i = 0; i < 2; i++) {
		memcpy(&ma, a + (ia.mods_addr - 0x1000) + i * 16, 16);
		memcpy(&mb, b + (ib.mods_addr - 0x7ff000) + i * 16, 16);
		assert_int_equal(mb.string - ma.string, 0x7fe000);
	}
	/* With the pointers equalised the blocks are identical. */
	ib.cmdline = ia.cmdline;
	ib.mods_addr = ia.mods_addr;
	ib.mmap_addr = ia.mmap_addr;
	ib.boot_loader_name = ia.boot_loader_name;
	memcpy(b, &ib, sizeof(ib));
	for (i = 0; i < 2; i++)
		memcpy(b + (ib.mods_addr - 0x1000) + i * 16 + 8,
		       a + (ia.mods_addr - 0x1000) + i * 16 + 8, 4);
	assert_memory_equal(a, b, na);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_typical),
		cmocka_unit_test(test_no_modules),
		cmocka_unit_test(test_null_strings),
		cmocka_unit_test(test_ram_sizes),
		cmocka_unit_test(test_many_modules),
		cmocka_unit_test(test_buffer_too_small),
		cmocka_unit_test(test_invalid_params),
		cmocka_unit_test(test_below_4g),
		cmocka_unit_test(test_relocation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
