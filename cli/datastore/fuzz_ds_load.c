/*
 * fuzz_ds_load.c - libFuzzer target for the datastore's loaders (config
 * import: STYLE.md item 10). The first octet chooses what the rest is:
 *   0  a startup.json: strict parse and whole validation (ds_parse as
 *      ds_open uses it); a valid one is rendered and compared with
 *      running, as "show configuration" and "show | compare" do
 *   1  a "load merge" into a fresh candidate, then commit check, show
 *      and compare
 *   2  a rollback file's header (ds_history_parse)
 * The datastore is opened once, in a private folder, over a small
 * factory configuration written there (fuzz_ds.h). Invariants: a failed
 * load leaves no candidate and says why; rendered text is NUL-terminated and
 * has no control characters but newlines; a header's JSON offset is inside the
 * input.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ds_int.h"
#include "fuzz_ds.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* fuzz_open - the datastore and one session, made once */
static struct ds_session *
fuzz_open(void)
{
	static struct ds_session *s;
	struct ds *ds;
	char err[DS_ERR_MAX];

	if (s != NULL) {
		return s;
	}
	if ((ds = fuzz_ds_open()) == NULL) {
		abort();
	}
	if (ds_session_open(ds, "fuzz", &s, err, sizeof(err)) != SK_OK) {
		fprintf(stderr, "fuzz_ds_load: %s\n", err);
		abort();
	}
	return s;
}

/* fuzz_text_ok - the text rules of rendered output */
static void
fuzz_text_ok(const char *text)
{
	const char *p;

	for (p = text; *p != '\0'; p++) {
		if (((unsigned char)*p < 0x20 && *p != '\n') || *p == 0x7f) {
			abort();
		}
	}
}

/* fuzz_render - show and compare a tree, checking the text */
static void
fuzz_render(const struct lyd_node *old, const struct lyd_node *tree)
{
	char *out = NULL;

	if (ds_render(tree, DS_SHOW_SECRETS, &out) != SK_OK) {
		abort();
	}
	fuzz_text_ok(out);
	free(out);
	if (ds_diff(old, tree, 0, &out) != SK_OK) {
		abort();
	}
	fuzz_text_ok(out);
	free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ds_session *s = fuzz_open();
	struct ds_commit_info info;
	struct lyd_node *tree = NULL;
	char err[DS_ERR_MAX] = "";
	size_t off;

	if (size == 0) {
		return 0;
	}
	switch (data[0] % 3) {
	case 0:
		if (ds_parse(s->ds->ctx, data + 1, size - 1, 1, &tree, err,
			sizeof(err)) == SK_OK) {
			fuzz_render(s->ds->running, tree);
			lyd_free_all(tree);
		} else if (tree != NULL || err[0] == '\0') {
			abort();
		}
		break;
	case 1:
		if (ds_load_buf(s, DS_LOAD_MERGE, data + 1, size - 1, err,
			sizeof(err)) != SK_OK) {
			if (ds_candidate(s) != NULL || err[0] == '\0') {
				abort();
			}
			break;
		}
		ds_commit_check(s, err, sizeof(err));
		fuzz_render(s->ds->running, ds_candidate(s));
		ds_discard(s);
		break;
	default:
		if (ds_history_parse((const char *)data + 1, size - 1, &info,
			&off) == SK_OK &&
		    (off > size - 1 ||
			memchr(info.user, '\0', sizeof(info.user)) == NULL)) {
			abort();
		}
		break;
	}
	return 0;
}
