/*
 * fuzz_ds.h - what the fuzz targets over a real datastore share
 * (fuzz_ds_load here, cli/shell's fuzz_cli_line): a small complete factory
 * configuration, a fixed clock, and the datastore opened once in a
 * private folder that goes when the fuzzer exits.
 *
 * Header-only (static inline, as tls/tls_testkit.h): a fuzz target links
 * no helper objects (firmware/Makefile's FUZZ_RULE), so each stays one
 * program.
 */
#ifndef SK_FUZZ_DS_H
#define SK_FUZZ_DS_H

#include <sys/stat.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "ds.h"

#define FUZZ_DS_NOW 1700000000 /* the fixed clock */

static char fuzz_ds_dir[] = "/tmp/fuzz_ds.XXXXXX";
static struct ds *fuzz_ds;

static inline time_t
fuzz_ds_clock(void *arg)
{
	(void)arg;
	return FUZZ_DS_NOW;
}
static const struct ds_clock fuzz_ds_clk = { fuzz_ds_clock, NULL };

static inline int
fuzz_ds_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* fuzz_ds_cleanup - the datastore and its folder go when the fuzzer exits */
static inline void
fuzz_ds_cleanup(void)
{
	ds_close(fuzz_ds);
	fuzz_ds = NULL;
	(void)nftw(fuzz_ds_dir, fuzz_ds_rm, 8, FTW_DEPTH | FTW_PHYS);
}

/*
 * fuzz_ds_open - the datastore, opened on the first call over a factory
 * written into a fresh private folder; NULL (said on stderr) when it
 * cannot be, which is the harness's fault, not the input's.
 */
static inline struct ds *
fuzz_ds_open(void)
{
	/* A complete configuration: the factory's admin user is what the
	 * system module requires. */
	static const char factory[] =
	    "{\"sekimori-system:system\": {\"host-name\": \"fuzz\", \"user\": "
	    "[{\"name\": \"admin\", \"role\": \"admin\", \"authentication\": "
	    "{\"password-hash\": \"$6$sekimorifactory$RMaOHlxkOtJqHYT7PyBOT3mp"
	    "YmwOLR22HIsnAGEHaT2ie3nbmp697NgONucZVMnhPgdvcq6Jzvmoz2YuUOY6u0\"}}"
	    "]},\"sekimori-mail:mail\": {\"listener\": [{\"name\": \"mx\", "
	    "\"port\": 25, \"mode\": \"mx\"}]}}";
	char path[64], why[DS_WHY_MAX], err[DS_ERR_MAX] = "";
	FILE *f;

	if (fuzz_ds != NULL) {
		return fuzz_ds;
	}
	if (mkdtemp(fuzz_ds_dir) == NULL) {
		perror("fuzz_ds_open: mkdtemp");
		return NULL;
	}
	atexit(fuzz_ds_cleanup);
	/* `save NAME` with a relative name writes where we stand: stand in
	 * the private folder, so a fuzzed command cannot litter the caller's
	 * working directory */
	if (chdir(fuzz_ds_dir) == -1) {
		perror("fuzz_ds_open: chdir");
		return NULL;
	}
	snprintf(path, sizeof(path), "%s/factory.json", fuzz_ds_dir);
	if ((f = fopen(path, "w")) == NULL || fputs(factory, f) == EOF ||
	    fclose(f) != 0) {
		perror("fuzz_ds_open: factory.json");
		return NULL;
	}
	if (ds_open(&fuzz_ds, fuzz_ds_dir, path, &fuzz_ds_clk, why, sizeof(why),
		err, sizeof(err)) != SK_OK) {
		fprintf(stderr, "fuzz_ds_open: %s\n", err);
		fuzz_ds = NULL;
		return NULL;
	}
	return fuzz_ds;
}

#endif /* SK_FUZZ_DS_H */
