/*
 * supervisor.c - start, watch and restart the children (supervisor.h).
 */
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../mta/mta_process.h"
#include "../mta/mta_tls.h"
#include "../content/content_process.h"
#include "../policy/policy_process.h"
#include "../queue/queue_process.h"
#include "../smtpd/smtpd.h"
#include "../tls/tls_selfsigned.h"
#include "../tls/tls_server.h"
#include "authd.h"
#include "chan.h"
#include "ctl_server.h"
#include "event.h"
#include "listen.h"
#include "log.h"
#include "logd.h"
#include "logremote.h"
#include "msg_body.h"
#include "privsep.h"
#include "stats.h"
#include "supervisor.h"

#define SUP_TIMERS 32            /* restarts, grace, reload, control clients */
#define SUP_RESTART_FIRST_MS 100 /* after a child that ran a while */
#define SUP_RESTART_MAX_MS 60000 /* ceiling of the growing delay */
#define SUP_YOUNG_MS 10000       /* dying sooner than this is "young" */
#define SUP_SHUTDOWN_GRACE_MS 30000 /* then SIGKILL */
#define SUP_RELOAD_UP_MS 20000      /* a reload waits this for HELLOs */
#define SUP_ERR_MAX 512             /* a reload's refusal, one line */

/* Where a reload is (supervisor_reload): idle, waiting for the old
 * children to finish, or for the new ones to say HELLO. */
enum sup_reload {
	SUP_RELOAD_IDLE,
	SUP_RELOAD_STOPPING,
	SUP_RELOAD_STARTING,
};

struct proc;
typedef void child_main_fn(const struct child_args *a);

struct proc {
	const char *name; /* "sekimori/smtp" in the logs */
	enum msg_role role;
	struct privsep_role priv;
	child_main_fn *main;
	enum msg_role peers[3];
	size_t npeers;
	pid_t pid; /* 0: not running */
	int ready; /* HELLO received */
	uint64_t started;
	unsigned young_deaths;
	struct chan chan;
	struct event_timer restart;
};

struct supervisor {
	/* the config the children get; a reload loads into spare and swaps
	 * the two on success, so that a refused file changes nothing */
	struct config *cfg, *spare;
	const struct supervisor_opts *opts;
	struct event_loop loop;
	struct event_timer *heap[SUP_TIMERS];
	struct event_signal sigchld, sigterm, sigint, sighup;
	struct event_timer grace;
	int listen_fds[CONFIG_LISTENERS_MAX];
	size_t nlisten;
	int stopping;
	enum sup_reload reload;
	struct ctl_client *reload_client; /* who asked; NULL: SIGHUP */
	struct event_timer reload_bound;  /* SUP_RELOAD_UP_MS */
	struct ctl_server ctl;
	struct stats_view stats;      /* the children's counters (stats.h) */
	int status;                   /* exit status */
	struct proc procs[MSG_ROLES]; /* by enum msg_role; [0] unused */
};

static struct supervisor sup;   /* chans are large: static */
static struct config sup_spare; /* the second config buffer */

static void smtp_main(const struct child_args *a);
static void queue_main(const struct child_args *a);
static void mta_main(const struct child_args *a);
static void policy_main(const struct child_args *a);
static void content_main(const struct child_args *a);
static void proc_start(struct proc *p);
static void reload_child_up(void);
static void reload_children_stopped(void);
static void reload_finish(const char *answer);

/* sup_say - fmt into text[len], cut to fit: a reload's answers carry
 * paths and errors of any length, and a cut line is still an answer */
static void SK_PRINTF(3, 4)
    sup_say(char *text, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(text, len, fmt, ap);
	va_end(ap);
}

/* ---- the children's entry points -------------------------------------- */

static void
smtp_main(const struct child_args *a)
{
	smtpd_process(a->cfg, a->parent_sock, a->peer[MSG_ROLE_QUEUE],
	    a->peer[MSG_ROLE_POLICY], a->peer[MSG_ROLE_CONTENT], a->listen_fds,
	    a->nlisten);
}

static void
queue_main(const struct child_args *a)
{
	queue_process(a->cfg, a->parent_sock, a->peer[MSG_ROLE_SMTP],
	    a->peer[MSG_ROLE_MTA]);
}

static void
mta_main(const struct child_args *a)
{
	mta_tls_init(a->cfg);
	mta_transport_set_tls(mta_tls_wrap);
	mta_process(a->cfg, a->parent_sock, a->peer[MSG_ROLE_QUEUE],
	    a->zone_file);
}

static void
policy_main(const struct child_args *a)
{
	policy_process(a->cfg, a->parent_sock, a->peer[MSG_ROLE_SMTP],
	    a->zone_file);
}

static void
content_main(const struct child_args *a)
{
	content_process(a->cfg, a->parent_sock, a->peer[MSG_ROLE_SMTP]);
}

/* ---- starting a child ------------------------------------------------- */

