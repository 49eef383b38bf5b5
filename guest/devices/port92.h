/* Port 0x92, the PS/2 "system control port A" (fast A20 and fast reset; IBM PS/2 technical
 * reference): bit 1 is the A20 gate and reads back (Umbra never masks A20, so guest RAM looks
 * the same either way); writing bit 0 as 1 resets the machine, and bit 0 reads 0. The other
 * bits are kept. */
#ifndef UMBRA_GUEST_DEVICES_PORT92_H
#define UMBRA_GUEST_DEVICES_PORT92_H

#include <stdbool.h>
#include <stdint.h>

#define PORT92			0x92
#define  PORT92_RESET		0x01
#define  PORT92_A20		0x02

struct port92 {
	uint8_t value;
	void (*reset)(void *ctx, const char *why);
	void *reset_ctx;
};

struct device_bus;

/* A20 on, as the firmware leaves it. */
void port92_init(struct port92 *s, void (*reset)(void *ctx, const char *why), void *ctx);
bool port92_attach(struct port92 *s, struct device_bus *b);
uint8_t port92_read(const struct port92 *s);
void port92_write(struct port92 *s, uint8_t value);

#endif
