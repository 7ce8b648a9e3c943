/*
 * The console monitor: line editing (hv/lib/lineedit.c), parsing
 * (hv/monitor_cmd.c) and the commands that look at VMs as a whole; those
 * that read one vCPU or guest memory are in hv/monitor_vcpu.c. It runs on the
 * BSP inside console_in_poll, between two entries into its guests: the
 * guests of the other cores keep running, and every line they print goes
 * above the monitor's line (log_prompt).
 */
#include "hv/monitor.h"
#include "drivers/tsc.h"
#include "drivers/uart.h"
#include "err.h"
#include "hv/config/options.h"
#include "hv/gdb/gdb.h"
#include "hv/lib/format.h"
#include "hv/lib/lineedit.h"
#include "hv/log.h"
#include "hv/monitor_cmd.h"
#include "hv/panic.h"
#include "hv/percpu.h"
#include "hv/vm.h"
#include "kstring.h"

#define PROMPT "sable> "

static struct lineedit ed;
static bool active;
/* VMs paused by the monitor's `pause` (by serial: a restarted VM is another). */
static uint64_t paused_serial[MAX_VMS];

static void show_prompt(const char *echo, size_t echo_len)
{
	char line[sizeof(PROMPT) + LINEEDIT_MAX];
	size_t n = sizeof(PROMPT) - 1;

	memcpy(line, PROMPT, n);
	memcpy(line + n, ed.buf, ed.len);
	log_prompt(echo, echo_len, line, n + ed.len);
}

void monitor_enter(void)
{
	active = true;
	lineedit_reset(&ed);
	log_raw("\nSable monitor: guests keep running; `help` lists commands, `exit` leaves\n");
	show_prompt(NULL, 0);
}

void monitor_leave(void)
{
	if (!active)
		return;
	active = false;
	log_prompt("\n", 1, NULL, 0);
}

struct vm *monitor_hold_vm(const char *name)
{
	struct vm *vm = vm_hold(name);

	if (!vm)
		log_raw("error: no running VM '%s' (see vms)\n", name);
	return vm;
}

static uint64_t ms_of(uint64_t ticks)
{
	return tsc_hz >= 1000 ? ticks / (tsc_hz / 1000) : 0;
}

static const char *vcpu_state(const struct vcpu *v)
{
	if (v->debugged)
		return gdb_holds(v) ? "debugger" : "gdb-run";
	if (v->parked)
		return "paused";
	switch (v->state) {
	case VCPU_RUNNABLE:
		return "runnable";
	case VCPU_BLOCKED:
		return "halted";
	case VCPU_WAIT_SIPI:
		return "wait-sipi";
	default:
		return "stopped";
	}
}

/* Runs fn for the VM named by the argument, or for every running VM. */
static void for_vms(const struct mon_cmd *c, void (*fn)(struct vm *vm))
{
	char id[12];

	if (c->argc) {
		struct vm *vm = monitor_hold_vm(c->argv[0]);
		if (!vm)
			return;
		fn(vm);
		vm_unhold(vm);
		return;
	}
	for (uint32_t i = 0; i < MAX_VMS; i++) {
		struct vm *vm;

		fmt_snprintf(id, sizeof(id), "%u", i);
		vm = vm_hold(id);
		if (!vm)
			continue;
		fn(vm);
		vm_unhold(vm);
	}
}

static void show_vm(struct vm *vm)
{
	uint64_t up = ms_of(tsc_now() - vm->start_tsc);

	log_raw("  %-3u %-15s %-8s %5u %6lu MiB %6lu.%03lu s\n", vm->id, vm->name,
	        vm_paused(vm) ? "paused" : "running", vm->nvcpus, vm->mem_size >> 20, up / 1000,
	        up % 1000);
}

static void show_vcpus(struct vm *vm)
{
	for (uint32_t i = 0; i < vm->nvcpus; i++) {
		const struct vcpu *v = vm->vcpus[i];

		log_raw("  %s.%u core %u %-9s run %lu ms exits %lu\n", vm->name, i, v->pcpu,
		        vcpu_state(v), ms_of(v->se.run_ticks), v->stats.exits);
	}
}