/* child_keeps - whether a new child of role keeps descriptor fd */
static int
child_keeps(const struct proc *self, int fd, int parent_sock,
    const int peer[MSG_ROLES])
{
	size_t i;

	if (fd <= 2 || fd == parent_sock) {
		return 1;
	}
	for (i = 0; i < MSG_ROLES; i++) {
		if (fd == peer[i]) {
			return 1;
		}
	}
	for (i = 0; self->role == MSG_ROLE_SMTP && i < sup.nlisten; i++) {
		if (fd == sup.listen_fds[i]) {
			return 1;
		}
	}
	return 0;
}

/*
 * child_close_inherited - in a new child: close every descriptor that is
 * not its own. Listing them (not remembering them) also catches sockets
 * still queued in another child's channel, which would otherwise keep a
 * dead peer's link open.
 */
static void
child_close_inherited(const struct proc *self, int parent_sock,
    const int peer[MSG_ROLES])
{
	int fds[1024], fd;
	size_t n = 0, i;
	DIR *d;
	struct dirent *e;

	logd_forget();
	if ((d = opendir("/proc/self/fd")) == NULL) {
		_exit(1); /* cannot know what to close: refuse to run */
	}
	while ((e = readdir(d)) != NULL && n < SK_NELEM(fds)) {
		fd = atoi(e->d_name);
		if (e->d_name[0] != '.' && fd != dirfd(d) &&
		    !child_keeps(self, fd, parent_sock, peer)) {
			fds[n++] = fd;
		}
	}
	closedir(d);
	for (i = 0; i < n; i++) {
		close(fds[i]);
	}
}

/* child_reset_signals - a child starts with no blocked or caught signal;
 * SIGPIPE is ignored (a vanished client must not kill the process) */
static void
child_reset_signals(void)
{
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGHUP, SIG_DFL);
	/* the supervisor gone means nobody restarts us: stop too */
	prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0);
}

/* child_run - in a new child: become the role, never return */
static _Noreturn void
child_run(struct proc *p, int parent_sock, const int peer[MSG_ROLES])
{
	struct child_args a;
	char err[256];

	child_close_inherited(p, parent_sock, peer);
	child_reset_signals();
	/* ps and top tell the processes apart: "sekimori/smtp" (at most 15
	 * characters, the kernel's limit, or cut there) */
	(void)prctl(PR_SET_NAME, p->name, 0, 0, 0);
	log_set_sink(NULL, NULL);
	memset(&a, 0, sizeof(a));
	a.cfg = sup.cfg;
	a.parent_sock = parent_sock;
	memcpy(a.peer, peer, sizeof(a.peer));
	a.listen_fds = sup.listen_fds;
	a.nlisten = sup.nlisten;
	a.zone_file = sup.opts->zone_file;
	if (p->role == MSG_ROLE_SMTP &&
	    smtpd_prepare(sup.cfg, err, sizeof(err)) != SK_OK) {
		fprintf(stderr, "%s: fatal: %s\n", p->name, err);
		_exit(1);
	}
	/* the DKIM keys are readable by root only: load them now */
	if (p->role == MSG_ROLE_POLICY &&
	    policy_prepare(sup.cfg, err, sizeof(err)) != SK_OK) {
		fprintf(stderr, "%s: fatal: %s\n", p->name, err);
		_exit(1);
	}
	stats_child_enter(&sup.stats, p->role);
	if (privsep_drop(&p->priv, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s: fatal: dropping privileges: %s\n", p->name,
		    err);
		_exit(1);
	}
	p->main(&a);
	_exit(0);
}

/* proc_link - a socketpair to running peer r for p's new child: the
 * peer gets its end in MSG_PEER; -1 when r is not running */
static int
proc_link(struct proc *p, enum msg_role r)
{
	struct proc *peer = &sup.procs[r];
	uint8_t body[4];
	int sv[2];

	if (peer->pid == 0 || !peer->chan.open) {
		return -1;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1) {
		fatal("socketpair for %s <-> %s: %s", p->name, peer->name,
		    strerror(errno));
	}
	msg_put_u32(body, p->role);
	if (chan_send(&peer->chan, MSG_PEER, 0, sv[1], body, sizeof(body)) !=
	    SK_OK) {
		close(sv[1]);
		close(sv[0]);
		return -1; /* the peer is dying; it will link when restarted */
	}
	return sv[0];
}

static void on_child_msg(struct chan *c, struct msg *m, void *arg);
static void on_child_close(struct chan *c, enum sk_result why, void *arg);

static void
proc_start(struct proc *p)
{
	int peer[MSG_ROLES] = { -1, -1, -1, -1, -1, -1 };
	int sv[2];
	size_t i;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1) {
		fatal("socketpair for %s: %s", p->name, strerror(errno));
	}
	for (i = 0; i < p->npeers; i++) {
		peer[p->peers[i]] = proc_link(p, p->peers[i]);
	}
	pid = fork();
	if (pid == -1) {
		fatal("fork %s: %s", p->name, strerror(errno));
	}
	if (pid == 0) {
		close(sv[0]);
		child_run(p, sv[1], peer);
	}
	close(sv[1]);
	for (i = 0; i < SK_NELEM(peer); i++) {
		if (peer[i] != -1) {
			close(peer[i]);
		}
	}
	p->pid = pid;
	p->ready = 0;
	p->started = event_now(&sup.loop);
	if (chan_open(&p->chan, &sup.loop, sv[0], on_child_msg, on_child_close,
		p) == -1) {
		fatal("watching %s: %s", p->name, strerror(errno));
	}
}

