/*
 * cli.h - the command engine of the appliance CLI, sans-terminal: given
 * the mode, the edit level and one line, it parses the line against the
 * operational commands, the configure commands and the YANG schema of the
 * datastore, runs it, and returns the text to show. The terminal side
 * (line editor, paging) is cli_edit.h and sekimori_cli_main.c.
 *
 * Ownership:
 *   - struct cli is opaque, made by cli_new, freed by one cli_free. It
 *     borrows the datastore (which must outlive it) and owns one datastore
 *     session for its user.
 *   - struct cli_text is a growing string owned by the caller: zero it,
 *     pass it to any number of calls (they append), then cli_text_free.
 *     It never grows past CLI_OUT_MAX; beyond that it is cut and marked.
 *   - Hooks are borrowed and must outlive the cli.
 * Nothing here prints, logs or exits. Not thread-safe.
 */
#ifndef CLI_H
#define CLI_H

#include <stddef.h>
#include <time.h>

#include "../datastore/ds.h"
#include "nacm.h"
#include "sk.h"

#define CLI_LINE_MAX 4096      /* one command line, NUL included */
#define CLI_WORDS_MAX 128      /* words in one line */
#define CLI_DEPTH_MAX 32       /* levels of an edit path */
#define CLI_OUT_MAX (8u << 20) /* the text of one command */
#define CLI_HOST_MAX 64        /* a host name as the prompt shows it */
#define CLI_PROMPT_MAX 2304    /* "[edit PATH]" line and the prompt */
#define CLI_DEFAULT_HOST "sekimori"

/* A growing string; see Ownership above. */
struct cli_text {
	char *p;
	size_t len, cap;
	int cut; /* CLI_OUT_MAX reached or out of memory: text was lost */
};

void cli_text_add(struct cli_text *t, const char *fmt, ...) SK_PRINTF(2, 3);
void cli_text_addn(struct cli_text *t, const char *s, size_t n);
/* cli_text_str - the text so far, "" when empty (never NULL) */
const char *cli_text_str(const struct cli_text *t);
void cli_text_reset(struct cli_text *t);
void cli_text_free(struct cli_text *t);

/*
 * What the engine asks of the box. Every hook may be NULL: the command
 * then says "not available".
 *   uptime      seconds since boot, or -1
 *   mail_queue  send one request of the queue's control protocol ("list",
 *               "hold ID", "release ID", "delete ID", "flush [ID]") and
 *               append its answer to out; 0 when the queue said yes
 */
struct cli_hooks {
	long (*uptime)(void *arg);
	int (*mail_queue)(void *arg, const char *request, struct cli_text *out);
	void *arg;
	/* "show log": the system log into out; NULL: none here */
	int (*log)(void *arg, struct cli_text *out);
	/* "show system users", "show interfaces": tables into out (the
	 * program's are cli_sessions_list and cli_interfaces_list below);
	 * NULL: none here */
	int (*users)(void *arg, struct cli_text *out);
	int (*interfaces)(void *arg, struct cli_text *out);
};

enum cli_mode {
	CLI_MODE_OPERATIONAL,
	CLI_MODE_CONFIGURE,
};

/* What cli_exec tells the caller about the line it ran. */
#define CLI_EXIT 0x1    /* the user left the CLI (exit, quit) */
#define CLI_NO_MORE 0x2 /* "| no-more": do not page this output */

struct cli;

/* cli_new - an engine over ds for user (its datastore session); the
 * clock is for "show system" and confirmed commits */
enum sk_result cli_new(struct cli **out, struct ds *ds, const char *user,
    const struct ds_clock *clock, const struct cli_hooks *hooks, char *err,
    size_t errlen);

/* cli_free - close the session (dropping its candidate); NULL is ok */
void cli_free(struct cli *c);

enum cli_mode cli_mode(const struct cli *c);

/*
 * cli_prompt - the prompt to print before the next line: "HOST> " in
 * operational mode, "\n[edit PATH]\nHOST# " in configure mode, or a
 * question when the last command asked one. Valid until the next call.
 */
const char *cli_prompt(struct cli *c);

/*
 * cli_exec - run one line (len octets, no newline; any octets at all).
 * Appends what to show to out (errors too: a caret line under the
 * offending word, counted from the start of the prompt's last line, then
 * the message). Returns CLI_EXIT and CLI_NO_MORE flags.
 */
unsigned cli_exec(struct cli *c, const char *line, size_t len,
    struct cli_text *out);

/*
 * cli_help - the "?" help for the line line[len] (the cursor at its end):
 * what may come next ("Possible completions:" and one line per word with
 * the first line of its description) or, for a value, its type, range,
 * pattern or enumeration.
 */
void cli_help(struct cli *c, const char *line, size_t len,
    struct cli_text *out);

/*
 * cli_complete - tab completion of line[len] at its end. Appends to
 * *line the completed part of the last word (and a space when the word
 * is complete) within cap, returning the new length; when there is no
 * single completion, the candidates are appended to list (as "?" shows
 * them) and the length is unchanged.
 */
size_t cli_complete(struct cli *c, char *line, size_t len, size_t cap,
    struct cli_text *list);

