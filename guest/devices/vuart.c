/* Virtual 16550 (PC16550D data sheet): enough for polled and FIFO console drivers. */
#include "guest/devices/vuart.h"
#include "guest/devices/bus.h"
#include "arch/uart16550.h"
#include "lib/string.h"

void vuart_init(struct vuart *u, void (*tx)(void *ctx, uint8_t byte), void *ctx)
{
	memset(u, 0, sizeof(*u));
	u->dll = 1;		/* 115200 baud until the guest programs it */
	u->tx = tx;
	u->tx_ctx = ctx;
}

static bool vuart_dlab(const struct vuart *u)
{
	return u->lcr & UART_LCR_DLAB;
}

/* The transmitter is always ready: output is passed on at once. */
static uint8_t vuart_lsr(const struct vuart *u)
{
	return UART_LSR_THRE | UART_LSR_TEMT | (u->rx_count ? UART_LSR_DR : 0);
}

bool vuart_irq_level(const struct vuart *u)
{
	return ((u->ier & UART_IER_RDA) && u->rx_count) ||
	       ((u->ier & UART_IER_THRE) && u->thre_pending);
}

/* Interrupt identification: received data outranks "transmitter empty" (data sheet table IV);
 * reading IIR while it reports THRE clears that interrupt. */
static uint8_t vuart_iir(struct vuart *u)
{
	if ((u->ier & UART_IER_RDA) && u->rx_count)
		return UART_IIR_RDA | UART_IIR_FIFO;
	if ((u->ier & UART_IER_THRE) && u->thre_pending) {
		u->thre_pending = false;
		return UART_IIR_THRE | UART_IIR_FIFO;
	}
	return UART_IIR_NO_INT | UART_IIR_FIFO;
}

static uint8_t vuart_pop(struct vuart *u)
{
	uint8_t b;

	if (!u->rx_count)
		return 0;
	b = u->rx[0];
	memmove(u->rx, u->rx + 1, --u->rx_count);
	return b;
}

uint8_t vuart_read(struct vuart *u, unsigned offset)
{
	switch (offset) {
	case UART_RBR:
		return vuart_dlab(u) ? u->dll : vuart_pop(u);
	case UART_IER:
		return vuart_dlab(u) ? u->dlm : u->ier;
	case UART_IIR:
		return vuart_iir(u);
	case UART_LCR:
		return u->lcr;
	case UART_MCR:
		return u->mcr;
	case UART_LSR:
		return vuart_lsr(u);
	case UART_MSR:
		/* Carrier detect, data set ready and clear to send: a terminal is always there. */
		return 0xb0;
	case UART_SCR:
		return u->scr;
	}
	return 0xff;
}

void vuart_write(struct vuart *u, unsigned offset, uint8_t value)
{
	switch (offset) {
	case UART_THR:
		if (vuart_dlab(u)) {
			u->dll = value;
		} else if (u->mcr & UART_MCR_LOOP) {
			vuart_receive(u, value);	/* loopback: what is sent comes back */
		} else {
			u->tx_bytes++;
			if (u->tx)
				u->tx(u->tx_ctx, value);
		}
		u->thre_pending = true;	/* sent at once: the holding register is empty again */
		break;
	case UART_IER:
		if (vuart_dlab(u)) {
			u->dlm = value;
		} else {
			/* Enabling THRE with the holding register empty raises it at once. */
			if ((value & UART_IER_THRE) && !(u->ier & UART_IER_THRE))
				u->thre_pending = true;
			u->ier = value & 0x0f;
		}
		break;
	case UART_FCR:
		if (value & UART_FCR_CLR_RX)
			u->rx_count = 0;
		break;
	case UART_LCR:
		u->lcr = value;
		break;
	case UART_MCR:
		u->mcr = value & 0x1f;
		break;
	case UART_SCR:
		u->scr = value;
		break;
	}
}

bool vuart_receive(struct vuart *u, uint8_t byte)
{
	if (u->rx_count == VUART_RX_SIZE)
		return false;
	u->rx[u->rx_count++] = byte;
	return true;
}

static uint64_t vuart_bus_read(void *dev, uint64_t offset, unsigned size)
{
	(void)size;	/* bytewise: always 1 */
	return vuart_read(dev, (unsigned)offset);
}

static void vuart_bus_write(void *dev, uint64_t offset, unsigned size, uint64_t value)
{
	(void)size;
	vuart_write(dev, (unsigned)offset, (uint8_t)value);
}

bool vuart_attach(struct vuart *u, struct device_bus *b, uint16_t base)
{
	return bus_register(b, &(struct bus_range){ BUS_PORT, base, UART_NR_PORTS, "uart-16550",
						    vuart_bus_read, vuart_bus_write, u, true });
}
