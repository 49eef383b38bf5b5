/*
 * Host unit tests for the UEFI memory map conversion (boot/efi/uefi_mmap.c) and the multiboot2
 * information umbra.efi builds from it (boot/efi/mb2_build.c), read back with Umbra's own parser.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "boot/boot_info.h"
#include "boot/efi/mb2_build.h"
#include "boot/efi/uefi_mmap.h"

#define DESC_SIZE	48	/* OVMF's DescriptorSize: larger than the structure */
#define MAX_DESC	16

static uint8_t map[MAX_DESC * DESC_SIZE];
static size_t map_size;

static void add(uint32_t type, uint64_t start, uint64_t pages)
{
	struct uefi_mem_desc d = { .type = type, .physical_start = start, .number_of_pages = pages };

	assert_true(map_size + DESC_SIZE <= sizeof(map));
	memset(map + map_size, 0xee, DESC_SIZE);
	memcpy(map + map_size, &d, sizeof(d));
	map_size += DESC_SIZE;
}

static int setup(void **state)
{
	(void)state;
	map_size = 0;
	return 0;
}

static void test_types(void **state)
{
	(void)state;
	assert_int_equal(uefi_mem_type_to_mb2(UEFI_CONVENTIONAL_MEMORY), MB2_MEMORY_AVAILABLE);
	assert_int_equal(uefi_mem_type_to_mb2(UEFI_LOADER_CODE), MB2_MEMORY_AVAILABLE);
	assert_int_equal(uefi_mem_type_to_mb2(UEFI_LOADER_DATA), MB2_MEMORY_AVAILABLE);
	assert_int_equal(uefi_mem_type_to_mb2(UEFI_BOOT_SERVICES_CODE), MB2_MEMORY_AVAILABLE);
	assert_int_equal(uefi_mem_type_to_mb2(UEFI_BOOT_SERVICES_DATA), MB2_MEMORY_AVAILABLE);
	assert_int_equal(uefi_mem_type_to_mb2(UEFI_ACPI_RECLAIM_MEMORY), MB2_MEMORY_ACPI_RECLAIMABLE);
	assert_int_equal(uefi_mem_type_to_mb2(UEFI_ACPI_MEMORY_NVS), MB2_MEMORY_NVS);
	assert_int_equal(uefi_mem_type_to_mb2(UEFI_UNUSABLE_MEMORY), MB2_MEMORY_BADRAM);
	assert_int_equal(uefi_mem_type_to_mb2(UEFI_RESERVED_MEMORY), MB2_MEMORY_RESERVED);
	assert_int_equal(uefi_mem_type_to_mb2(UEFI_RUNTIME_SERVICES_CODE), MB2_MEMORY_RESERVED);
	assert_int_equal(uefi_mem_type_to_mb2(UEFI_RUNTIME_SERVICES_DATA), MB2_MEMORY_RESERVED);
	assert_int_equal(uefi_mem_type_to_mb2(UEFI_MEMORY_MAPPED_IO), MB2_MEMORY_RESERVED);
	assert_int_equal(uefi_mem_type_to_mb2(UEFI_MEMORY_MAPPED_IO_PORT), MB2_MEMORY_RESERVED);
	assert_int_equal(uefi_mem_type_to_mb2(UEFI_PAL_CODE), MB2_MEMORY_RESERVED);
	assert_int_equal(uefi_mem_type_to_mb2(UEFI_PERSISTENT_MEMORY), MB2_MEMORY_RESERVED);
	assert_int_equal(uefi_mem_type_to_mb2(UEFI_UNACCEPTED_MEMORY), MB2_MEMORY_RESERVED);
	assert_int_equal(uefi_mem_type_to_mb2(0x70000001), MB2_MEMORY_RESERVED);	/* OEM */
	assert_int_equal(uefi_mem_type_to_mb2(0x80000001), MB2_MEMORY_RESERVED);	/* OS */
}

