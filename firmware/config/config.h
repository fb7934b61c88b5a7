/*
 * config.h - the configuration loader: RFC 7951 JSON data of the YANG
 * model in cli/yang, validated by libyang against the modules compiled
 * into the binary, copied into a plain struct config.
 *
 * Ownership:
 *   - struct config_schema is opaque and owned by the caller: made by
 *     config_schema_new, freed by exactly one config_schema_free. It holds
 *     the libyang context (the compiled modules); build it once and load
 *     any number of configs with it. It is not thread-safe.
 *   - struct config is a plain value owned by the caller (about 400 KiB:
 *     allocate it statically or on the heap, not on a small stack). It
 *     holds no pointers and nothing to free; config_load overwrites all of
 *     it. The libyang data tree lives only inside config_load: daemons
 *     never hold libyang data.
 *   - err is a caller buffer for one line of text; on failure it holds
 *     "config: PATH: RULE", naming the data path and the broken rule.
 *
 * Libraries never log (STYLE.md item 6): errors come back as a result and
 * a message in err. libyang is used in firmware/config and nowhere else.
 */
#ifndef CONFIG_H
#define CONFIG_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "sk.h"

/* Input bounds. A config is outside input (it arrives over the CLI, a
 * file copy or an upload): its size is bounded before anything parses
 * it. 1 MiB is about 40 times the full example config with every module. */
#define CONFIG_FILE_MAX (1u << 20)
#define CONFIG_ERR_MAX 512 /* a comfortable size for err buffers */

/* Local limits on list sizes: a config that exceeds one is rejected with
 * a message naming the list and the limit, never truncated. */
#define CONFIG_LISTENERS_MAX 16
#define CONFIG_RELAY_DOMAINS_MAX 256
#define CONFIG_KNOWN_RECIPIENTS_MAX 4096 /* all relay domains together */
#define CONFIG_NETWORKS_MAX 256

#define CONFIG_AUTH_USERS_MAX 1024
#define CONFIG_CERTIFICATES_MAX 16
#define CONFIG_TLS_POLICIES_MAX 64
#define CONFIG_MATCH_NAMES_MAX 8 /* per TLS policy */
#define CONFIG_ROUTES_MAX 256
#define CONFIG_DNS_SERVERS_MAX 8
#define CONFIG_SYSLOG_REMOTES_MAX 8
#define CONFIG_DKIM_DOMAINS_MAX 64    /* signing domains */
#define CONFIG_DKIM_SELECTORS_MAX 4   /* per signing domain */
#define CONFIG_OVERSIGN_MAX 16        /* over-signed header names */
#define CONFIG_TRUSTED_SEALERS_MAX 32 /* ARC trusted sealers */

/* Field sizes, each the model's length limit plus a NUL. */
#define CONFIG_NAME_SIZE 33      /* listener name: length 1..32 */
#define CONFIG_CERT_NAME_SIZE 65 /* certificate name: length 1..64 */
#define CONFIG_DOMAIN_SIZE 254   /* sk-t:mail-domain: length 1..253 */
#define CONFIG_LOCAL_SIZE 65     /* sk-t:local-part: RFC 5321 4.5.3.1.1 */
#define CONFIG_ADDR_TEXT_SIZE 46 /* INET6_ADDRSTRLEN: ip-address-no-zone */
#define CONFIG_USER_SIZE 255     /* SMTP AUTH user name: length 1..254 */
#define CONFIG_HASH_SIZE 513     /* sk-t:crypt-hash: length 1..512 */
#define CONFIG_PATH_SIZE 256     /* sk-t:config-file, root-directory */
#define CONFIG_SECRET_SIZE 256   /* next-hop user name and password */

enum config_mode {
	CONFIG_MODE_MX,          /* RFC 5321 relay on port 25 */
	CONFIG_MODE_SUBMISSION,  /* RFC 6409 with STARTTLS */
	CONFIG_MODE_SUBMISSIONS, /* RFC 8314 implicit TLS */
};

enum config_smtp_auth {
	CONFIG_AUTH_DISABLED,
	CONFIG_AUTH_OPTIONAL,
	CONFIG_AUTH_REQUIRED,
};

enum config_tls_version {
	CONFIG_TLS_1_0,
	CONFIG_TLS_1_1,
	CONFIG_TLS_1_2,
};

