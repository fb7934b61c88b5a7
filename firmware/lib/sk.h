/*
 * sk.h - results and small helpers shared by all Sekimori code.
 *
 * Ownership: nothing here owns memory. Every parser returns an
 * enum sk_result; SK_OK is zero so that "if (r != SK_OK)" reads naturally.
 */
#ifndef SK_H
#define SK_H

#include <stddef.h>

enum sk_result {
	SK_OK = 0,       /* done; outputs are valid */
	SK_NEED_MORE,    /* input ends inside an item: supply more bytes */
	SK_END,          /* an iterator has no further items */
	SK_E_SYNTAX,     /* input breaks the grammar */
	SK_E_TOO_LONG,   /* an item exceeds its named limit */
	SK_E_BARE_LF,    /* LF not preceded by CR (RFC 5321 2.3.8) */
	SK_E_BARE_CR,    /* CR not followed by LF (RFC 5321 2.3.8) */
	SK_E_UNKNOWN,    /* a well-formed but unknown type or name */
	SK_E_RANGE,      /* a number or length outside its allowed range */
	SK_E_FULL,       /* a bounded queue or buffer has no room */
	SK_E_CLOSED,     /* the peer closed the connection */
	SK_E_IO,         /* a system call failed; errno tells why */
	SK_RESULT_COUNT, /* number of results, not a result */
};

/* sk_result_str - stable lower-case name of a result, for messages */
const char *sk_result_str(enum sk_result r);

/* sk_hexval - the value of a hexadecimal digit (either case), or -1 */
int sk_hexval(int c);

/* sk_zero_except - size octets at p zeroed but for [keep, keep + len):
 * a large member that its own init clears (or must keep) is not written
 * twice */
void sk_zero_except(void *p, size_t size, size_t keep, size_t len);

#define SK_NELEM(a) (sizeof(a) / sizeof((a)[0]))

#if defined(__GNUC__) || defined(__clang__)
#define SK_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define SK_PRINTF(f, a)
#endif

#endif /* SK_H */
