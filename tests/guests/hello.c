/* hello: the multiboot hand-over: magic, entry state, and the information block Umbra builds. */
#include "guest.h"
#include "lib/string.h"

/* Keep in step with tests/emu/tests_guest.py, which passes it in the module string. */
/* The module string after "guest": its first word names the program, as GRUB's path does. */
#define EXPECTED_CMDLINE	"hello hello-arg=42 second"
/* The module the harness passes after the guest, and what it holds. */
#define EXPECTED_MODULE_STRING	"payload two words"
#define EXPECTED_MODULE_DATA	"Umbra guest module payload\n"
#define EXPECTED_LOADER		"Umbra"

/* The contract's guest RAM: [0, 640 KiB) and [1 MiB, guest_mem). */
#define LOW_RAM_END		0xa0000
#define HIGH_RAM_START		0x100000

/* MODS is not among them: Umbra sets it only when it passes modules. */
#define MB1_INFO_REQUIRED	(MB1_INFO_MEMORY | MB1_INFO_CMDLINE | MB1_INFO_MEM_MAP | MB1_INFO_BOOT_LOADER_NAME)

/* The RAM the contract promises, from mem_upper: [0, 640K) and [1M, 1M + mem_upper KiB). */
static bool in_guest_ram(uint64_t start, uint64_t end)
{
	uint64_t high_end = HIGH_RAM_START + (uint64_t)boot_info->mem_upper * 1024;

	if (end < start)
		return false;
	return end <= LOW_RAM_END || (start >= HIGH_RAM_START && end <= high_end);
}

static bool overlaps_image(uint64_t start, uint64_t end)
{
	return start < (uint32_t)image_end && end > (uint32_t)image_start;
}

static void check_entry_state(void)
{
	CHECK(!(boot_eflags & RFLAGS_IF), "EFLAGS.IF clear at entry (eflags 0x%x)", boot_eflags);
	CHECK(!(boot_eflags & RFLAGS_VM), "EFLAGS.VM clear at entry");
	CHECK((boot_cr0 & (CR0_PE | CR0_PG)) == CR0_PE,
	      "protected mode without paging at entry (cr0 0x%x)", boot_cr0);
}

static void check_info_block(void)
{
	const struct mb1_info *mbi = boot_info;
	uint32_t mbi_addr = (uint32_t)mbi;

	CHECK(in_guest_ram(mbi_addr, mbi_addr + sizeof(*mbi)) &&
	      !overlaps_image(mbi_addr, mbi_addr + sizeof(*mbi)),
	      "information block at 0x%x is in guest RAM, clear of the image", mbi_addr);
	CHECK_EQ(mbi->flags & MB1_INFO_REQUIRED, MB1_INFO_REQUIRED,
		 "flags 0x%x have mem, cmdline, mmap and loader name", mbi->flags);
	CHECK_EQ(mbi->mem_lower, LOW_RAM_END / 1024, "mem_lower is 640 KiB");
	CHECK(mbi->mem_upper >= 1024, "mem_upper is %u KiB (guest RAM %u MiB)",
	      mbi->mem_upper, mbi->mem_upper / 1024 + 1);
}

/* Copies a string of the information block, checking it lies in guest RAM. */
static bool info_string(uint32_t addr, char *buf, size_t size)
{
	const char *s = (const char *)addr;
	size_t len = strnlen(s, size);

	if (!addr || len == size || !in_guest_ram(addr, addr + len + 1))
		return false;
	memcpy(buf, s, len + 1);
	return true;
}

static void check_strings(void)
{
	char buf[256];

	if (CHECK(info_string(boot_info->cmdline, buf, sizeof(buf)),
		  "cmdline is a string in guest RAM")) {
		gprintf("cmdline: \"%s\"\n", buf);
		CHECK(!strcmp(buf, EXPECTED_CMDLINE), "cmdline is \"%s\"", EXPECTED_CMDLINE);
	}
	if (CHECK(info_string(boot_info->boot_loader_name, buf, sizeof(buf)),
		  "boot_loader_name is a string in guest RAM")) {
		gprintf("boot loader: \"%s\"\n", buf);
		CHECK(!strcmp(buf, EXPECTED_LOADER), "boot loader name is \"%s\"", EXPECTED_LOADER);
	}
}

