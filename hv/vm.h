/* Virtual machines: guest memory, devices and vCPUs (mechanism 8). */
#ifndef SABLE_HV_VM_H
#define SABLE_HV_VM_H

#include "hv/vdev/acpi_pm.h"
#include "hv/vdev/fwcfg.h"
#include "hv/memslot.h"
#include "hv/lib/spinlock.h"
#include "hv/vdev/i8042.h"
#include "hv/vdev/ioapic.h"
#include "hv/vdev/pci_cfg.h"
#include "hv/vdev/pic8259.h"
#include "hv/vdev/pit8254.h"
#include "hv/vdev/rtc.h"
#include "hv/vdev/uart_emu.h"
#include "hv/vcpu.h"
#include "hv/config/vmconfig.h"
#include "types.h"

#define MAX_VMS 16

enum vm_state {
	VM_RUNNING = 0,
	VM_STOPPED,
};

struct vm {
	char name[VMCONFIG_NAME_MAX + 1];
	uint32_t id;     /* slot in vms[]; reused after the VM is freed */
	uint64_t serial; /* never reused: tells one VM instance from the next */
	struct memslots mem;
	uint64_t mem_size;
	struct vcpu *vcpus[VMCONFIG_MAX_VCPUS];
	uint32_t nvcpus;
	void *arch; /* backend data: EPT */
	struct spinlock lock;
	struct spinlock io_lock; /* the port devices below: vCPUs on several cores share them */
	struct uart_emu uart;
	struct fwcfg fwcfg;
	struct acpi_pm pm; /* ACPI PM registers (Linux guests, whose FADT names them) */
	struct pit pit;    /* its IRQ 0 deadline is vCPU 0's timer (hv/virq.c) */
	struct rtc rtc;
	struct i8042 kbd;
	struct pci_cfg pci;
	struct spinlock irq_lock; /* the interrupt controllers (hv/vdev/irq_line.h) */
	struct pic8259 pic;
	struct ioapic ioapic;
	bool extint;                        /* the PIC pair's output */
	char debug_line[UART_EMU_LINE_MAX]; /* port 0xE9 */
	size_t debug_len;
	char shutdown_match; /* progress through "Shutdown" on port 0x8900 */
	volatile enum vm_state state;
	uint32_t vcpus_stuck;  /* blocked or waiting with nothing of their own to wake them */
	uint32_t vcpus_live;   /* vCPUs not retired yet; the last one frees the VM */
	uint64_t frames_freed; /* frames returned so far, for the report */
	const struct vm_config *config; /* what it was built from (restart=) */
	uint32_t run;                   /* 0 for the first run, then 1..config->restart */
	volatile uint32_t pause_count;  /* vm_pause calls not resumed yet (hv/park.c) */
	volatile uint32_t holds;        /* vm_hold: not retired nor freed while > 0 */
	uint64_t start_tsc;             /* when it was created, for its uptime */
};

extern struct vm *vms[MAX_VMS];
extern uint32_t nr_vms;

/* Builds a VM from its configuration and the boot modules: memory, EPT, kernel
 * image, multiboot information, vCPUs. On failure prints why, frees what it
 * built and returns -errno; the VM does not exist then. */
int vm_create(const struct vm_config *cfg, struct vm **out);

/*
 * Called by the CPU v is pinned to once v's VM has stopped, after that CPU's
 * scheduler has let go of v: frees v's control structure and FPU area here
 * (its VMCS may only be cleared on this CPU). The last vCPU of the VM to be
 * retired also frees the VM (EPT, RAM, objects), prints the frames freed and,
 * if its configuration asks for restarts, builds it again: that new VM is
 * returned for the caller to schedule, else NULL. Nobody may touch v afterwards.
 */
struct vm *vm_vcpu_retire(struct vcpu *v);

/* Host pointer to guest-physical [gpa, gpa+len) if it is all guest RAM, else NULL. */
void *vm_gpa_to_hva(struct vm *vm, gpa_t gpa, uint64_t len);

/* Stops every vCPU of vm and prints why, once. Safe from any CPU. */
void vm_stop(struct vm *vm, const char *fmt, ...) __printf(2, 3);

/*
 * Pausing, for the monitor (pause/resume, consistent snapshots) and the GDB
 * stub (all-stop). vm_pause asks every vCPU of vm to leave guest mode and park
 * in its CPU's scheduler loop with its state saved, and waits (boundedly) for
 * them all: 0, or -ETIMEDOUT if one did not park in time (the pause stays
 * requested). Pauses nest: each needs a vm_resume. Called from a vCPU's own
 * exit handler it does not wait for that vCPU, which parks when the handler
 * returns. A paused vCPU costs its CPU nothing; its timers keep their
 * deadlines and fire (are made pending) after the resume.
 */
int vm_pause(struct vm *vm);
void vm_resume(struct vm *vm);
bool vm_paused(const struct vm *vm);

/* Runs fn(v, arg) on the CPU of the paused vCPU v, with v's backend state
 * (its VMCS) current there, and waits for it to finish: how another CPU reads
 * or changes a paused vCPU's registers, VMCS or FPU image. 0; -EAGAIN if v is
 * not parked. From v's own CPU it calls fn directly. */
int vcpu_call_parked(struct vcpu *v, void (*fn)(struct vcpu *v, void *arg), void *arg);

/*
 * For the monitor: the running VM named name (or with that decimal id), held:
 * while held its vCPUs are not retired and it is not freed even if it stops
 * (their CPUs keep them off the run queue). NULL if there is none or it has
 * stopped. Each hold needs a vm_unhold, soon: a held stopped VM keeps its
 * memory.
 */
struct vm *vm_hold(const char *name);
void vm_unhold(struct vm *vm);

/* Logs a line with the VM's name as prefix. */
void vm_log(struct vm *vm, const char *fmt, ...) __printf(2, 3);

#endif
