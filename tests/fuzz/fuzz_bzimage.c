/*
 * Fuzz target: the bzImage setup-header parser (guest/loader/bzimage.c) and the Linux boot
 * plan built on it (guest/loader/linux.c: placement, boot_params, e820).
 *
 * Input: a byte choosing the guest's RAM size, a 32-bit initramfs size, a NUL-terminated
 * command line, then the image, parsed from an exact-size heap copy. Checks that a parse that
 * succeeds delivers what bzimage.h promises (signatures, protocol 2.06+, setup and kernel inside
 * the file, header end, LOADED_HIGH, alignments, cmdline_size, payload, pref_address,
 * init_size) and matches the header's own bytes, that a failure zeroes *out and says why, and
 * that detection agrees. For a parsed image, linux_plan()'s layout must keep to linux.h's rules
 * (kernel in [1 MiB, RAM) below 4 GiB at pref_address or aligned above it, command line within
 * cmdline_size, initramfs page aligned above the kernel and below initrd_addr_max, RAM and
 * 4 GiB), and the zero page must carry the header and the loader's fields.
 */
#include "tests/fuzz/fuzz.h"

#include "guest/loader/bzimage.h"
#include "guest/loader/linux.h"

#define MIB (1ull << 20)

static uint64_t le(const uint8_t *img, size_t size, size_t off, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < n && off + i < size; i++)
		v |= (uint64_t)img[off + i] << (8 * i);
	return v;
}

static void check_parsed(const uint8_t *img, size_t size, const struct bzimage *bz)
{
	unsigned sects = (unsigned)le(img, size, BZ_SETUP_SECTS, 1);

	FUZZ_CHECK(bz->version >= BZ_MIN_VERSION && bz->version == le(img, size, BZ_VERSION, 2),
		   "version %#x", bz->version);
	FUZZ_CHECK(le(img, size, BZ_BOOT_FLAG, 2) == BZ_BOOT_FLAG_MAGIC &&
		   le(img, size, BZ_HEADER, 4) == BZ_HEADER_MAGIC && img[BZ_JUMP] == BZ_JUMP_OPCODE,
		   "signatures");
	FUZZ_CHECK(bz->setup_sects == (sects ? sects : BZ_DEFAULT_SETUP_SECTS), "setup_sects");
	FUZZ_CHECK(bz->kernel_offset == (bz->setup_sects + 1ull) * BZ_SECTOR, "kernel offset");
	FUZZ_CHECK(bz->kernel_size == le(img, size, BZ_SYSSIZE, 4) * 16 &&
		   bz->kernel_offset <= size && bz->kernel_size <= size - bz->kernel_offset,
		   "kernel %#llx+%#llx in %zu bytes", (unsigned long long)bz->kernel_offset,
		   (unsigned long long)bz->kernel_size, size);
	FUZZ_CHECK(bz->header_end == 0x202u + img[BZ_JUMP + 1] && bz->header_end <= BZ_HDR_MAX_END &&
		   bz->header_end <= size, "header end %#x", bz->header_end);
	FUZZ_CHECK((bz->loadflags & BZ_LOADED_HIGH) && bz->loadflags == img[BZ_LOADFLAGS], "loadflags");
	FUZZ_CHECK(bz->code32_start == le(img, size, BZ_CODE32_START, 4), "code32_start");
	FUZZ_CHECK(bz->cmdline_size != 0 && bz->cmdline_size == le(img, size, BZ_CMDLINE_SIZE, 4),
		   "cmdline_size");
	FUZZ_CHECK(bz->min_alignment < 32, "min_alignment %u", bz->min_alignment);
	if (bz->relocatable)
		FUZZ_CHECK(bz->kernel_alignment && !(bz->kernel_alignment & (bz->kernel_alignment - 1)) &&
			   bz->kernel_alignment >= (1u << bz->min_alignment), "kernel_alignment %#x",
			   bz->kernel_alignment);
	if (bz->version >= 0x0208)
		FUZZ_CHECK(bz->payload_offset <= bz->kernel_size &&
			   bz->payload_length <= bz->kernel_size - bz->payload_offset, "payload");
	if (bz->version >= 0x020a)
		FUZZ_CHECK(bz->pref_address < (4ull << 30) &&
			   bz->pref_address == le(img, size, BZ_PREF_ADDRESS, 8), "pref_address");
	else
		FUZZ_CHECK(bz->pref_address == BZ_LOW_LOAD_ADDR, "pref_address before 2.10");
	FUZZ_CHECK(bz->init_size >= bz->kernel_size, "init_size below the code");
	FUZZ_CHECK(bzimage_compression_name(bz->compression) != NULL, "compression name");
}