static void check_modules(void)
{
	const struct mb1_module *mods = (const void *)boot_info->mods_addr;
	uint32_t n = boot_info->mods_count;

	gprintf("%u modules\n", n);
	if (!n)
		return;
	if (!CHECK(in_guest_ram(boot_info->mods_addr, boot_info->mods_addr + n * sizeof(*mods)),
		   "module list in guest RAM"))
		return;
	for (uint32_t i = 0; i < n; i++)
		CHECK(in_guest_ram(mods[i].mod_start, mods[i].mod_end) &&
		      !overlaps_image(mods[i].mod_start, mods[i].mod_end),
		      "module %u at 0x%x-0x%x is in guest RAM, clear of the image",
		      i, mods[i].mod_start, mods[i].mod_end);
	CHECK(mods[0].string && !strcmp((const char *)mods[0].string, EXPECTED_MODULE_STRING),
	      "module 0 string is \"%s\"", EXPECTED_MODULE_STRING);
	CHECK(mods[0].mod_end - mods[0].mod_start == sizeof(EXPECTED_MODULE_DATA) - 1 &&
	      !memcmp((const void *)mods[0].mod_start, EXPECTED_MODULE_DATA,
		      sizeof(EXPECTED_MODULE_DATA) - 1),
	      "module 0 holds its file's %u bytes", (unsigned)sizeof(EXPECTED_MODULE_DATA) - 1);
	CHECK(!(mods[0].mod_start & 0xfff), "module 0 starts on a page boundary");
}

/* What the memory map says about the two RAM ranges and the hole between them. */
struct mmap_summary {
	bool low_ram;		/* an available entry is exactly [0, 640K) */
	bool high_ram;		/* an available entry is exactly [1M, 1M + mem_upper KiB) */
	bool ram_in_hole;	/* an available entry overlaps [640K, 1M) */
	unsigned int entries;
};

static void summarize_entry(const struct mb1_mmap_entry *e, struct mmap_summary *s)
{
	uint64_t end = e->base_addr + e->length;
	uint64_t high_len = (uint64_t)boot_info->mem_upper * 1024;

	gprintf("mmap: %016llx-%016llx type %u\n", (unsigned long long)e->base_addr,
		(unsigned long long)end, e->type);
	s->entries++;
	if (e->type != MB1_MEMORY_AVAILABLE)
		return;
	if (e->base_addr == 0 && e->length == LOW_RAM_END)
		s->low_ram = true;
	if (e->base_addr == HIGH_RAM_START && e->length == high_len)
		s->high_ram = true;
	if (e->base_addr < HIGH_RAM_START && end > LOW_RAM_END)
		s->ram_in_hole = true;
}

static void check_mmap(void)
{
	uint32_t addr = boot_info->mmap_addr, end = addr + boot_info->mmap_length;
	struct mmap_summary s = { 0 };

	if (!CHECK(boot_info->mmap_length && in_guest_ram(addr, end),
		   "memory map (%u bytes) in guest RAM", boot_info->mmap_length))
		return;
	while (addr + sizeof(uint32_t) <= end) {
		const struct mb1_mmap_entry *e = (const void *)addr;

		if (e->size < sizeof(*e) - sizeof(e->size) || addr + e->size + 4 > end)
			break;
		summarize_entry(e, &s);
		addr += e->size + 4;
	}
	CHECK_EQ(addr, end, "memory map entries fill mmap_length exactly");
	CHECK(s.low_ram, "memory map has RAM at 0-640 KiB");
	CHECK(s.high_ram, "memory map has RAM at 1 MiB-%u MiB, matching mem_upper",
	      boot_info->mem_upper / 1024 + 1);
	CHECK(!s.ram_in_hole, "memory map has no RAM between 640 KiB and 1 MiB");
}

void guest_main(void)
{
	gprintf("hello from an Umbra guest\n");
	CHECK_EQ(boot_magic, MB1_BOOTLOADER_MAGIC, "multiboot magic 0x2badb002 in EAX");
	check_entry_state();
	check_info_block();
	if (boot_info->flags & MB1_INFO_CMDLINE)
		check_strings();
	if (boot_info->flags & MB1_INFO_MODS)
		check_modules();
	if (boot_info->flags & MB1_INFO_MEM_MAP)
		check_mmap();
}
