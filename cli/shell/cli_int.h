/*
 * cli_int.h - what the engine's files share (internal): the tokenizer,
 * the schema walk, the command grammar and struct cli itself.
 */
#ifndef CLI_INT_H
#define CLI_INT_H

#include <libyang/libyang.h>

#include "cli.h"

#define CLI_CANDIDATES_MAX 256 /* words listed by "?" or tab */
#define CLI_MSG_MAX 512        /* one error message */
#define CLI_HELP_COLS 72       /* columns of a help line */

/* One line cut into words. Quoted words ("a b") lose their quotes and
 * escapes; '|' outside quotes is a word of its own. */
struct cli_words {
	size_t n;
	const char *w[CLI_WORDS_MAX]; /* NUL-terminated, in buf */
	size_t off[CLI_WORDS_MAX];    /* where each starts in the line */
	int quoted[CLI_WORDS_MAX];
	size_t end;     /* the line's length */
	int open;       /* the line ends inside a word (no space after) */
	int open_quote; /* ... inside a quoted word */
	char buf[CLI_LINE_MAX + CLI_WORDS_MAX];
};

/* cli_split - tokenize; SK_E_SYNTAX with *bad at a control character or
 * an unterminated quote (when closed is required), SK_E_TOO_LONG */
enum sk_result cli_split(const char *line, size_t len, int closed,
    struct cli_words *w, size_t *bad, const char **why);

/* One level of an edit path: the container, list (entry) reached, and
 * the lengths of the data path and word path at its end. */
struct cli_level {
	const struct lysc_node *node;
	size_t datalen, wordslen;
};

/* Where a schema walk stands after its words. */
enum cli_want {
	CLI_WANT_CHILD, /* a child of node (NULL: a top-level node) */
	CLI_WANT_KEY,   /* a value of key for the list node */
	CLI_WANT_VALUE, /* a value of the leaf or leaf-list node */
	CLI_WANT_DONE,  /* nothing more */
};

enum cli_purpose {
	CLI_FOR_SET,
	CLI_FOR_DELETE,
	CLI_FOR_EDIT, /* edit, show: containers and list entries */
};

struct cli_walk {
	enum cli_purpose purpose;
	enum cli_want want;
	const struct lysc_node *node; /* see enum cli_want */
	const struct lysc_node *key;
	const char *value;       /* the value word, when given */
	char data[DS_PATH_MAX];  /* libyang data path */
	char words[DS_PATH_MAX]; /* " mail relay domain x" */
	size_t datalen, wordslen;
	struct cli_level lv[CLI_DEPTH_MAX];
	size_t nlv;
};

struct cli {
	struct ds *ds;
	struct ds_session *s;
	const struct ly_ctx *ctx;
	struct ds_clock clock;
	struct cli_hooks hooks;
	enum cli_mode mode;
	int exclusive;
	int batch;
	int asking;           /* "Exit with uncommitted changes?" was asked */
	struct cli_walk edit; /* the edit level (want CLI_WANT_CHILD) */
	char prompt[CLI_PROMPT_MAX];
	size_t prompt_col; /* columns of the prompt's last line */
};

/* cli_walk_start - a walk from the edit level (or from the top) */
void cli_walk_start(const struct cli *c, struct cli_walk *wk,
    enum cli_purpose purpose, int from_top);

/* cli_walk_word - one word; SK_OK or an error message in msg */
enum sk_result cli_walk_word(const struct cli *c, struct cli_walk *wk,
    const char *word, char *msg, size_t msglen);

/* cli_walk_expect - what the walk wants next, as "expecting <x>" */
void cli_walk_expect(const struct cli_walk *wk, char *msg, size_t msglen);

/* cli_walk_help - the "?" lines for the next word, those starting with
 * prefix (all when ""), into out; their number */
size_t cli_walk_help(const struct cli *c, const struct cli_walk *wk,
    const char *prefix, struct cli_text *out);

/* A candidate word for help and completion. */
struct cli_cand {
	const char *word;  /* "port", or "<port>" for a value */
	const char *help;  /* first line is shown */
	const char *extra; /* a second help line (type), or NULL */
	int literal;       /* can be completed (a keyword, enum, key) */
};

/* cli_walk_cands - the candidates for the next word (literal ones
 * filtered by prefix); buf holds generated text; the count */
size_t cli_walk_cands(const struct cli *c, const struct cli_walk *wk,
    const char *prefix, struct cli_cand *out, size_t max, char *buf,
    size_t bufcap);

/* cli_help_lines - "Possible completions:" and one line per candidate */
void cli_help_lines(struct cli_text *out, const struct cli_cand *cand,
    size_t n);

/* cli_tree - the candidate's tree (or running) */
const struct lyd_node *cli_tree(const struct cli *c);

/* cli_first_line - the length of the first line of s, at most max */
int cli_first_line(const char *s, int max);

/* ---- the command grammar (cli.c walks it, cli_cmd.c defines it) ---- */

