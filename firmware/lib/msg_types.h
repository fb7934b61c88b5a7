/*
 * msg_types.h - every message type that crosses a Sekimori socketpair.
 *
 * One table, one place (STYLE.md item 3). Each row is
 *
 *	X(name, value, min body length, max body length)
 *
 * and the decoder rejects a message whose body length is outside the
 * row's bounds, or whose type has no row. Values are never reused: a
 * retired type keeps its number, commented out. Body fields are
 * big-endian (msg_get_u32/msg_put_u32) so that a corpus saved on one
 * architecture replays on another.
 *
 *   HELLO     u32 protocol version (MSG_PROTO_VERSION), u32 sender role
 *             (the supervisor's table index); first message each way
 *   LOG       u8 level (enum msg_log_level), then the text, no NUL; how a
 *             chrooted process without /dev/log gets a line to syslog
 *   SHUTDOWN  empty; finish what is in flight, then exit 0
 */
#ifndef SK_MSG_TYPES_H
#define SK_MSG_TYPES_H

#define MSG_PROTO_VERSION 1

#define MSG_HELLO_LEN 8       /* two u32 */
#define MSG_LOG_TEXT_MAX 1023 /* LOG_LINE_MAX less its NUL */

enum msg_log_level {
	MSG_LOG_INFO = 0,
	MSG_LOG_WARN = 1,
	MSG_LOG_FATAL = 2,
};

/* clang-format off */
#define MSG_TYPES(X)                                                   \
	X(MSG_HELLO,     1, MSG_HELLO_LEN, MSG_HELLO_LEN)              \
	X(MSG_LOG,       2, 2,             1 + MSG_LOG_TEXT_MAX)       \
	X(MSG_SHUTDOWN,  3, 0,             0)
/* clang-format on */

enum msg_type {
	MSG_NONE = 0, /* never sent: a zeroed header is an error */
#define MSG_TYPE_ENUM(name, value, lo, hi) name = value,
	MSG_TYPES(MSG_TYPE_ENUM)
#undef MSG_TYPE_ENUM
};

#endif /* SK_MSG_TYPES_H */