/* ---- messages from the children --------------------------------------- */

/* on_hello - a child says who it is; a stranger is killed */
static void
on_hello(struct proc *p, const struct msg *m)
{
	uint32_t version = msg_get_u32(m->body);
	uint32_t role = msg_get_u32(m->body + 4);

	if (version != MSG_PROTO_VERSION || role != p->role) {
		log_warn("%s[%ld]: HELLO version %u role %u, want %u %u",
		    p->name, (long)p->pid, version, role, MSG_PROTO_VERSION,
		    p->role);
		kill(p->pid, SIGKILL);
		return;
	}
	p->ready = 1;
	reload_child_up();
}

/* proc_refuse - a message this child may not send: kill it */
static void
proc_refuse(struct proc *p, const struct msg *m)
{
	log_warn("%s[%ld]: unexpected %s: killing it", p->name, (long)p->pid,
	    msg_type_name(m->hdr.type));
	kill(p->pid, SIGKILL);
}

static void
on_child_msg(struct chan *c, struct msg *m, void *arg)
{
	struct proc *p = arg;
	char text[MSG_LOG_TEXT_MAX + 1];

	switch (m->hdr.type) {
	case MSG_HELLO:
		on_hello(p, m);
		break;
	case MSG_LOG:
		memcpy(text, m->body + 1, m->hdr.len - 1);
		text[m->hdr.len - 1] = '\0';
		logd_line(p->name, p->pid,
		    m->body[0] == MSG_LOG_INFO     ? LOG_LEVEL_INFO :
			m->body[0] == MSG_LOG_WARN ? LOG_LEVEL_WARN :
						     LOG_LEVEL_FATAL,
		    text);
		break;
	case MSG_AUTH_CHECK:
		if (p->role != MSG_ROLE_SMTP) {
			proc_refuse(p, m);
			break;
		}
		authd_check(c, m, event_now(&sup.loop) / 1000);
		break;
	default:
		proc_refuse(p, m);
		break;
	}
	if (m->fd != -1) {
		close(m->fd);
	}
}

static void
on_child_close(struct chan *c, enum sk_result why, void *arg)
{
	struct proc *p = arg;

	(void)c;
	if (why != SK_E_CLOSED && p->pid != 0) {
		log_warn("%s[%ld]: broke the message protocol (%s): killing it",
		    p->name, (long)p->pid, sk_result_str(why));
		kill(p->pid, SIGKILL);
	}
}

/* ---- deaths and restarts ---------------------------------------------- */

static void
on_restart(struct event_loop *loop, struct event_timer *t)
{
	struct proc *p = t->arg;

	(void)loop;
	if (!sup.stopping && p->pid == 0) {
		proc_start(p);
	}
}

/* proc_describe - "exited with status 1", "killed by signal 9" */
static void
proc_describe(int status, char *buf, size_t len)
{
	if (WIFEXITED(status)) {
		snprintf(buf, len, "exited with status %d",
		    WEXITSTATUS(status));
	} else if (WIFSIGNALED(status)) {
		snprintf(buf, len, "killed by signal %d (%s)", WTERMSIG(status),
		    strsignal(WTERMSIG(status)));
	} else {
		snprintf(buf, len, "stopped with status %#x", status);
	}
}

/* all_stopped - every child has been reaped */
static int
all_stopped(void)
{
	size_t i;

	for (i = 1; i < SK_NELEM(sup.procs); i++) {
		if (sup.procs[i].pid != 0) {
			return 0;
		}
	}
	return 1;
}

/* proc_died - p's child is gone: log it and plan the restart */
static void
proc_died(struct proc *p, int status)
{
	uint64_t now = event_now(&sup.loop), delay = SUP_RESTART_FIRST_MS;
	char how[96];

	proc_describe(status, how, sizeof(how));
	chan_close(&p->chan);
	p->pid = 0;
	p->ready = 0;
	/* stopping, or finishing for a reload (which starts them all again
	 * once every one is gone): no restart, and not a death */
	if (sup.stopping || sup.reload == SUP_RELOAD_STOPPING) {
		return;
	}
	if (now - p->started < SUP_YOUNG_MS) {
		delay = (uint64_t)1000
		    << (p->young_deaths < 6 ? p->young_deaths : 6);
		if (delay > SUP_RESTART_MAX_MS) {
			delay = SUP_RESTART_MAX_MS;
		}
		p->young_deaths++;
	} else {
		p->young_deaths = 0;
	}
	log_warn("process %s %s; restarting in %.1f s", p->name, how,
	    (double)delay / 1000);
	if (event_timer_set(&sup.loop, &p->restart, delay, on_restart, p) ==
	    -1) {
		fatal("no timer for restarting %s", p->name);
	}
}

