/*
 * Fuzz target: the multiboot2 information parser (boot/multiboot2.c).
 *
 * Input: the information block itself, in an exact-size heap buffer so that ASan sees any
 * read past it. A total_size larger than the input is lowered to the input's size (the parser
 * may read total_size bytes: that is its contract). Checks, on success, that everything
 * boot_info points at lies inside the block and that every string ends inside it, that the
 * counts respect their arrays, and that the documented rules (mod_start <= mod_end, one RSDP
 * kind, EFI pointer width) hold; on failure, that the reason is a terminated, non-empty line
 * and that the result is the empty state. The parse also runs with a tiny error buffer.
 */
#include "tests/fuzz/fuzz.h"

#include "boot/boot_info.h"
#include "boot/multiboot2.h"

static const uint8_t *blk;
static size_t blk_len;

/* True when [p, p + len) lies inside the block. */
static bool inside(const void *p, size_t len)
{
	uintptr_t a = (uintptr_t)p, b = (uintptr_t)blk;

	return a >= b && a - b <= blk_len && len <= blk_len - (a - b);
}

/* A string boot_info hands out: "" (a constant) or NUL-terminated inside the block. */
static void check_string(const char *s, const char *what)
{
	FUZZ_CHECK(s != NULL, "%s is NULL", what);
	if (!inside(s, 0)) {
		FUZZ_CHECK(*s == '\0', "%s points outside the block", what);
		return;
	}
	FUZZ_CHECK(memchr(s, '\0', blk_len - (size_t)((const uint8_t *)s - blk)) != NULL,
		   "%s runs past the block", what);
}

static void check_empty(const struct boot_info *bi)
{
	FUZZ_CHECK(bi->cmdline && !*bi->cmdline && bi->loader_name && !*bi->loader_name,
		   "strings not reset after a failure");
	FUZZ_CHECK(bi->module_count == 0 && bi->mem_count == 0 && !bi->acpi_rsdp &&
		   !bi->have_basic_meminfo && bi->efi_bits == 0, "result not reset after a failure");
}

static void check_info(const struct boot_info *bi, uint32_t total)
{
	FUZZ_CHECK(bi->mbi_start == (uintptr_t)blk && bi->mbi_end == (uintptr_t)blk + total,
		   "block range");
	check_string(bi->cmdline, "cmdline");
	check_string(bi->loader_name, "loader_name");
	FUZZ_CHECK(bi->mem_count <= BOOT_MAX_MEM_RANGES, "mem_count %u", bi->mem_count);
	FUZZ_CHECK(bi->module_count <= BOOT_MAX_MODULES, "module_count %u", bi->module_count);
	FUZZ_CHECK(!bi->modules_truncated || bi->module_count == BOOT_MAX_MODULES, "truncation");
	FUZZ_CHECK(!bi->mem_truncated || bi->mem_count == BOOT_MAX_MEM_RANGES, "truncation");
	for (unsigned i = 0; i < bi->module_count; i++) {
		FUZZ_CHECK(bi->modules[i].start <= bi->modules[i].end, "module %u ends first", i);
		FUZZ_CHECK(bi->modules[i].end <= UINT32_MAX, "module %u above 4 GiB", i);
		FUZZ_CHECK(inside(bi->modules[i].string, 1), "module %u string outside", i);
		check_string(bi->modules[i].string, "module string");
	}
	FUZZ_CHECK(bi->acpi_revision_tag <= 2, "RSDP tag %u", bi->acpi_revision_tag);
	FUZZ_CHECK((bi->acpi_rsdp != NULL) == (bi->acpi_revision_tag != 0), "RSDP and its tag");
	if (bi->acpi_rsdp)
		FUZZ_CHECK(inside(bi->acpi_rsdp, bi->acpi_rsdp_len), "RSDP copy outside the block");
	FUZZ_CHECK(bi->efi_bits == 0 || bi->efi_bits == 32 || bi->efi_bits == 64, "efi_bits %u",
		   bi->efi_bits);
	if (bi->efi_bits == 32)
		FUZZ_CHECK(bi->efi_system_table <= UINT32_MAX, "32-bit EFI pointer too wide");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct boot_info bi;
	char err[160];
	uint32_t total;
	uint8_t *buf;
	int r;

	if (size < 8 || size > MB2_MAX_INFO_SIZE)
		return 0;
	buf = malloc(size);	/* 16-byte aligned, as the parser requires 8 */
	memcpy(buf, data, size);
	memcpy(&total, buf, 4);
	if (total > size) {
		total = (uint32_t)size;
		memcpy(buf, &total, 4);
	}
	blk = buf;
	blk_len = size;

	memset(err, 'x', sizeof(err));
	r = mb2_parse(buf, &bi, err, sizeof(err));
	FUZZ_CHECK(r == 0 || r == -1, "returned %d", r);
	FUZZ_CHECK(memchr(err, '\0', sizeof(err)) != NULL, "reason not terminated");
	if (r == 0) {
		FUZZ_CHECK(err[0] == '\0', "reason on success: %s", err);
		check_info(&bi, total);
	} else {
		FUZZ_CHECK(err[0] != '\0', "no reason given");
		check_empty(&bi);
	}

	/* The same with a 3-byte error buffer (exact size on the heap), and with none. */
	char *tiny = malloc(3);
	int r2 = mb2_parse(buf, &bi, tiny, 3);

	FUZZ_CHECK(r2 == r && memchr(tiny, '\0', 3), "tiny error buffer changed the outcome");
	free(tiny);
	FUZZ_CHECK(mb2_parse(buf, &bi, NULL, 0) == r, "no error buffer changed the outcome");
	free(buf);
	return 0;
}
