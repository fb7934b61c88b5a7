/*
 * cli.c - the command engine: words, the walk of the command grammar
 * (cli_cmd.c) and of configuration paths (cli_schema.c), "?" help, tab
 * completion, output pipes, prompts. Every line is outside input: any
 * octet may arrive (a serial line carries garbage), so lines are bounded
 * (CLI_LINE_MAX), control characters are refused with a caret, and
 * nothing is run unless the whole line parses.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_int.h"
#include "cli_regex.h"

#define CLI_PIPES_MAX 8 /* "| match x | except y | count" */

/*
 * What a session may do and where its actions are recorded. It lives
 * beside struct cli (cli_int.h) in one allocation made by cli_new, so
 * that the engine's shared struct stays as the other files know it;
 * cli_sec() finds it.
 */
struct cli_sec {
	enum nacm_role role;
	struct cli_audit audit;
	char user[DS_USER_MAX];
	char save_dir[DS_PATH_MAX]; /* "" until cli_set_save_dir */
};

struct cli_box {
	struct cli c; /* first: a struct cli * is a struct cli_box * */
	struct cli_sec sec;
};

static struct cli_sec *
cli_sec(struct cli *c)
{
	return &((struct cli_box *)(void *)c)->sec;
}

static const struct cli_sec *
cli_sec_const(const struct cli *c)
{
	return &((const struct cli_box *)(const void *)c)->sec;
}

/* ---- text ---------------------------------------------------------- */

/* cli_text_grow - room for n more octets and a NUL; 0 when cut */
static int
cli_text_grow(struct cli_text *t, size_t n)
{
	size_t cap;
	char *p;

	if (t->cut) {
		return 0;
	}
	if (t->len + n + 1 > CLI_OUT_MAX) {
		t->cut = 1;
		return 0;
	}
	if (t->len + n + 1 <= t->cap) {
		return 1;
	}
	cap = t->cap > 0 ? t->cap : 256;
	while (cap < t->len + n + 1) {
		cap *= 2;
	}
	if ((p = realloc(t->p, cap)) == NULL) {
		t->cut = 1;
		return 0;
	}
	t->p = p;
	t->cap = cap;
	return 1;
}

void
cli_text_addn(struct cli_text *t, const char *s, size_t n)
{
	if (cli_text_grow(t, n)) {
		memcpy(t->p + t->len, s, n);
		t->len += n;
		t->p[t->len] = '\0';
	}
}

void
cli_text_add(struct cli_text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !cli_text_grow(t, (size_t)n)) {
		return;
	}
	va_start(ap, fmt);
	vsnprintf(t->p + t->len, t->cap - t->len, fmt, ap);
	va_end(ap);
	t->len += (size_t)n;
}

const char *
cli_text_str(const struct cli_text *t)
{
	return t->p != NULL ? t->p : "";
}

void
cli_text_reset(struct cli_text *t)
{
	t->len = 0;
	t->cut = 0;
	if (t->p != NULL) {
		t->p[0] = '\0';
	}
}

void
cli_text_free(struct cli_text *t)
{
	free(t->p);
	memset(t, 0, sizeof(*t));
}

/* ---- words ---------------------------------------------------------- */

enum sk_result
cli_split(const char *line, size_t len, int closed, struct cli_words *w,
    size_t *bad, const char **why)
{
	size_t i = 0, o = 0;
	unsigned char ch;

	memset(w, 0, offsetof(struct cli_words, buf));
	w->end = len;
	if (len >= CLI_LINE_MAX) {
		*bad = 0;
		*why = "line too long";
		return SK_E_TOO_LONG;
	}
	while (i < len) {
		ch = (unsigned char)line[i];
		if (ch < 0x20 || ch == 0x7f) {
			*bad = i;
			*why = "syntax error, control character";
			return SK_E_SYNTAX;
		}
		if (ch == ' ') {
			i++;
			continue;
		}
		if (w->n == CLI_WORDS_MAX) {
			*bad = i;
			*why = "too many words";
			return SK_E_TOO_LONG;
		}
		w->off[w->n] = i;
		w->w[w->n] = w->buf + o;
		if (ch == '|') {
			w->buf[o++] = '|';
			i++;
		} else if (ch == '"') {
			w->quoted[w->n] = 1;
			for (i++; i < len && line[i] != '"'; i++) {
				if ((unsigned char)line[i] < 0x20 ||
				    line[i] == 0x7f) {
					*bad = i;
					*why =
					    "syntax error, control character";
					return SK_E_SYNTAX;
				}
				if (line[i] == '\\' && i + 1 < len) {
					i++;
				}
				w->buf[o++] = line[i];
			}
			if (i == len) {
				w->open = w->open_quote = 1;
				if (closed) {
					*bad = w->off[w->n];
					*why = "syntax error, unterminated "
					       "quoted string";
					return SK_E_SYNTAX;
				}
			} else {
				i++;
			}
		} else {
			while (i < len && line[i] != ' ' && line[i] != '|' &&
			    (unsigned char)line[i] >= 0x20 && line[i] != 0x7f) {
				w->buf[o++] = line[i++];
			}
			w->open = i == len;
		}
		w->buf[o++] = '\0';
		w->n++;
		if (i < len) {
			w->open = 0;
		}
	}
	return SK_OK;
}

