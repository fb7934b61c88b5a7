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

#define CONFIG_MAIL_MODULE "sekimori-mail"
#define CONFIG_SYSTEM_MODULE "sekimori-system"

/* Readers over the validated tree (config_node.c). */
const struct lyd_node *config_node_top(const struct lyd_node *tree,
    const char *module, const char *name);
const struct lyd_node *config_node_child(const struct lyd_node *node,
    const char *name);
const struct lyd_node *config_node_next(const struct lyd_node *node);
size_t config_node_count(const struct lyd_node *node, const char *name);
const char *config_node_value(const struct lyd_node *node, const char *name);
const char *config_node_path(const struct lyd_node *node, char *buf,
    size_t cap);
enum sk_result config_node_too_many(const struct lyd_node *parent,
    const char *name, size_t have, size_t max, const char *limit, char *err,
    size_t errlen);
enum sk_result config_node_str(const struct lyd_node *node, const char *name,
    char *out, size_t cap, char *err, size_t errlen);
enum sk_result config_node_uint(const struct lyd_node *node, const char *name,
    unsigned long max, unsigned long *out, char *err, size_t errlen);
int config_node_bool(const struct lyd_node *node, const char *name, int dflt);
int config_node_enum(const struct lyd_node *node, const char *name,
    const char *const *names, size_t n, int dflt);
int config_node_enum_value(const struct lyd_node *node, const char *name,
    int dflt);
int config_node_ip(const char *text, int prefix, struct config_ip *ip);

/* The tables of enumeration names, in the order of config.h's enums. */
extern const char *const config_tls_version_names[3];
extern const char *const config_cipher_names[3];

/* Copiers of the other parts (config_tls.c, config_delivery.c,
 * config_system.c); each appends to *cfg, err as for config_load. */
enum sk_result config_auth_copy(const struct lyd_node *mail, struct config *cfg,
    char *err, size_t errlen);
enum sk_result config_tls_copy(const struct lyd_node *mail, struct config *cfg,
    char *err, size_t errlen);
enum sk_result config_delivery_copy(const struct lyd_node *mail,
    struct config *cfg, char *err, size_t errlen);
enum sk_result config_system_copy(const struct lyd_node *tree,
    struct config *cfg, char *err, size_t errlen);
/* config_senderauth_copy - sekimori-auth:sender-authentication, if any */
enum sk_result config_senderauth_copy(const struct lyd_node *tree,
    struct config *cfg, char *err, size_t errlen);
/* config_content_copy - mail content-scanning (scanners, chains, rules) */
enum sk_result config_content_copy(const struct lyd_node *mail,
    struct config *cfg, char *err, size_t errlen);
/* config_quarantine_copy - mail content-scanning quarantine (retention) */
enum sk_result config_quarantine_copy(const struct lyd_node *mail,
    struct config *cfg, char *err, size_t errlen);

#define CONFIG_AUTH_MODULE "sekimori-auth"

#endif /* CONFIG_INT_H */
