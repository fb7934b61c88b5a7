/*
 * config_yang.h - the YANG modules of cli/yang, compiled into the binary.
 *
 * config_gen (config_gen_main.c, a build-time host tool) writes the
 * definitions into the build directory ($(B)/gen/config_yang.c) from
 * the .yang files of cli/yang; nothing generated enters the source tree.
 * Internal to firmware/config.
 *
 * Ownership: static, read-only data. Each text ends with a NUL (libyang's
 * lys_parse_mem wants a C string); len does not count it.
 */
#ifndef CONFIG_YANG_H
#define CONFIG_YANG_H

#include <stddef.h>

struct config_yang_module {
	const char *name; /* module name: the file name without ".yang" */
	const char *text; /* the YANG source, NUL-terminated */
	size_t len;       /* length of text without the NUL */
};

extern const struct config_yang_module config_yang_modules[];
extern const size_t config_yang_nmodules;

#endif /* CONFIG_YANG_H */