/* ---- the grammar walk ------------------------------------------------ */

/* Where a walk of the command grammar stands. */
struct cli_state {
	const struct cli_node *list; /* what may come next (NULL: nothing) */
	int in_path;
	size_t bad; /* the word an error points at */
	char msg[CLI_MSG_MAX];
};

/* What a parse may match: every word (pipes), or, for a command, only
 * the keywords the session's role may see (cli_visible). */
struct cli_seen {
	const struct cli *c;
	enum cli_filter filter;
	const struct cli_node *const *node; /* the command's words so far */
	size_t n;
};

/* cli_seen_ok - whether keyword (or argument) node may match; typed in
 * full (exact, or any argument) it may when filter is
 * CLI_FILTER_PREFIX, so that running it is refused and audited */
static int
cli_seen_ok(const struct cli_seen *s, const struct cli_node *node, int exact)
{
	if (s->filter == CLI_FILTER_NONE ||
	    (exact && s->filter == CLI_FILTER_PREFIX)) {
		return 1;
	}
	return cli_visible(s->c, s->node, s->n, node);
}

/* cli_kw_match - the node of list that word names (exact or a unique
 * prefix of a keyword), else an argument node, else NULL with msg; a
 * keyword the role may not see is not there (an unknown word) */
static const struct cli_node *
cli_kw_match(const struct cli_node *list, const char *word, int quoted,
    const struct cli_seen *seen, char *msg, size_t msglen,
    const struct cli_node **path)
{
	const struct cli_node *found = NULL, *arg = NULL, *n;
	size_t wl = strlen(word);
	int hits = 0;

	*path = NULL;
	for (n = list; n->word != NULL; n++) {
		if (n->kind != CLI_KW) {
			if (!cli_seen_ok(seen, n, 1)) {
				continue;
			}
			if (n->kind == CLI_ARG) {
				arg = n;
			} else {
				*path = n;
			}
		} else if (!quoted && strcmp(n->word, word) == 0 &&
		    cli_seen_ok(seen, n, 1)) {
			return n;
		} else if (!quoted && wl > 0 &&
		    strncmp(n->word, word, wl) == 0 &&
		    cli_seen_ok(seen, n, 0)) {
			hits++;
			found = n;
		}
	}
	if (hits == 1) {
		return found;
	}
	if (hits > 1) {
		snprintf(msg, msglen, "syntax error, ambiguous: %s", word);
		*path = NULL;
		return NULL;
	}
	if (arg != NULL) {
		return arg;
	}
	if (*path == NULL) {
		snprintf(msg, msglen,
		    "syntax error, unknown word (type ? for what may "
		    "follow)");
	}
	return NULL;
}

/* cli_parse - walk words [from, to) of w from the list root into call
 * and st, matching what filter lets the role see; SK_OK, or SK_E_SYNTAX
 * with st->bad and st->msg */
static enum sk_result
cli_parse(struct cli *c, const struct cli_words *w, size_t from, size_t to,
    const struct cli_node *root, enum cli_filter filter, struct cli_call *call,
    struct cli_state *st)
{
	struct cli_seen seen = { c, filter, call->node + from, 0 };
	const struct cli_node *n, *path;
	size_t i;

	memset(st, 0, sizeof(*st));
	st->list = root;
	call->w = w;
	call->n = to;
	call->last = NULL;
	call->path = NULL;
	for (i = from; i < to; i++) {
		call->node[i] = NULL;
		if (st->in_path) {
			if (cli_walk_word(c, &call->walk, w->w[i], st->msg,
				sizeof(st->msg)) != SK_OK) {
				st->bad = i;
				return SK_E_SYNTAX;
			}
			continue;
		}
		if (st->list == NULL) {
			st->bad = i;
			snprintf(st->msg, sizeof(st->msg),
			    "syntax error, nothing may follow here");
			return SK_E_SYNTAX;
		}
		seen.n = i - from;
		n = cli_kw_match(st->list, w->w[i], w->quoted[i], &seen,
		    st->msg, sizeof(st->msg), &path);
		if (n == NULL && path != NULL) {
			st->in_path = 1;
			call->path = path;
			cli_walk_start(c, &call->walk, path->purpose, 0);
			i--; /* this word is the path's first */
			continue;
		}
		if (n == NULL) {
			st->bad = i;
			return SK_E_SYNTAX;
		}
		call->node[i] = n;
		call->last = n;
		st->list = n->next;
	}
	/* a path may be empty: "show", "edit" stay at the edit level */
	if (!st->in_path && st->list != NULL) {
		for (n = st->list; n->word != NULL; n++) {
			if (n->kind == CLI_PATH && call->last != NULL &&
			    call->last->run != NULL) {
				call->path = n;
				cli_walk_start(c, &call->walk, n->purpose, 0);
			}
		}
	}
	return SK_OK;
}

