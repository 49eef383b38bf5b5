/* Finds SMBIOS and reads the BIOS and system strings from its structure table (DSP0134 3.x). */
#include "boot/smbios.h"
#include "lib/string.h"

#define SMBIOS_TYPE_BIOS	0
#define SMBIOS_TYPE_SYSTEM	1
#define SMBIOS_TYPE_END		127
#define EFI_ST_NTABLES_OFF	104	/* UEFI 2.10 spec 4.3.1: NumberOfTableEntries */
#define EFI_ST_TABLES_OFF	112	/* ConfigurationTable */
#define EFI_CFG_ENTRY_SIZE	24	/* EFI_GUID + VOID * (4.6) */
#define EFI_CFG_MAX		256	/* ours: more entries than that is garbage */

/* SMBIOS3_TABLE_GUID f2fd1544-9794-4a2c-992e-e5bbcf20e394 and SMBIOS_TABLE_GUID
 * eb9d2d31-2d88-11d3-9a16-0090273fc14d, as bytes in memory (EFI_GUID, 4.6). */
static const uint8_t guid_smbios3[16] = { 0x44, 0x15, 0xfd, 0xf2, 0x94, 0x97, 0x2c, 0x4a,
					  0x99, 0x2e, 0xe5, 0xbb, 0xcf, 0x20, 0xe3, 0x94 };
static const uint8_t guid_smbios[16] = { 0x31, 0x2d, 0x9d, 0xeb, 0x88, 0x2d, 0xd3, 0x11,
					 0x9a, 0x16, 0x00, 0x90, 0x27, 0x3f, 0xc1, 0x4d };

/* Copies string number idx (1-based) of the structure whose strings start at s (end e). */
static void get_string(const uint8_t *s, const uint8_t *e, uint8_t idx, char *dst)
{
	unsigned n = 0;

	dst[0] = '\0';
	if (!idx)
		return;
	for (uint8_t i = 1; i < idx && s < e; i++)
		while (s < e && *s++)
			;
	while (s < e && *s && n < SMBIOS_STR_MAX - 1) {
		dst[n++] = *s >= 0x20 && *s < 0x7f ? (char)*s : '?';
		s++;
	}
	dst[n] = '\0';
}

void smbios_describe(const uint8_t *t, size_t len, struct smbios_info *out)
{
	const uint8_t *p = t, *end = t + len;

	memset(out, 0, sizeof(*out));
	while (p + 4 <= end && p[1] >= 4 && p + p[1] <= end) {
		const uint8_t *s = p + p[1], *next = s;

		while (next + 1 < end && (next[0] || next[1]))	/* strings end with two NULs */
			next++;
		next += 2;
		if (p[0] == SMBIOS_TYPE_BIOS && p[1] >= 9) {
			get_string(s, end, p[4], out->bios_vendor);
			get_string(s, end, p[5], out->bios_version);
			get_string(s, end, p[8], out->bios_date);
		} else if (p[0] == SMBIOS_TYPE_SYSTEM && p[1] >= 6) {
			get_string(s, end, p[4], out->maker);
			get_string(s, end, p[5], out->product);
		} else if (p[0] == SMBIOS_TYPE_END) {
			break;
		}
		p = next;
	}
}

static int checksum_ok(const uint8_t *p, size_t n)
{
	uint8_t sum = 0;

	for (size_t i = 0; i < n; i++)
		sum += p[i];
	return sum == 0;
}

int smbios_entry_table(const uint8_t *e, uint64_t *table, size_t *len)
{
	if (!memcmp(e, "_SM3_", 5) && e[6] >= 24 && checksum_ok(e, e[6])) {
		uint32_t max;

		memcpy(&max, e + 0x0c, 4);
		memcpy(table, e + 0x10, 8);
		*len = max;
		return 0;
	}
	if (!memcmp(e, "_SM_", 4) && e[5] >= 31 && checksum_ok(e, e[5])) {
		uint16_t l;
		uint32_t a;

		memcpy(&l, e + 0x16, 2);
		memcpy(&a, e + 0x18, 4);
		*table = a;
		*len = l;
		return 0;
	}
	return -1;
}

const uint8_t *smbios_find_entry_efi(const uint8_t *st)
{
	uint64_t n, tables;
	const uint8_t *found = NULL;

	memcpy(&n, st + EFI_ST_NTABLES_OFF, 8);
	memcpy(&tables, st + EFI_ST_TABLES_OFF, 8);
	if (!tables || n > EFI_CFG_MAX)
		return NULL;
	for (uint64_t i = 0; i < n; i++) {
		const uint8_t *c = (const uint8_t *)(uintptr_t)tables + i * EFI_CFG_ENTRY_SIZE;
		uint64_t p;

		memcpy(&p, c + 16, 8);
		if (!memcmp(c, guid_smbios3, 16))
			return (const uint8_t *)(uintptr_t)p;
		if (!memcmp(c, guid_smbios, 16))
			found = (const uint8_t *)(uintptr_t)p;
	}
	return found;
}

const uint8_t *smbios_find_entry_bios(const uint8_t *f, size_t len)
{
	const uint8_t *found = NULL;
	uint64_t t;
	size_t l;

	for (size_t off = 0; off + 32 <= len; off += 16) {
		if (smbios_entry_table(f + off, &t, &l))
			continue;
		if (!memcmp(f + off, "_SM3_", 5))
			return f + off;
		if (!found)
			found = f + off;
	}
	return found;
}