static void
on_sigchld(struct event_loop *loop, struct event_signal *s)
{
	int status;
	pid_t pid;
	size_t i;

	(void)s;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (i = 1; i < SK_NELEM(sup.procs); i++) {
			if (sup.procs[i].pid == pid) {
				proc_died(&sup.procs[i], status);
			}
		}
	}
	if (sup.stopping && all_stopped()) {
		event_break(loop);
	}
	if (sup.reload == SUP_RELOAD_STOPPING && all_stopped()) {
		reload_children_stopped();
	}
}

/* ---- stopping --------------------------------------------------------- */

static void
on_grace(struct event_loop *loop, struct event_timer *t)
{
	size_t i;

	(void)loop;
	(void)t;
	for (i = 1; i < SK_NELEM(sup.procs); i++) {
		if (sup.procs[i].pid != 0) {
			log_warn("process %s did not stop in time: killing it",
			    sup.procs[i].name);
			kill(sup.procs[i].pid, SIGKILL);
		}
	}
}

static void
on_stop(struct event_loop *loop, struct event_signal *s)
{
	size_t i;

	if (sup.stopping) {
		return;
	}
	sup.stopping = 1;
	log_info("stopping on signal %d", s->signo);
	if (sup.reload != SUP_RELOAD_IDLE) {
		reload_finish("failed: the daemon is stopping");
	}
	for (i = 1; i < SK_NELEM(sup.procs); i++) {
		event_timer_del(loop, &sup.procs[i].restart);
		if (sup.procs[i].pid != 0) {
			chan_send(&sup.procs[i].chan, MSG_SHUTDOWN, 0, -1, NULL,
			    0);
		}
	}
	event_timer_set(loop, &sup.grace, SUP_SHUTDOWN_GRACE_MS, on_grace,
	    NULL);
	if (all_stopped()) {
		event_break(loop);
	}
}

/* ---- setup ------------------------------------------------------------ */

/* proc_define - fill the table of the children */
static void
proc_define(void)
{
	static const struct {
		enum msg_role role;
		const char *name, *user;
		int chroot_empty, seccomp;
		child_main_fn *main;
		enum msg_role peers[3];
		size_t npeers;
	} rows[] = {
		{ MSG_ROLE_QUEUE, "sekimori/queue", "sekimori-queue", 0, 0,
		    queue_main, { MSG_ROLE_SMTP, MSG_ROLE_MTA }, 2 },
		{ MSG_ROLE_SMTP, "sekimori/smtp", "sekimori-smtp", 1, 1,
		    smtp_main,
		    { MSG_ROLE_QUEUE, MSG_ROLE_POLICY, MSG_ROLE_CONTENT }, 3 },
		{ MSG_ROLE_MTA, "sekimori/mta", "sekimori-mta", 0, 0, mta_main,
		    { MSG_ROLE_QUEUE }, 1 },
		{ MSG_ROLE_POLICY, "sekimori/policy", "sekimori-policy", 0, 0,
		    policy_main, { MSG_ROLE_SMTP }, 1 },
		{ MSG_ROLE_CONTENT, "sekimori/content", "sekimori-content", 0,
		    0, content_main, { MSG_ROLE_SMTP }, 1 },
	};
	size_t i;

	for (i = 0; i < SK_NELEM(rows); i++) {
		struct proc *p = &sup.procs[rows[i].role];

		p->role = rows[i].role;
		p->name = rows[i].name;
		p->priv.user = rows[i].user;
		p->priv.chroot_empty = rows[i].chroot_empty;
		p->priv.seccomp = rows[i].seccomp;
		p->main = rows[i].main;
		memcpy(p->peers, rows[i].peers, sizeof(p->peers));
		p->npeers = rows[i].npeers;
		chan_init(&p->chan);
		event_timer_init(&p->restart);
	}
}

/* spool_prepare - ROOT/data/spool exists, owned by the queue's user */
static void
spool_prepare(void)
{
	char path[CONFIG_PATH_SIZE + 16];
	uid_t uid;
	gid_t gid;

	if (config_path(sup.cfg, "/data", path, sizeof(path)) != SK_OK) {
		fatal("root-directory too long");
	}
	if (mkdir(path, 0755) == -1 && errno != EEXIST) {
		fatal("mkdir %s: %s", path, strerror(errno));
	}
	strcat(path, "/spool");
	if (mkdir(path, 0700) == -1 && errno != EEXIST) {
		fatal("mkdir %s: %s", path, strerror(errno));
	}
	if (geteuid() == 0) {
		if (privsep_lookup("sekimori-queue", &uid, &gid) == -1) {
			fatal("no user sekimori-queue in /etc/passwd");
		}
		if (chown(path, uid, gid) == -1) {
			fatal("chown %s: %s", path, strerror(errno));
		}
	}
}

/* report_dir - ROOT/data/NAME with mode, owned (as root) by user and by
 * the group of group_user (NULL: user's own) */
