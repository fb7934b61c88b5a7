/*
 * status.h - gather and print the boot status of the appliance.
 */
#ifndef SK_STATUS_H
#define SK_STATUS_H

#include <stdio.h>

/*
 * status_run - print the status lines to out, reading every file under
 * root ("" on the appliance; a fake tree in tests). Never reads stdin.
 * Returns 0; a fact that cannot be read is printed as "unknown".
 */
int status_run(const char *root, FILE *out);

#endif /* SK_STATUS_H */
