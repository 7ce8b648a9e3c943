#include "hv/monitor_cmd.h"
#include "err.h"
#include "hv/lib/format.h"
#include "kstring.h"

const struct mon_cmd_spec mon_cmds[MON_NR_CMDS] = {
	[MON_HELP] = {"help", 0, 1, "[command]", "list the commands, or one command's help"},
	[MON_VMS] = {"vms", 0, 0, "", "VMs: id, name, state, vCPUs, memory, uptime"},
	[MON_VCPUS] = {"vcpus", 0, 1, "[vm]", "vCPUs: core, state, run time, exits"},
	[MON_STATS] = {"stats", 0, 1, "[vm]", "exits by reason, injections, FPU memory"},
	[MON_REGS] = {"regs", 1, 1, "vm.vcpu", "registers, segments, control registers, EFER"},
	[MON_VMCS] = {"vmcs", 1, 1, "vm.vcpu", "the vCPU's VMCS (failed-entry report layout)"},
	[MON_EPT] = {"ept", 2, 2, "vm gpa", "EPT walk of gpa: each level, final HPA, permissions"},
	[MON_MEM] = {"mem", 2, 3, "vm gpa [len]", "hex dump of guest-physical memory (len <= 256)"},
	[MON_XSAVE] = {"xsave", 1, 1, "vm.vcpu", "extended state in the standard layout"},
	[MON_PAUSE] = {"pause", 1, 1, "vm", "stop running the VM's vCPUs"},
	[MON_RESUME] = {"resume", 1, 1, "vm", "let a paused VM run again"},
	[MON_STOP] = {"stop", 1, 1, "vm", "stop the VM for good"},
	[MON_LOGLEVEL] = {"loglevel", 1, 1, "err|warn|info|debug", "set the log level"},
	[MON_GDB] = {"gdb", 1, 1, "vm[.vcpu]",
                     "attach the GDB stub on COM2 to the vCPU (0 by default)"},
	[MON_REBOOT] = {"reboot", 0, 0, "", "reset the machine"},
	[MON_POWEROFF] = {"poweroff", 0, 0, "", "power the machine off"},
	[MON_EXIT] = {"exit", 0, 0, "", "leave the monitor (guests keep running)"},
};

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

int mon_parse(char *line, struct mon_cmd *out, char *err, size_t n)
{
	char *words[MON_ARGS_MAX + 1];
	uint32_t nw = 0;
	char *p = line;

	for (;;) {
		while (is_space(*p))
			*p++ = 0;
		if (!*p)
			break;
		if (nw == ARRAY_SIZE(words)) {
			fmt_snprintf(err, n, "too many arguments (try help)");
			return -EINVAL;
		}
		words[nw++] = p;
		while (*p && !is_space(*p))
			p++;
	}
	if (!nw)
		return 0;
	for (uint32_t i = 0; i < MON_NR_CMDS; i++) {
		const struct mon_cmd_spec *c = &mon_cmds[i];

		if (strcmp(words[0], c->name))
			continue;
		if (nw - 1 < c->min_args || nw - 1 > c->max_args) {
			fmt_snprintf(err, n, "usage: %s %s", c->name, c->usage);
			return -EINVAL;
		}
		out->id = (enum mon_cmd_id)i;
		out->argc = nw - 1;
		for (uint32_t a = 1; a < nw; a++)
			out->argv[a - 1] = words[a];
		return 1;
	}
	fmt_snprintf(err, n, "unknown command '%.20s' (try help)", words[0]);
	return -EINVAL;
}

static int digit(char c, unsigned base)
{
	int d = c >= '0' && c <= '9'   ? c - '0'
	        : c >= 'a' && c <= 'f' ? c - 'a' + 10
	        : c >= 'A' && c <= 'F' ? c - 'A' + 10
	                               : 99;
	return d < (int)base ? d : -1;
}

int mon_parse_u64(const char *s, uint64_t *v, char *err, size_t n)
{
	unsigned base = 10;
	const char *p = s;
	uint64_t x = 0;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	if (!*p)
		goto bad;
	for (; *p; p++) {
		int d = digit(*p, base);

		if (d < 0 || x > (UINT64_MAX - (uint64_t)d) / base)
			goto bad;
		x = x * base + (uint64_t)d;
	}
	*v = x;
	return 0;
bad:
	fmt_snprintf(err, n, "bad number '%.24s' (decimal, or hex with 0x)", s);
	return -EINVAL;
}

int mon_parse_vcpu(const char *s, char *vm, size_t vm_size, uint32_t *vcpu, char *err, size_t n)
{
	const char *dot = s;
	uint64_t idx;
	size_t len;

	while (*dot && *dot != '.')
		dot++;
	len = (size_t)(dot - s);
	if (!*dot || len == 0 || len >= vm_size) {
		fmt_snprintf(err, n, "expected vm.vcpu (e.g. 0.0 or name.1), not '%.24s'", s);
		return -EINVAL;
	}
	if (mon_parse_u64(dot + 1, &idx, err, n) < 0)
		return -EINVAL;
	if (idx > UINT32_MAX) {
		fmt_snprintf(err, n, "no vCPU %.24s", dot + 1);
		return -EINVAL;
	}
	memcpy(vm, s, len);
	vm[len] = 0;
	*vcpu = (uint32_t)idx;
	return 0;
}

int mon_parse_vm_vcpu(const char *s, char *vm, size_t vm_size, uint32_t *vcpu, char *err, size_t n)
{
	size_t len = strlen(s);

	for (size_t i = 0; i < len; i++)
		if (s[i] == '.')
			return mon_parse_vcpu(s, vm, vm_size, vcpu, err, n);
	if (len == 0 || len >= vm_size) {
		fmt_snprintf(err, n, "expected vm or vm.vcpu, not '%.24s'", s);
		return -EINVAL;
	}
	memcpy(vm, s, len + 1);
	*vcpu = 0;
	return 0;
}

int mon_parse_loglevel(const char *s, int *level, char *err, size_t n)
{
	static const char *const words[][2] = {
		{"err", "0"}, {"warn", "1"}, {"info", "2"}, {"debug", "3"}};

	for (int i = 0; i < (int)ARRAY_SIZE(words); i++) {
		if (!strcmp(s, words[i][0]) || !strcmp(s, words[i][1])) {
			*level = i;
			return 0;
		}
	}
	fmt_snprintf(err, n, "bad level '%.16s': err, warn, info, debug or 0-3", s);
	return -EINVAL;
}