static void
report_dir(const char *name, mode_t mode, const char *user,
    const char *group_user)
{
	char path[CONFIG_PATH_SIZE + 32];
	uid_t uid, guid;
	gid_t gid, ggid;

	if (config_path(sup.cfg, name, path, sizeof(path)) != SK_OK) {
		fatal("root-directory too long");
	}
	if (mkdir(path, 0700) == -1 && errno != EEXIST) {
		fatal("mkdir %s: %s", path, strerror(errno));
	}
	if (geteuid() == 0) {
		if (privsep_lookup(user, &uid, &gid) == -1 ||
		    (group_user != NULL &&
			privsep_lookup(group_user, &guid, &ggid) == -1)) {
			fatal("no user %s or %s in /etc/passwd", user,
			    group_user != NULL ? group_user : user);
		}
		if (chown(path, uid, group_user != NULL ? ggid : gid) == -1) {
			fatal("chown %s: %s", path, strerror(errno));
		}
	}
	if (chmod(path, mode) == -1) {
		fatal("chmod %s: %s", path, strerror(errno));
	}
}

/*
 * reports_prepare - the DMARC report store's folder (the policy
 * process's own) and the pickup folder through which it hands report
 * mails to the queue: the policy's, group the queue's, set-group-ID so
 * that the files it writes (0640) are the queue's group to read, and
 * group-writable so that the queue removes what it imported
 * (firmware/queue/queue_pickup.h). After spool_prepare (ROOT/data).
 */
static void
reports_prepare(void)
{
	report_dir("/data/dmarc", 0700, "sekimori-policy", NULL);
	report_dir("/data/pickup", 02770, "sekimori-policy", "sekimori-queue");
}

/* certificates_prepare - make or renew the self-signed certificates of
 * cfg; err names the certificate that could not be made */
static enum sk_result
certificates_prepare(const struct config *cfg, char *err, size_t errlen)
{
	char e[256];
	size_t i;
	int made;

	for (i = 0; i < cfg->ncertificates; i++) {
		const struct config_certificate *c = &cfg->certificates[i];

		if (!c->self_signed) {
			continue;
		}
		if (tls_selfsigned_ensure(c, cfg->server_name,
			cfg->root_directory, time(NULL), &made, e,
			sizeof(e)) != SK_OK) {
			snprintf(err, errlen, "certificate %s: %s", c->name, e);
			return SK_E_IO;
		}
		if (made) {
			log_info("certificate %s: new self-signed certificate "
				 "in %s",
			    c->name, c->cert_file);
		}
	}
	return SK_OK;
}

/*
 * tls_check - every enabled listener's certificate and key load (as
 * root, before any child exists), so that a broken one stops the start
 * or refuses the reload with a message naming listener and file. The
 * contexts are freed again: the smtp child loads its own
 * (smtpd_prepare), so the parent holds no private key and a reloaded
 * child never inherits the old certificate.
 */
static enum sk_result
tls_check(const struct config *cfg, char *err, size_t errlen)
{
	const struct config_certificate *cert;
	struct tls_server *ts;
	char e[256];
	size_t i;

	for (i = 0; i < cfg->nlisteners; i++) {
		const struct config_listener *l = &cfg->listeners[i];

		if (!l->enabled || l->certificate[0] == '\0') {
			continue;
		}
		if ((cert = config_certificate_find(cfg, l->certificate)) ==
		    NULL) {
			snprintf(err, errlen, "listener %s: no certificate %s",
			    l->name, l->certificate);
			return SK_E_UNKNOWN;
		}
		if (tls_server_new(&ts, cert, l, cfg->root_directory, e,
			sizeof(e)) != SK_OK) {
			snprintf(err, errlen, "listener %s: certificate %s: %s",
			    l->name, l->certificate, e);
			return SK_E_SYNTAX;
		}
		tls_server_free(ts);
	}
	return SK_OK;
}

/* keys_check - what the children will load as root: certificates and,
 * with sender-authentication, the DKIM keys (the policy child loads them
 * again: no other process keeps them, policy_forget) */
static enum sk_result
keys_check(const struct config *cfg, char *err, size_t errlen)
{
	enum sk_result r;

	if ((r = certificates_prepare(cfg, err, errlen)) != SK_OK ||
	    (r = tls_check(cfg, err, errlen)) != SK_OK) {
		return r;
	}
	if (cfg->sender_auth.present) {
		r = policy_prepare(cfg, err, errlen);
		policy_forget();
	}
	return r;
}

static void on_control(struct ctl_server *s, struct ctl_client *c,
    enum ctl_request req, void *arg);
static void on_sighup(struct event_loop *loop, struct event_signal *s);

/* control_open - the control socket ROOT/run/sekimorid.ctl (ctl.h); a
 * daemon without one still reloads on SIGHUP, so failing is a warning */
static void
control_open(void)
{
	char path[CONFIG_PATH_SIZE + 32], err[256];

	if (config_path(sup.cfg, "/run", path, sizeof(path)) != SK_OK) {
		log_warn("control socket: root-directory too long");
		return;
	}
	if (mkdir(path, 0755) == -1 && errno != EEXIST) {
		log_warn("control socket: mkdir %s: %s", path, strerror(errno));
		return;
	}
	if (config_path(sup.cfg, CTL_SOCKET, path, sizeof(path)) != SK_OK) {
		log_warn("control socket: root-directory too long");
		return;
	}
	if (ctl_server_open(&sup.ctl, &sup.loop, path, on_control, NULL, err,
		sizeof(err)) != SK_OK) {
		/* another daemon on the same root would share the spool */
		if (strstr(err, "another sekimorid") != NULL) {
			fatal("%s", err);
		}
		log_warn("%s (reload by SIGHUP only)", err);
	}
}

