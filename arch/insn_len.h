/* The architectural limit on the length of one x86 instruction. */
#ifndef UMBRA_ARCH_INSN_LEN_H
#define UMBRA_ARCH_INSN_LEN_H

#define X86_MAX_INSN_LEN 15	/* longer raises #GP (SDM Vol. 2A 2.3.11; APM Vol. 3 1.1) */

#endif
