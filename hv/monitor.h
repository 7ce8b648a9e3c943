/* The console monitor: a command line on COM1 for inspecting and controlling
 * VMs while they run (commands: hv/monitor_cmd.c; keys: hv/console_in.h). */
#ifndef SABLE_HV_MONITOR_H
#define SABLE_HV_MONITOR_H

#include "types.h"

/* Prints the banner and the prompt. */
void monitor_enter(void);
/* Takes one key for the line editor, runs finished lines. False once `exit`
 * left the monitor. */
bool monitor_key(uint8_t c);
/* Leaves without a command (another input target was chosen): no prompt. */
void monitor_leave(void);

/* vm_hold of a VM argument (name or id); NULL after printing the error. */
struct vm;
struct vm *monitor_hold_vm(const char *name);

/* The commands that read vCPUs and guest memory (hv/monitor_vcpu.c); each
 * gets its checked arguments and prints its result or a clear error. */
struct mon_cmd;
void monitor_cmd_regs(const struct mon_cmd *c);
void monitor_cmd_vmcs(const struct mon_cmd *c);
void monitor_cmd_xsave(const struct mon_cmd *c);
void monitor_cmd_ept(const struct mon_cmd *c);
void monitor_cmd_mem(const struct mon_cmd *c);

#endif