/* supervisor_setup - loop, signals, sockets; fatal on any failure */
static void
supervisor_setup(void)
{
	char err[256];

	if (event_init(&sup.loop, sup.heap, SUP_TIMERS) == -1) {
		fatal("event loop: %s", strerror(errno));
	}
	if (event_signal_add(&sup.loop, &sup.sigchld, SIGCHLD, on_sigchld,
		NULL) == -1 ||
	    event_signal_add(&sup.loop, &sup.sigterm, SIGTERM, on_stop, NULL) ==
		-1 ||
	    event_signal_add(&sup.loop, &sup.sigint, SIGINT, on_stop, NULL) ==
		-1 ||
	    event_signal_add(&sup.loop, &sup.sighup, SIGHUP, on_sighup, NULL) ==
		-1) {
		fatal("signals: %s", strerror(errno));
	}
	signal(SIGPIPE, SIG_IGN);
	event_timer_init(&sup.grace);
	event_timer_init(&sup.reload_bound);
	sup.ctl.fd = -1;
	if (listen_open(sup.cfg, sup.listen_fds, &sup.nlisten, err,
		sizeof(err)) != SK_OK) {
		fatal("%s", err);
	}
	if (privsep_prepare() == -1) {
		fatal("preparing %s: %s", PRIVSEP_EMPTY_DIR, strerror(errno));
	}
	spool_prepare();
	if (sup.cfg->sender_auth.present) {
		reports_prepare();
	}
	/* a broken certificate or DKIM key stops the daemon now, naming
	 * the file */
	if (keys_check(sup.cfg, err, sizeof(err)) != SK_OK) {
		fatal("%s", err);
	}
	if (authd_init(sup.cfg, event_now(&sup.loop) / 1000, err,
		sizeof(err)) != SK_OK) {
		fatal("%s", err);
	}
	/* before the first fork: the children inherit the slots */
	if (stats_open(&sup.stats, (int64_t)time(NULL)) == -1) {
		log_warn("statistics: no shared memory (%s): not counted",
		    strerror(errno));
	}
	control_open();
}

/* supervisor_start_all - the children the config wants, queue first:
 * the others link to it as they start */
static void
supervisor_start_all(void)
{
	proc_start(&sup.procs[MSG_ROLE_QUEUE]);
	proc_start(&sup.procs[MSG_ROLE_SMTP]);
	proc_start(&sup.procs[MSG_ROLE_MTA]);
	/* without sender-authentication in the config there is nothing to
	 * check or sign: no policy process, and smtp does not ask for one */
	if (sup.cfg->sender_auth.present) {
		proc_start(&sup.procs[MSG_ROLE_POLICY]);
	}
	/* likewise the scanners and content rules */
	if (sup.cfg->content.enabled) {
		proc_start(&sup.procs[MSG_ROLE_CONTENT]);
	}
}

/* ---- reload ------------------------------------------------------------
 *
 * A reload (SIGHUP or "reload" on the control socket) reads the config
 * file again and validates it as a start would (config_load, keys,
 * listeners), changing nothing if anything fails. Then it binds the new
 * listeners, swaps the configs, asks every child to finish what is in
 * flight (MSG_SHUTDOWN), starts them all again with the new config once
 * the last is gone, and answers "ok" when every one said HELLO. The
 * queue's state is on disk, so nothing accepted is lost; the listening
 * sockets stay open in the parent, so clients wait in the backlog
 * instead of being refused.
 */

/* proc_wanted - whether the current config runs role */
static int
proc_wanted(enum msg_role role)
{
	switch (role) {
	case MSG_ROLE_POLICY:
		return sup.cfg->sender_auth.present;
	case MSG_ROLE_CONTENT:
		return sup.cfg->content.enabled;
	default:
		return 1;
	}
}

/* reload_finish - the reload is over: log and answer */
static void
reload_finish(const char *answer)
{
	if (strcmp(answer, "ok") == 0) {
		log_info("reload: applied %s", sup.opts->config_path);
	} else {
		log_warn("reload: %s", answer);
	}
	if (sup.reload_client != NULL) {
		ctl_server_answer(sup.reload_client, answer);
	}
	sup.reload_client = NULL;
	sup.reload = SUP_RELOAD_IDLE;
	event_timer_del(&sup.loop, &sup.reload_bound);
}

/* reload_child_up - a child said HELLO: was it the last one awaited? */
static void
reload_child_up(void)
{
	size_t i;

	if (sup.reload != SUP_RELOAD_STARTING) {
		return;
	}
	for (i = 1; i < SK_NELEM(sup.procs); i++) {
		if (proc_wanted((enum msg_role)i) &&
		    (sup.procs[i].pid == 0 || !sup.procs[i].ready)) {
			return;
		}
	}
	reload_finish("ok");
}

/* on_reload_bound - a child did not come up in time; the restarts go
 * on as after any death */
