/*
 * config_quarantine.c - mail content-scanning quarantine (retention of
 * quarantined messages) into struct config_quarantine, which the queue
 * process enforces (firmware/queue/queue_quar.c).
 *
 * Both leaves have defaults in the model (30 days, 1024 MiB), so
 * libyang puts them in every validated tree: the node and the values
 * are always there, and a missing one is an error like any other.
 */
#include "config_int.h"

#define CONFIG_QUARANTINE_DAY_S 86400u
#define CONFIG_QUARANTINE_DAYS_MAX 3650u      /* the model's range */
#define CONFIG_QUARANTINE_MIB_MAX 1048576u    /* the model's range */
#define CONFIG_QUARANTINE_MIB (1024u * 1024u) /* octets */

/* config_quarantine_copy - mail content-scanning quarantine into
 * cfg->content.quarantine (seconds and octets) */
enum sk_result
config_quarantine_copy(const struct lyd_node *mail, struct config *cfg,
    char *err, size_t errlen)
{
	const struct lyd_node *n =
	    config_node_child(config_node_child(mail, "content-scanning"),
		"quarantine");
	struct config_quarantine *qc = &cfg->content.quarantine;
	unsigned long days, mib;
	enum sk_result r;

	if ((r = config_node_uint(n, "max-age", CONFIG_QUARANTINE_DAYS_MAX,
		 &days, err, errlen)) != SK_OK ||
	    (r = config_node_uint(n, "max-size", CONFIG_QUARANTINE_MIB_MAX,
		 &mib, err, errlen)) != SK_OK) {
		return r;
	}
	qc->max_age_s = (uint64_t)days * CONFIG_QUARANTINE_DAY_S;
	qc->max_bytes = (uint64_t)mib * CONFIG_QUARANTINE_MIB;
	return SK_OK;
}
