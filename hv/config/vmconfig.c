/* Parser of the vm= boot option: <name>:<key>=<value>[,<key>=<value>...]. */
#include <stdarg.h>

#include "err.h"
#include "param.h"
#include "types.h"
#include "hv/config/cmdline.h"
#include "hv/lib/format.h"
#include "hv/config/vmconfig.h"
#include "hv/sched_policy.h"

#define SLICE_PRINT_MAX 64 /* longest user text quoted in a message */

/* Arguments for "%.*s" of the slice s[0..n), shortened to SLICE_PRINT_MAX. */
#define SL(s, n) (int)MIN((n), (size_t)SLICE_PRINT_MAX), (s)

enum vm_key {
	KEY_MODULE,
	KEY_MEM,
	KEY_CPUS,
	KEY_PIN,
	KEY_MODS,
	KEY_CMDLINE,
	KEY_RESTART,
	KEY_WEIGHT,
	KEY_LINUX,
	KEY_INITRD,
	KEY_COUNT
};

static const char *const key_names[KEY_COUNT] = {
	[KEY_MODULE] = "module",   [KEY_MEM] = "mem",       [KEY_CPUS] = "cpus",
	[KEY_PIN] = "pin",         [KEY_MODS] = "mods",     [KEY_CMDLINE] = "cmdline",
	[KEY_RESTART] = "restart", [KEY_WEIGHT] = "weight", [KEY_LINUX] = "linux",
	[KEY_INITRD] = "initrd",
};

/* State of one vmconfig_parse call. */
struct parser {
	struct vm_config *cfg;
	char *err;
	size_t errlen;
	unsigned int seen; /* bit per enum vm_key */
	uint32_t npin;
};

/* Writes "vm '<name>': " and the formatted reason into the error buffer and
 * returns -EINVAL. */
