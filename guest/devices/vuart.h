/* The guest's virtual 16550 on COM1: its output becomes Umbra's guest console. */
#ifndef UMBRA_GUEST_DEVICES_VUART_H
#define UMBRA_GUEST_DEVICES_VUART_H

#include <stdbool.h>
#include <stdint.h>

#define VUART_RX_SIZE 64

struct vuart {
	uint8_t ier, lcr, mcr, scr, dll, dlm;
	uint8_t rx[VUART_RX_SIZE];	/* bytes typed for the guest, oldest first */
	unsigned rx_count;
	uint64_t tx_bytes;
	bool thre_pending;		/* "transmitter empty" interrupt not yet seen by the guest */
	/* Where transmitted bytes go (Umbra's console); ctx is passed back. */
	void (*tx)(void *ctx, uint8_t byte);
	void *tx_ctx;
};

struct device_bus;

void vuart_init(struct vuart *u, void (*tx)(void *ctx, uint8_t byte), void *ctx);
/* Puts the UART's eight registers on the bus at base (COM1_BASE for COM1). */
bool vuart_attach(struct vuart *u, struct device_bus *b, uint16_t base);
/* Register access at offset (0-7) from the base port, as the guest's IN/OUT does it. */
uint8_t vuart_read(struct vuart *u, unsigned offset);
void vuart_write(struct vuart *u, unsigned offset, uint8_t value);
/* The level of the UART's interrupt line (IRQ 4 for COM1): received data with IER.RDA, or a
 * transmitter-empty event with IER.THRE (PC16550D data sheet, table IV). */
bool vuart_irq_level(const struct vuart *u);
/* Queues a byte for the guest to read; false when the receive FIFO is full. */
bool vuart_receive(struct vuart *u, uint8_t byte);

#endif
