/* sable.efi configuration: the file beside the loader and the load options (pure). */
#ifndef SABLE_BOOT_EFI_CFG_H
#define SABLE_BOOT_EFI_CFG_H

#include "types.h"

#define EFI_CFG_PATH_MAX    256  /* a file path, NUL included */
#define EFI_CFG_STRING_MAX  256  /* a module's string, NUL included */
#define EFI_CFG_CMDLINE_MAX 1024 /* the hypervisor's command line, NUL included */
#define EFI_CFG_MODULES_MAX 16   /* as many as Sable keeps (MAX_BOOT_MODULES) */
#define EFI_CFG_KERNEL      "sable.elf"
#define EFI_CFG_FILE        "sable.cfg"

struct efi_cfg_module {
	char path[EFI_CFG_PATH_MAX];
	char string[EFI_CFG_STRING_MAX];
};

struct efi_cfg {
	char kernel[EFI_CFG_PATH_MAX]; /* EFI_CFG_KERNEL unless the file names one */
	char cmdline[EFI_CFG_CMDLINE_MAX];
	struct efi_cfg_module modules[EFI_CFG_MODULES_MAX];
	size_t nmodules;
};

/* Where a configuration is wrong: 1-based line number and a fixed message. */
struct efi_cfg_error {
	unsigned line;
	const char *msg;
};

/* What the load options ask for: another configuration file and/or a command
 * line that replaces the file's. Empty strings when not given. */
struct efi_cfg_args {
	char config[EFI_CFG_PATH_MAX];
	char cmdline[EFI_CFG_CMDLINE_MAX];
};

/*
 * Parses a configuration file of len bytes (not NUL-terminated). Lines:
 *   # comment            (and blank lines)
 *   kernel PATH          (at most once; default sable.elf)
 *   cmdline TEXT         (at most once; the rest of the line)
 *   module PATH [TEXT]   (module 0, 1, ... in file order; TEXT is its string)
 * PATH is relative to the loader's directory unless it starts with \ or /;
 * / is turned into \. Returns 0, or -EINVAL / -E2BIG with *err filled in.
 */
int efi_cfg_parse(const char *text, size_t len, struct efi_cfg *cfg, struct efi_cfg_error *err);

/*
 * Parses the load options (already narrowed to ASCII): an optional leading
 * program name ending in ".efi" (the UEFI shell passes it), an optional
 * "-c PATH" naming the configuration file, then the hypervisor's command line.
 * Returns 0, or -EINVAL (msg set) for "-c" without a path or an over-long value.
 */
int efi_cfg_args_parse(const char *opts, struct efi_cfg_args *args, const char **msg);

/*
 * Turns the UTF-16 load options (size bytes, not necessarily NUL-terminated)
 * into ASCII in out (cap bytes, NUL-terminated). Returns the length, or -EINVAL
 * when they are not printable text (firmware may pass binary data there).
 */
int efi_cfg_narrow(const uint16_t *opts, size_t size, char *out, size_t cap);

/*
 * Resolves path against dir (the loader's directory, "\EFI\sable" form) into
 * out as a volume path with \ separators. Returns 0 or -E2BIG.
 */
int efi_cfg_resolve(const char *dir, const char *path, char *out, size_t cap);

#endif