enum config_ciphers {
	CONFIG_CIPHERS_MODERN,
	CONFIG_CIPHERS_COMPATIBLE,
	CONFIG_CIPHERS_LEGACY,
};

/* An IPv4 or IPv6 address, or a prefix when len is used. */
struct config_ip {
	int family;       /* AF_INET or AF_INET6; 0 means "any address" */
	uint8_t addr[16]; /* network byte order; IPv4 in the first 4 */
	uint8_t len;      /* prefix length (prefixes only) */
};

struct config_listener {
	char name[CONFIG_NAME_SIZE];
	int enabled;
	char address_text[CONFIG_ADDR_TEXT_SIZE]; /* "" when absent (any) */
	struct config_ip address;                 /* family 0 when absent */
	uint16_t port;
	enum config_mode mode;
	enum config_smtp_auth smtp_auth;
	char certificate[CONFIG_CERT_NAME_SIZE]; /* "" when no TLS */
	enum config_tls_version tls_min_version;
	enum config_ciphers tls_ciphers;
	int tls_required_for_auth;
};

struct config_relay_domain {
	char name[CONFIG_DOMAIN_SIZE];
	int known_recipients_only;
	size_t recipients_first; /* index into config.known_recipients */
	size_t recipients_count;
};

struct config_limits {
	uint32_t message_size; /* octets, RFC 1870 SIZE */
	uint32_t recipients;   /* per message */
	uint32_t line_length;  /* octets, CRLF included */
	uint16_t errors;       /* per session */
	uint32_t connections_per_client;
	uint32_t connections_total;
	uint16_t received_headers; /* loop detection, RFC 5321 6.3 */
	uint16_t timeout_command;  /* seconds, RFC 5321 4.5.3.2.7 */
	uint16_t timeout_data;     /* seconds, RFC 5321 4.5.3.2.5 */
};

struct config_queue {
	uint16_t lifetime;          /* hours */
	uint32_t minimum_backoff;   /* seconds */
	uint32_t maximum_backoff;   /* seconds */
	uint16_t delay_notice;      /* hours; 0 = none */
	uint8_t minimum_free_space; /* percent of /data */
};

/* sk-t:lockout-policy: lockout after repeated failures (seconds) */
struct config_lockout {
	uint16_t max_failures_per_user;
	uint16_t max_failures_per_source;
	uint32_t failure_window;
	uint32_t lockout_time;
};

struct config_auth_user {
	char name[CONFIG_USER_SIZE];
	int enabled;
	char password_hash[CONFIG_HASH_SIZE]; /* $6$, $5$ or $y$ crypt */
};

enum config_key_type {
	CONFIG_KEY_RSA_2048,
	CONFIG_KEY_RSA_3072,
	CONFIG_KEY_ECDSA_P256,
};

/*
 * A certificate the relay presents. Paths are as in the model (under
 * /config); open them under config.root_directory (config_path).
 * self_signed: the files are /config/tls/NAME.crt and NAME.key, made by
 * the box when absent, and cert_file/key_file name them.
 */
struct config_certificate {
	char name[CONFIG_CERT_NAME_SIZE];
	int self_signed;
	char cert_file[CONFIG_PATH_SIZE];
	char key_file[CONFIG_PATH_SIZE];
	enum config_key_type key_type;        /* self_signed only */
	char common_name[CONFIG_DOMAIN_SIZE]; /* self_signed; "" = server */
	uint16_t validity;                    /* days, self_signed only */
};

enum config_tls_mode {
	CONFIG_TLS_NONE,
	CONFIG_TLS_MAY,
	CONFIG_TLS_ENCRYPT,
	CONFIG_TLS_VERIFY,
};

struct config_tls_policy {
	char name[CONFIG_CERT_NAME_SIZE];
	enum config_tls_mode mode;
	enum config_tls_version min_version;
	enum config_ciphers ciphers;
	char ca_bundle[CONFIG_PATH_SIZE]; /* "" = the firmware's bundle */
	char match_names[CONFIG_MATCH_NAMES_MAX][CONFIG_DOMAIN_SIZE];
	size_t nmatch_names;
};