int
cli_call_kw(const struct cli_call *call, const char *word)
{
	size_t i;

	for (i = 0; i < call->n; i++) {
		if (call->node[i] != NULL && call->node[i]->kind == CLI_KW &&
		    strcmp(call->node[i]->word, word) == 0) {
			return 1;
		}
	}
	return 0;
}

const char *
cli_call_arg(const struct cli_call *call, const char *ph, size_t *idx)
{
	size_t i;

	for (i = 0; i < call->n; i++) {
		if (call->node[i] != NULL && call->node[i]->kind == CLI_ARG &&
		    strcmp(call->node[i]->word, ph) == 0) {
			if (idx != NULL) {
				*idx = i;
			}
			return call->w->w[i];
		}
	}
	return NULL;
}

void
cli_caret(struct cli *c, const struct cli_words *w, size_t idx, const char *msg,
    struct cli_text *out)
{
	size_t col = idx < w->n ? w->off[idx] : w->end;

	col += c->batch ? 0 : c->prompt_col;
	cli_text_add(out, "%*s^\n%s\n", (int)col, "", msg);
}

/* ---- pipes ----------------------------------------------------------- */

enum cli_pipe_kind {
	CLI_PIPE_MATCH,
	CLI_PIPE_EXCEPT,
	CLI_PIPE_COUNT,
	CLI_PIPE_NO_MORE,
};

struct cli_pipe {
	enum cli_pipe_kind kind;
	struct cli_regex *re; /* match and except */
};

/* cli_pipe_end - marks where a pipe command may end (cli_run applies
 * pipes itself) */
static void
cli_pipe_end(struct cli *c, struct cli_call *call, struct cli_text *out)
{
}

static const struct cli_node cli_pipe_regex[] = {
	{ "<regex>", CLI_ARG, "A regular expression (POSIX extended)", NULL,
	    cli_pipe_end, 0 },
	{ NULL, 0, NULL, NULL, NULL, 0 },
};
static const struct cli_node cli_pipe_n[] = {
	{ "<number>", CLI_ARG, "Which commit: 0 is running", NULL, cli_pipe_end,
	    0 },
	{ NULL, 0, NULL, NULL, NULL, 0 },
};
static const struct cli_node cli_pipe_rollback[] = {
	{ "rollback", CLI_KW, "Compare with a previous commit", cli_pipe_n,
	    NULL, 0 },
	{ NULL, 0, NULL, NULL, NULL, 0 },
};
/* The pipe commands: configure mode's, whose first is compare, and after
 * it operational mode's (cli_pipe_root), so that each is written once. */
static const struct cli_node cli_pipe_conf[] = {
	{ "compare", CLI_KW, "Show the uncommitted changes", cli_pipe_rollback,
	    cli_pipe_end, 0 },
	{ "count", CLI_KW, "Count the lines", NULL, cli_pipe_end, 0 },
	{ "except", CLI_KW, "Hide the lines that match", cli_pipe_regex, NULL,
	    0 },
	{ "match", CLI_KW, "Show only the lines that match", cli_pipe_regex,
	    NULL, 0 },
	{ "no-more", CLI_KW, "Do not page the output", NULL, cli_pipe_end, 0 },
	{ NULL, 0, NULL, NULL, NULL, 0 },
};
#define CLI_PIPE_OP (cli_pipe_conf + 1) /* all but compare */

/* cli_pipe_root - the pipe commands of the mode */
static const struct cli_node *
cli_pipe_root(const struct cli *c)
{
	return c->mode == CLI_MODE_CONFIGURE ? cli_pipe_conf : CLI_PIPE_OP;
}

/* cli_pipe_filter - the lines of in that pass p, into out */
static void
cli_pipe_filter(const struct cli_pipe *p, const struct cli_text *in,
    struct cli_text *out)
{
	const char *s = cli_text_str(in), *e;
	size_t count = 0;
	int hit;

	for (; *s != '\0'; s = *e != '\0' ? e + 1 : e) {
		e = strchr(s, '\n');
		e = e != NULL ? e : s + strlen(s);
		count++;
		if (p->kind == CLI_PIPE_COUNT || p->kind == CLI_PIPE_NO_MORE) {
			continue;
		}
		hit = cli_regex_match(p->re, s, (size_t)(e - s));
		if (hit == (p->kind == CLI_PIPE_MATCH)) {
			cli_text_addn(out, s, (size_t)(e - s));
			cli_text_add(out, "\n");
		}
	}
	if (p->kind == CLI_PIPE_COUNT) {
		cli_text_add(out, "Count: %zu lines\n", count);
	} else if (p->kind == CLI_PIPE_NO_MORE) {
		cli_text_addn(out, cli_text_str(in), in->len);
	}
}