static void check_plan(const uint8_t *img, const struct bzimage *bz, uint64_t ram, const char *cmdline,
		       uint64_t initrd_size)
{
	struct linux_layout l;
	char err[160];
	int r = linux_plan(bz, ram, cmdline, initrd_size, &l, err, sizeof(err));

	FUZZ_CHECK(r == 0 || (r == -1 && err[0]), "plan returned %d", r);
	if (r)
		return;
	FUZZ_CHECK(l.kernel_gpa >= MIB && l.kernel_gpa <= l.kernel_end && l.kernel_end <= ram &&
		   l.kernel_end <= (4ull << 30), "kernel [%#llx, %#llx) in %#llx of RAM",
		   (unsigned long long)l.kernel_gpa, (unsigned long long)l.kernel_end,
		   (unsigned long long)ram);
	FUZZ_CHECK(l.kernel_end - l.kernel_gpa >= bz->kernel_size &&
		   l.kernel_end - l.kernel_gpa >= bz->init_size, "kernel span");
	if (bz->relocatable)
		FUZZ_CHECK(l.kernel_gpa >= bz->pref_address && l.kernel_gpa % bz->kernel_alignment == 0,
			   "relocatable kernel at %#llx", (unsigned long long)l.kernel_gpa);
	else
		FUZZ_CHECK(l.kernel_gpa == bz->pref_address, "fixed kernel not at pref_address");
	FUZZ_CHECK(l.cmdline_len == strlen(cmdline) && l.cmdline_len <= bz->cmdline_size, "cmdline");
	if (initrd_size) {
		FUZZ_CHECK(l.initrd_size == initrd_size && l.initrd_gpa % 4096 == 0 &&
			   l.initrd_gpa >= l.kernel_end && l.initrd_gpa + initrd_size <= ram &&
			   l.initrd_gpa + initrd_size <= (4ull << 30) &&
			   l.initrd_gpa + initrd_size - 1 <= bz->initrd_addr_max,
			   "initramfs [%#llx, +%#llx)", (unsigned long long)l.initrd_gpa,
			   (unsigned long long)initrd_size);
	} else {
		FUZZ_CHECK(l.initrd_gpa == 0, "initramfs placed without one");
	}

	uint8_t *zp = malloc(LINUX_ZERO_PAGE_SIZE);

	linux_build_zero_page(zp, img, bz, &l, ram);
	FUZZ_CHECK(le(zp, LINUX_ZERO_PAGE_SIZE, BZ_HEADER, 4) == BZ_HEADER_MAGIC &&
		   le(zp, LINUX_ZERO_PAGE_SIZE, BZ_VERSION, 2) == bz->version, "header not copied");
	FUZZ_CHECK(zp[BZ_TYPE_OF_LOADER] == LINUX_TYPE_OF_LOADER, "type_of_loader");
	FUZZ_CHECK(le(zp, LINUX_ZERO_PAGE_SIZE, BZ_CODE32_START, 4) == l.kernel_gpa, "code32_start");
	FUZZ_CHECK(le(zp, LINUX_ZERO_PAGE_SIZE, BZ_CMD_LINE_PTR, 4) == LINUX_CMDLINE_GPA, "cmd_line_ptr");
	FUZZ_CHECK(le(zp, LINUX_ZERO_PAGE_SIZE, BZ_RAMDISK_IMAGE, 4) == (uint32_t)l.initrd_gpa &&
		   le(zp, LINUX_ZERO_PAGE_SIZE, BZ_RAMDISK_SIZE, 4) == (uint32_t)l.initrd_size, "ramdisk");
	free(zp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint64_t rams[8] = {
		4 * MIB, 64 * MIB, 17 * MIB, 256 * MIB, 1024 * MIB, 3584 * MIB, 4096 * MIB, 64ull << 30,
	};
	struct fuzz_in in = { data, size };
	uint64_t ram = rams[fuzz_u8(&in) & 7];
	uint64_t initrd_size = fuzz_u32(&in);
	char cmdline[512];
	size_t n = 0;
	struct bzimage bz, zero;
	char err[160];
	uint8_t *img;
	int r;

	while (n < sizeof(cmdline) - 1 && n < in.n && in.p[n])
		n++;
	memcpy(cmdline, in.p, n);
	cmdline[n] = '\0';
	in.p += n < in.n ? n + 1 : n;
	in.n -= n < in.n ? n + 1 : n;
	img = malloc(in.n ? in.n : 1);
	memcpy(img, in.p, in.n);

	memset(err, 'x', sizeof(err));
	r = bzimage_parse(img, in.n, &bz, err, sizeof(err));
	FUZZ_CHECK(memchr(err, '\0', sizeof(err)) != NULL, "reason not terminated");
	if (r == 0) {
		FUZZ_CHECK(bzimage_detect(img, in.n), "parsed but not detected");
		check_parsed(img, in.n, &bz);
		check_plan(img, &bz, ram, cmdline, initrd_size);
	} else {
		memset(&zero, 0, sizeof(zero));
		FUZZ_CHECK(r == -1 && err[0], "failure without a reason");
		FUZZ_CHECK(memcmp(&bz, &zero, sizeof(bz)) == 0, "*out not zeroed after a failure");
	}
	FUZZ_CHECK(bzimage_parse(img, in.n, &bz, NULL, 0) == r, "outcome without err");
	free(img);
	return 0;
}