/* The model's next-hop grouping (smarthost and routes). */
struct config_next_hop {
	char host[CONFIG_DOMAIN_SIZE]; /* name or IP address text */
	uint16_t port;
	int mx_lookup;
	int implicit_tls;
	char tls_policy[CONFIG_CERT_NAME_SIZE]; /* "" = delivery default */
	int auth;                               /* credentials present */
	char username[CONFIG_SECRET_SIZE];
	char password[CONFIG_SECRET_SIZE];
};

struct config_route {
	char domain[CONFIG_DOMAIN_SIZE];
	int include_subdomains;
	struct config_next_hop hop;
};

struct config_delivery {
	char tls_policy[CONFIG_CERT_NAME_SIZE]; /* "" = built-in "may" */
	uint16_t connections_per_destination;
	uint16_t connections_total;
	int smarthost_enabled;
	struct config_next_hop smarthost;
	struct config_route routes[CONFIG_ROUTES_MAX];
	size_t nroutes;
};

enum config_transport {
	CONFIG_TRANSPORT_UDP,
	CONFIG_TRANSPORT_TCP,
};

struct config_syslog_remote {
	char name[CONFIG_NAME_SIZE];
	char host[CONFIG_DOMAIN_SIZE];
	enum config_transport transport;
	uint16_t port;
	int facility; /* RFC 5424 code, or -1 for "any" */
	int severity; /* RFC 5424 code: lines at or above it are sent */
};

struct config_logging {
	int facility; /* RFC 5424 6.2.1 code: mail is 2 */
	int severity; /* RFC 5424 6.2.1 code: info is 6 */
	int log_subject;
};

/* sekimori-auth failure-action */
enum config_fail_action {
	CONFIG_FAIL_REJECT,
	CONFIG_FAIL_QUARANTINE,
	CONFIG_FAIL_TAG,
};

/* sekimori-auth dkim replay action, in the model's order */
enum config_replay_action {
	CONFIG_REPLAY_NONE,
	CONFIG_REPLAY_TAG,
	CONFIG_REPLAY_QUARANTINE,
	CONFIG_REPLAY_REJECT,
};
#define CONFIG_REPLAY_MAX_RCPT_DEFAULT 50 /* dkim replay max-recipients */

#define CONFIG_SELECTOR_SIZE 64 /* dkim-selector: length 1..63 */
#define CONFIG_HEADER_NAME_SIZE 65

struct config_dkim_selector {
	char name[CONFIG_SELECTOR_SIZE];
	int ed25519; /* algorithm ed25519-sha256, else rsa-sha256 */
	char key_file[CONFIG_PATH_SIZE];
};

/* A signing domain; only enabled selectors are copied. */
struct config_dkim_domain {
	char name[CONFIG_DOMAIN_SIZE];
	int include_subdomains;
	/* canonicalization (c=), header/body: 1 for simple, 0 for relaxed */
	int canon_header_simple, canon_body_simple;
	uint16_t signature_lifetime; /* hours; 0 = no x= */
	struct config_dkim_selector selectors[CONFIG_DKIM_SELECTORS_MAX];
	size_t nselectors;
};

/*
 * sekimori-auth:sender-authentication. present is 0 when the file has
 * no data of that module: the relay then checks and signs nothing (the
 * model's defaults apply only to a module the file uses). Only enabled
 * signing domains are copied.
 */
#define CONFIG_REPORT_ORG_SIZE 129    /* dmarc reports aggregate org-name */
#define CONFIG_OVERRIDES_MAX 32       /* local limit: dmarc override */
#define CONFIG_OVERRIDE_VALUES_MAX 16 /* local limit: values of a criterion */
#define CONFIG_OVERRIDE_NAME_SIZE 65  /* override name: 1..64 */
#define CONFIG_LIST_ID_SIZE 256       /* override list-id: 1..255 */

/* sekimori-auth dmarc override reason, in the model's order; the
 * aggregate report's PolicyOverrideType of the same name */
enum config_override_reason {
	CONFIG_OVERRIDE_FORWARDED,
	CONFIG_OVERRIDE_MAILING_LIST,
	CONFIG_OVERRIDE_TRUSTED_FORWARDER,
	CONFIG_OVERRIDE_LOCAL_POLICY,
};

/* A DMARC override (RFC 7489 6.7): every criterion with values must
 * hold, any one value of each (the model asks for at least one). */