/* cli_pipes_free - the compiled expressions */
static void
cli_pipes_free(struct cli_pipe *p, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		cli_regex_free(p[i].re);
	}
}

/* cli_pipes_parse - the segments after each '|' into p; the count, or -1
 * after a caret error in out */
static int
cli_pipes_parse(struct cli *c, const struct cli_words *w, size_t first,
    struct cli_pipe *p, struct cli_call *call, struct cli_text *out)
{
	struct cli_call pc;
	struct cli_state st;
	size_t i = first, end;
	const char *re, *err;
	int np = 0;

	while (i < w->n) {
		for (end = i + 1; end < w->n && strcmp(w->w[end], "|") != 0;
		     end++) {
		}
		if (np == CLI_PIPES_MAX || end == i + 1) {
			cli_caret(c, w, end == i + 1 ? end : i,
			    np == CLI_PIPES_MAX ? "too many pipes" :
						  "syntax error, expecting "
						  "a pipe command",
			    out);
			cli_pipes_free(p, np);
			return -1;
		}
		memset(&pc, 0, sizeof(pc));
		if (cli_parse(c, w, i + 1, end, cli_pipe_root(c),
			CLI_FILTER_NONE, &pc, &st) != SK_OK) {
			cli_caret(c, w, st.bad, st.msg, out);
			cli_pipes_free(p, np);
			return -1;
		}
		if (pc.last == NULL || pc.last->run == NULL) {
			cli_caret(c, w, end, "syntax error, expecting more",
			    out);
			cli_pipes_free(p, np);
			return -1;
		}
		memset(&p[np], 0, sizeof(p[np]));
		if (cli_call_kw(&pc, "compare")) {
			call->compare = 1;
			re = cli_call_arg(&pc, "<number>", NULL);
			call->compare_n = re != NULL ? (unsigned)atoi(re) : 0;
			if (re != NULL &&
			    (strspn(re, "0123456789") != strlen(re) ||
				strlen(re) > 2)) {
				cli_caret(c, w, end - 1,
				    "invalid value: out of range 0..49", out);
				cli_pipes_free(p, np);
				return -1;
			}
			i = end;
			continue;
		}
		p[np].kind = cli_call_kw(&pc, "match") ? CLI_PIPE_MATCH :
		    cli_call_kw(&pc, "except")         ? CLI_PIPE_EXCEPT :
		    cli_call_kw(&pc, "count")          ? CLI_PIPE_COUNT :
							 CLI_PIPE_NO_MORE;
		if (p[np].kind == CLI_PIPE_NO_MORE) {
			call->flags |= CLI_NO_MORE;
		}
		re = cli_call_arg(&pc, "<regex>", NULL);
		err = re != NULL ?
		    cli_regex_compile(&p[np].re, re, strlen(re)) :
		    NULL;
		if (err != NULL) {
			cli_caret(c, w, end - 1, err, out);
			cli_pipes_free(p, np);
			return -1;
		}
		np++;
		i = end;
	}
	return np;
}

/* ---- the engine -------------------------------------------------------- */

enum sk_result
cli_new(struct cli **out, struct ds *ds, const char *user,
    const struct ds_clock *clock, const struct cli_hooks *hooks, char *err,
    size_t errlen)
{
	struct cli_box *box = calloc(1, sizeof(*box));
	struct cli *c;
	enum sk_result r;

	*out = NULL;
	if (box == NULL) {
		snprintf(err, errlen, "out of memory");
		return SK_E_FULL;
	}
	c = &box->c;
	if ((r = ds_session_open(ds, user, &c->s, err, errlen)) != SK_OK) {
		free(box);
		return r;
	}
	box->sec.role = NACM_ADMIN;
	snprintf(box->sec.user, sizeof(box->sec.user), "%s", user);
	c->ds = ds;
	c->ctx = ds_context(ds);
	c->clock = *clock;
	if (hooks != NULL) {
		c->hooks = *hooks;
	}
	c->edit.want = CLI_WANT_CHILD;
	*out = c;
	return SK_OK;
}

void
cli_free(struct cli *c)
{
	if (c != NULL) {
		ds_session_close(c->s);
		free((struct cli_box *)(void *)c);
	}
}

void
cli_set_role(struct cli *c, enum nacm_role role)
{
	cli_sec(c)->role = role;
}

enum nacm_role
cli_role(const struct cli *c)
{
	return cli_sec_const(c)->role;
}

void
cli_set_audit(struct cli *c, const struct cli_audit *a)
{
	cli_sec(c)->audit = *a;
}

const struct cli_audit *
cli_audit_hooks(const struct cli *c)
{
	return &cli_sec_const(c)->audit;
}

const char *
cli_user(const struct cli *c)
{
	return cli_sec_const(c)->user;
}

