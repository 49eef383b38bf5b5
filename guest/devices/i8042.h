/*
 * The guest's 8042 keyboard controller at 0x60 (data) and 0x64 (status and command), as the
 * IBM PC/AT technical reference ("Keyboard controller") and the PS/2 controller's commands
 * describe it, with no keyboard or mouse behind it.
 *
 * The status register has OBF, SYS and A2 (and keyboard-not-inhibited); the controller takes
 * every byte at once, so IBF never shows. Commands: read/write the command byte (0x20/0x60),
 * self-test (0xAA -> 0x55), interface tests (0xAB, 0xA9 -> 0x00), disable/enable the
 * keyboard and aux ports (0xAD/0xAE, 0xA7/0xA8), read/write the output port (0xD0/0xD1),
 * write the keyboard or aux output buffer (0xD2/0xD3), and the output-port pulses
 * (0xF0-0xFF): pulsing bit 0 (0xFE), or writing the output port with bit 0 clear, resets the
 * machine. Bytes for the keyboard or the aux device are dropped: nothing answers them. A read
 * of 0x60 with nothing new returns the last byte again.
 */
#ifndef UMBRA_GUEST_DEVICES_I8042_H
#define UMBRA_GUEST_DEVICES_I8042_H

#include <stdbool.h>
#include <stdint.h>

#define I8042_DATA_PORT		0x60
#define I8042_COMMAND_PORT	0x64

#define I8042_STATUS_OBF	0x01	/* output buffer full */
#define I8042_STATUS_IBF	0x02	/* input buffer full */
#define I8042_STATUS_SYS	0x04	/* system flag: POST passed */
#define I8042_STATUS_A2		0x08	/* the last byte written went to 0x64 (a command) */
#define I8042_STATUS_INH	0x10	/* keyboard not inhibited */
#define I8042_STATUS_AUXB	0x20	/* the output buffer holds aux (mouse) data */

#define I8042_CMD_KBD_INT	0x01	/* command byte: IRQ 1 on keyboard data */
#define I8042_CMD_AUX_INT	0x02	/* IRQ 12 on aux data */
#define I8042_CMD_SYS		0x04	/* the SYS status flag */
#define I8042_CMD_KBD_OFF	0x10	/* keyboard port disabled */
#define I8042_CMD_AUX_OFF	0x20	/* aux port disabled */
#define I8042_CMD_XLATE		0x40	/* scan-code translation */

#define I8042_OUT_RESET		0x01	/* output port: system reset, active low */
#define I8042_OUT_A20		0x02	/* A20 gate */

struct i8042 {
	uint8_t command_byte;
	uint8_t output_port;
	uint8_t out;			/* the output buffer */
	bool out_full, out_aux;
	bool last_was_command;		/* A2 */
	uint8_t pending;		/* a command waiting for its data byte at 0x60, or 0 */
	/* Called when the guest resets the machine through the controller. */
	void (*reset)(void *ctx, const char *why);
	void *reset_ctx;
};

struct device_bus;

/* The state after the BIOS's POST: self-test passed (SYS), translation and keyboard interrupt
 * on, A20 on. */
void i8042_init(struct i8042 *k, void (*reset)(void *ctx, const char *why), void *ctx);
bool i8042_attach(struct i8042 *k, struct device_bus *b);
/* Register access at 0x60 (offset 0) or 0x64 (offset 4). */
uint8_t i8042_read(struct i8042 *k, unsigned offset);
void i8042_write(struct i8042 *k, unsigned offset, uint8_t value);
/* IRQ 1 (keyboard byte) and IRQ 12 (aux byte) while the output buffer is full and the command
 * byte enables them. */
bool i8042_kbd_irq(const struct i8042 *k);
bool i8042_aux_irq(const struct i8042 *k);

#endif
