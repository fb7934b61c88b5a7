/*
 * test_ds.h - what the unit tests over a real datastore share
 * (test-only: cli/datastore/test*.c are linked into the datastore's unit
 * tests and, through shell_TEST_DEPS, the shell's; never into
 * libdatastore.a; see firmware/Makefile).
 */
#ifndef SK_TEST_DS_H
#define SK_TEST_DS_H

#define TEST_DS_UP 6 /* folders looked up from the cwd for the factory */

/*
 * test_ds_factory - the absolute path of the model's own factory.json
 * (cli/yang/factory.json): under $SK_TOP when set, else looked for upwards
 * from the working directory (the tree, firmware/ or the build
 * directory). Absolute, so that a test may chdir into its case's folder.
 * A static buffer; after test_fail, a path that does not open when not
 * found.
 */
const char *test_ds_factory(void);

#endif /* SK_TEST_DS_H */