enum sk_result
cli_set_save_dir(struct cli *c, const char *dir)
{
	struct cli_sec *s = cli_sec(c);

	if (strlen(dir) >= sizeof(s->save_dir)) {
		return SK_E_TOO_LONG;
	}
	snprintf(s->save_dir, sizeof(s->save_dir), "%s", dir);
	return SK_OK;
}

const char *
cli_save_dir(const struct cli *c)
{
	const char *d = cli_sec_const(c)->save_dir;

	return d[0] != '\0' ? d : NULL;
}

void
cli_audit(struct cli *c, const char *event, const char *detail)
{
	const struct cli_audit *a = &cli_sec(c)->audit;

	if (a->record != NULL) {
		a->record(a->arg, cli_sec(c)->user, event, detail);
	}
}

enum cli_mode
cli_mode(const struct cli *c)
{
	return c->mode;
}

void
cli_set_batch(struct cli *c, int batch)
{
	c->batch = batch;
}

const char *
cli_host(const struct cli *c)
{
	static char host[CLI_HOST_MAX];
	struct lyd_node *n = NULL;
	const char *v;

	if (lyd_find_path(ds_running(c->ds),
		"/sekimori-system:system/host-name", 0, &n) != LY_SUCCESS ||
	    (v = lyd_get_value(n)) == NULL || v[0] == '\0') {
		return CLI_DEFAULT_HOST;
	}
	snprintf(host, sizeof(host), "%s", v);
	return host;
}

const char *
cli_prompt(struct cli *c)
{
	const char *last;

	if (c->asking) {
		snprintf(c->prompt, sizeof(c->prompt),
		    "Exit with uncommitted changes? [yes,no] (yes) ");
	} else if (c->mode == CLI_MODE_CONFIGURE) {
		snprintf(c->prompt, sizeof(c->prompt), "\n[edit%.*s]\n%s# ",
		    (int)c->edit.wordslen, c->edit.words, cli_host(c));
	} else {
		snprintf(c->prompt, sizeof(c->prompt), "%s> ", cli_host(c));
	}
	last = strrchr(c->prompt, '\n');
	c->prompt_col = strlen(last != NULL ? last + 1 : c->prompt);
	return c->prompt;
}

int
cli_uncommitted(struct cli *c)
{
	char *diff = NULL, err[DS_ERR_MAX];
	int changed;

	if (ds_candidate(c->s) == NULL) {
		return 0;
	}
	if (ds_compare(c->s, 0, 0, &diff, err, sizeof(err)) != SK_OK) {
		return 1;
	}
	changed = diff[0] != '\0';
	free(diff);
	return changed;
}

/* cli_leave_configure - back to operational mode */
void
cli_leave_configure(struct cli *c, struct cli_text *out)
{
	char err[DS_ERR_MAX];

	if (c->exclusive) {
		(void)ds_unlock(c->s, err, sizeof(err));
		ds_discard(c->s); /* exclusive edits end with the lock */
		c->exclusive = 0;
	}
	c->mode = CLI_MODE_OPERATIONAL;
	cli_walk_start(c, &c->edit, CLI_FOR_EDIT, 1);
	cli_text_add(out, "Exiting configuration mode\n");
}

/* cli_answer - the answer to "Exit with uncommitted changes?" */
static void
cli_answer(struct cli *c, const struct cli_words *w, struct cli_text *out)
{
	c->asking = 0;
	if (w->n == 0 || strcmp(w->w[0], "yes") == 0 ||
	    strcmp(w->w[0], "y") == 0) {
		cli_leave_configure(c, out);
	}
}

/* ---- audit ------------------------------------------------------------ */

/* What a configure-mode command was before it ran, to tell afterwards
 * whether it committed (cli_audit_after). */
struct cli_before {
	int commit, rollback;
	uint64_t seq;
	time_t deadline;
	char *diff;
	size_t outlen;
};

static void
cli_audit_before(struct cli *c, const struct cli_call *call,
    const struct cli_text *out, struct cli_before *b)
{
	struct ds_commit_info ci;
	const char *first = call->node[0] != NULL ? call->node[0]->word : "";
	char err[DS_ERR_MAX];

	memset(b, 0, sizeof(*b));
	b->outlen = out->len;
	if (c->mode != CLI_MODE_CONFIGURE || cli_sec(c)->audit.record == NULL) {
		return;
	}
	b->commit = strcmp(first, "commit") == 0 && !cli_call_kw(call, "check");
	b->rollback = strcmp(first, "rollback") == 0;
	if (b->commit) {
		b->seq = ds_history_get(c->ds, 0, &ci) == SK_OK ? ci.seq : 0;
		b->deadline = ds_confirm_deadline(c->ds);
		if (ds_compare(c->s, 0, 0, &b->diff, err, sizeof(err)) !=
		    SK_OK) {
			b->diff = NULL;
		}
	}
}

