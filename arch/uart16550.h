/* 16550 UART registers and bits (National Semiconductor PC16550D data sheet, table II).
 * Shared by the host serial driver and, later, the guest's virtual UART. */
#ifndef UMBRA_ARCH_UART16550_H
#define UMBRA_ARCH_UART16550_H

#define COM1_BASE	0x3f8
#define UART_CLOCK_HZ	1843200		/* baud = clock / (16 * divisor) */

/* Register offsets from the base port. DLAB is LCR bit 7. */
#define UART_RBR	0	/* receive buffer (read, DLAB=0) */
#define UART_THR	0	/* transmit holding (write, DLAB=0) */
#define UART_DLL	0	/* divisor latch low (DLAB=1) */
#define UART_IER	1	/* interrupt enable (DLAB=0) */
#define UART_DLM	1	/* divisor latch high (DLAB=1) */
#define UART_IIR	2	/* interrupt identification (read) */
#define UART_FCR	2	/* FIFO control (write) */
#define UART_LCR	3	/* line control */
#define UART_MCR	4	/* modem control */
#define UART_LSR	5	/* line status */
#define UART_MSR	6	/* modem status */
#define UART_SCR	7	/* scratch */
#define UART_NR_PORTS	8

#define UART_IER_RDA	0x01	/* received data available */
#define UART_IER_THRE	0x02	/* transmitter holding register empty */
#define UART_IER_RLS	0x04	/* receiver line status */
#define UART_IER_MS	0x08	/* modem status */

#define UART_IIR_NO_INT	0x01	/* no interrupt pending */
#define UART_IIR_THRE	0x02
#define UART_IIR_RDA	0x04
#define UART_IIR_FIFO	0xc0	/* FIFOs enabled */

#define UART_FCR_ENABLE	0x01
#define UART_FCR_CLR_RX	0x02
#define UART_FCR_CLR_TX	0x04

#define UART_LCR_8N1	0x03	/* 8 data bits, no parity, 1 stop bit */
#define UART_LCR_DLAB	0x80

#define UART_MCR_DTR	0x01
#define UART_MCR_RTS	0x02
#define UART_MCR_OUT2	0x08	/* gates the interrupt line on PCs */
#define UART_MCR_LOOP	0x10

#define UART_LSR_DR	0x01	/* data ready */
#define UART_LSR_THRE	0x20	/* transmit holding register empty */
#define UART_LSR_TEMT	0x40	/* transmitter empty */

#endif