/*
 * cli_script_line - a line from a script or a test (stdin not a
 * terminal): a line ending in '?' shows the help for what is before it;
 * a line with a TAB shows the completion of what is before the TAB (the
 * candidates, or the completed line after the prompt); neither runs.
 * Any other line is cli_exec'd. The prompt and the line are echoed into
 * out first when echo is set. Returns cli_exec's flags.
 */
unsigned cli_script_line(struct cli *c, const char *line, size_t len, int echo,
    struct cli_text *out);

/*
 * cli_tick - call now and then with the clock's time: a commit confirmed
 * whose time ran out is rolled back (the message goes to out) and 1 is
 * returned; 0 when nothing happened.
 */
int cli_tick(struct cli *c, time_t now, struct cli_text *out);

/*
 * Roles and the audit log. A session has the role admin unless
 * cli_set_role says otherwise; every command is checked against the
 * NACM-style rules of nacm.h before it runs. A refused command prints
 * "error: permission denied: role R may not ..." and is audited as
 * "denied". With audit hooks set, the engine records:
 *   commit    a commit that changed running (detail: the command line,
 *             then the diff as "show | compare" prints it), or
 *             confirmed a commit confirmed
 *   rollback  "rollback N" loaded into the candidate, or the automatic
 *             rollback of an expired commit confirmed (user "system")
 *   request   every state-changing operational command that ran
 *             (request mail queue ..., request mail quarantine ...)
 *   denied    a command the role may not run
 * and "show audit" and "request system audit export" read through them.
 */
struct cli_audit_filter {
	const char *user;  /* NULL: any */
	const char *event; /* NULL: any */
	time_t since;      /* 0: from the start */
};

struct cli_audit_row {
	time_t time;
	const char *user, *source, *event, *detail;
};

/* cli_audit_row_fn - one row, oldest first; non-zero stops */
typedef int (*cli_audit_row_fn)(void *ctx, const struct cli_audit_row *r);

/*
 * The audit log as the engine sees it (sekimori_cli_main.c puts
 * cli/audit behind it; the tests a list in memory). Every hook may be
 * NULL: nothing is recorded, and show audit says "not available".
 *   record  one row: user, event, detail (the source is the hook's)
 *   query   the rows that pass f, oldest first; 0 on success
 *   export  the rows as CSV into the file name (a plain name: the
 *           engine has checked it), msg says where it went or why not;
 *           0 on success
 */
struct cli_audit {
	void (*record)(void *arg, const char *user, const char *event,
	    const char *detail);
	int (*query)(void *arg, const struct cli_audit_filter *f,
	    cli_audit_row_fn fn, void *ctx);
	int (*export)(void *arg, const char *name, char *msg, size_t msglen);
	void *arg;
};

/* cli_set_role - the session's role (admin until set) */
void cli_set_role(struct cli *c, enum nacm_role role);
enum nacm_role cli_role(const struct cli *c);

/* cli_set_audit - the audit hooks (copied; arg is borrowed) */
void cli_set_audit(struct cli *c, const struct cli_audit *a);
const struct cli_audit *cli_audit_hooks(const struct cli *c);

/* cli_audit - record one row as the session's user (the program records
 * "logout" this way); nothing without a record hook */
void cli_audit(struct cli *c, const char *event, const char *detail);

/* cli_user - the session's user */
const char *cli_user(const struct cli *c);

/*
 * Saved configurations: "load merge|replace NAME" and "save NAME" name a
 * file in one folder, never a path, so that a CLI user (the program
 * runs as root) reads and writes nothing else: a name is
 * [A-Za-z0-9][A-Za-z0-9._-]{0,63} without "..", symbolic links are not
 * followed, a save writes a new file (mode 0600) and renames it over the
 * name. The folder is made (mode 0700) on first use. Without a folder,
 * load and save of files say they are not available.
 */
#define CLI_SAVED_NAME_MAX 64 /* octets of a saved file's name */

/* cli_set_save_dir - the folder of saved files (copied); SK_E_TOO_LONG
 * when it has DS_PATH_MAX octets or more */
enum sk_result cli_set_save_dir(struct cli *c, const char *dir);

/* cli_saved_name_ok - whether name is a valid saved file's name */
int cli_saved_name_ok(const char *name);

/* cli_set_batch - one-command mode (-c): no prompt is shown, so carets
 * count from the start of the line, which the error repeats */
void cli_set_batch(struct cli *c, int batch);

/*
 * cli_sysinfo.c - what the program's hooks read from the running system.
 * cli_session_register writes DIR/PID ("USER SOURCE SINCE") for this
 * process, cli_session_unregister removes it; cli_sessions_list prints
 * the live ones (files of processes that are gone are removed) and
 * returns how many; cli_interfaces_list prints every interface's state,
 * MTU, MAC and addresses and returns how many (-1 on error).
 */
int cli_session_register(const char *dir, const char *user, const char *source,
    time_t since);
void cli_session_unregister(const char *dir);
int cli_sessions_list(const char *dir, time_t now, struct cli_text *out);
int cli_interfaces_list(struct cli_text *out);

#endif /* CLI_H */