/* cli_audit_after - the audit rows of what the command did */
static void
cli_audit_after(struct cli *c, const struct cli_call *call,
    const struct cli_text *out, struct cli_before *b)
{
	struct ds_commit_info ci;
	char line[CLI_LINE_MAX], *detail = NULL;

	cli_words_text(call->w, 0, call->n, line, sizeof(line));
	if (b->commit && ds_history_get(c->ds, 0, &ci) == SK_OK &&
	    ci.seq != b->seq) {
		if (asprintf(&detail, "%s\n%s", line,
			b->diff != NULL ? b->diff : "") >= 0) {
			cli_audit(c, "commit", detail);
			free(detail);
		}
	} else if (b->commit && b->deadline != 0 &&
	    ds_confirm_deadline(c->ds) == 0) {
		cli_audit(c, "commit",
		    "confirmed the pending commit confirmed");
	} else if (b->rollback && out->len > b->outlen &&
	    strstr(cli_text_str(out) + b->outlen, "load complete") != NULL) {
		snprintf(line + strlen(line), sizeof(line) - strlen(line),
		    " (loaded into the candidate)");
		cli_audit(c, "rollback", line);
	}
	free(b->diff);
	b->diff = NULL;
}

/* cli_audit_request - a "request" row for an action: the command line,
 * and " (failed)" when its output (from outlen on) is an error */
static void
cli_audit_request(struct cli *c, const struct cli_words *w, size_t end,
    const struct cli_text *out, size_t outlen)
{
	const char *said = cli_text_str(out) + outlen;
	char line[CLI_LINE_MAX + 16];

	cli_words_text(w, 0, end, line, CLI_LINE_MAX);
	if (strncmp(said, "error", 5) == 0 || strstr(said, "^\n") != NULL) {
		strcat(line, " (failed)");
	}
	cli_audit(c, "request", line);
}

/* cli_run - parse and run the command words [0, end) with pipes after */
static unsigned
cli_run(struct cli *c, const struct cli_words *w, size_t end,
    struct cli_text *out)
{
	struct cli_pipe pipes[CLI_PIPES_MAX];
	struct cli_text tmp = { 0 }, tmp2 = { 0 };
	struct cli_call *call = calloc(1, sizeof(*call));
	struct cli_state st;
	struct cli_before before;
	cli_run_fn run;
	unsigned flags, op = 0;
	int np, i;

	if (call == NULL) {
		cli_text_add(out, "error: out of memory\n");
		return 0;
	}
	if (cli_parse(c, w, 0, end,
		c->mode == CLI_MODE_CONFIGURE ? cli_conf_root : cli_op_root,
		CLI_FILTER_PREFIX, call, &st) != SK_OK) {
		cli_caret(c, w, st.bad, st.msg, out);
		free(call);
		return 0;
	}
	run = call->path != NULL ? call->path->run :
	    call->last != NULL   ? call->last->run :
				   NULL;
	if (run == NULL) {
		cli_caret(c, w, end, "syntax error, incomplete command", out);
		free(call);
		return 0;
	}
	if ((np = cli_pipes_parse(c, w, end, pipes, call, out)) < 0) {
		free(call);
		return 0;
	}
	if (!cli_allowed(c, call, &op, out)) {
		cli_pipes_free(pipes, np);
		free(call);
		return 0;
	}
	cli_audit_before(c, call, np > 0 ? &tmp : out, &before);
	run(c, call, np > 0 ? &tmp : out);
	cli_audit_after(c, call, np > 0 ? &tmp : out, &before);
	if (op == NACM_EXEC) { /* an action: who tried what, and whether */
		cli_audit_request(c, w, end, np > 0 ? &tmp : out,
		    before.outlen);
	}
	for (i = 0; i < np; i++) {
		cli_text_reset(&tmp2);
		cli_pipe_filter(&pipes[i], &tmp, &tmp2);
		cli_text_reset(&tmp);
		cli_text_addn(&tmp, cli_text_str(&tmp2), tmp2.len);
	}
	if (np > 0) {
		cli_text_addn(out, cli_text_str(&tmp), tmp.len);
	}
	cli_pipes_free(pipes, np);
	cli_text_free(&tmp);
	cli_text_free(&tmp2);
	flags = call->flags;
	free(call);
	return flags;
}

/* cli_pipe_at - the index of the first '|' word, or w->n */
static size_t
cli_pipe_at(const struct cli_words *w)
{
	size_t i;

	for (i = 0; i < w->n; i++) {
		if (!w->quoted[i] && strcmp(w->w[i], "|") == 0) {
			break;
		}
	}
	return i;
}

