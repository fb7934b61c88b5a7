/*
 * security/pam_appl.h - the part of the PAM application interface that
 * dropbear's svr-authpam.c calls, for cli/sshpam's libpam.a (README.md).
 * The names, types and constants are those of the interface as X/Open
 * and Linux-PAM define it, so dropbear builds against it unchanged;
 * nothing else of PAM (modules, pam.conf) exists on the box.
 */
#ifndef SEKIMORI_SECURITY_PAM_APPL_H
#define SEKIMORI_SECURITY_PAM_APPL_H

/* return values */
#define PAM_SUCCESS 0
#define PAM_SYSTEM_ERR 4
#define PAM_BUF_ERR 5
#define PAM_AUTH_ERR 7
#define PAM_MAXTRIES 11
#define PAM_CONV_ERR 19
#define PAM_BAD_ITEM 29

/* items (pam_set_item) */
#define PAM_SERVICE 1
#define PAM_USER 2
#define PAM_TTY 3
#define PAM_RHOST 4
#define PAM_CONV 5

/* message styles of the conversation */
#define PAM_PROMPT_ECHO_OFF 1
#define PAM_PROMPT_ECHO_ON 2
#define PAM_ERROR_MSG 3
#define PAM_TEXT_INFO 4

typedef struct pam_handle pam_handle_t;

struct pam_message {
	int msg_style;
	const char *msg;
};

/* what the conversation answers; it mallocs both, the caller frees */
struct pam_response {
	char *resp;
	int resp_retcode;
};

struct pam_conv {
	int (*conv)(int num_msg, const struct pam_message **msg,
	    struct pam_response **resp, void *appdata_ptr);
	void *appdata_ptr;
};

int pam_start(const char *service_name, const char *user,
    const struct pam_conv *pam_conversation, pam_handle_t **pamh);
int pam_end(pam_handle_t *pamh, int pam_status);
int pam_set_item(pam_handle_t *pamh, int item_type, const void *item);
int pam_authenticate(pam_handle_t *pamh, int flags);
int pam_acct_mgmt(pam_handle_t *pamh, int flags);
const char *pam_strerror(pam_handle_t *pamh, int errnum);

#endif
