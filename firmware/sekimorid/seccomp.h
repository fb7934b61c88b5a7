/*
 * seccomp.h - the system call filter of the smtp process.
 *
 * The smtp process parses the internet's bytes; if it is ever taken
 * over, the attacker should find a process that can only do what it
 * already does: read and write its sockets, accept connections, run its
 * event loop, allocate memory and exit. Everything else (open, execve,
 * socket, connect, ptrace, fork...) kills the process (SIGSYS); the
 * supervisor logs it and starts a new one.
 */
#ifndef SEKIMORID_SECCOMP_H
#define SEKIMORID_SECCOMP_H

/* seccomp_smtp - install the filter (no_new_privs first); 0 or -1/errno */
int seccomp_smtp(void);

#endif /* SEKIMORID_SECCOMP_H */