struct config_dmarc_override {
	char name[CONFIG_OVERRIDE_NAME_SIZE];
	enum config_override_reason reason;
	struct config_ip networks[CONFIG_OVERRIDE_VALUES_MAX]; /* prefixes */
	size_t nnetworks;
	char mail_from[CONFIG_OVERRIDE_VALUES_MAX][CONFIG_DOMAIN_SIZE];
	size_t nmail_from;
	char list_id[CONFIG_OVERRIDE_VALUES_MAX][CONFIG_LIST_ID_SIZE];
	size_t nlist_id;
};

#define CONFIG_REPORT_FROM_SIZE 255 /* from-address: 3..254 */
struct config_sender_auth {
	int present;
	char authserv_id[CONFIG_DOMAIN_SIZE]; /* "" = server name */
	int unavailable_accept; /* unavailable-action accept (not tempfail) */
	int spf_enabled;
	enum config_fail_action spf_fail_action;
	int dkim_verify;
	/* dkim replay: the recipients above which a DKIM-passing message
	 * is suspect (1..10000), and what is done with a suspect */
	unsigned replay_max_rcpt;
	enum config_replay_action replay_action;
	char oversigned[CONFIG_OVERSIGN_MAX][CONFIG_HEADER_NAME_SIZE];
	size_t noversigned;
	struct config_dkim_domain dkim_domains[CONFIG_DKIM_DOMAINS_MAX];
	size_t ndkim_domains;
	int dmarc_enabled;
	enum config_fail_action dmarc_reject_action;
	enum config_fail_action dmarc_quarantine_action;
	/* dmarc reports aggregate: enabled (then org-name and from-address
	 * are set: the model's must), interval in hours (1..24) */
	int dmarc_reports;
	char dmarc_report_org[CONFIG_REPORT_ORG_SIZE];
	char dmarc_report_from[CONFIG_REPORT_FROM_SIZE];
	unsigned dmarc_report_interval;
	struct config_dmarc_override overrides[CONFIG_OVERRIDES_MAX];
	size_t noverrides;
	int arc_verify;
	char trusted_sealers[CONFIG_TRUSTED_SEALERS_MAX][CONFIG_DOMAIN_SIZE];
	size_t ntrusted_sealers;
	/* arc seal (a presence container): the signing domain, the
	 * selector and that selector's key-file, looked up whether or not
	 * the selector signs DKIM (the model makes it an RSA one) */
	int arc_seal;
	char seal_domain[CONFIG_DOMAIN_SIZE];
	char seal_selector[CONFIG_SELECTOR_SIZE];
	char seal_key_file[CONFIG_PATH_SIZE];
};

/* mail content-scanning (issue 6). Scanners by name; each chain lists
 * indexes into scanners, in the configured order. */
#define CONFIG_SCANNERS_MAX 16
#define CONFIG_SCANNER_ADDR_SIZE 256 /* the model's pattern: 2..255 */
#define CONFIG_CONTENT_RULES_MAX 64
#define CONFIG_RULE_NAMES_MAX 8     /* file-name patterns per rule */
#define CONFIG_RULE_NAME_SIZE 128   /* one file-name pattern */
#define CONFIG_RULE_REPLY_SIZE 256  /* a rule's reject text */
#define CONFIG_NOTIFY_RCPTS_MAX 8   /* notify-recipient: the model's max */
#define CONFIG_NOTIFY_RCPT_SIZE 255 /* an email-address: 3..254, NUL */

enum config_scanner_type {
	CONFIG_SCANNER_CLAMD,
	CONFIG_SCANNER_MILTER,
	CONFIG_SCANNER_NULL,
};

struct config_scanner {
	char name[33];
	enum config_scanner_type type;
	char address[CONFIG_SCANNER_ADDR_SIZE]; /* "" for null */
	uint32_t timeout_ms;
	uint64_t max_size;
	int on_failure_accept; /* accept-and-log; 0: tempfail (451 4.7.1) */
};

struct config_scan_chain {
	uint8_t scanner[CONFIG_SCANNERS_MAX]; /* indexes into scanners[] */
	size_t nscanners;
};

/* What a content rule does (config_content_rule.action). */
enum config_content_action {
	CONFIG_CONTENT_ACCEPT,     /* deliver; later rules are not tried */
	CONFIG_CONTENT_REJECT,     /* 550 5.7.1 with the rule's text */
	CONFIG_CONTENT_QUARANTINE, /* 250, kept in quarantine */
	CONFIG_CONTENT_TAG,        /* deliver with a header naming the rule */
	CONFIG_CONTENT_DISCARD,    /* 250, dropped, logged */
	CONFIG_CONTENT_STRIP,      /* the matching parts replaced by a
				    * notice and delivered; the original
				    * kept in quarantine */
};

