/* CPUID feature bits the hypervisor tests, hides or enforces, named
 * CPUID_<leaf>[_<subleaf>]_<register>_<feature> (SDM Vol. 2A, CPUID). */
#ifndef SABLE_CPUID_BITS_H
#define SABLE_CPUID_BITS_H

#define CPUID_1_ECX_MONITOR      (1u << 3)
#define CPUID_1_ECX_DS_CPL       (1u << 4)
#define CPUID_1_ECX_VMX          (1u << 5)
#define CPUID_1_ECX_SMX          (1u << 6)
#define CPUID_1_ECX_EST          (1u << 7)
#define CPUID_1_ECX_TM2          (1u << 8)
#define CPUID_1_ECX_PDCM         (1u << 15)
#define CPUID_1_ECX_X2APIC       (1u << 21)
#define CPUID_1_ECX_TSC_DEADLINE (1u << 24)
#define CPUID_1_ECX_XSAVE        (1u << 26)
#define CPUID_1_ECX_OSXSAVE      (1u << 27)
#define CPUID_1_ECX_HYPERVISOR   (1u << 31)

#define CPUID_1_EDX_APIC (1u << 9)
#define CPUID_1_EDX_MCA  (1u << 14)
#define CPUID_1_EDX_DS   (1u << 21)
#define CPUID_1_EDX_ACPI (1u << 22)
#define CPUID_1_EDX_FXSR (1u << 24)
#define CPUID_1_EDX_HTT  (1u << 28)
#define CPUID_1_EDX_TM   (1u << 29)
#define CPUID_1_EDX_PBE  (1u << 31)

#define CPUID_7_EBX_TSC_ADJUST (1u << 1)
#define CPUID_7_EBX_SGX        (1u << 2)
#define CPUID_7_EBX_PT         (1u << 25)

#define CPUID_7_ECX_PKU    (1u << 3)
#define CPUID_7_ECX_OSPKE  (1u << 4)
#define CPUID_7_ECX_WAITPK (1u << 5)
#define CPUID_7_ECX_SGX_LC (1u << 30)
#define CPUID_7_ECX_PKS    (1u << 31)

#define CPUID_7_EDX_AMX_BF16      (1u << 22)
#define CPUID_7_EDX_AMX_TILE      (1u << 24)
#define CPUID_7_EDX_AMX_INT8      (1u << 25)
#define CPUID_7_EDX_IBRS_IBPB     (1u << 26)
#define CPUID_7_EDX_STIBP         (1u << 27)
#define CPUID_7_EDX_L1D_FLUSH     (1u << 28)
#define CPUID_7_EDX_ARCH          (1u << 29)
#define CPUID_7_EDX_CORE          (1u << 30)
#define CPUID_7_EDX_SSBD          (1u << 31)
#define CPUID_7_1_EAX_AMX_FP16    (1u << 21)
#define CPUID_7_1_EDX_AMX_COMPLEX (1u << 8)

#define CPUID_7_2_EDX_PSFD       (1u << 0)
#define CPUID_7_2_EDX_IPRED_CTRL (1u << 1)
#define CPUID_7_2_EDX_RRSBA_CTRL (1u << 2)
#define CPUID_7_2_EDX_DDPD_U     (1u << 3)
#define CPUID_7_2_EDX_BHI_CTRL   (1u << 4)

#define CPUID_D_1_EAX_XSAVES (1u << 3)

#define CPUID_80000001_EDX_SYSCALL (1u << 11)
#define CPUID_80000001_EDX_NX      (1u << 20)
#define CPUID_80000001_EDX_LM      (1u << 29)

#endif