static void
on_reload_bound(struct event_loop *loop, struct event_timer *t)
{
	char answer[SUP_ERR_MAX];
	size_t i;

	(void)loop;
	(void)t;
	for (i = 1; i < SK_NELEM(sup.procs); i++) {
		if (proc_wanted((enum msg_role)i) &&
		    (sup.procs[i].pid == 0 || !sup.procs[i].ready)) {
			break;
		}
	}
	sup_say(answer, sizeof(answer),
	    "failed: %s did not come up within %d s with the new "
	    "configuration (restarting it)",
	    i < SK_NELEM(sup.procs) ? sup.procs[i].name : "a process",
	    SUP_RELOAD_UP_MS / 1000);
	reload_finish(answer);
}

/* reload_children_stopped - the old children are gone: start the new */
static void
reload_children_stopped(void)
{
	size_t i;

	event_timer_del(&sup.loop, &sup.grace);
	for (i = 1; i < SK_NELEM(sup.procs); i++) {
		sup.procs[i].young_deaths = 0;
	}
	sup.reload = SUP_RELOAD_STARTING;
	supervisor_start_all();
	if (event_timer_set(&sup.loop, &sup.reload_bound, SUP_RELOAD_UP_MS,
		on_reload_bound, NULL) == -1) {
		reload_finish("failed: no timer (the children start anyway)");
	}
}

/* sup_old_fd - whether fd is one of the current listening sockets */
static int
sup_old_fd(int fd)
{
	size_t i;

	for (i = 0; i < sup.nlisten; i++) {
		if (sup.listen_fds[i] == fd) {
			return 1;
		}
	}
	return 0;
}

/* reload_unbind - close the sockets fds[0..n) bound for a refused reload
 * (the kept old ones stay) */
static void
reload_unbind(const int *fds, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (fds[i] != -1 && !sup_old_fd(fds[i])) {
			close(fds[i]);
		}
	}
}

/*
 * reload_listeners - sockets for next's listeners into fds: an old one
 * that binds the same address and port is kept (taken[i] set), any other
 * is bound now. On failure the new sockets are closed, err names the
 * listener, and nothing changed.
 */
static enum sk_result
reload_listeners(const struct config *next, int *fds, int *taken, char *err,
    size_t errlen)
{
	const struct config *cur = sup.cfg;
	size_t i, j;

	for (j = 0; j < next->nlisteners; j++) {
		fds[j] = -1;
		if (!next->listeners[j].enabled) {
			continue;
		}
		for (i = 0; i < sup.nlisten && fds[j] == -1; i++) {
			if (!taken[i] && sup.listen_fds[i] != -1 &&
			    listen_same(&cur->listeners[i],
				&next->listeners[j])) {
				taken[i] = 1;
				fds[j] = sup.listen_fds[i];
			}
		}
		if (fds[j] == -1 &&
		    (fds[j] = listen_one(&next->listeners[j], err, errlen)) ==
			-1) {
			reload_unbind(fds, j);
			return SK_E_IO;
		}
	}
	return SK_OK;
}

/*
 * reload_check - load the config file into next and check it as a start
 * would: the model (config_load names path and rule), the same
 * root-directory (the spool and this socket live there), the keys, and
 * the listeners (bound into fds). SK_OK or a refusal in err.
 */
static enum sk_result
reload_check(struct config *next, int *fds, int *taken, char *err,
    size_t errlen)
{
	struct config_schema *schema;
	char e[CONFIG_ERR_MAX];
	enum sk_result r;

	if ((r = config_schema_new(&schema, e, sizeof(e))) != SK_OK) {
		sup_say(err, errlen, "%s", e);
		return r;
	}
	r = config_load_file(schema, sup.opts->config_path, next, e, sizeof(e));
	config_schema_free(schema);
	if (r != SK_OK) {
		sup_say(err, errlen, "%s: %s", sup.opts->config_path, e);
		return r;
	}
	if (strcmp(next->root_directory, sup.cfg->root_directory) != 0) {
		sup_say(err, errlen,
		    "%s: /sekimori-mail:mail/root-directory: changed from %s "
		    "to %s: that needs a restart of sekimorid",
		    sup.opts->config_path, sup.cfg->root_directory,
		    next->root_directory);
		return SK_E_RANGE;
	}
	if ((r = keys_check(next, e, sizeof(e))) != SK_OK) {
		sup_say(err, errlen, "%s: %s", sup.opts->config_path, e);
		return r;
	}
	if ((r = reload_listeners(next, fds, taken, e, sizeof(e))) != SK_OK) {
		sup_say(err, errlen, "%s: %s", sup.opts->config_path, e);
	}
	return r;
}

