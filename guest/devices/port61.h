/* Port 0x61, the PC/AT's system control port B (IBM PC/AT technical reference, "System control
 * port B"): bit 0 gates PIT channel 2, bit 1 is the speaker's data, bits 2-3 enable parity and
 * I/O channel checks (kept, never raised); reads add the refresh toggle (bit 4) and channel 2's
 * OUT (bit 5). */
#ifndef UMBRA_GUEST_DEVICES_PORT61_H
#define UMBRA_GUEST_DEVICES_PORT61_H

#include <stdbool.h>
#include <stdint.h>

#include "guest/devices/dev_clock.h"

struct vpit;
struct device_bus;

struct port61 {
	uint8_t written;		/* bits 0-3 as last written */
	struct vpit *pit;		/* channel 2's gate and OUT */
	struct dev_clock clock;
};

void port61_init(struct port61 *s, struct vpit *pit, struct dev_clock clock);
bool port61_attach(struct port61 *s, struct device_bus *b);
uint8_t port61_read(struct port61 *s, uint64_t now);
void port61_write(struct port61 *s, uint8_t value, uint64_t now);

#endif
