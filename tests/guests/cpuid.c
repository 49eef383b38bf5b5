/* cpuid: Umbra's CPUID policy: the hypervisor leaves, and the features it hides from guests. */
#include "guest.h"
#include "lib/string.h"

#define HV_SIGNATURE		"UmbraUmbraUm"	/* EBX, ECX, EDX of leaf 0x40000000 */
#define HV_MAX_LEAF		CPUID_LEAF_HV_INTERFACE
#define HV_INTERFACE_VERSION	1

static uint32_t max_basic_leaf, max_ext_leaf;

/* The 12 characters of three CPUID registers, in the order given, as a C string. */
static void regs_string(char out[13], uint32_t a, uint32_t b, uint32_t c)
{
	memcpy(out, &a, 4);
	memcpy(out + 4, &b, 4);
	memcpy(out + 8, &c, 4);
	out[12] = '\0';
}

static void print_vendor(void)
{
	struct cpuid_regs r = cpuid(CPUID_LEAF_VENDOR, 0);
	char vendor[13];

	regs_string(vendor, r.ebx, r.edx, r.ecx);
	max_basic_leaf = r.eax;
	max_ext_leaf = cpuid(CPUID_LEAF_EXT_MAX, 0).eax;
	gprintf("cpu: %s, max leaf 0x%x, max extended leaf 0x%x\n",
		vendor, max_basic_leaf, max_ext_leaf);
}

static void check_hypervisor_leaves(void)
{
	struct cpuid_regs r = cpuid(CPUID_LEAF_HV_BASE, 0);
	char sig[13];

	CHECK(cpuid(CPUID_LEAF_FEATURES, 0).ecx & CPUID_1_ECX_HYPERVISOR,
	      "CPUID.1:ECX.hypervisor[31] is set");
	regs_string(sig, r.ebx, r.ecx, r.edx);
	gprintf("hypervisor leaf: max 0x%x, signature \"%s\"\n", r.eax, sig);
	CHECK_EQ(r.eax, HV_MAX_LEAF, "CPUID.40000000h:EAX is the max hypervisor leaf 0x40000001");
	CHECK(!memcmp(sig, HV_SIGNATURE, 12), "hypervisor signature is \"%s\"", HV_SIGNATURE);
	CHECK_EQ(cpuid(CPUID_LEAF_HV_INTERFACE, 0).eax, HV_INTERFACE_VERSION,
		 "CPUID.40000001h:EAX interface version is 1");
}

/* Each hidden feature bit gets its own line, so a failure names the bit. */
static void check_hidden(uint32_t reg, uint32_t bit, const char *name)
{
	CHECK_EQ(reg & bit, 0, "%s is hidden", name);
}

static void check_leaf1(void)
{
	struct cpuid_regs r = cpuid(CPUID_LEAF_FEATURES, 0);

	check_hidden(r.ecx, CPUID_1_ECX_VMX, "CPUID.1:ECX.VMX[5]");
	check_hidden(r.ecx, CPUID_1_ECX_MONITOR, "CPUID.1:ECX.MONITOR[3]");
	check_hidden(r.ecx, CPUID_1_ECX_PCID, "CPUID.1:ECX.PCID[17]");
	/* Umbra's local APIC: shown (tests/guests/apic.c exercises it). */
	CHECK(r.ecx & CPUID_1_ECX_X2APIC, "CPUID.1:ECX.x2APIC[21] is shown");
	CHECK(r.ecx & CPUID_1_ECX_TSC_DEADLINE, "CPUID.1:ECX.TSC-deadline[24] is shown");
	CHECK(r.edx & CPUID_1_EDX_APIC, "CPUID.1:EDX.APIC[9] is shown");
	/* OSXSAVE mirrors the guest's CR4.OSXSAVE, which is still clear (SDM Vol. 2A "CPUID"). */
	check_hidden(r.ecx, CPUID_1_ECX_OSXSAVE, "CPUID.1:ECX.OSXSAVE[27] (CR4.OSXSAVE clear)");
}

static void check_leaf7(void)
{
	struct cpuid_regs r;

	if (max_basic_leaf < CPUID_LEAF_EXT_FEATURES) {
		SKIP("leaf 7 checks: max basic leaf 0x%x", max_basic_leaf);
		return;
	}
	r = cpuid(CPUID_LEAF_EXT_FEATURES, 0);
	check_hidden(r.ebx, CPUID_7_EBX_INVPCID, "CPUID.7:EBX.INVPCID[10]");
	check_hidden(r.ecx, CPUID_7_ECX_PKU, "CPUID.7:ECX.PKU[3]");
	check_hidden(r.ecx, CPUID_7_ECX_OSPKE, "CPUID.7:ECX.OSPKE[4]");
	check_hidden(r.ecx, CPUID_7_ECX_LA57, "CPUID.7:ECX.LA57[16]");
}

static void check_perfmon(void)
{
	struct cpuid_regs r;

	if (max_basic_leaf < CPUID_LEAF_PERFMON) {
		SKIP("leaf 0xA checks: max basic leaf 0x%x", max_basic_leaf);
		return;
	}
	r = cpuid(CPUID_LEAF_PERFMON, 0);
	CHECK(!r.eax && !r.ebx && !r.ecx && !r.edx,
	      "CPUID.0Ah (perfmon) is all zero (%08x %08x %08x %08x)", r.eax, r.ebx, r.ecx, r.edx);
}

static void check_svm(void)
{
	if (max_ext_leaf < CPUID_LEAF_EXT_SIGNATURE) {
		SKIP("leaf 0x80000001 checks: max extended leaf 0x%x", max_ext_leaf);
		return;
	}
	check_hidden(cpuid(CPUID_LEAF_EXT_SIGNATURE, 0).ecx, CPUID_80000001_ECX_SVM,
		     "CPUID.80000001h:ECX.SVM[2]");
}

void guest_main(void)
{
	print_vendor();
	check_hypervisor_leaves();
	check_leaf1();
	check_leaf7();
	check_perfmon();
	check_svm();
}
