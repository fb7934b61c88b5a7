/*
 * seccomp.c - an allow-list filter in classic BPF (seccomp.h).
 *
 * The kernel's uapi headers are not part of our musl toolchain, so the
 * few ABI constants the filter needs are written out here; they are part
 * of the kernel's stable interface (linux/seccomp.h, linux/filter.h,
 * linux/audit.h) and never change.
 */
#include <sys/prctl.h>
#include <sys/syscall.h>

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include "seccomp.h"

struct sk_sock_filter {
	uint16_t code;
	uint8_t jt, jf;
	uint32_t k;
};

struct sk_sock_fprog {
	unsigned short len;
	struct sk_sock_filter *filter;
};

/* struct seccomp_data: int nr; u32 arch; u64 ip; u64 args[6] */
#define SK_SD_NR 0
#define SK_SD_ARCH 4

#define SK_BPF_LD_W_ABS 0x20 /* BPF_LD | BPF_W | BPF_ABS */
#define SK_BPF_JEQ_K 0x15    /* BPF_JMP | BPF_JEQ | BPF_K */
#define SK_BPF_RET_K 0x06    /* BPF_RET | BPF_K */

#define SK_SECCOMP_MODE_FILTER 2
#define SK_SECCOMP_RET_KILL_PROCESS 0x80000000u
#define SK_SECCOMP_RET_ALLOW 0x7fff0000u

#if defined(__x86_64__)
#define SK_AUDIT_ARCH 0xc000003eu /* AUDIT_ARCH_X86_64 */
#elif defined(__aarch64__)
#define SK_AUDIT_ARCH 0xc00000b7u /* AUDIT_ARCH_AARCH64 */
#else
#error "seccomp.c: add this architecture's AUDIT_ARCH value"
#endif

#define SK_LOAD(off)                         \
	{                                    \
		SK_BPF_LD_W_ABS, 0, 0, (off) \
	}
#define SK_ALLOW_NR(nr)                                  \
	{ SK_BPF_JEQ_K, 0, 1, (nr) },                    \
	{                                                \
		SK_BPF_RET_K, 0, 0, SK_SECCOMP_RET_ALLOW \
	}

/*
 * The allow-list. Each call is here because the smtp process makes it:
 * the event loop (epoll, signalfd reads, clock), sockets it was given or
 * accepted (no socket(), no connect()), descriptors it received from the
 * queue (write, ftruncate, lseek, close), memory (musl's malloc) and
 * exit. x86_64 still has the old epoll_wait; aarch64 has only pwait.
 */
static struct sk_sock_filter seccomp_smtp_prog[] = {
	SK_LOAD(SK_SD_ARCH),
	{ SK_BPF_JEQ_K, 1, 0, SK_AUDIT_ARCH },
	{ SK_BPF_RET_K, 0, 0, SK_SECCOMP_RET_KILL_PROCESS },
	SK_LOAD(SK_SD_NR),
	SK_ALLOW_NR(SYS_read),
	SK_ALLOW_NR(SYS_write),
	SK_ALLOW_NR(SYS_readv),
	SK_ALLOW_NR(SYS_writev),
	SK_ALLOW_NR(SYS_close),
	SK_ALLOW_NR(SYS_lseek),
	SK_ALLOW_NR(SYS_pread64),  /* forged A-R names: check, then */
	SK_ALLOW_NR(SYS_pwrite64), /* overwrite in the spool file */
	SK_ALLOW_NR(SYS_ftruncate),
	SK_ALLOW_NR(SYS_fstat),
#ifdef SYS_newfstatat
	SK_ALLOW_NR(SYS_newfstatat), /* musl's fstat on some architectures */
#endif
	SK_ALLOW_NR(SYS_fcntl),
	SK_ALLOW_NR(SYS_ioctl), /* musl's stdio asks isatty() */
	SK_ALLOW_NR(SYS_recvmsg),
	SK_ALLOW_NR(SYS_sendmsg),
	SK_ALLOW_NR(SYS_recvfrom),
	SK_ALLOW_NR(SYS_sendto),
	SK_ALLOW_NR(SYS_accept4),
	SK_ALLOW_NR(SYS_shutdown),
	SK_ALLOW_NR(SYS_setsockopt),
	SK_ALLOW_NR(SYS_getsockopt),
	SK_ALLOW_NR(SYS_getsockname),
	SK_ALLOW_NR(SYS_getpeername),
	SK_ALLOW_NR(SYS_epoll_create1), /* the process's own event loop */
	SK_ALLOW_NR(SYS_epoll_ctl),
	SK_ALLOW_NR(SYS_epoll_pwait),
#ifdef SYS_epoll_wait
	SK_ALLOW_NR(SYS_epoll_wait),
#endif
#ifdef SYS_poll
	SK_ALLOW_NR(SYS_poll),
#endif
	SK_ALLOW_NR(SYS_ppoll),
	SK_ALLOW_NR(SYS_clock_gettime),
	SK_ALLOW_NR(SYS_gettimeofday),
	SK_ALLOW_NR(SYS_getrandom),
	SK_ALLOW_NR(SYS_getpid),
	SK_ALLOW_NR(SYS_brk),
	SK_ALLOW_NR(SYS_mmap),
	SK_ALLOW_NR(SYS_munmap),
	SK_ALLOW_NR(SYS_mremap),
	SK_ALLOW_NR(SYS_madvise),
	SK_ALLOW_NR(SYS_rt_sigprocmask),
	SK_ALLOW_NR(SYS_rt_sigreturn),
	SK_ALLOW_NR(SYS_restart_syscall),
	SK_ALLOW_NR(SYS_futex),
	SK_ALLOW_NR(SYS_exit),
	SK_ALLOW_NR(SYS_exit_group),
	{ SK_BPF_RET_K, 0, 0, SK_SECCOMP_RET_KILL_PROCESS },
};

int
seccomp_smtp(void)
{
	struct sk_sock_fprog prog = {
		.len = (unsigned short)(sizeof(seccomp_smtp_prog) /
		    sizeof(seccomp_smtp_prog[0])),
		.filter = seccomp_smtp_prog,
	};

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1) {
		return -1;
	}
	return prctl(PR_SET_SECCOMP, SK_SECCOMP_MODE_FILTER, &prog, 0, 0);
}