static __printf(2, 3) int fail(const struct parser *p, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (p->err == NULL || p->errlen == 0)
		return -EINVAL;
	n = fmt_snprintf(p->err, p->errlen, "vm '%s': ", p->cfg->name);
	if (n >= 0 && (size_t)n < p->errlen) {
		va_start(ap, fmt);
		fmt_vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* Like fail, without the VM name (for errors before the name is known). */
static __printf(2, 3) int fail_bare(const struct parser *p, const char *fmt, ...)
{
	va_list ap;

	if (p->err != NULL && p->errlen > 0) {
		va_start(ap, fmt);
		fmt_vsnprintf(p->err, p->errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* Index of the first c in s[0..len), or len if there is none. */
static size_t find_char(const char *s, size_t len, char c)
{
	size_t i = 0;

	while (i < len && s[i] != c)
		i++;
	return i;
}

/* True for the characters allowed in a VM name: [A-Za-z0-9_-]. */
static bool is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-';
}

/* Validates the name s[0..len) and stores it in cfg->name. */
static int set_name(struct parser *p, const char *s, size_t len)
{
	if (len == 0 || len > VMCONFIG_NAME_MAX)
		goto bad;
	for (size_t i = 0; i < len; i++) {
		if (!is_name_char(s[i]))
			goto bad;
	}
	for (size_t i = 0; i < len; i++)
		p->cfg->name[i] = s[i];
	p->cfg->name[len] = '\0';
	return 0;
bad:
	return fail_bare(p, "bad VM name '%.*s' (want 1-%u characters of A-Z a-z 0-9 _ -)",
	                 SL(s, len), VMCONFIG_NAME_MAX);
}

/* Parses an index below max from s[0..len): 0, -EINVAL for junk, -ERANGE. */
static int parse_index(const char *s, size_t len, uint32_t max, uint32_t *out)
{
	uint64_t v;
	int ret = cmdline_parse_u64(s, len, &v);

	if (ret < 0)
		return ret;
	if (v >= max)
		return -ERANGE;
	*out = (uint32_t)v;
	return 0;
}

/* Setters for each key: parse v[0..len), store it in the config or fail. */
static int set_module_index(struct parser *p, const char *key, const char *v, size_t len,
                            uint32_t *out)
{
	int ret = parse_index(v, len, MAX_BOOT_MODULES, out);

	if (ret == -ERANGE)
		return fail(p, "%s=%.*s out of range (max %u)", key, SL(v, len),
		            MAX_BOOT_MODULES - 1);
	if (ret < 0)
		return fail(p, "bad %s= value '%.*s'", key, SL(v, len));
	return 0;
}

static int set_mem(struct parser *p, const char *v, size_t len)
{
	uint64_t mem;
	int ret = cmdline_parse_size(v, len, &mem);

	if (ret == -ERANGE || (ret == 0 && mem > VMCONFIG_MAX_MEM))
		return fail(p, "mem=%.*s above the %lluG maximum", SL(v, len),
		            (unsigned long long)(VMCONFIG_MAX_MEM >> 30));
	if (ret < 0)
		return fail(p, "bad mem= value '%.*s' (want a size such as 64M)", SL(v, len));
	if (mem < VMCONFIG_MIN_MEM)
		return fail(p, "mem=%.*s below the %lluM minimum", SL(v, len),
		            (unsigned long long)(VMCONFIG_MIN_MEM >> 20));
	if (!IS_ALIGNED(mem, PAGE_SIZE))
		return fail(p, "mem=%.*s not a multiple of 4K", SL(v, len));
	p->cfg->mem = mem;
	return 0;
}

static int set_cpus(struct parser *p, const char *v, size_t len)
{
	uint64_t n;
	int ret = cmdline_parse_u64(v, len, &n);

	if (ret == -EINVAL)
		return fail(p, "bad cpus= value '%.*s'", SL(v, len));
	if (ret < 0 || n < 1 || n > VMCONFIG_MAX_VCPUS)
		return fail(p, "cpus=%.*s out of range (1-%u)", SL(v, len), VMCONFIG_MAX_VCPUS);
	p->cfg->ncpus = (uint32_t)n;
	return 0;
}

/* Parses the '+'-separated list v[0..len) of indexes below max into out
 * (at most cap entries); what names the list's items in messages. */
static int parse_list(struct parser *p, const char *key, const char *what, const char *v,
                      size_t len, uint32_t max, uint32_t *out, uint32_t cap, uint32_t *count)
{
	size_t pos = 0, n;
	int ret;

	*count = 0;
	for (;;) {
		n = find_char(v + pos, len - pos, '+');
		if (*count >= cap)
			return fail(p, "%s= has more than %u %ss", key, cap, what);
		ret = parse_index(v + pos, n, max, &out[*count]);
		if (ret == -ERANGE)
			return fail(p, "%s= %s %.*s out of range (max %u)", key, what,
			            SL(v + pos, n), max - 1);
		if (ret < 0)
			return fail(p, "bad %s= value '%.*s' (want %s indexes joined by '+')", key,
			            SL(v, len), what);
		(*count)++;
		pos += n;
		if (pos == len)
			return 0;
		pos++;
	}
}

/* key=v for a number in [lo, hi]. */
static int set_range(struct parser *p, const char *key, const char *v, size_t len, uint32_t lo,
                     uint32_t hi, uint32_t *out)
{
	uint64_t n;
	int ret = cmdline_parse_u64(v, len, &n);

	if (ret == -EINVAL)
		return fail(p, "bad %s= value '%.*s'", key, SL(v, len));
	if (ret < 0 || n < lo || n > hi)
		return fail(p, "%s=%.*s out of range (%u-%u)", key, SL(v, len), lo, hi);
	*out = (uint32_t)n;
	return 0;
}

static int set_pin(struct parser *p, const char *v, size_t len)
{
	int ret = parse_list(p, "pin", "CPU", v, len, MAX_CPUS, p->cfg->pin, VMCONFIG_MAX_VCPUS,
	                     &p->npin);

	p->cfg->pinned = ret == 0;
	return ret;
}

static int set_mods(struct parser *p, const char *v, size_t len)
{
	return parse_list(p, "mods", "module", v, len, MAX_BOOT_MODULES, p->cfg->mods,
	                  VMCONFIG_MAX_MODS, &p->cfg->nmods);
}

/* Applies one key=value field f[0..len). */
static int apply_field(struct parser *p, const char *f, size_t len)
{
	size_t eq = find_char(f, len, '=');
	const char *v = f + eq + 1;
	size_t vlen = len - eq - 1;
	int key;

	if (len == 0)
		return fail(p, "empty field (stray ',')");
	if (eq == 0 || eq == len)
		return fail(p, "'%.*s' is not key=value", SL(f, len));
	for (key = 0; key < KEY_COUNT; key++) {
		if (cmdline_slice_is(f, eq, key_names[key]))
			break;
	}
	if (key == KEY_COUNT)
		return fail(p, "unknown key '%.*s'", SL(f, eq));
	if (key == KEY_CMDLINE)
		return fail(p, "cmdline= is not supported (the kernel module's string is the "
		               "guest command line)");
	if (p->seen & (1u << key))
		return fail(p, "duplicate key '%s'", key_names[key]);
	p->seen |= 1u << key;
	if (vlen == 0)
		return fail(p, "empty value for '%s'", key_names[key]);
	switch (key) {
	case KEY_MODULE:
		return set_module_index(p, "module", v, vlen, &p->cfg->module);
	case KEY_LINUX:
		p->cfg->is_linux = true;
		return set_module_index(p, "linux", v, vlen, &p->cfg->module);
	case KEY_INITRD:
		p->cfg->has_initrd = true;
		return set_module_index(p, "initrd", v, vlen, &p->cfg->initrd);
	case KEY_MEM:
		return set_mem(p, v, vlen);
	case KEY_CPUS:
		return set_cpus(p, v, vlen);
	case KEY_PIN:
		return set_pin(p, v, vlen);
	case KEY_RESTART:
		return set_range(p, "restart", v, vlen, 0, VMCONFIG_MAX_RESTART, &p->cfg->restart);
	case KEY_WEIGHT:
		return set_range(p, "weight", v, vlen, SCHED_WEIGHT_MIN, SCHED_WEIGHT_MAX,
		                 &p->cfg->weight);
	default:
		return set_mods(p, v, vlen);
	}
}

/* Checks what depends on several keys and expands a single pin= entry. */
static int finish(struct parser *p)
{
	struct vm_config *cfg = p->cfg;

	if ((p->seen & (1u << KEY_MODULE)) && cfg->is_linux)
		return fail(p, "module= and linux= both given (one kernel per VM)");
	if (!(p->seen & (1u << KEY_MODULE)) && !cfg->is_linux)
		return fail(p, "module= (or linux=) missing");
	if (cfg->has_initrd && !cfg->is_linux)
		return fail(p, "initrd= is for linux= guests (multiboot kernels take mods=)");
	if (cfg->is_linux && cfg->nmods)
		return fail(p, "mods= is for multiboot kernels (a linux= guest takes initrd=)");
	if (cfg->is_linux && !(p->seen & (1u << KEY_MEM)))
		cfg->mem = VMCONFIG_LINUX_MEM;
	if (!cfg->pinned)
		return 0;
	if (p->npin == 1) {
		for (uint32_t i = 1; i < cfg->ncpus; i++)
			cfg->pin[i] = cfg->pin[0];
		return 0;
	}
	if (p->npin != cfg->ncpus)
		return fail(p, "pin= has %u CPUs for cpus=%u", p->npin, cfg->ncpus);
	return 0;
}

/* Resets *cfg to the defaults, with no name. */
static void config_init(struct vm_config *cfg)
{
	for (size_t i = 0; i < sizeof(cfg->name); i++)
		cfg->name[i] = '\0';
	cfg->module = 0;
	cfg->mem = VMCONFIG_DEFAULT_MEM;
	cfg->ncpus = 1;
	for (size_t i = 0; i < VMCONFIG_MAX_VCPUS; i++)
		cfg->pin[i] = 0;
	cfg->pinned = false;
	for (size_t i = 0; i < VMCONFIG_MAX_MODS; i++)
		cfg->mods[i] = 0;
	cfg->nmods = 0;
	cfg->restart = 0;
	cfg->weight = SCHED_WEIGHT_DEFAULT;
	cfg->is_linux = false;
	cfg->has_initrd = false;
	cfg->initrd = 0;
}

int vmconfig_parse(const char *value, size_t len, struct vm_config *cfg, char *err, size_t errlen)
{
	struct parser p = {.cfg = cfg, .err = err, .errlen = errlen};
	size_t colon, pos, n;
	int ret;

	config_init(cfg);
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (value == NULL || len == 0)
		return fail_bare(&p, "empty vm= value (want <name>:module=N[,key=value...])");
	colon = find_char(value, len, ':');
	if (colon == len)
		return fail_bare(&p, "vm=%.*s: missing ':' after the VM name", SL(value, len));
	ret = set_name(&p, value, colon);
	if (ret < 0)
		return ret;
	for (pos = colon + 1; pos < len; pos += n + 1) {
		n = find_char(value + pos, len - pos, ',');
		ret = apply_field(&p, value + pos, n);
		if (ret < 0)
			return ret;
		if (pos + n == len - 1)
			return fail(&p, "empty field (trailing ',')");
	}
	return finish(&p);
}
