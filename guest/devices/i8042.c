/* The virtual 8042 keyboard controller (see i8042.h). */
#include "guest/devices/i8042.h"
#include "guest/devices/bus.h"

#define OFFSET_COMMAND		(I8042_COMMAND_PORT - I8042_DATA_PORT)
#define CMD_READ_COMMAND_BYTE	0x20
#define CMD_WRITE_COMMAND_BYTE	0x60
#define CMD_AUX_DISABLE		0xa7
#define CMD_AUX_ENABLE		0xa8
#define CMD_AUX_TEST		0xa9
#define CMD_SELF_TEST		0xaa
#define CMD_KBD_TEST		0xab
#define CMD_KBD_DISABLE		0xad
#define CMD_KBD_ENABLE		0xae
#define CMD_READ_OUTPUT_PORT	0xd0
#define CMD_WRITE_OUTPUT_PORT	0xd1
#define CMD_WRITE_KBD_BUFFER	0xd2
#define CMD_WRITE_AUX_BUFFER	0xd3
#define CMD_WRITE_AUX		0xd4
#define CMD_PULSE		0xf0	/* 0xF0-0xFF: pulse the output-port bits that are 0 in 3:0 */
#define SELF_TEST_PASSED	0x55
#define INTERFACE_OK		0x00
#define OUT_KBD_FULL		0x10	/* output port bits 4 and 5 follow the buffer */
#define OUT_AUX_FULL		0x20

void i8042_init(struct i8042 *k, void (*reset)(void *ctx, const char *why), void *ctx)
{
	*k = (struct i8042){
		.command_byte = I8042_CMD_XLATE | I8042_CMD_SYS | I8042_CMD_KBD_INT,
		.output_port = I8042_OUT_RESET | I8042_OUT_A20,
		.reset = reset,
		.reset_ctx = ctx,
	};
}

static void put(struct i8042 *k, uint8_t byte, bool aux)
{
	k->out = byte;
	k->out_full = true;
	k->out_aux = aux;
}

static uint8_t status(const struct i8042 *k)
{
	return (k->out_full ? I8042_STATUS_OBF : 0) |
	       (k->command_byte & I8042_CMD_SYS ? I8042_STATUS_SYS : 0) |
	       (k->last_was_command ? I8042_STATUS_A2 : 0) | I8042_STATUS_INH |
	       (k->out_full && k->out_aux ? I8042_STATUS_AUXB : 0);
}

static uint8_t output_port(const struct i8042 *k)
{
	uint8_t v = k->output_port & ~(OUT_KBD_FULL | OUT_AUX_FULL);

	if (k->out_full)
		v |= k->out_aux ? OUT_AUX_FULL : OUT_KBD_FULL;
	return v;
}

static void write_output_port(struct i8042 *k, uint8_t v)
{
	k->output_port = v;
	if (!(v & I8042_OUT_RESET))
		k->reset(k->reset_ctx, "the guest reset the machine (i8042 output port)");
}

/* A byte at 0x60: the data of the pending command, else a byte for the keyboard. */
static void data_write(struct i8042 *k, uint8_t v)
{
	uint8_t cmd = k->pending;

	k->pending = 0;
	switch (cmd) {
	case CMD_WRITE_COMMAND_BYTE:
		k->command_byte = v;
		break;
	case CMD_WRITE_OUTPUT_PORT:
		write_output_port(k, v);
		break;
	case CMD_WRITE_KBD_BUFFER:
	case CMD_WRITE_AUX_BUFFER:
		put(k, v, cmd == CMD_WRITE_AUX_BUFFER);
		break;
	default:
		break;			/* for the keyboard or the aux device: none is attached */
	}
}

/* The commands that answer with one byte in the output buffer; false for any other. */
static bool command_with_reply(struct i8042 *k, uint8_t cmd)
{
	switch (cmd) {
	case CMD_READ_COMMAND_BYTE:
		put(k, k->command_byte, false);
		return true;
	case CMD_SELF_TEST:
		k->command_byte |= I8042_CMD_SYS;
		put(k, SELF_TEST_PASSED, false);
		return true;
	case CMD_KBD_TEST:
	case CMD_AUX_TEST:
		put(k, INTERFACE_OK, false);
		return true;
	case CMD_READ_OUTPUT_PORT:
		put(k, output_port(k), false);
		return true;
	}
	return false;
}

static void command_write(struct i8042 *k, uint8_t cmd)
{
	k->pending = 0;
	if (command_with_reply(k, cmd))
		return;
	switch (cmd) {
	case CMD_WRITE_COMMAND_BYTE:
	case CMD_WRITE_OUTPUT_PORT:
	case CMD_WRITE_KBD_BUFFER:
	case CMD_WRITE_AUX_BUFFER:
	case CMD_WRITE_AUX:
		k->pending = cmd;
		return;
	case CMD_KBD_DISABLE:
	case CMD_KBD_ENABLE:
		k->command_byte = cmd == CMD_KBD_DISABLE ? k->command_byte | I8042_CMD_KBD_OFF :
							  k->command_byte & ~I8042_CMD_KBD_OFF;
		return;
	case CMD_AUX_DISABLE:
	case CMD_AUX_ENABLE:
		k->command_byte = cmd == CMD_AUX_DISABLE ? k->command_byte | I8042_CMD_AUX_OFF :
							  k->command_byte & ~I8042_CMD_AUX_OFF;
		return;
	}
	if (cmd >= CMD_PULSE && !(cmd & I8042_OUT_RESET))
		k->reset(k->reset_ctx, "the guest reset the machine (i8042 pulse)");
}

uint8_t i8042_read(struct i8042 *k, unsigned offset)
{
	if (offset == OFFSET_COMMAND)
		return status(k);
	k->out_full = false;
	return k->out;
}

void i8042_write(struct i8042 *k, unsigned offset, uint8_t value)
{
	k->last_was_command = offset == OFFSET_COMMAND;
	if (offset == OFFSET_COMMAND)
		command_write(k, value);
	else
		data_write(k, value);
}

bool i8042_kbd_irq(const struct i8042 *k)
{
	return k->out_full && !k->out_aux && (k->command_byte & I8042_CMD_KBD_INT);
}

bool i8042_aux_irq(const struct i8042 *k)
{
	return k->out_full && k->out_aux && (k->command_byte & I8042_CMD_AUX_INT);
}

/* Two one-byte ranges, as port B sits at 0x61 between them; each adapter names its port. */
static uint64_t i8042_data_read(void *dev, uint64_t offset, unsigned size)
{
	(void)offset;
	(void)size;
	return i8042_read(dev, 0);
}

static void i8042_data_write(void *dev, uint64_t offset, unsigned size, uint64_t value)
{
	(void)offset;
	(void)size;
	i8042_write(dev, 0, (uint8_t)value);
}

static uint64_t i8042_status_read(void *dev, uint64_t offset, unsigned size)
{
	(void)offset;
	(void)size;
	return i8042_read(dev, OFFSET_COMMAND);
}

static void i8042_command_write(void *dev, uint64_t offset, unsigned size, uint64_t value)
{
	(void)offset;
	(void)size;
	i8042_write(dev, OFFSET_COMMAND, (uint8_t)value);
}

bool i8042_attach(struct i8042 *k, struct device_bus *b)
{
	return bus_register(b, &(struct bus_range){ BUS_PORT, I8042_DATA_PORT, 1, "i8042",
						    i8042_data_read, i8042_data_write, k, true }) &&
	       bus_register(b, &(struct bus_range){ BUS_PORT, I8042_COMMAND_PORT, 1, "i8042",
						    i8042_status_read, i8042_command_write, k,
						    true });
}
