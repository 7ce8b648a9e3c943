#include "hv/config/options.h"
#include "err.h"
#include "hv/config/cmdline.h"
#include "hv/lib/format.h"
#include "hv/sched_policy.h"
#include "kstring.h"
#include "param.h"

struct hv_options hv_options = {
	.loglevel = LOG_INFO,
	.on_stop = ON_STOP_HALT,
	.max_cpus = MAX_CPUS,
	.vmx_ack = true,
	.apicv = true,
	.monitor = true,
	.sched_slice_us = SCHED_SLICE_US_DEFAULT,
};

struct word_value {
	const char *word;
	int value;
};

static const struct word_value loglevel_words[] = {
	{"err", LOG_ERR},   {"error", LOG_ERR},   {"warn", LOG_WARN},
	{"info", LOG_INFO}, {"debug", LOG_DEBUG}, {"0", LOG_ERR},
	{"1", LOG_WARN},    {"2", LOG_INFO},      {"3", LOG_DEBUG},
};

static const struct word_value selftest_words[] = {
	{"none", SELFTEST_NONE},       {"ud", SELFTEST_UD},         {"pf", SELFTEST_PF},
	{"vmentry", SELFTEST_VMENTRY}, {"events", SELFTEST_EVENTS}, {"vmread", SELFTEST_VMREAD},
	{"vpids", SELFTEST_VPIDS},
};

static const struct word_value on_off_words[] = {
	{"on", 1}, {"off", 0}, {"1", 1}, {"0", 0}, {"yes", 1}, {"no", 0},
};

static const struct word_value console_words[] = {
	{"both", CONSOLE_BOTH},
	{"serial", CONSOLE_SERIAL},
	{"screen", CONSOLE_SCREEN},
};

static const struct word_value on_stop_words[] = {
	{"halt", ON_STOP_HALT},
	{"poweroff", ON_STOP_POWEROFF},
};

void options_defaults(struct hv_options *o)
{
	o->loglevel = LOG_INFO;
	o->on_stop = ON_STOP_HALT;
	o->console = CONSOLE_BOTH;
	o->monitor = true;
	o->console_in[0] = 0;
	o->max_cpus = MAX_CPUS;
	o->selftest = SELFTEST_NONE;
	o->vmx_ack = true;
	o->apicv = true;
	o->sched_slice_us = SCHED_SLICE_US_DEFAULT;
	o->serial_given = false;
	o->gdb_given = false;
}

static int lookup_word(const struct word_value *tab, size_t n, const struct cmdline_token *t)
{
	for (size_t i = 0; i < n; i++)
		if (cmdline_slice_is(t->val, t->val_len, tab[i].word))
			return tab[i].value;
	return -EINVAL;
}

static int parse_cpus(const struct cmdline_token *t, struct hv_options *o)
{
	uint64_t n;

	if (cmdline_parse_u64(t->val, t->val_len, &n) < 0 || n < 1 || n > MAX_CPUS)
		return -EINVAL;
	o->max_cpus = (uint32_t)n;
	return 0;
}

/* serial=none | PORT | mmio:ADDR | mmio32:ADDR, then optionally ,BAUD. */
static int parse_serial(const struct cmdline_token *t, struct hv_options *o)
{
	struct uart_cfg c = {.space = UART_IO, .stride = 1, .access = 1, .baud = UART_DEFAULT_BAUD};
	const char *s = t->val;
	size_t len = t->val_len, comma = 0;
	uint64_t v;

	if (cmdline_slice_is(s, len, "none")) {
		c.space = UART_NONE;
		goto done;
	}
	while (comma < len && s[comma] != ',')
		comma++;
	if (comma < len) {
		if (cmdline_parse_u64(s + comma + 1, len - comma - 1, &v) < 0 || v > 0xffffffffu ||
		    !uart_divisor(0, (uint32_t)v))
			return -EINVAL;
		c.baud = (uint32_t)v;
		len = comma;
	}
	if (len > 5 && cmdline_slice_is(s, 5, "mmio:")) {
		c.space = UART_MMIO;
		s += 5, len -= 5;
	} else if (len > 7 && cmdline_slice_is(s, 7, "mmio32:")) {
		c.space = UART_MMIO;
		c.stride = c.access = 4;
		s += 7, len -= 7;
	}
	if (cmdline_parse_u64(s, len, &v) < 0 || !v)
		return -EINVAL;
	if (c.space == UART_IO && v > 0xfff8)
		return -EINVAL;
	if (c.space == UART_MMIO && (v & (c.stride - 1)))
		return -EINVAL;
	c.base = v;
done:
	o->serial = c;
	o->serial_given = true;
	return 0;
}

