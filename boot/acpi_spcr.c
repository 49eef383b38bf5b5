/* Finds the SPCR table (console UART) from the RSDP the loader copied into the boot information. */
#include "boot/acpi_spcr.h"
#include "lib/format.h"
#include "lib/string.h"

#define RSDP_REV_OFF		15	/* ACPI 6.5 table 5.3 */
#define RSDP_RSDT_OFF		16
#define RSDP_XSDT_OFF		24
#define RSDP_V2_LEN		36
#define SDT_HEADER_LEN		36	/* ACPI 6.5 table 5.4: the common table header */
#define SDT_LENGTH_OFF		4
#define SDT_MAX_LEN		(1u << 20)	/* ours: larger is taken for garbage */
/* SPCR rev. 2 layout: interface type at 36, base address GAS at 40, baud rate code at 58. */
#define SPCR_TYPE_OFF		36
#define SPCR_GAS_OFF		40
#define SPCR_BAUD_OFF		58
#define SPCR_MIN_LEN		80

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static uint64_t rd64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

/* A table header with this signature, a plausible length and a zero checksum (5.2.6). */
static int table_ok(const uint8_t *t, const char *sig)
{
	uint32_t len = rd32(t + SDT_LENGTH_OFF);
	uint8_t sum = 0;

	if (memcmp(t, sig, 4) || len < SDT_HEADER_LEN || len > SDT_MAX_LEN)
		return 0;
	for (uint32_t i = 0; i < len; i++)
		sum += t[i];
	return sum == 0;
}

/* SPCR baud rate codes: 3 = 9600, 4 = 19200, 6 = 57600, 7 = 115200, 0 = as is. */
static uint32_t spcr_baud(uint8_t code)
{
	switch (code) {
	case 3: return 9600;
	case 4: return 19200;
	case 6: return 57600;
	case 7: return 115200;
	default: return 0;
	}
}

int acpi_find_spcr(const uint8_t *rsdp, unsigned rsdp_len, struct spcr_uart *out, char *why,
		   size_t whylen)
{
	int xsdt = rsdp_len >= RSDP_V2_LEN && rsdp[RSDP_REV_OFF] >= 2;
	const uint8_t *sdt;
	unsigned esize = xsdt ? 8 : 4;
	uint32_t len;

	sdt = (const uint8_t *)(uintptr_t)(xsdt ? rd64(rsdp + RSDP_XSDT_OFF)
						: rd32(rsdp + RSDP_RSDT_OFF));
	if (!sdt || !table_ok(sdt, xsdt ? "XSDT" : "RSDT"))
		return snprintk(why, whylen, "%s is missing or its checksum is wrong",
				xsdt ? "XSDT" : "RSDT"), -1;
	len = rd32(sdt + SDT_LENGTH_OFF);
	for (uint32_t off = SDT_HEADER_LEN; off + esize <= len; off += esize) {
		const uint8_t *t = (const uint8_t *)(uintptr_t)(xsdt ? rd64(sdt + off) : rd32(sdt + off));

		if (!t || memcmp(t, "SPCR", 4))
			continue;
		if (!table_ok(t, "SPCR") || rd32(t + SDT_LENGTH_OFF) < SPCR_MIN_LEN)
			return snprintk(why, whylen, "the SPCR table is malformed"), -1;
		out->interface_type = t[SPCR_TYPE_OFF];
		out->space_id = t[SPCR_GAS_OFF];
		out->address = rd64(t + SPCR_GAS_OFF + 4);
		out->baud = spcr_baud(t[SPCR_BAUD_OFF]);
		return 0;
	}
	return snprintk(why, whylen, "no SPCR table"), -1;
}

int spcr_is_16550_port(const struct spcr_uart *u)
{
	return (u->interface_type == SPCR_16550 || u->interface_type == SPCR_16450 ||
		u->interface_type == SPCR_16550_GAS) &&
	       u->space_id == ACPI_GAS_IO && u->address && u->address <= 0xfff8;
}
