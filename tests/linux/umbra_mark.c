/*
 * umbra-mark K: writes the byte K (1-255) to I/O port 0x5fc, Umbra's counter mark register
 * (guest/umbra_abi.h), from a Linux user process; /init calls it at each phase of its
 * workload. Natively the port is not decoded and the write goes nowhere.
 *
 * Debian's cloud kernel has no /dev/port (CONFIG_DEVPORT is off), so the process asks for the
 * port with ioperm(2) (CONFIG_X86_IOPL_IOPERM: the TSS I/O bitmap, SDM Vol. 1 19.5.2) and
 * executes OUT itself. Freestanding and static (no C library in the initramfs): raw system
 * calls, for x86-64 (SYSCALL) and i386 (INT 0x80).
 */
#define MARK_PORT	0x5fc

#if defined(__x86_64__)
#define SYS_WRITE	1
#define SYS_EXIT	60
#define SYS_IOPERM	173

static long sys3(long nr, long a, long b, long c)
{
	long ret;

	__asm__ volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a), "S"(b), "d"(c)
			 : "rcx", "r11", "memory");
	return ret;
}

/* The kernel starts a process with argc at the stack pointer, argv right above it. */
__asm__(".globl _start\n_start:\n"
	"	mov (%rsp), %rdi\n"
	"	lea 8(%rsp), %rsi\n"
	"	and $-16, %rsp\n"
	"	call mark_main\n"
	"	mov %eax, %edi\n"
	"	mov $60, %eax\n"
	"	syscall\n");
#else
#define SYS_WRITE	4
#define SYS_EXIT	1
#define SYS_IOPERM	101

static long sys3(long nr, long a, long b, long c)
{
	long ret;

	__asm__ volatile("int $0x80" : "=a"(ret) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory");
	return ret;
}

__asm__(".globl _start\n_start:\n"
	"	mov (%esp), %eax\n"
	"	lea 4(%esp), %edx\n"
	"	and $-16, %esp\n"
	"	sub $8, %esp\n"
	"	push %edx\n"
	"	push %eax\n"
	"	call mark_main\n"
	"	mov %eax, %ebx\n"
	"	mov $1, %eax\n"
	"	int $0x80\n");
#endif

int mark_main(int argc, char **argv);

static void say(const char *s)
{
	unsigned long n = 0;

	while (s[n])
		n++;
	sys3(SYS_WRITE, 2, (long)s, (long)n);
}

int mark_main(int argc, char **argv)
{
	unsigned value = 0;
	const char *p;

	if (argc != 2 || !argv[1][0]) {
		say("usage: umbra-mark K (1-255)\n");
		return 2;
	}
	for (p = argv[1]; *p; p++) {
		if (*p < '0' || *p > '9' || value > 255) {
			say("umbra-mark: K must be a number from 1 to 255\n");
			return 2;
		}
		value = value * 10 + (unsigned)(*p - '0');
	}
	if (value < 1 || value > 255) {
		say("umbra-mark: K must be a number from 1 to 255\n");
		return 2;
	}
	if (sys3(SYS_IOPERM, MARK_PORT, 1, 1) != 0) {
		say("umbra-mark: ioperm refused\n");
		return 1;
	}
	__asm__ volatile("outb %b0, %w1" : : "a"(value), "Nd"(MARK_PORT));
	return 0;
}
