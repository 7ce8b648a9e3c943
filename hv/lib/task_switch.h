/* Hardware task switching for 32-bit TSSs (SDM Vol. 3A ch. 8): descriptor decoding, the
 * TSS layout, the checks and the switch itself over guest memory reached through
 * callbacks (pure; the VMX side is vmx/task_switch.c). 16-bit TSSs are refused with
 * #GP(selector). */
#ifndef SABLE_HV_LIB_TASK_SWITCH_H
#define SABLE_HV_LIB_TASK_SWITCH_H

#include "types.h"

#define VEC_TS 10
#define VEC_NP 11
#define VEC_SS 12
#define VEC_GP 13

/* Segment register, access rights in the VMX layout (SDM Vol. 3C sec. 25.4.1). */
struct task_seg {
	uint16_t sel;
	uint64_t base;
	uint32_t limit;
	uint32_t ar;
};

#define TASK_AR_UNUSABLE BIT(16)

/* A decoded 8-byte segment or system descriptor (sec. 3.4.5). */
struct seg_desc {
	uint32_t base, limit; /* limit in bytes (granularity applied) */
	uint32_t ar;          /* VMX layout: type, S, DPL, P, AVL, L, D/B, G */
	unsigned type, dpl;
	bool s, p;
};

void desc_decode(uint64_t raw, struct seg_desc *d);

/* The 32-bit TSS (sec. 8.2.1, figure 8-2). */
struct __packed tss32 {
	uint16_t link, r0;
	uint32_t esp0;
	uint16_t ss0, r1;
	uint32_t esp1;
	uint16_t ss1, r2;
	uint32_t esp2;
	uint16_t ss2, r3;
	uint32_t cr3, eip, eflags;
	uint32_t gpr[8]; /* EAX ECX EDX EBX ESP EBP ESI EDI */
	uint32_t seg[6]; /* ES CS SS DS FS GS selectors (upper halves reserved) */
	uint16_t ldt, r4;
	uint16_t trap, iomap;
};
_Static_assert(sizeof(struct tss32) == 104, "32-bit TSS is 104 bytes");

enum task_source { TASK_CALL = 0, TASK_IRET = 1, TASK_JMP = 2, TASK_IDT_GATE = 3 };

enum task_seg_reg { TASK_ES = 0, TASK_CS, TASK_SS, TASK_DS, TASK_FS, TASK_GS };

/* The vCPU state a task switch reads and writes. */
struct task_cpu {
	uint32_t gpr[8];
	uint32_t eip; /* where the old task resumes (after CALL/JMP/IRET/INT n) */
	uint32_t eflags, cr0, cr3;
	struct task_seg seg[6], ldtr, tr;
	uint64_t gdt_base;
	uint32_t gdt_limit;
};

struct task_req {
	uint16_t sel; /* the new TSS */
	enum task_source src;
	bool ext;       /* an external event (error codes get EXT = 1) */
	bool has_error; /* an exception with an error code: pushed on the new task's stack */
	uint32_t error;
};

/* Guest linear memory for supervisor (implicit) accesses, and the CR3 load. Each returns
 * 0, or TASK_PAGE_FAULT (a #PF is pending for the guest), TASK_MEM_ERROR (not guest RAM)
 * or, for load_cr3, TASK_FAULT (#GP(0): bad PAE PDPTEs). */
struct task_mem {
	int (*read)(void *ctx, uint64_t la, void *buf, uint32_t len);
	int (*write)(void *ctx, uint64_t la, const void *buf, uint32_t len);
	int (*load_cr3)(void *ctx, uint32_t cr3);
	void *ctx;
};

enum task_result {
	TASK_OK = 0,
	TASK_FAULT,      /* *fault names the exception to deliver */
	TASK_PAGE_FAULT, /* the memory layer made a #PF pending */
	TASK_MEM_ERROR,  /* a TSS or descriptor is not in guest RAM */
};

struct task_fault {
	uint8_t vector;
	uint32_t error;
	bool committed;  /* raised in the new task: the state in cpu is the new task's */
	bool debug_trap; /* TASK_OK into a TSS with T set: a #DB (DR6.BT) follows, sec. 8.2.1 */
};

/* Switches from the task in cpu->tr to req->sel. On TASK_OK and on a result with
 * fault->committed, cpu holds the new task's state (TR, CR0.TS, EFLAGS, EIP, registers,
 * LDTR, segments, CR3 already given to mem->load_cr3). Otherwise cpu is unchanged and
 * the fault is the old task's. */
enum task_result task_switch(struct task_cpu *cpu, const struct task_req *req,
                             const struct task_mem *mem, struct task_fault *fault);

#endif