static void show_stats(struct vm *vm)
{
	for (uint32_t i = 0; i < vm->nvcpus; i++) {
		const struct vcpu *v = vm->vcpus[i];
		const struct vcpu_stats *s = &v->stats;
		char line[LOG_PROMPT_MAX * 3];
		size_t n = 0;

		log_raw("  %s.%u exits %lu (fast %lu) injected %lu (NMIs %lu) failed entries %lu\n",
		        vm->name, i, s->exits, s->fast_exits, s->irqs_injected, s->nmis_injected,
		        s->entries_failed);
		log_raw("  %s.%u FPU memory %u bytes (at most %u) XSETBV %lu WRMSR XSS/PKRU %lu\n",
		        vm->name, i, v->fpu.area_size, v->fpu.peak_size, s->xsetbv, s->fpu_wrmsr);
		line[0] = 0;
		for (uint32_t r = 0; r < VCPU_EXIT_REASONS && n < sizeof(line) - 40; r++) {
			const char *name = vmm_ops->exit_name ? vmm_ops->exit_name(r) : NULL;

			if (!s->exit_reason[r])
				continue;
			n += (size_t)fmt_snprintf(line + n, sizeof(line) - n, "%s %s %lu",
			                          n ? "," : "", name ? name : "?",
			                          s->exit_reason[r]);
		}
		log_raw("  %s.%u by reason:%s\n", vm->name, i, line[0] ? line : " none");
	}
}

static void cmd_help(const struct mon_cmd *c)
{
	for (uint32_t i = 0; i < MON_NR_CMDS; i++) {
		const struct mon_cmd_spec *s = &mon_cmds[i];

		if (c->argc && strcmp(c->argv[0], s->name))
			continue;
		log_raw("  %-9s %-20s %s\n", s->name, s->usage, s->help);
		if (c->argc)
			return;
	}
	if (c->argc)
		log_raw("error: no command '%s' (help lists them)\n", c->argv[0]);
	else
		log_raw("  vm: a name or an id (vms); vm.vcpu: e.g. 0.1; numbers: decimal or 0x "
		        "hex\n");
}

static bool paused_by_monitor(const struct vm *vm)
{
	return paused_serial[vm->id] == vm->serial + 1;
}

static void cmd_pause_resume_stop(const struct mon_cmd *c)
{
	struct vm *vm = monitor_hold_vm(c->argv[0]);

	if (!vm)
		return;
	if (c->id == MON_PAUSE) {
		if (paused_by_monitor(vm)) {
			log_raw("vm %s is paused already\n", vm->name);
		} else {
			paused_serial[vm->id] = vm->serial + 1;
			if (vm_pause(vm) < 0)
				log_raw("error: vm %s: not every vCPU stopped within the wait; the "
				        "pause "
				        "stays requested\n",
				        vm->name);
			else
				log_raw("vm %s paused\n", vm->name);
		}
	} else if (c->id == MON_RESUME) {
		if (!paused_by_monitor(vm)) {
			log_raw("error: vm %s was not paused here\n", vm->name);
		} else {
			paused_serial[vm->id] = 0;
			vm_resume(vm);
			log_raw("vm %s resumed\n", vm->name);
		}
	} else {
		if (paused_by_monitor(vm)) {
			paused_serial[vm->id] = 0;
			vm_resume(vm);
		}
		vm_stop(vm, "stopped from the monitor");
	}
	vm_unhold(vm);
}

static void cmd_loglevel(const struct mon_cmd *c)
{
	static const char *const names[] = {"err", "warn", "info", "debug"};
	char err[MON_ERR_MAX];
	int level;

	if (mon_parse_loglevel(c->argv[0], &level, err, sizeof(err)) < 0) {
		log_raw("error: %s\n", err);
		return;
	}
	log_threshold = (enum log_level)level;
	log_raw("log level %s\n", names[level]);
}

