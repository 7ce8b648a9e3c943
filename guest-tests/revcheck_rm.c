// SPDX-License-Identifier: MIT
/*
 * revcheck real-mode-gp: RDMSR 0xabc (no such MSR) executed in real mode must
 * raise #GP through the real-mode IVT, which pushes FLAGS, CS and IP and no
 * error code (SDM Vol. 3A 20.1.4); a hypervisor that reflects it must not ask
 * VM entry to deliver an error code while CR0.PE = 0 (Vol. 3C 26.2.1.3).
 * A CPU with CET (IA32_VMX_BASIC[56] = 1) skips that check, as Bochs' Tiger
 * Lake model does; its Ice Lake model makes it.
 */
#include "revcheck.h"

#define CR0_PE (1u << 0)
/* Low memory used in real mode (guest RAM below 640 KiB that nothing else uses). */
#define RM_CODE      0x7000 /* the real-mode blob is copied here */
#define RM_STACK_TOP 0x6ff0
#define RM_DATA      0x6000 /* struct rm_data; the blob writes its fields at these offsets */
#define XSTR(x)      STR(x)
#define STR(x)       #x

/* Real-mode data block at RM_DATA, filled in by the blob. */
struct rm_data {
	uint16_t gp_count, handler_sp, ip, cs, flags, sp_before;
} __attribute__((packed));
_Static_assert(__builtin_offsetof(struct rm_data, handler_sp) == 2 &&
                       __builtin_offsetof(struct rm_data, ip) == 4 &&
                       __builtin_offsetof(struct rm_data, sp_before) == 10,
               "offsets used by the real-mode blob");

void rm_run(void);
extern char rm_blob_start[], rm_blob_end[], rm_rdmsr[], rm_gp_handler[];

/*
 * rm_run: from 32-bit protected mode through a 16-bit code segment to real
 * mode (CR0.PE = 0) at RM_CODE, RDMSR 0xabc there with the IVT's #GP entry
 * pointing at rm_gp_handler (which records its frame and skips the 2-byte
 * RDMSR), then back to 32-bit protected mode. Addresses inside the blob are
 * those of its copy at RM_CODE.
 */
#define RM(l) "(" XSTR(RM_CODE) " + " #l " - rm_blob_start)"
asm(".text\n"
    ".globl rm_run\n"
    "rm_run:\n\t"
    "pushal\n\t"
    "movl %esp, rm_saved_esp\n\t"
    "sidt rm_saved_idtr\n\t"
    "ljmp $" XSTR(SEL_CODE16) ", $" XSTR(
	    RM_CODE) "\n"
                     ".code16\n"
                     ".globl rm_blob_start\n"
                     "rm_blob_start:\n\t"
                     "movw $" XSTR(
			     SEL_DATA16) ", %ax\n\t"
                                         "movw %ax, %ds\n\t"
                                         "movw %ax, %es\n\t"
                                         "movw %ax, %ss\n\t"
                                         "movw %ax, %fs\n\t"
                                         "movw %ax, %gs\n\t"
                                         "lidt " RM(
						 rm_ivt_desc) "\n\t"
                                                              "movl %cr0, %eax\n\t"
                                                              "andl $~1, %eax\n\t"
                                                              "movl %eax, %cr0\n\t"
                                                              "ljmp $0, $" RM(
								      rm_real) "\n"
                                                                               "rm_real:\n\t"
                                                                               "xorw %ax, %ax\n\t"
                                                                               "movw %ax, %ds\n\t"
                                                                               "movw %ax, %es\n\t"
                                                                               "movw %ax, %ss\n\t"
                                                                               "movw %ax, %fs\n\t"
                                                                               "movw %ax, %gs\n\t"
                                                                               "movw $" XSTR(
										       RM_STACK_TOP) ", %sp\n\t"
                                                                                                     "movw %sp, 0x600a\n\t"
                                                                                                     "movl $0xabc, %ecx\n"
                                                                                                     ".globl rm_rdmsr\n"
                                                                                                     "rm_rdmsr:\n\t"
                                                                                                     "rdmsr\n\t"
                                                                                                     "movl %cr0, %eax\n\t"
                                                                                                     "orl $1, %eax\n\t"
                                                                                                     "movl %eax, %cr0\n\t"
                                                                                                     "ljmpl $0x08, $rm_back32\n"
                                                                                                     ".globl rm_gp_handler\n"
                                                                                                     "rm_gp_handler:\n\t"
                                                                                                     "incw 0x6000\n\t"
                                                                                                     "movw %sp, 0x6002\n\t"
                                                                                                     "movw %sp, %bp\n\t"
                                                                                                     "movw 0(%bp), %ax\n\t"
                                                                                                     "movw %ax, 0x6004\n\t"
                                                                                                     "movw 2(%bp), %ax\n\t"
                                                                                                     "movw %ax, 0x6006\n\t"
                                                                                                     "movw 4(%bp), %ax\n\t"
                                                                                                     "movw %ax, 0x6008\n\t"
                                                                                                     "addw $2, 0(%bp)\n\t"
                                                                                                     "iret\n"
                                                                                                     "rm_ivt_desc:\n\t"
                                                                                                     ".word 0x3ff\n\t"
                                                                                                     ".long 0\n"
                                                                                                     ".globl rm_blob_end\n"
                                                                                                     "rm_blob_end:\n"
                                                                                                     ".code32\n"
                                                                                                     "rm_back32:\n\t"
                                                                                                     "movw $0x10, %ax\n\t"
                                                                                                     "movw %ax, %ds\n\t"
                                                                                                     "movw %ax, %es\n\t"
                                                                                                     "movw %ax, %ss\n\t"
                                                                                                     "movw %ax, %fs\n\t"
                                                                                                     "movw %ax, %gs\n\t"
                                                                                                     "movl rm_saved_esp, %esp\n\t"
                                                                                                     "lidt rm_saved_idtr\n\t"
                                                                                                     "popal\n\t"
                                                                                                     "ret\n"
                                                                                                     ".data\n"
                                                                                                     "rm_saved_esp: .long 0\n"
                                                                                                     "rm_saved_idtr: .word 0\n\t.long 0\n"
                                                                                                     ".text\n");

void revcheck_real_mode_gp(void)
{
	struct rm_data *d = low_ptr(RM_DATA);
	uint32_t *ivt = low_ptr(0);
	uint32_t handler = RM_CODE + (uint32_t)(rm_gp_handler - rm_blob_start);
	uint32_t rdmsr_ip = RM_CODE + (uint32_t)(rm_rdmsr - rm_blob_start);
	uint32_t saved_ivt13 = ivt[13];

	memcpy(low_ptr(RM_CODE), rm_blob_start, (size_t)(rm_blob_end - rm_blob_start));
	memset(d, 0, sizeof(*d));
	ivt[13] = handler; /* segment 0 */
	rm_run();
	ivt[13] = saved_ivt13;
	test_begin("real-mode-gp");
	CHECK(read_cr0() & CR0_PE, "CR0.PE not set again");
	CHECK(d->gp_count == 1, "#GP taken %u times through the IVT, want 1", d->gp_count);
	CHECK(d->ip == rdmsr_ip && d->cs == 0, "#GP return address %04x:%04x, want 0000:%04x",
	      d->cs, d->ip, rdmsr_ip);
	CHECK(d->handler_sp == d->sp_before - 6,
	      "SP 0x%x in the handler, want 0x%x (FLAGS, CS, IP and no error code)", d->handler_sp,
	      d->sp_before - 6);
	test_end();
}