/* Which messages a rule looks at. */
enum config_content_direction {
	CONFIG_CONTENT_BOTH,
	CONFIG_CONTENT_INBOUND,
	CONFIG_CONTENT_OUTBOUND,
};

/* struct config_content_rule.verdicts: bit (1u << enum scan_verdict) of
 * firmware/scan/scan.h, so "infected" is 1u << SCAN_INFECTED; a rule
 * with bits set matches when any scanner's verdict has one of them.
 * file_types likewise: bit (1ull << enum mime_ftype) of mime_magic.h;
 * matches when any part's true type has one. Every condition given
 * must hold (AND); a rule with none matches every message. */
struct config_content_rule {
	char name[33];
	enum config_content_direction direction;
	uint32_t verdicts;   /* 0: any */
	uint64_t file_types; /* 0: any */
	char file_names[CONFIG_RULE_NAMES_MAX][CONFIG_RULE_NAME_SIZE];
	size_t nfile_names;        /* glob patterns, any part's name */
	int executable_in_archive; /* 1: must hold; 0: not a condition */
	int encrypted_archive;     /* 1: must hold (PPAP) */
	int office_macro;          /* 1: must hold */
	uint64_t size_over;        /* message larger than; 0: none */
	enum config_content_action action;
	char reply[CONFIG_RULE_REPLY_SIZE]; /* reject text, "" = default */
	/* tag: put before the Subject's value ("[SUSPICIOUS] "); "" none */
	char subject_prefix[CONFIG_RULE_REPLY_SIZE];
	int notify; /* 1: the notify-recipient addresses get a notice */
};

struct config_quarantine {
	uint64_t max_age_s; /* older quarantined messages are removed */
	uint64_t max_bytes; /* then the oldest while the total is larger */
};

struct config_content {
	int enabled;
	struct config_scanner scanners[CONFIG_SCANNERS_MAX];
	size_t nscanners;
	struct config_scan_chain inbound, outbound;
	struct config_content_rule rules[CONFIG_CONTENT_RULES_MAX];
	size_t nrules; /* evaluated in order, the first match wins */
	/* who gets a notice of a rule with notify, or of a virus rejected
	 * with no rule when notify_on_virus */
	char notify_rcpts[CONFIG_NOTIFY_RCPTS_MAX][CONFIG_NOTIFY_RCPT_SIZE];
	size_t nnotify_rcpts;
	int notify_on_virus;
	struct config_quarantine quarantine;
};

struct config {
	/* mail server-name, else system host-name[.domain-name] when the
	 * file has system data, else "" (the daemon then uses the kernel's
	 * host name) */
	char server_name[CONFIG_DOMAIN_SIZE];
	struct config_listener listeners[CONFIG_LISTENERS_MAX];
	size_t nlisteners;
	struct config_relay_domain relay_domains[CONFIG_RELAY_DOMAINS_MAX];
	size_t nrelay_domains;
	char known_recipients[CONFIG_KNOWN_RECIPIENTS_MAX][CONFIG_LOCAL_SIZE];
	size_t nknown_recipients;
	struct config_ip internal_networks[CONFIG_NETWORKS_MAX];
	size_t ninternal_networks;
	struct config_limits limits;
	struct config_queue queue;
	struct config_logging logging;
	/* mail root-directory: "/" on the appliance; host runs put /config
	 * and /data (the spool is ROOT/data/spool) under a private folder */
	char root_directory[CONFIG_PATH_SIZE];
	struct config_lockout auth_lockout;
	struct config_auth_user auth_users[CONFIG_AUTH_USERS_MAX];
	size_t nauth_users;
	struct config_certificate certificates[CONFIG_CERTIFICATES_MAX];
	size_t ncertificates;
	struct config_tls_policy tls_policies[CONFIG_TLS_POLICIES_MAX];
	size_t ntls_policies;
	struct config_delivery delivery;
	/* system dns server (empty: /etc/resolv.conf) and syslog remote */
	struct config_ip dns_servers[CONFIG_DNS_SERVERS_MAX];
	size_t ndns_servers;
	struct config_syslog_remote syslog_remotes[CONFIG_SYSLOG_REMOTES_MAX];
	size_t nsyslog_remotes;
	struct config_sender_auth sender_auth;
	struct config_content content; /* mail content-scanning */
};

