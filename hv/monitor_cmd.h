/* The monitor's commands: their table, the line parser and the argument
 * checkers (pure; hv/monitor.c runs them). */
#ifndef SABLE_HV_MONITOR_CMD_H
#define SABLE_HV_MONITOR_CMD_H

#include "types.h"

#define MON_ARGS_MAX 4
#define MON_ERR_MAX  96
#define MON_MEM_MAX  256 /* bytes one `mem` dumps at most */

enum mon_cmd_id {
	MON_HELP = 0,
	MON_VMS,
	MON_VCPUS,
	MON_STATS,
	MON_REGS,
	MON_VMCS,
	MON_EPT,
	MON_MEM,
	MON_XSAVE,
	MON_PAUSE,
	MON_RESUME,
	MON_STOP,
	MON_LOGLEVEL,
	MON_GDB,
	MON_REBOOT,
	MON_POWEROFF,
	MON_EXIT,
	MON_NR_CMDS,
};

struct mon_cmd_spec {
	const char *name;
	uint8_t min_args, max_args;
	const char *usage; /* the arguments */
	const char *help;
};

extern const struct mon_cmd_spec mon_cmds[MON_NR_CMDS];

struct mon_cmd {
	enum mon_cmd_id id;
	uint32_t argc;
	char *argv[MON_ARGS_MAX]; /* the arguments (not the command), inside the line */
};

/*
 * Splits line (changed in place) into a command and its arguments and checks
 * the command's name and argument count. 1: a command; 0: an empty line;
 * -EINVAL with a message in err (unknown command, too few or many arguments).
 */
int mon_parse(char *line, struct mon_cmd *out, char *err, size_t n);

/* A number: decimal, or hexadecimal with 0x. 0, or -EINVAL with a message. */
int mon_parse_u64(const char *s, uint64_t *v, char *err, size_t n);
/* "vm.vcpu": the VM's name (or id) into vm, the vCPU index into *vcpu. */
int mon_parse_vcpu(const char *s, char *vm, size_t vm_size, uint32_t *vcpu, char *err, size_t n);
/* "vm" or "vm.vcpu" (the `gdb` command): vCPU 0 when no index is given. */
int mon_parse_vm_vcpu(const char *s, char *vm, size_t vm_size, uint32_t *vcpu, char *err, size_t n);
/* err, warn, info, debug or 0-3 (hv/log.h levels). */
int mon_parse_loglevel(const char *s, int *level, char *err, size_t n);

#endif