/* reload_swap - next becomes the config: listeners, AUTH, logging */
static void
reload_swap(const int *fds, const int *taken)
{
	struct config *old = sup.cfg;
	char err[256];
	size_t i;

	/* a listener no longer configured: the parent's copy closes now,
	 * the old smtp closes its own as it finishes */
	for (i = 0; i < sup.nlisten; i++) {
		if (sup.listen_fds[i] != -1 && !taken[i]) {
			close(sup.listen_fds[i]);
		}
	}
	sup.cfg = sup.spare;
	sup.spare = old;
	sup.nlisten = sup.cfg->nlisteners;
	memcpy(sup.listen_fds, fds, sup.nlisten * sizeof(fds[0]));
	logd_set_facility(sup.cfg->logging.facility);
	logremote_close();
	if (logremote_open(sup.cfg, sup.cfg->server_name, err, sizeof(err)) ==
	    -1) {
		log_warn("%s", err);
	}
	if (authd_init(sup.cfg, event_now(&sup.loop) / 1000, err,
		sizeof(err)) != SK_OK) {
		log_warn("%s", err); /* out of memory: AUTH fails closed */
	}
}

/* supervisor_reload - a reload asked by client (NULL: SIGHUP) */
static void
supervisor_reload(struct ctl_client *client)
{
	int fds[CONFIG_LISTENERS_MAX], taken[CONFIG_LISTENERS_MAX] = { 0 };
	char err[SUP_ERR_MAX], answer[SUP_ERR_MAX + 16];
	size_t i;

	if (sup.stopping || sup.reload != SUP_RELOAD_IDLE) {
		sup_say(answer, sizeof(answer), "refused: %s",
		    sup.stopping ? "the daemon is stopping" :
				   "a reload is in progress");
		log_warn("reload: %s", answer);
		if (client != NULL) {
			ctl_server_answer(client, answer);
		}
		return;
	}
	log_info("reload: reading %s", sup.opts->config_path);
	if (reload_check(sup.spare, fds, taken, err, sizeof(err)) != SK_OK) {
		sup_say(answer, sizeof(answer), "refused: %s", err);
		sup.reload_client = client;
		reload_finish(answer);
		return;
	}
	reload_swap(fds, taken);
	sup.reload = SUP_RELOAD_STOPPING;
	sup.reload_client = client;
	for (i = 1; i < SK_NELEM(sup.procs); i++) {
		event_timer_del(&sup.loop, &sup.procs[i].restart);
		if (sup.procs[i].pid != 0) {
			chan_send(&sup.procs[i].chan, MSG_SHUTDOWN, 0, -1, NULL,
			    0);
		}
	}
	event_timer_set(&sup.loop, &sup.grace, SUP_SHUTDOWN_GRACE_MS, on_grace,
	    NULL);
	if (all_stopped()) {
		reload_children_stopped();
	}
}

static void
on_sighup(struct event_loop *loop, struct event_signal *s)
{
	(void)loop;
	(void)s;
	supervisor_reload(NULL);
}

/* ---- statistics (stats.h) ------------------------------------------- */

/* supervisor_statistics - the answer to "statistics": the numbers now */
static void
supervisor_statistics(struct ctl_client *c)
{
	static char text[STATS_TEXT_MAX];
	uint64_t total[STATS_N];

	if (sup.stats.slot[MSG_ROLE_SMTP] == NULL) {
		ctl_server_answer(c,
		    "refused: statistics are not kept (no "
		    "shared memory at start)");
		return;
	}
	stats_totals(&sup.stats, total);
	stats_format(total, sup.stats.base, sup.stats.started,
	    sup.stats.cleared, (int64_t)time(NULL), text, sizeof(text));
	ctl_server_answer_data(c, text);
}

/* supervisor_statistics_clear - "statistics clear": count from zero */
static void
supervisor_statistics_clear(struct ctl_client *c)
{
	stats_clear(&sup.stats, (int64_t)time(NULL));
	log_info("statistics cleared");
	ctl_server_answer(c, "ok");
}

static void
on_control(struct ctl_server *s, struct ctl_client *c, enum ctl_request req,
    void *arg)
{
	(void)s;
	(void)arg;
	switch (req) {
	case CTL_REQ_RELOAD:
		supervisor_reload(c);
		break;
	case CTL_REQ_STATISTICS:
		supervisor_statistics(c);
		break;
	case CTL_REQ_STATISTICS_CLEAR:
		supervisor_statistics_clear(c);
		break;
	}
}

int
supervisor_run(struct config *cfg, const struct supervisor_opts *opts)
{
	char err[256];
	size_t i;

	sup.cfg = cfg;
	sup.spare = &sup_spare;
	sup.opts = opts;
	logd_open(opts->log_stderr, cfg->logging.facility);
	log_set_sink(logd_sink, NULL);
	if (logremote_open(cfg, cfg->server_name, err, sizeof(err)) == -1) {
		log_warn("%s", err);
	}
	proc_define();
	supervisor_setup();
	log_info("starting: %s, %zu listener%s%s", opts->config_path,
	    sup.nlisten, sup.nlisten == 1 ? "" : "s",
	    geteuid() == 0 ? "" : " (unprivileged: no chroot, no user switch)");
	supervisor_start_all();
	if (event_run(&sup.loop) == -1) {
		fatal("event loop: %s", strerror(errno));
	}
	ctl_server_close(&sup.ctl);
	authd_save(event_now(&sup.loop) / 1000);
	for (i = 0; i < sup.nlisten; i++) {
		if (sup.listen_fds[i] != -1) {
			close(sup.listen_fds[i]);
		}
	}
	log_info("stopped");
	return sup.status;
}
