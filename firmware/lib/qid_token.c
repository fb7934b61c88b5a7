/*
 * qid_token.c - MSG_QID_TOKEN written over with a queue id (qid_token.h).
 */
#include <string.h>

#include "qid_token.h"

size_t
qid_token_replace(uint8_t *buf, size_t len, int last, const char *value,
    unsigned *count)
{
	static const char token[] = MSG_QID_TOKEN;
	size_t i = 0;

	while (i < len) {
		const uint8_t *open = memchr(buf + i, token[0], len - i);

		if (open == NULL) {
			break;
		}
		i = (size_t)(open - buf);
		if (len - i >= QID_TOKEN_LEN) {
			if (memcmp(buf + i, token, QID_TOKEN_LEN) == 0) {
				memcpy(buf + i, value, QID_TOKEN_LEN);
				(*count)++;
				i += QID_TOKEN_LEN; /* never looked at again */
			} else {
				i++;
			}
			continue;
		}
		/* fewer octets left than a token: the start of one waits
		 * for the next read, unless none follows */
		if (!last && memcmp(buf + i, token, len - i) == 0) {
			return i;
		}
		i++;
	}
	return len;
}

int
qid_token_value_ok(const char *s, size_t len)
{
	size_t i;

	if (len != QID_TOKEN_LEN) {
		return 0;
	}
	for (i = 0; i < len; i++) {
		if (!((s[i] >= '0' && s[i] <= '9') ||
			(s[i] >= 'A' && s[i] <= 'Z'))) {
			return 0;
		}
	}
	return 1;
}

int
qid_token_spare_ok(const char *qid, const char *spare, size_t len)
{
	return qid_token_value_ok(spare, len) && strcmp(spare, qid) != 0;
}
