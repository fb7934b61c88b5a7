/*
 * cmdline.h - sans-I/O reader of the kernel command line (/proc/cmdline).
 *
 * Parameters are separated by spaces; double quotes group spaces into one
 * parameter, as the kernel's own parser does ("key=\"a b\"" has the value
 * a b). The file ends with one newline.
 *
 * Ownership: the value points into the caller's buffer.
 */
#ifndef SK_CMDLINE_H
#define SK_CMDLINE_H

#include <stddef.h>
#include <stdint.h>

#include "sk.h"

/* Larger than COMMAND_LINE_SIZE on every architecture we build for (2048
 * on x86 and arm64), so a longer file is not a kernel command line. */
#define CMDLINE_MAX 4096

/*
 * cmdline_get - the value of the last "key=value" parameter: SK_OK, SK_END
 * when absent, SK_E_TOO_LONG or SK_E_SYNTAX (unbalanced quote, control
 * byte). Surrounding quotes of the value are removed.
 */
enum sk_result cmdline_get(const uint8_t *buf, size_t len, const char *key,
    const uint8_t **val, size_t *vlen);

#endif /* SK_CMDLINE_H */