struct cli_call;
typedef void (
    *cli_run_fn)(struct cli *c, struct cli_call *call, struct cli_text *out);

enum cli_kind {
	CLI_KW,   /* a keyword: unique prefixes accepted */
	CLI_ARG,  /* one free word: a number, file name, text */
	CLI_PATH, /* a configuration path from here to the end */
};

struct cli_node {
	const char *word; /* the keyword, or "<minutes>" for an argument */
	enum cli_kind kind;
	const char *help;
	const struct cli_node *next; /* what may follow, ends with {NULL} */
	cli_run_fn run;              /* non-NULL: the command may end here */
	enum cli_purpose purpose;    /* CLI_PATH */
};

/* A parsed command, given to its handler. */
struct cli_call {
	const struct cli_words *w;
	size_t n;                                   /* words of the command */
	const struct cli_node *node[CLI_WORDS_MAX]; /* per word (or NULL:
						       a path word) */
	const struct cli_node *last;                /* the last node matched */
	const struct cli_node *path;                /* the path node, if any */
	struct cli_walk walk;                       /* when path */
	int compare; /* "| compare [rollback N]" */
	unsigned compare_n;
	unsigned flags; /* CLI_EXIT, CLI_NO_MORE */
};

extern const struct cli_node cli_op_root[];
extern const struct cli_node cli_conf_root[];

/* cli_call_kw - whether the keyword word was given */
int cli_call_kw(const struct cli_call *call, const char *word);
/* cli_call_arg - the argument for placeholder ("<minutes>") or NULL; its
 * word index in *idx */
const char *cli_call_arg(const struct cli_call *call, const char *ph,
    size_t *idx);
/* cli_caret - an error pointing at word idx of the call (or the end of
 * the line when idx is n) */
void cli_caret(struct cli *c, const struct cli_words *w, size_t idx,
    const char *msg, struct cli_text *out);
/* cli_uncommitted - whether the candidate differs from running */
int cli_uncommitted(struct cli *c);
/* cli_leave_configure - back to operational mode (unlocks) */
void cli_leave_configure(struct cli *c, struct cli_text *out);
/* cli_host - the host name of the running configuration */
const char *cli_host(const struct cli *c);

/* ---- who may run what (cli_access.c) ---- */

/* Which words a parse may match, by the session's role. */
enum cli_filter {
	CLI_FILTER_NONE,   /* every word (pipes are not commands) */
	CLI_FILTER_PREFIX, /* running a line: a keyword the role may not
			      run matches only typed in full, so that it is
			      refused and audited; never as an abbreviation */
	CLI_FILTER_ALL,    /* help and completion: such words do not exist */
};

/* cli_words_text - words [from, to) of w joined by spaces into buf */
const char *cli_words_text(const struct cli_words *w, size_t from, size_t to,
    char *buf, size_t cap);

/* cli_permitted - whether the role may run the command made of
 * node[0..n) (NULL entries: words of a configuration path) */
int cli_permitted(const struct cli *c, const struct cli_node *const *node,
    size_t n);

/* cli_visible - whether the role may run some command that starts with
 * node[0..n) and then next: what "?", TAB and abbreviations show */
int cli_visible(const struct cli *c, const struct cli_node *const *node,
    size_t n, const struct cli_node *next);

/* cli_allowed - whether the role may run call (*op: its NACM
 * operation); if not, the error into out and a "denied" audit row */
int cli_allowed(struct cli *c, const struct cli_call *call, unsigned *op,
    struct cli_text *out);

/* ---- saved configurations (cli_saved.c) ---- */

/* cli_save_dir - the folder of saved files (cli_set_save_dir), or NULL */
const char *cli_save_dir(const struct cli *c);

/* cli_saved_load - the saved file name (cli_saved_name_ok already
 * checked) into the candidate; SK_OK or err */
enum sk_result cli_saved_load(struct cli *c, enum ds_load_mode mode,
    const char *name, char *err, size_t errlen);

/* cli_saved_save - the candidate (or running) into the saved file name,
 * replacing it atomically; SK_OK or err */
enum sk_result cli_saved_save(struct cli *c, const char *name, char *err,
    size_t errlen);

/* cli_saved_list - the names of the saved files, sorted, into out */
void cli_saved_list(struct cli *c, struct cli_text *out);

/* ---- show mail authentication-results (cli_authres.c) ---- */

/* what may follow the keyword: options in any order, or summary */
extern const struct cli_node cli_authres_next[];
/* cli_show_authres - the recent inbound results, or their summary */
void cli_show_authres(struct cli *c, struct cli_call *call,
    struct cli_text *out);

/* ---- show and clear mail statistics (cli_stats.c) ---- */

/* cli_show_stats - sekimorid's mail statistics, as it formats them */
void cli_show_stats(struct cli *c, struct cli_call *call, struct cli_text *out);
/* cli_clear_stats - make sekimorid count from zero (an audited action) */
void cli_clear_stats(struct cli *c, struct cli_call *call,
    struct cli_text *out);

#endif /* CLI_INT_H */
