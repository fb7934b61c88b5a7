/*
 * sshpam.h - what cli/sshpam adds to the PAM interface of
 * security/pam_appl.h: the program its pam_authenticate runs.
 */
#ifndef CLI_SSHPAM_H
#define CLI_SSHPAM_H

#ifndef SSHPAM_HELPER
#define SSHPAM_HELPER "/usr/bin/sekimori-login"
#endif

/* the password checker (tests point it elsewhere) */
extern const char *sshpam_helper;

#endif
