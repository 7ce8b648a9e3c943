/* sable.efi configuration file and load options (pure; see efi_cfg.h). */
#include "err.h"
#include "param.h"
#include "boot/efi/efi_cfg.h"

_Static_assert(EFI_CFG_MODULES_MAX == MAX_BOOT_MODULES, "sable.efi passes what Sable keeps");

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static size_t str_len(const char *s)
{
	size_t n = 0;

	while (s[n] != '\0')
		n++;
	return n;
}

/* Copies [s, s + n) into out (cap bytes) with a NUL; -E2BIG if it does not fit. */
static int copy_span(char *out, size_t cap, const char *s, size_t n)
{
	if (n + 1 > cap)
		return -E2BIG;
	for (size_t i = 0; i < n; i++)
		out[i] = s[i];
	out[n] = '\0';
	return 0;
}

/* Copies a path, turning / into \. */
static int copy_path(char *out, const char *s, size_t n)
{
	int r = copy_span(out, EFI_CFG_PATH_MAX, s, n);

	for (size_t i = 0; r == 0 && i < n; i++) {
		if (out[i] == '/')
			out[i] = '\\';
	}
	return r;
}

/* The span [*s, end) without leading and trailing blanks. */
static void trim(const char **s, const char **end)
{
	while (*s < *end && is_space(**s))
		(*s)++;
	while (*end > *s && is_space((*end)[-1]))
		(*end)--;
}

/* Splits off the first word of [*s, end): returns its length, *s moves past it
 * and the blanks after it. */
static size_t next_word(const char **s, const char *end, const char **word)
{
	const char *p = *s;

	*word = p;
	while (p < end && !is_space(*p))
		p++;
	size_t n = (size_t)(p - *word);
	while (p < end && is_space(*p))
		p++;
	*s = p;
	return n;
}

static bool word_is(const char *w, size_t n, const char *kw)
{
	size_t i;

	for (i = 0; i < n && kw[i] != '\0'; i++) {
		if (w[i] != kw[i])
			return false;
	}
	return i == n && kw[i] == '\0';
}

/* Parses one line [s, end) that is neither blank nor a comment. */
static int parse_line(const char *s, const char *end, struct efi_cfg *cfg, bool *have_kernel,
                      bool *have_cmdline, const char **msg)
{
	const char *kw, *arg;
	size_t kwn = next_word(&s, end, &kw), argn;

	if (word_is(kw, kwn, "cmdline")) {
		if (*have_cmdline) {
			*msg = "cmdline given twice";
			return -EINVAL;
		}
		*have_cmdline = true;
		if (copy_span(cfg->cmdline, sizeof(cfg->cmdline), s, (size_t)(end - s)) < 0) {
			*msg = "cmdline too long";
			return -E2BIG;
		}
		return 0;
	}
	argn = next_word(&s, end, &arg);
	if (word_is(kw, kwn, "kernel")) {
		if (*have_kernel) {
			*msg = "kernel given twice";
			return -EINVAL;
		}
		*have_kernel = true;
		if (argn == 0 || s != end) {
			*msg = "kernel needs exactly one path";
			return -EINVAL;
		}
		if (copy_path(cfg->kernel, arg, argn) < 0) {
			*msg = "kernel path too long";
			return -E2BIG;
		}
		return 0;
	}
	if (word_is(kw, kwn, "module")) {
		struct efi_cfg_module *m = &cfg->modules[cfg->nmodules];

		if (argn == 0) {
			*msg = "module needs a path";
			return -EINVAL;
		}
		if (cfg->nmodules == EFI_CFG_MODULES_MAX) {
			*msg = "more than 16 modules";
			return -E2BIG;
		}
		if (copy_path(m->path, arg, argn) < 0 ||
		    copy_span(m->string, sizeof(m->string), s, (size_t)(end - s)) < 0) {
			*msg = "module path or string too long";
			return -E2BIG;
		}
		cfg->nmodules++;
		return 0;
	}
	*msg = "unknown keyword (expected kernel, cmdline or module)";
	return -EINVAL;
}