unsigned
cli_exec(struct cli *c, const char *line, size_t len, struct cli_text *out)
{
	struct cli_words *w = malloc(sizeof(*w));
	const char *why;
	unsigned flags = 0;
	size_t bad;

	if (w == NULL) {
		cli_text_add(out, "error: out of memory\n");
		return 0;
	}
	(void)cli_prompt(c); /* carets count from the prompt shown */
	if (cli_split(line, len, 1, w, &bad, &why) != SK_OK) {
		if (len >= CLI_LINE_MAX) {
			cli_text_add(out,
			    "error: line too long (the limit is %d "
			    "characters)\n",
			    CLI_LINE_MAX - 1);
		} else {
			cli_text_add(out, "%*s^\n%s\n",
			    (int)(bad + (c->batch ? 0 : c->prompt_col)), "",
			    why);
		}
	} else if (c->asking) {
		cli_answer(c, w, out);
	} else if (w->n > 0) {
		flags = cli_run(c, w, cli_pipe_at(w), out);
	}
	free(w);
	return flags;
}

int
cli_tick(struct cli *c, time_t now, struct cli_text *out)
{
	char msg[DS_ERR_MAX];

	const struct cli_audit *a = &cli_sec(c)->audit;

	if (ds_tick(c->ds, now, msg, sizeof(msg))) {
		cli_text_add(out, "\nMessage from the system: %s\n", msg);
		if (a->record != NULL) {
			a->record(a->arg, "system", "rollback", msg);
		}
		return 1;
	}
	return 0;
}

/* ---- help and completion ----------------------------------------------- */

/* The candidates after a line: from the grammar or from a path walk. */
struct cli_next {
	struct cli_cand cand[CLI_CANDIDATES_MAX];
	size_t n;
	char buf[4096];
	const char *prefix;     /* the word being typed ("" after a space) */
	char pfx[CLI_LINE_MAX]; /* its copy: prefix points here */
	int runnable;           /* the line may end here */
	int error;              /* a word before failed: out has the caret */
	int pipeable;           /* a show command: '|' may follow */
};

/* cli_grammar_cands - the nodes of list that start with prefix and
 * that seen lets the role see */
static void
cli_grammar_cands(const struct cli_node *list, const char *prefix,
    const struct cli_seen *seen, struct cli_next *nx)
{
	const struct cli_node *n;
	size_t plen = strlen(prefix);

	for (n = list; n != NULL && n->word != NULL; n++) {
		if (n->kind == CLI_PATH || nx->n == CLI_CANDIDATES_MAX ||
		    !cli_seen_ok(seen, n, 0)) {
			continue;
		}
		if (n->kind == CLI_ARG || strncmp(n->word, prefix, plen) == 0) {
			nx->cand[nx->n].word = n->word;
			nx->cand[nx->n].help = n->help;
			nx->cand[nx->n].extra = NULL;
			nx->cand[nx->n].literal = n->kind == CLI_KW;
			nx->n++;
		}
	}
}

/* cli_next_words - what may follow line[len] (the last word, if not
 * followed by a space, is the prefix being typed); only what the role
 * may run (cli_visible), and a word it may not see is an unknown word
 * even typed in full */
static void
cli_next_words(struct cli *c, const char *line, size_t len, struct cli_next *nx,
    struct cli_text *out)
{
	struct cli_words *w = malloc(sizeof(*w));
	struct cli_call *call = calloc(1, sizeof(*call));
	const struct cli_node *root, *n;
	struct cli_seen seen = { c, CLI_FILTER_ALL, NULL, 0 };
	struct cli_state st;
	size_t bad, nw, from = 0, i, pipe = 0;
	const char *why;

	memset(nx, 0, offsetof(struct cli_next, buf));
	nx->prefix = "";
	if (w == NULL || call == NULL) {
		nx->error = 1;
		goto done;
	}
	(void)cli_prompt(c);
	if (cli_split(line, len, 0, w, &bad, &why) != SK_OK) {
		cli_caret(c, w, w->n, why, out);
		nx->error = 1;
		goto done;
	}
	nw = w->n;
	if (w->open && nw > 0) {
		nw--;
		snprintf(nx->pfx, sizeof(nx->pfx), "%s", w->w[nw]);
		nx->prefix = nx->pfx;
	}
	root = c->mode == CLI_MODE_CONFIGURE ? cli_conf_root : cli_op_root;
	for (i = 0; i < nw; i++) {
		if (!w->quoted[i] && strcmp(w->w[i], "|") == 0) {
			pipe = from == 0 ? i : pipe;
			from = i + 1;
		}
	}
	/* after a pipe, the command before it must be one the role sees */
	if (from > 0 &&
	    cli_parse(c, w, 0, pipe, root, CLI_FILTER_ALL, call, &st) !=
		SK_OK) {
		cli_caret(c, w, st.bad, st.msg, out);
		nx->error = 1;
		goto done;
	}
	if (from > 0) {
		root = cli_pipe_root(c);
		seen.filter = CLI_FILTER_NONE; /* pipes are not commands */
	}
	if (cli_parse(c, w, from, nw, root, seen.filter, call, &st) != SK_OK) {
		cli_caret(c, w, st.bad, st.msg, out);
		nx->error = 1;
		goto done;
	}
	seen.node = call->node;
	seen.n = nw;
	if (!st.in_path && call->path == NULL) {
		/* "set ": the path has not started, its first word is next */
		for (n = st.list; n != NULL && n->word != NULL; n++) {
			if (n->kind == CLI_PATH && cli_seen_ok(&seen, n, 0)) {
				call->path = n;
				cli_walk_start(c, &call->walk, n->purpose, 0);
				nx->runnable = n->run != NULL &&
				    n->purpose != CLI_FOR_SET &&
				    call->last != NULL &&
				    call->last->run != NULL;
			}
		}
	}
	nx->pipeable = from > 0 ||
	    (nw > 0 && call->node[0] != NULL &&
		(strcmp(call->node[0]->word, "show") == 0 ||
		    strcmp(call->node[0]->word, "run") == 0));
	if (st.in_path || call->path != NULL) {
		nx->n = cli_walk_cands(c, &call->walk, nx->prefix, nx->cand,
		    CLI_CANDIDATES_MAX, nx->buf, sizeof(nx->buf));
		nx->runnable = nx->runnable ||
		    call->walk.want == CLI_WANT_DONE ||
		    (call->walk.want == CLI_WANT_CHILD &&
			call->walk.purpose != CLI_FOR_SET) ||
		    (call->walk.purpose == CLI_FOR_DELETE &&
			call->walk.want == CLI_WANT_VALUE);
	}
	if (!st.in_path) {
		cli_grammar_cands(st.list, nx->prefix, &seen, nx);
		n = call->last;
		nx->runnable = nx->runnable || (n != NULL && n->run != NULL);
	}
	/* <[Enter]> only for a command the role may run */
	nx->runnable =
	    nx->runnable && (from > 0 || cli_permitted(c, call->node, nw));
done:
	free(w);
	free(call);
}