/* gdb=<vm>[.<vcpu>]: a VM name as vm= allows it, then an optional vCPU index. */
static int parse_gdb(const struct cmdline_token *t, struct hv_options *o)
{
	size_t len = 0;
	uint64_t vcpu = 0;

	while (len < t->val_len && t->val[len] != '.') {
		char c = t->val[len];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-'))
			return -EINVAL;
		len++;
	}
	if (len == 0 || len > VMCONFIG_NAME_MAX)
		return -EINVAL;
	if (len < t->val_len &&
	    (cmdline_parse_u64(t->val + len + 1, t->val_len - len - 1, &vcpu) < 0 ||
	     vcpu >= VMCONFIG_MAX_VCPUS))
		return -EINVAL;
	memcpy(o->gdb_vm, t->val, len);
	o->gdb_vm[len] = '\0';
	o->gdb_vcpu = (uint32_t)vcpu;
	o->gdb_given = true;
	return 0;
}

/* vm=name:...; a bad one is reported (its reason in *expected) and not started. */
static int parse_vm(const struct cmdline_token *t, struct hv_options *o, char *why, size_t n)
{
	if (o->nvms == MAX_VM_CONFIGS) {
		fmt_snprintf(why, n, "at most %d VMs; this one is not started", MAX_VM_CONFIGS);
		return -EINVAL;
	}
	if (vmconfig_parse(t->val, t->val_len, &o->vms[o->nvms], why, n) < 0)
		return -EINVAL;
	o->nvms++;
	return 0;
}

/* Applies one key=value; returns 0, -ENOENT for an unknown key, -EINVAL for a bad value. */
/* The value of a known key was bad: say what was expected. */
static int expected(char *why, size_t n, const char *what)
{
	fmt_snprintf(why, n, "expected %s", what);
	return -EINVAL;
}

/* The switch a key=on|off option sets, or NULL if t is none. */
static bool *on_off_option(const struct cmdline_token *t, struct hv_options *o)
{
	if (cmdline_key_is(t, "vmx_ack"))
		return &o->vmx_ack;
	if (cmdline_key_is(t, "apicv"))
		return &o->apicv;
	return NULL;
}

/* Applies one key=value; returns 0, -ENOENT for an unknown key, -EINVAL for a
 * bad value with the reason in why. */
