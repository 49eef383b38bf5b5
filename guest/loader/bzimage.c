/* Linux bzImage parser: validates an untrusted setup header (see guest/loader/bzimage.h). */
#include <stdarg.h>

#include "guest/loader/bzimage.h"
#include "lib/format.h"
#include "lib/string.h"

#define FOUR_GIB	(1ull << 32)

/* One parse: the image and where its reasons go. */
struct bz_parser {
	const uint8_t *img;
	uint64_t size;
	struct bzimage *out;
	char *err;
	size_t errlen;
};

/* Writes a one-line reason into the error buffer; always returns -1. */
static int fail(struct bz_parser *ps, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct bz_parser *ps, const char *fmt, ...)
{
	va_list ap;

	if (ps->errlen) {
		va_start(ap, fmt);
		vsnprintk(ps->err, ps->errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* Little-endian reads; the caller has checked that the bytes lie inside the image. */
static uint8_t get8(const struct bz_parser *ps, unsigned off)
{
	return ps->img[off];
}

static uint16_t get16(const struct bz_parser *ps, unsigned off)
{
	return (uint16_t)(ps->img[off] | ps->img[off + 1] << 8);
}

static uint32_t get32(const struct bz_parser *ps, unsigned off)
{
	return (uint32_t)get16(ps, off) | (uint32_t)get16(ps, off + 2) << 16;
}

static uint64_t get64(const struct bz_parser *ps, unsigned off)
{
	return (uint64_t)get32(ps, off) | (uint64_t)get32(ps, off + 4) << 32;
}

bool bzimage_detect(const void *image, size_t size)
{
	struct bz_parser ps = { .img = image, .size = size };

	return image && size >= BZ_HEADER + 4 && get32(&ps, BZ_HEADER) == BZ_HEADER_MAGIC;
}

/* The signatures and the protocol version ("The Real-Mode Kernel Header"). */
static int check_signatures(struct bz_parser *ps)
{
	struct bzimage *out = ps->out;

	if (ps->size < BZ_HEADER + 6)
		return fail(ps, "bzImage: truncated: %llu bytes cannot hold the setup header",
			    (unsigned long long)ps->size);
	if (get16(ps, BZ_BOOT_FLAG) != BZ_BOOT_FLAG_MAGIC)
		return fail(ps, "bzImage: boot_flag is 0x%x, not 0xaa55", get16(ps, BZ_BOOT_FLAG));
	if (get8(ps, BZ_JUMP) != BZ_JUMP_OPCODE)
		return fail(ps, "bzImage: no short jump at 0x200 (byte 0x%x)", get8(ps, BZ_JUMP));
	if (get32(ps, BZ_HEADER) != BZ_HEADER_MAGIC)
		return fail(ps, "bzImage: no \"HdrS\" signature at 0x202");
	out->version = get16(ps, BZ_VERSION);
	if (out->version < BZ_MIN_VERSION)
		return fail(ps, "bzImage: boot protocol %u.%02u is too old (2.06 or later needed)",
			    out->version >> 8, out->version & 0xff);
	return 0;
}

/* Where the header must at least end for the fields of its protocol version. */
static unsigned header_end_needed(uint16_t version)
{
	if (version >= 0x020a)
		return BZ_INIT_SIZE + 4;
	if (version >= 0x0208)
		return BZ_PAYLOAD_LENGTH + 4;
	return BZ_CMDLINE_SIZE + 4;
}

/* setup_sects, the header's extent, and syssize against the file. */
static int check_extent(struct bz_parser *ps)
{
	struct bzimage *out = ps->out;
	uint64_t setup_size, syssize;

	out->setup_sects = get8(ps, BZ_SETUP_SECTS) ? get8(ps, BZ_SETUP_SECTS) : BZ_DEFAULT_SETUP_SECTS;
	setup_size = (uint64_t)(out->setup_sects + 1) * BZ_SECTOR;
	out->header_end = BZ_JUMP + 2 + get8(ps, BZ_JUMP + 1);
	if (out->header_end > BZ_HDR_MAX_END)
		return fail(ps, "bzImage: the setup header ends at 0x%x, past boot_params' 0x%x",
			    out->header_end, BZ_HDR_MAX_END);
	if (out->header_end < header_end_needed(out->version))
		return fail(ps, "bzImage: the setup header ends at 0x%x, too short for protocol "
			    "%u.%02u (needs 0x%x)", out->header_end, out->version >> 8,
			    out->version & 0xff, header_end_needed(out->version));
	/* setup_sects >= 1 makes the setup code at least 1024 bytes, past BZ_HDR_MAX_END. */
	if (setup_size > ps->size)
		return fail(ps, "bzImage: truncated: the setup code is %u sectors (%llu bytes), the "
			    "file only %llu bytes", out->setup_sects, (unsigned long long)setup_size,
			    (unsigned long long)ps->size);
	syssize = get32(ps, BZ_SYSSIZE);
	out->kernel_offset = setup_size;
	out->kernel_size = syssize * 16;
	if (!syssize)
		return fail(ps, "bzImage: syssize is 0: no protected-mode code");
	if (out->kernel_size > ps->size - setup_size)
		return fail(ps, "bzImage: truncated: the protected-mode code is %llu bytes from "
			    "offset %llu, the file has only %llu after the setup code",
			    (unsigned long long)out->kernel_size, (unsigned long long)setup_size,
			    (unsigned long long)(ps->size - setup_size));
	return 0;
}

/* Reads a field of the header, or 0 when the header ends before it (an older protocol). */
static uint64_t field(const struct bz_parser *ps, unsigned off, unsigned width)
{
	if (off + width > ps->out->header_end)
		return 0;
	return width == 1 ? get8(ps, off) : width == 2 ? get16(ps, off) :
	       width == 4 ? get32(ps, off) : get64(ps, off);
}

/* loadflags, alignment and relocation ("Details of Header Fields"). */
static int check_loading(struct bz_parser *ps)
{
	struct bzimage *out = ps->out;

	out->loadflags = (uint8_t)field(ps, BZ_LOADFLAGS, 1);
	out->code32_start = (uint32_t)field(ps, BZ_CODE32_START, 4);
	out->initrd_addr_max = (uint32_t)field(ps, BZ_INITRD_ADDR_MAX, 4);
	out->kernel_alignment = (uint32_t)field(ps, BZ_KERNEL_ALIGNMENT, 4);
	out->relocatable = field(ps, BZ_RELOCATABLE, 1) != 0;
	out->min_alignment = out->version >= 0x020a ? (unsigned)field(ps, BZ_MIN_ALIGNMENT, 1) : 0;
	out->xloadflags = out->version >= 0x020c ? (uint16_t)field(ps, BZ_XLOADFLAGS, 2) : 0;
	out->cmdline_size = (uint32_t)field(ps, BZ_CMDLINE_SIZE, 4);
	if (!(out->loadflags & BZ_LOADED_HIGH))
		return fail(ps, "bzImage: loadflags 0x%x lack LOADED_HIGH: a zImage loaded at "
			    "0x10000 is not supported", out->loadflags);
	if (out->min_alignment >= 32)
		return fail(ps, "bzImage: min_alignment 2^%u is too large", out->min_alignment);
	if (out->relocatable &&
	    (!out->kernel_alignment || (out->kernel_alignment & (out->kernel_alignment - 1))))
		return fail(ps, "bzImage: kernel_alignment 0x%x is not a power of two",
			    out->kernel_alignment);
	if (out->relocatable && out->kernel_alignment < (1u << out->min_alignment))
		return fail(ps, "bzImage: kernel_alignment 0x%x is below min_alignment 2^%u",
			    out->kernel_alignment, out->min_alignment);
	if (!out->cmdline_size)
		return fail(ps, "bzImage: cmdline_size is 0");
	return 0;
}

/* payload_offset/length (2.08+) lie inside the protected-mode code. */
static int check_payload(struct bz_parser *ps)
{
	struct bzimage *out = ps->out;

	if (out->version < 0x0208)
		return 0;
	out->payload_offset = (uint32_t)field(ps, BZ_PAYLOAD_OFFSET, 4);
	out->payload_length = (uint32_t)field(ps, BZ_PAYLOAD_LENGTH, 4);
	if ((uint64_t)out->payload_offset + out->payload_length > out->kernel_size)
		return fail(ps, "bzImage: payload [0x%x, +0x%x) is outside the protected-mode code "
			    "(0x%llx bytes)", out->payload_offset, out->payload_length,
			    (unsigned long long)out->kernel_size);
	return 0;
}

/* pref_address and init_size (2.10+); older kernels run where they are loaded, at 1 MiB. */
static int check_runtime(struct bz_parser *ps)
{
	struct bzimage *out = ps->out;

	if (out->version < 0x020a) {
		out->pref_address = BZ_LOW_LOAD_ADDR;
		out->init_size = out->kernel_size;
		return 0;
	}
	out->pref_address = field(ps, BZ_PREF_ADDRESS, 8);
	out->init_size = field(ps, BZ_INIT_SIZE, 4);
	if (out->pref_address >= FOUR_GIB)
		return fail(ps, "bzImage: pref_address 0x%llx is not below 4 GiB "
			    "(the 32-bit entry runs there)", (unsigned long long)out->pref_address);
	if (out->init_size < out->kernel_size)
		return fail(ps, "bzImage: init_size 0x%llx is smaller than the protected-mode code "
			    "(0x%llx bytes)", (unsigned long long)out->init_size,
			    (unsigned long long)out->kernel_size);
	return 0;
}

/* Recognises the payload's compression by its magic bytes. */
static enum bz_compression payload_compression(const struct bz_parser *ps)
{
	static const struct { enum bz_compression c; uint8_t len; uint8_t magic[6]; } magics[] = {
		{ BZ_COMP_GZIP, 2, { 0x1f, 0x8b } },
		{ BZ_COMP_BZIP2, 3, { 'B', 'Z', 'h' } },
		{ BZ_COMP_LZMA, 3, { 0x5d, 0x00, 0x00 } },
		{ BZ_COMP_XZ, 6, { 0xfd, '7', 'z', 'X', 'Z', 0x00 } },
		{ BZ_COMP_LZO, 3, { 0x89, 'L', 'Z' } },
		{ BZ_COMP_LZ4, 4, { 0x02, 0x21, 0x4c, 0x18 } },
		{ BZ_COMP_ZSTD, 4, { 0x28, 0xb5, 0x2f, 0xfd } },
	};
	const struct bzimage *out = ps->out;
	const uint8_t *p = ps->img + out->kernel_offset + out->payload_offset;

	for (unsigned i = 0; i < sizeof(magics) / sizeof(magics[0]); i++)
		if (out->payload_length >= magics[i].len && !memcmp(p, magics[i].magic, magics[i].len))
			return magics[i].c;
	return BZ_COMP_UNKNOWN;
}

const char *bzimage_compression_name(enum bz_compression c)
{
	static const char *const names[] = {
		[BZ_COMP_UNKNOWN] = "unknown", [BZ_COMP_GZIP] = "gzip", [BZ_COMP_BZIP2] = "bzip2",
		[BZ_COMP_LZMA] = "lzma", [BZ_COMP_XZ] = "xz", [BZ_COMP_LZO] = "lzo",
		[BZ_COMP_LZ4] = "lz4", [BZ_COMP_ZSTD] = "zstd",
	};

	return (unsigned)c < sizeof(names) / sizeof(names[0]) ? names[c] : "unknown";
}

int bzimage_parse(const void *image, size_t size, struct bzimage *out, char *err, size_t errlen)
{
	struct bz_parser ps = { .img = image, .size = size, .out = out, .err = err,
				.errlen = err ? errlen : 0 };

	if (!out)
		return fail(&ps, "bzImage: no result structure (NULL)");
	memset(out, 0, sizeof(*out));
	if (!image) {
		fail(&ps, "bzImage: no image (NULL)");
	} else if (!check_signatures(&ps) && !check_extent(&ps) && !check_loading(&ps) &&
		   !check_payload(&ps) && !check_runtime(&ps)) {
		out->compression = payload_compression(&ps);
		if (ps.errlen)
			err[0] = '\0';
		return 0;
	}
	memset(out, 0, sizeof(*out));
	return -1;
}