int efi_cfg_parse(const char *text, size_t len, struct efi_cfg *cfg, struct efi_cfg_error *err)
{
	const char *p = text, *end = text + len;
	bool have_kernel = false, have_cmdline = false;
	unsigned line = 0;

	copy_span(cfg->kernel, sizeof(cfg->kernel), EFI_CFG_KERNEL, str_len(EFI_CFG_KERNEL));
	cfg->cmdline[0] = '\0';
	cfg->nmodules = 0;
	err->line = 0;
	err->msg = NULL;
	while (p < end) {
		const char *s = p, *e = p;
		int r;

		while (e < end && *e != '\n')
			e++;
		p = e < end ? e + 1 : e;
		line++;
		for (const char *c = s; c < e; c++) {
			if (*c == '\0') {
				err->line = line;
				err->msg = "NUL byte in the file";
				return -EINVAL;
			}
		}
		trim(&s, &e);
		if (s == e || *s == '#')
			continue;
		r = parse_line(s, e, cfg, &have_kernel, &have_cmdline, &err->msg);
		if (r < 0) {
			err->line = line;
			return r;
		}
	}
	return 0;
}

int efi_cfg_args_parse(const char *opts, struct efi_cfg_args *args, const char **msg)
{
	const char *s = opts, *end = opts + str_len(opts), *w;
	size_t n;

	args->config[0] = '\0';
	args->cmdline[0] = '\0';
	*msg = NULL;
	trim(&s, &end);
	if (s == end)
		return 0;
	{
		const char *peek = s;
		n = next_word(&peek, end, &w);
		if (n >= 4 && (w[n - 4] == '.') && (w[n - 3] | 0x20) == 'e' &&
		    (w[n - 2] | 0x20) == 'f' && (w[n - 1] | 0x20) == 'i')
			s = peek;
	}
	{
		const char *peek = s;
		n = next_word(&peek, end, &w);
		if (word_is(w, n, "-c")) {
			n = next_word(&peek, end, &w);
			if (n == 0) {
				*msg = "-c needs a configuration file path";
				return -EINVAL;
			}
			if (copy_path(args->config, w, n) < 0) {
				*msg = "configuration file path too long";
				return -E2BIG;
			}
			s = peek;
		}
	}
	if (copy_span(args->cmdline, sizeof(args->cmdline), s, (size_t)(end - s)) < 0) {
		*msg = "command line too long";
		return -E2BIG;
	}
	return 0;
}

int efi_cfg_narrow(const uint16_t *opts, size_t size, char *out, size_t cap)
{
	size_t n = size / 2, i;

	if (cap == 0)
		return -EINVAL;
	for (i = 0; i < n && opts[i] != 0; i++) {
		uint16_t c = opts[i];

		if (i + 1 >= cap)
			return -E2BIG;
		if (c == '\t' || c == '\r' || c == '\n')
			c = ' ';
		if (c < 0x20 || c > 0x7e)
			return -EINVAL;
		out[i] = (char)c;
	}
	out[i] = '\0';
	return (int)i;
}

int efi_cfg_resolve(const char *dir, const char *path, char *out, size_t cap)
{
	size_t dn = str_len(dir), pn = str_len(path), o = 0;

	if (path[0] == '\\' || path[0] == '/') {
		if (copy_span(out, cap, path, pn) < 0)
			return -E2BIG;
		for (size_t i = 0; i < pn; i++)
			out[i] = out[i] == '/' ? '\\' : out[i];
		return 0;
	}
	while (dn > 0 && dir[dn - 1] == '\\')
		dn--;
	if (dn + 1 + pn + 1 > cap)
		return -E2BIG;
	if (dir[0] != '\\')
		out[o++] = '\\';
	if (o + dn + 1 + pn + 1 > cap)
		return -E2BIG;
	for (size_t i = 0; i < dn; i++)
		out[o++] = dir[i];
	if (o == 0 || out[o - 1] != '\\')
		out[o++] = '\\';
	for (size_t i = 0; i < pn; i++)
		out[o++] = path[i] == '/' ? '\\' : path[i];
	out[o] = '\0';
	return 0;
}