static int apply(const struct cmdline_token *t, struct hv_options *o, char *why, size_t n)
{
	bool *flag;
	int v;

	if (cmdline_key_is(t, "vm"))
		return parse_vm(t, o, why, n);
	if (cmdline_key_is(t, "loglevel")) {
		v = lookup_word(loglevel_words, ARRAY_SIZE(loglevel_words), t);
		if (v < 0)
			return expected(why, n, "err, warn, info, debug or 0-3");
		o->loglevel = (enum log_level)v;
		return 0;
	}
	if (cmdline_key_is(t, "on_stop")) {
		v = lookup_word(on_stop_words, ARRAY_SIZE(on_stop_words), t);
		if (v < 0)
			return expected(why, n, "halt or poweroff");
		o->on_stop = (enum on_stop)v;
		return 0;
	}
	if (cmdline_key_is(t, "console") && cmdline_slice_is(t->val, t->val_len, "log-only")) {
		o->monitor = false; /* the output stays where it was */
		return 0;
	}
	if (cmdline_key_is(t, "console_in")) {
		if (t->val_len == 0 || t->val_len > VMCONFIG_NAME_MAX)
			return expected(
				why, n,
				"a VM name of 1 to " XSTRINGIFY(VMCONFIG_NAME_MAX) " characters");
		memcpy(o->console_in, t->val, t->val_len);
		o->console_in[t->val_len] = 0;
		return 0;
	}
	if (cmdline_key_is(t, "console")) {
		v = lookup_word(console_words, ARRAY_SIZE(console_words), t);
		if (v < 0)
			return expected(why, n, "serial, screen, both or log-only");
		o->console = (enum console_out)v;
		return 0;
	}
	if (cmdline_key_is(t, "selftest")) {
		v = lookup_word(selftest_words, ARRAY_SIZE(selftest_words), t);
		if (v < 0)
			return expected(why, n, "none, ud, pf, vmentry, events, vmread or vpids");
		o->selftest = (enum selftest)v;
		return 0;
	}
	flag = on_off_option(t, o);
	if (flag) {
		v = lookup_word(on_off_words, ARRAY_SIZE(on_off_words), t);
		if (v < 0)
			return expected(why, n, "on or off");
		*flag = v;
		return 0;
	}
	if (cmdline_key_is(t, "sched_slice_us")) {
		uint64_t us;

		if (cmdline_parse_u64(t->val, t->val_len, &us) < 0 || sched_slice_us_check(us) < 0)
			return expected(
				why, n,
				"microseconds from " XSTRINGIFY(
					SCHED_SLICE_US_MIN) " to " XSTRINGIFY(SCHED_SLICE_US_MAX) " (keeping the default)");
		o->sched_slice_us = (uint32_t)us;
		return 0;
	}
	if (cmdline_key_is(t, "serial")) {
		if (parse_serial(t, o) < 0)
			return expected(why, n,
			                "none, an I/O port, mmio:ADDR or mmio32:ADDR, then "
			                "optionally ,BAUD (50-115200)");
		return 0;
	}
	if (cmdline_key_is(t, "gdb")) {
		if (parse_gdb(t, o) < 0)
			return expected(why, n,
			                "a VM name, optionally .VCPU (0-" XSTRINGIFY(
						VMCONFIG_MAX_VCPUS) " exclusive)");
		return 0;
	}
	if (cmdline_key_is(t, "cpus")) {
		if (parse_cpus(t, o) < 0)
			return expected(why, n, "a number from 1 to " XSTRINGIFY(MAX_CPUS));
		return 0;
	}
	return -ENOENT;
}

static void warnf(options_warn_fn warn, void *ctx, const char *fmt, ...) __printf(3, 4);
static void warnf(options_warn_fn warn, void *ctx, const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	warn(ctx, msg);
}

int options_parse(const char *cmdline, struct hv_options *o, options_warn_fn warn, void *ctx)
{
	const char *cur = cmdline ? cmdline : "";
	struct cmdline_token t;
	int warnings = 0;
	bool first = true;
	int r;

	while ((r = cmdline_next(&cur, &t)) != 0) {
		char why[128];

		if (r < 0) {
			if (!(first && (t.key[0] == '/' || t.key[0] == '('))) {
				warnf(warn, ctx,
				      "ignoring malformed boot option '%.*s' (want key=value)",
				      (int)t.key_len, t.key);
				warnings++;
			}
			first = false;
			continue;
		}
		first = false;
		r = apply(&t, o, why, sizeof(why));
		if (r == -ENOENT) {
			warnf(warn, ctx, "ignoring unknown boot option '%.*s'", (int)t.key_len,
			      t.key);
			warnings++;
		} else if (r < 0) {
			warnf(warn, ctx, "ignoring %.*s=%.*s: %s", (int)t.key_len, t.key,
			      (int)t.val_len, t.val, why);
			warnings++;
		}
	}
	return warnings;
}
