/*
 * sysinfo.h - sans-I/O parsers of small system files: /proc/uptime and
 * the boot counter /data/sekimori/boot-count.
 */
#ifndef SK_SYSINFO_H
#define SK_SYSINFO_H

#include <stddef.h>
#include <stdint.h>

#include "sk.h"

#define SYSINFO_DIGITS_MAX 19 /* any 19-digit number fits in uint64_t */
#define SYSINFO_FILE_MAX 128  /* both files are one short line */

/* sysinfo_count_parse - "N" or "N\n", decimal, no sign, no leading 0s */
enum sk_result sysinfo_count_parse(const uint8_t *buf, size_t len, uint64_t *n);
/* sysinfo_uptime_parse - whole seconds of "SECS.CC IDLE.CC\n" */
enum sk_result sysinfo_uptime_parse(const uint8_t *buf, size_t len,
    uint64_t *secs);

#endif /* SK_SYSINFO_H */