/* Unsorted input, free types that touch merged, gaps and type changes kept, empty dropped. */
static void test_sort_and_coalesce(void **state)
{
	struct mb2_mmap_entry e[MAX_DESC];

	(void)state;
	add(UEFI_BOOT_SERVICES_DATA, 0x100000, 0x100);		/* 1 MiB .. 2 MiB */
	add(UEFI_CONVENTIONAL_MEMORY, 0x0, 0xa0);		/* 0 .. 640 KiB */
	add(UEFI_LOADER_CODE, 0x200000, 0x10);			/* touches the one at 1 MiB */
	add(UEFI_RESERVED_MEMORY, 0xa0000, 0x0);		/* empty */
	add(UEFI_RUNTIME_SERVICES_DATA, 0x210000, 0x10);	/* touches, other type */
	add(UEFI_CONVENTIONAL_MEMORY, 0x300000, 0x10);		/* gap before it */
	add(UEFI_ACPI_RECLAIM_MEMORY, 0x310000, 0x1);
	add(UEFI_ACPI_RECLAIM_MEMORY, 0x311000, 0x1);
	assert_int_equal(uefi_mmap_convert(map, map_size, DESC_SIZE, e, MAX_DESC), 5);
	assert_int_equal(e[0].base_addr, 0);
	assert_int_equal(e[0].length, 0xa0000);
	assert_int_equal(e[0].type, MB2_MEMORY_AVAILABLE);
	assert_int_equal(e[1].base_addr, 0x100000);
	assert_int_equal(e[1].length, 0x110000);
	assert_int_equal(e[1].type, MB2_MEMORY_AVAILABLE);
	assert_int_equal(e[2].base_addr, 0x210000);
	assert_int_equal(e[2].type, MB2_MEMORY_RESERVED);
	assert_int_equal(e[3].base_addr, 0x300000);
	assert_int_equal(e[3].length, 0x10000);
	assert_int_equal(e[4].base_addr, 0x310000);
	assert_int_equal(e[4].length, 0x2000);
	assert_int_equal(e[4].type, MB2_MEMORY_ACPI_RECLAIMABLE);
	assert_int_equal(e[4].reserved, 0);
}

static void test_bad_maps(void **state)
{
	struct mb2_mmap_entry e[MAX_DESC];

	(void)state;
	add(UEFI_CONVENTIONAL_MEMORY, 0x0, 0x10);
	add(UEFI_CONVENTIONAL_MEMORY, 0x100000, 0x10);
	assert_int_equal(uefi_mmap_convert(map, map_size, 32, e, MAX_DESC), -1);	/* too small */
	assert_int_equal(uefi_mmap_convert(map, map_size - 8, DESC_SIZE, e, MAX_DESC), -1);
	assert_int_equal(uefi_mmap_convert(map, map_size, DESC_SIZE, e, 1), -1);	/* no room */
	add(UEFI_CONVENTIONAL_MEMORY, 0xfffffffffffff000ull, 0x1);			/* to 2^64 */
	assert_int_equal(uefi_mmap_convert(map, map_size, DESC_SIZE, e, MAX_DESC), -1);
}

/* The framebuffer tag as Multiboot2 spec 3.6.12 lays it out: colour info at offset 32. */
static void check_framebuffer_tag(const uint8_t *mbi)
{
	uint32_t total, type, size;

	memcpy(&total, mbi, 4);
	for (uint32_t off = 8; off < total; off += (size + 7) & ~7u) {
		memcpy(&type, mbi + off, 4);
		memcpy(&size, mbi + off + 4, 4);
		if (type != MB2_TAG_FRAMEBUFFER)
			continue;
		assert_int_equal(size, 38);
		assert_int_equal(mbi[off + 28], 32);	/* bpp */
		assert_int_equal(mbi[off + 29], 1);	/* direct RGB */
		assert_memory_equal(mbi + off + 32, "\x10\x08\x08\x08\x00\x08", 6);
		return;
	}
	fail_msg("no framebuffer tag");
}

