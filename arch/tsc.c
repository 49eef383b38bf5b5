/* Measuring the host TSC's frequency at boot (see tsc.h). */
#include "arch/tsc.h"
#include "arch/cpu_info.h"
#include "arch/cpuid.h"
#include "arch/io.h"
#include "arch/pit.h"
#include "arch/x86_insn.h"
#include "lib/muldiv.h"
#include "lib/printk.h"

#define NS_PER_S		1000000000ULL
#define FALLBACK_HZ		1000000000ULL	/* when nothing can be measured: 1 GHz, said loudly */
/* 50 ms of channel 2: long enough that one port read's uncertainty is lost in it. */
#define CAL_PIT_COUNT		(PIT_HZ / 20)
#define CAL_MAX_POLLS		(1u << 24)

static uint64_t host_tsc_hz = FALLBACK_HZ;

/* SDM Vol. 2A, CPUID leaf 15h: TSC = crystal * EBX / EAX; ECX is the crystal's frequency in
 * Hz, or 0 when the CPU does not enumerate it. 0 when the leaf does not say it all. */
static uint64_t tsc_hz_from_leaf15(const struct cpu_info *ci)
{
	struct cpuid_regs r;

	if (ci->max_leaf < CPUID_LEAF_TSC)
		return 0;
	r = cpuid(CPUID_LEAF_TSC, 0);
	if (!r.eax || !r.ebx || !r.ecx)
		return 0;
	return mul_div_u64(r.ecx, r.ebx, r.eax);
}

/* SDM Vol. 2A, CPUID leaf 16h: EAX[15:0] is the base frequency in MHz (not always the TSC's). */
static uint64_t tsc_hz_from_leaf16(const struct cpu_info *ci)
{
	if (ci->max_leaf < CPUID_LEAF_FREQ)
		return 0;
	return (uint64_t)(cpuid(CPUID_LEAF_FREQ, 0).eax & 0xffff) * 1000000;
}

/*
 * Channel 2 in mode 0 (8254 data sheet): OUT goes low when the control word is written and high
 * count + 1 input clocks after the count is (one clock loads it). The gate is port B bit 0 and
 * OUT2 reads back as port B bit 5 (IBM PC/AT technical reference). 0 when OUT2 does not behave.
 */
static uint64_t tsc_hz_from_pit(void)
{
	uint8_t port_b = inb(PORT_B);
	uint64_t start, end;
	unsigned polls = 0;

	outb(PORT_B, (port_b & ~PORT_B_SPEAKER) | PORT_B_GATE2);
	outb(PIT_MODE, PIT_CH2_ONESHOT);
	outb(PIT_CH2, CAL_PIT_COUNT & 0xff);
	outb(PIT_CH2, CAL_PIT_COUNT >> 8);
	start = rdtsc();
	if (inb(PORT_B) & PORT_B_OUT2) {
		outb(PORT_B, port_b);
		return 0;		/* high already: no PIT behind the port */
	}
	while (!(inb(PORT_B) & PORT_B_OUT2) && ++polls < CAL_MAX_POLLS)
		;
	end = rdtsc();
	outb(PORT_B, port_b);
	if (polls >= CAL_MAX_POLLS || end <= start)
		return 0;
	return mul_div_u64(end - start, PIT_HZ, CAL_PIT_COUNT + 1);
}

uint64_t tsc_calibrate(const struct cpu_info *ci)
{
	/* Under another hypervisor or an emulator leaf 15h describes a CPU model, not the TSC the
	 * machine really runs: there the PIT, which runs on the same clock, is the better judge. */
	bool bare_metal = !cpu_has(ci->leaf1_ecx, CPUID_1_ECX_HYPERVISOR);
	uint64_t hz = bare_metal ? tsc_hz_from_leaf15(ci) : 0;
	const char *how = "CPUID leaf 0x15";

	if (!hz) {
		hz = tsc_hz_from_pit();
		how = "PIT channel 2";
	}
	if (!hz) {
		hz = tsc_hz_from_leaf16(ci);
		how = "CPUID leaf 0x16 base frequency";
	}
	if (!hz) {
		hz = FALLBACK_HZ;
		how = "nothing could measure it; assumed";
	}
	host_tsc_hz = hz;
	pr_info("umbra: tsc: %llu.%03llu MHz (%s)\n", (unsigned long long)(hz / 1000000),
		(unsigned long long)(hz / 1000 % 1000), how);
	return hz;
}

uint64_t tsc_hz(void)
{
	return host_tsc_hz;
}

uint64_t tsc_to_ns(uint64_t ticks)
{
	return mul_div_u64(ticks, NS_PER_S, host_tsc_hz);
}

uint64_t tsc_from_ns(uint64_t ns)
{
	return mul_div_u64(ns, host_tsc_hz, NS_PER_S);
}