struct config_schema; /* opaque: the compiled YANG modules */
struct ly_ctx;

/* config_schema_new - a libyang context holding the compiled-in modules */
enum sk_result config_schema_new(struct config_schema **out, char *err,
    size_t errlen);

/* config_schema_free - free a schema from config_schema_new; NULL is ok */
void config_schema_free(struct config_schema *s);
/* config_schema_ctx - the schema's libyang context, for code that works
 * on data trees itself (the datastore); it stays the schema's */
struct ly_ctx *config_schema_ctx(const struct config_schema *s);

/*
 * config_err_v - fmt and ap into err, cut to fit (never overrun; nothing
 * when err is NULL or errlen 0). Every byte outside printable ASCII
 * becomes '?': libyang quotes pieces of the input in its messages, which
 * must not put terminal escapes or a second line into a console or a log.
 * The one formatter of config_err and the datastore's ds_err.
 */
void config_err_v(char *err, size_t errlen, const char *fmt, va_list ap)
    SK_PRINTF(3, 0);

/*
 * config_lyerr - the last libyang error of ctx into err (as config_err_v)
 * as "[WHAT: ]PATH: RULE (line N)": libyang 2.1 puts 'Data location
 * "PATH"' and/or 'line number N' in the error's path field; those are
 * taken out of it, any other path is kept as it is. what may be NULL.
 */
void config_lyerr(const struct ly_ctx *ctx, const char *what, char *err,
    size_t errlen);

/*
 * config_load - validate one config and copy it into *cfg.
 *
 * buf holds RFC 7951 JSON text of len octets (no NUL needed; a NUL
 * inside is an error). It is parsed strictly (unknown nodes are errors)
 * as configuration data, and validated with LYD_VALIDATE_PRESENT: only
 * the modules that have data in the file are validated, so a mail-only
 * file is valid without the system module's admin user (cli/yang/README
 * "Rules worth knowing"). The file must have sekimori-mail:mail data.
 *
 * Returns SK_OK with *cfg filled (defaults of the model included);
 * SK_E_TOO_LONG if len > CONFIG_FILE_MAX; SK_E_SYNTAX for a file that is
 * not valid data of the model; SK_E_RANGE when a list exceeds a local
 * limit above. On failure *cfg is zeroed and err names path and rule.
 */
enum sk_result config_load(const struct config_schema *s, const uint8_t *buf,
    size_t len, struct config *cfg, char *err, size_t errlen);

/*
 * config_load_file - config_load over the file at path, read whole after
 * checking its size (SK_E_TOO_LONG above CONFIG_FILE_MAX, SK_E_IO when it
 * cannot be opened or read; err then names the file and the reason).
 */
enum sk_result config_load_file(const struct config_schema *s, const char *path,
    struct config *cfg, char *err, size_t errlen);

/*
 * config_path - a model path ("/config/tls/a.crt", "/data/spool") as a
 * file name on this system: under cfg->root_directory. SK_E_TOO_LONG if
 * it does not fit out[size].
 */
enum sk_result config_path(const struct config *cfg, const char *model_path,
    char *out, size_t size);
/* config_tls_policy_find - the policy called name, or NULL */
const struct config_tls_policy *config_tls_policy_find(const struct config *cfg,
    const char *name);
/* config_certificate_find - the certificate called name, or NULL */
const struct config_certificate *
config_certificate_find(const struct config *cfg, const char *name);

/* config_override_reason_str - the model's name of an override reason:
 * "forwarded", "mailing-list", "trusted-forwarder", "local-policy" */
const char *config_override_reason_str(enum config_override_reason r);
/* config_replay_action_str - "none", "tag", "quarantine" or "reject" */
const char *config_replay_action_str(enum config_replay_action a);
/* config_fail_action_str - "reject", "quarantine" or "tag" */
const char *config_fail_action_str(enum config_fail_action a);

/* config_mode_str, ... - the model's names of the enumerations */
const char *config_mode_str(enum config_mode m);
const char *config_smtp_auth_str(enum config_smtp_auth a);

#endif /* CONFIG_H */