/* An OVMF-like map with everything else umbra.efi gathers, parsed back by boot/multiboot2.c. */
static void test_round_trip(void **state)
{
	uint8_t rsdp[36] = "RSD PTR ";
	struct mb2b_input in = {
		.cmdline = "debug_exit=on loglevel=info",
		.loader_name = "umbra.efi",
		.modules = { { 0x7000000, 0x7001234, "guest demo" }, { 0x7002000, 0x7002001, "x" } },
		.module_count = 2,
		.rsdp = rsdp, .rsdp_v2 = true,
		.efi_system_table = 0x7f9ee018,
		.have_framebuffer = true,
		.fb = { .addr = 0x80000000, .pitch = 4096, .width = 1024, .height = 768, .bpp = 32,
			.red_pos = 16, .red_size = 8, .green_pos = 8, .green_size = 8,
			.blue_pos = 0, .blue_size = 8 },
	};
	struct boot_info bi;
	char err[160] = "";
	size_t size, cap;
	uint8_t *buf;

	(void)state;
	rsdp[15] = 2;
	rsdp[20] = 36;
	add(UEFI_BOOT_SERVICES_CODE, 0x0, 0x1);
	add(UEFI_CONVENTIONAL_MEMORY, 0x1000, 0x9f);
	add(UEFI_CONVENTIONAL_MEMORY, 0x100000, 0x700);
	add(UEFI_ACPI_MEMORY_NVS, 0x800000, 0x8);
	add(UEFI_LOADER_DATA, 0x808000, 0x100);
	add(UEFI_MEMORY_MAPPED_IO, 0xffc00000, 0x400);
	in.efi_map = map;
	in.efi_map_size = map_size;
	in.efi_desc_size = DESC_SIZE;
	in.efi_desc_version = 1;
	cap = mb2b_size_bound(map_size / DESC_SIZE, DESC_SIZE, 200);
	buf = aligned_alloc(8, cap);
	assert_non_null(buf);
	size = mb2b_build(buf, cap, &in, err, sizeof(err));
	assert_string_equal(err, "");
	assert_true(size > 0 && size <= cap);
	assert_int_equal(mb2_parse(buf, &bi, err, sizeof(err)), 0);
	assert_string_equal(bi.cmdline, "debug_exit=on loglevel=info");
	assert_string_equal(bi.loader_name, "umbra.efi");
	assert_int_equal(bi.module_count, 2);
	assert_int_equal(bi.modules[0].start, 0x7000000);
	assert_int_equal(bi.modules[0].end, 0x7001234);
	assert_string_equal(bi.modules[0].string, "guest demo");
	assert_string_equal(bi.modules[1].string, "x");
	assert_int_equal(bi.mem_count, 5);	/* 0-640K, 1M-8M, NVS, loader data, MMIO */
	assert_true(bi.have_basic_meminfo);
	assert_int_equal(bi.mem_lower_kib, 640);
	assert_int_equal(bi.mem_upper_kib, 7 * 1024);
	assert_int_equal(bi.acpi_revision_tag, 2);
	assert_int_equal(bi.acpi_rsdp_len, 36);
	assert_int_equal(bi.efi_bits, 64);
	assert_int_equal(bi.efi_system_table, 0x7f9ee018);
	assert_false(bi.efi_boot_services_active);
	assert_true(bi.have_efi_memory_map);
	assert_true(bi.have_framebuffer);
	assert_int_equal(bi.unknown_tags, 0);
	check_framebuffer_tag(buf);

	/* Too small a buffer is refused with a reason, never overrun. */
	memset(err, 0, sizeof(err));
	assert_int_equal(mb2b_build(buf, size - 8, &in, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "does not fit"));
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_types),
		cmocka_unit_test_setup(test_sort_and_coalesce, setup),
		cmocka_unit_test_setup(test_bad_maps, setup),
		cmocka_unit_test_setup(test_round_trip, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