void
cli_help(struct cli *c, const char *line, size_t len, struct cli_text *out)
{
	struct cli_next *nx = malloc(sizeof(*nx));

	if (nx == NULL) {
		return;
	}
	cli_next_words(c, line, len, nx, out);
	if (!nx->error) {
		if (nx->n == 0 && !nx->runnable) {
			cli_text_add(out, "No valid completions\n");
		} else {
			cli_help_lines(out, nx->cand, nx->n);
		}
		if (nx->runnable) {
			cli_text_add(out, "  %-24s %s\n", "<[Enter]>",
			    "Execute this command");
		}
		if (nx->runnable && nx->pipeable) {
			cli_text_add(out, "  %-24s %s\n", "|",
			    "Pipe through a command");
		}
	}
	free(nx);
}

size_t
cli_complete(struct cli *c, char *line, size_t len, size_t cap,
    struct cli_text *list)
{
	struct cli_next *nx = malloc(sizeof(*nx));
	const char *only = NULL;
	size_t i, k, plen, common = 0, lits = 0;

	if (nx == NULL) {
		return len;
	}
	cli_next_words(c, line, len, nx, list);
	plen = strlen(nx->prefix);
	for (i = 0; i < nx->n && !nx->error; i++) {
		if (!nx->cand[i].literal) {
			continue;
		}
		if (lits++ == 0) {
			only = nx->cand[i].word;
			common = strlen(only);
		}
		for (k = plen; k < common && nx->cand[i].word[k] == only[k];
		     k++) {
		}
		common = k;
	}
	if (lits == 1 && len + common - plen + 1 < cap) {
		memcpy(line + len, only + plen, common - plen);
		len += common - plen;
		line[len++] = ' ';
	} else if (lits > 1 && common > plen && len + common - plen < cap) {
		memcpy(line + len, only + plen, common - plen);
		len += common - plen;
	} else if (!nx->error && nx->n > 0) {
		cli_help_lines(list, nx->cand, nx->n);
	}
	if (len < cap) {
		line[len] = '\0';
	}
	free(nx);
	return len;
}

unsigned
cli_script_line(struct cli *c, const char *line, size_t len, int echo,
    struct cli_text *out)
{
	char buf[CLI_LINE_MAX];
	const char *tab = memchr(line, '\t', len);
	size_t n;

	if (echo) {
		cli_text_add(out, "%s", cli_prompt(c));
		cli_text_addn(out, line,
		    tab != NULL ? (size_t)(tab - line) : len);
		cli_text_add(out, "%s\n", tab != NULL ? "<TAB>" : "");
	}
	if (tab != NULL && !c->asking) {
		n = (size_t)(tab - line);
		if (n >= sizeof(buf)) {
			return cli_exec(c, line, len, out); /* too long */
		}
		memcpy(buf, line, n);
		buf[n] = '\0';
		n = cli_complete(c, buf, n, sizeof(buf), out);
		cli_text_add(out, "%s", cli_prompt(c));
		cli_text_addn(out, buf, n);
		cli_text_add(out, "\n");
		return 0;
	}
	if (len > 0 && line[len - 1] == '?' && !c->asking) {
		cli_help(c, line, len - 1, out);
		return 0;
	}
	return cli_exec(c, line, len, out);
}
