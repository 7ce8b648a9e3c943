/* The GDB stub's state and its answer to each command (pure): registers and
 * memory through a target interface, software breakpoints (INT3 written into
 * guest memory), hardware breakpoints and watchpoints as DR0-DR3/DR7 values
 * for the backend to load (SDM Vol. 3B sec. 18.2). */
#ifndef SABLE_HV_GDB_SESSION_H
#define SABLE_HV_GDB_SESSION_H

#include "hv/gdb/gdb_cmd.h"
#include "hv/gdb/gdb_tdesc.h"
#include "types.h"

#define GDB_SW_BREAKPOINTS 64
#define GDB_HW_SLOTS       4
#define GDB_INT3           0xcc

/* The debugged vCPU, as the session reaches it. Addresses are guest-virtual
 * (guest-physical while paging is off). */
struct gdb_target_ops {
	void (*get_regs)(void *ctx, struct gdb_regs *r);
	void (*set_regs)(void *ctx, const struct gdb_regs *r);
	int (*read_mem)(void *ctx, uint64_t addr, void *buf, uint32_t len); /* 0 or -errno */
	int (*write_mem)(void *ctx, uint64_t addr, const void *buf, uint32_t len);
	bool (*mode64)(void *ctx); /* in 64-bit mode now (EFER.LMA and CS.L) */
};

struct gdb_sw_bp {
	uint64_t addr;
	uint8_t saved; /* the byte the INT3 replaced */
	bool used;
};

struct gdb_hw_slot {
	uint64_t addr;
	uint8_t type; /* enum gdb_bp_type: HW, WRITE or ACCESS */
	uint8_t len;  /* 1, 2, 4 or 8 */
	bool used;
};

enum gdb_stop_kind {
	GDB_STOP_TRAP = 0,  /* attach, single step: SIGTRAP */
	GDB_STOP_SWBREAK,   /* one of our INT3s */
	GDB_STOP_HWBREAK,   /* an instruction breakpoint in a DR */
	GDB_STOP_WATCH,     /* a data breakpoint: slot says which */
	GDB_STOP_INTERRUPT, /* Ctrl-C: SIGINT */
};

enum gdb_action {
	GDB_STAY = 0, /* keep serving packets */
	GDB_CONTINUE, /* resume the guest */
	GDB_STEP,     /* resume for one instruction */
	GDB_DETACH,   /* remove every breakpoint, resume, forget gdb */
	GDB_KILL,     /* stop the VM */
};

struct gdb_session {
	const struct gdb_target_ops *ops;
	void *ctx;
	bool mode64; /* the layout of the description gdb read last */
	bool noack;  /* QStartNoAckMode accepted */
	struct gdb_sw_bp sw[GDB_SW_BREAKPOINTS];
	struct gdb_hw_slot hw[GDB_HW_SLOTS];
	char stop_reply[64];
};

void gdb_session_init(struct gdb_session *s, const struct gdb_target_ops *ops, void *ctx);

/* Records why the vCPU stopped (slot: the DR of a watchpoint, addr: what it
 * watches); the next '?' and the stop packet carry it. */
void gdb_session_stopped(struct gdb_session *s, enum gdb_stop_kind kind, unsigned slot);
/* The stop packet's payload for the last stop. */
const char *gdb_session_stop_reply(const struct gdb_session *s);

/* Answers packet pkt[0..len) into reply (payload, not framed; at least
 * GDB_PACKET_MAX bytes), its length in *reply_len; says what to do next. */
enum gdb_action gdb_session_handle(struct gdb_session *s, const char *pkt, size_t len, char *reply,
                                   size_t *reply_len);

/* True if addr holds one of our INT3s. */
bool gdb_session_is_sw_bp(const struct gdb_session *s, uint64_t addr);
/* Number of software breakpoints inserted. */
unsigned gdb_session_sw_count(const struct gdb_session *s);
/* Restores every byte an INT3 replaced and frees the hardware slots (detach). */
void gdb_session_remove_all(struct gdb_session *s);

/* DR7 for the hardware slots in use (local enables, R/W and LEN fields). */
uint64_t gdb_session_dr7(const struct gdb_session *s);
/* The slot a #DB's B0-B3 bits (DR6 layout) name, or -1 if none of ours. */
int gdb_session_hit_slot(const struct gdb_session *s, uint64_t dr6_bits);

#endif
