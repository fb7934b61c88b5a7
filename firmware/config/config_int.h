/*
 * config_int.h - what config.c and config_mail.c share; internal to
 * firmware/config (nothing outside includes libyang).
 */
#ifndef CONFIG_INT_H
#define CONFIG_INT_H

#include <libyang/libyang.h>

#include "config.h"

/* config_err - format "config: ..." into err (cut to fit, never overrun) */
void config_err(char *err, size_t errlen, const char *fmt, ...) SK_PRINTF(3, 4);

/* config_mail_copy - the validated tree's mail settings into *cfg */
enum sk_result config_mail_copy(const struct lyd_node *tree, struct config *cfg,
    char *err, size_t errlen);

#endif /* CONFIG_INT_H */
