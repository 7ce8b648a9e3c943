/* GDB remote protocol commands: a received packet parsed into one struct
 * (pure). What the stub does with it is hv/gdb/gdb_session.c's job. */
#ifndef SABLE_HV_GDB_CMD_H
#define SABLE_HV_GDB_CMD_H

#include "types.h"

enum gdb_cmd_kind {
	GDB_CMD_UNSUPPORTED = 0, /* answered with an empty packet */
	GDB_CMD_MALFORMED,       /* a known command with bad arguments: E01 */
	GDB_CMD_STATUS,          /* ? */
	GDB_CMD_READ_REGS,       /* g */
	GDB_CMD_WRITE_REGS,      /* G hex */
	GDB_CMD_READ_REG,        /* p n */
	GDB_CMD_WRITE_REG,       /* P n=hex */
	GDB_CMD_READ_MEM,        /* m addr,len */
	GDB_CMD_WRITE_MEM,       /* M addr,len:hex */
	GDB_CMD_CONTINUE,        /* c [addr], C sig[;addr], vCont;c / vCont;C */
	GDB_CMD_STEP,            /* s [addr], S sig[;addr], vCont;s / vCont;S */
	GDB_CMD_INSERT_BP,       /* Z type,addr,kind */
	GDB_CMD_REMOVE_BP,       /* z type,addr,kind */
	GDB_CMD_SUPPORTED,       /* qSupported[:features] */
	GDB_CMD_XFER_FEATURES,   /* qXfer:features:read:annex:offset,length */
	GDB_CMD_VCONT_QUERY,     /* vCont? */
	GDB_CMD_DETACH,          /* D [;pid] */
	GDB_CMD_KILL,            /* k, vKill */
	GDB_CMD_OK,              /* H, T, QStartNoAckMode...: answered OK (see noack) */
	GDB_CMD_CURRENT_THREAD,  /* qC */
	GDB_CMD_THREAD_FIRST,    /* qfThreadInfo */
	GDB_CMD_THREAD_NEXT,     /* qsThreadInfo */
	GDB_CMD_ATTACHED,        /* qAttached */
};

/* Z/z types (GDB manual, "Packets": Z0-Z4). */
enum gdb_bp_type {
	GDB_BP_SW = 0,
	GDB_BP_HW = 1,
	GDB_BP_WRITE = 2,
	GDB_BP_READ = 3,
	GDB_BP_ACCESS = 4,
};

#define GDB_ANNEX_MAX 32

struct gdb_cmd {
	enum gdb_cmd_kind kind;
	uint64_t addr;
	uint64_t len;     /* m, M, qXfer length; Z/z kind */
	uint64_t offset;  /* qXfer */
	uint32_t type;    /* Z/z type */
	uint32_t regno;   /* p, P */
	bool has_addr;    /* c/s with a resume address */
	bool noack;       /* QStartNoAckMode */
	const char *data; /* hex digits of G, P, M (inside the packet) */
	size_t data_len;  /* number of hex digits */
	char annex[GDB_ANNEX_MAX + 1];
};

/* Parses packet pkt[0..len). Never fails: unknown packets are
 * GDB_CMD_UNSUPPORTED, bad arguments GDB_CMD_MALFORMED. */
void gdb_cmd_parse(const char *pkt, size_t len, struct gdb_cmd *c);

#endif