/* gdb vm[.vcpu]: the stub on COM2 (hv/gdb/gdb.c) takes that vCPU. */
static void cmd_gdb(const struct mon_cmd *c)
{
	char name[VMCONFIG_NAME_MAX + 1], err[MON_ERR_MAX];
	struct vm *vm;
	uint32_t i;
	int r;

	if (mon_parse_vm_vcpu(c->argv[0], name, sizeof(name), &i, err, sizeof(err)) < 0) {
		log_raw("error: %s\n", err);
		return;
	}
	vm = monitor_hold_vm(name);
	if (!vm)
		return;
	if (i >= vm->nvcpus)
		log_raw("error: vm %s has no vCPU %u (it has %u)\n", vm->name, i, vm->nvcpus);
	else if (vm->vcpus[i]->debugged)
		log_raw("error: gdb is attached to vm %s vcpu %u already\n", vm->name, i);
	else if (uart_current()->space == UART_IO && uart_current()->base == UART_COM2_PORT)
		log_raw("error: COM2 (0x%x) is the console (serial=): no GDB stub\n",
		        UART_COM2_PORT);
	else if ((r = gdb_attach(vm, i)) == -EBUSY)
		log_raw("error: gdb is attached to another vCPU (gdb's D detaches it)\n");
	else if (r == -ENODEV)
		log_raw("error: no UART answers at COM2 (0x%x): no GDB stub\n", UART_COM2_PORT);
	else if (r < 0)
		log_raw("error: vm %s vcpu %u: no GDB stub here (error %d)\n", vm->name, i, r);
	else {
		log_raw("gdb: vm %s vcpu %u stops for gdb on COM2 (0x%x)\n", vm->name, i,
		        UART_COM2_PORT);
		if (vm->vcpus[i]->pcpu == cpu_id())
			log_raw("note: it runs on this core: the monitor waits while gdb holds "
			        "it\n");
	}
	vm_unhold(vm);
}

static void run(struct mon_cmd *c)
{
	switch (c->id) {
	case MON_HELP:
		cmd_help(c);
		break;
	case MON_VMS:
		log_raw("  id  name            state    vCPUs  memory       uptime\n");
		for_vms(c, show_vm);
		break;
	case MON_VCPUS:
		for_vms(c, show_vcpus);
		break;
	case MON_STATS:
		log_raw("  console: %lu receive overrun(s) (input lost)\n", uart_rx_overruns());
		for_vms(c, show_stats);
		break;
	case MON_REGS:
		monitor_cmd_regs(c);
		break;
	case MON_VMCS:
		monitor_cmd_vmcs(c);
		break;
	case MON_EPT:
		monitor_cmd_ept(c);
		break;
	case MON_MEM:
		monitor_cmd_mem(c);
		break;
	case MON_XSAVE:
		monitor_cmd_xsave(c);
		break;
	case MON_PAUSE:
	case MON_RESUME:
	case MON_STOP:
		cmd_pause_resume_stop(c);
		break;
	case MON_LOGLEVEL:
		cmd_loglevel(c);
		break;
	case MON_GDB:
		cmd_gdb(c);
		break;
	case MON_REBOOT:
		log_raw("rebooting\n");
		hv_reboot();
	case MON_POWEROFF:
		log_raw("powering off\n");
		hv_options.on_stop = ON_STOP_POWEROFF;
		hv_stop(STOP_DONE);
	case MON_EXIT:
	case MON_NR_CMDS:
		break;
	}
}

bool monitor_key(uint8_t key)
{
	char echo[LINEEDIT_ECHO], err[MON_ERR_MAX];
	size_t n;
	struct mon_cmd c;
	int r;

	switch (lineedit_key(&ed, key, echo, &n)) {
	case LINEEDIT_MORE:
		if (n)
			show_prompt(echo, n);
		return true;
	case LINEEDIT_REDRAW:
		show_prompt(NULL, 0);
		return true;
	case LINEEDIT_CANCEL:
		log_prompt(echo, n, NULL, 0);
		show_prompt(NULL, 0);
		return true;
	case LINEEDIT_TOO_LONG:
		log_prompt(echo, n, NULL, 0);
		log_raw("error: line too long (at most %u characters): ignored\n", LINEEDIT_MAX);
		show_prompt(NULL, 0);
		return true;
	case LINEEDIT_LINE:
		break;
	}
	log_prompt(echo, n, NULL, 0); /* the line is done: output goes below it */
	r = mon_parse(ed.buf, &c, err, sizeof(err));
	if (r < 0)
		log_raw("error: %s\n", err);
	else if (r > 0 && c.id == MON_EXIT) {
		active = false;
		log_raw("leaving the monitor (Ctrl-A m enters it again)\n");
		return false;
	} else if (r > 0)
		run(&c);
	show_prompt(NULL, 0);
	return true;
}
