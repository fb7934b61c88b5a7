#!/usr/bin/python3
"""reload-test - a changed configuration reaches the running sekimorid.

End to end on loopback with a private daemon (relaylib):
  (a) a relay domain added to the config file, `sekimorid --reload` -> ok,
      mail to the new domain is accepted (refused before), and a message
      queued before the reload (deferred by a next hop answering 4xx) is
      still delivered after it;
  (b) a config naming a missing certificate file -> refused, naming the
      file; the daemon still serves the old configuration;
  (c) a new listener's port accepts after the reload, a removed one's
      port is closed; a new listener on a port in use is refused;
  (d) SIGHUP applies a change too;
  (e) sekimori-cli's commit goes through the daemon: a good commit is
      applied, a refused one prints "error: commit failed: ..." and leaves
      running, startup.json and the daemon's file as they were; without a
      daemon the commit succeeds with a warning;
  (h) commit confirmed 1 in one sekimori-cli that then exits (an SSH
      session cut off): the daemon serves the new domain; a second CLI
      process sees the pending commit; `sekimori-cli --confirm-watch`
      (the box's confirm-watch service) rolls it back at the deadline
      (about a minute: the clock is real), the daemon refuses the domain
      again, startup.json never had it, and the audit log has the
      rollback by system;
  (f) `sekimorid --reload` with no daemon exits 2;
  (g) another user than root or the daemon's is refused (exit 1).

Programs: SK_SEKIMORID, SK_QUEUE_TOOL (relaylib) and SK_CLI (sekimori-cli),
by default output/host/bin/. Run as root (the daemon then runs as nobody).
"""

import json
import os
import shutil
import signal
import smtplib
import socket
import socketserver
import sqlite3
import subprocess
import sys
import tempfile
import threading

import relaylib
from relaylib import report, wait_for

CLI = relaylib.CLI
FACTORY = relaylib.FACTORY


class Deferrer:
    """A next hop that answers every connection 421: the relay defers."""

    def __init__(self, port=0):
        self.connections = 0
        me = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self):
                me.connections += 1
                self.request.sendall(b"421 4.3.2 not now\r\n")

        class Server(socketserver.ThreadingTCPServer):
            allow_reuse_address = True
            daemon_threads = True

        self.server = Server(("127.0.0.1", port), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever,
                         daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def rcpt(port, addr):
    """The reply code to RCPT TO:<addr> from an outside client."""
    s = smtplib.SMTP("127.0.0.1", port, timeout=20)
    try:
        s.ehlo("client.example.org")
        s.docmd("MAIL FROM:<someone@example.org>")
        code, _ = s.docmd("RCPT TO:<%s>" % addr)
        return code
    finally:
        s.close()


def rcpt_during_reload(port, addr):
    """rcpt while the daemon may be reloading: a 421 greeting or a cut
    connection of that moment counts as 0 (ask again)."""
    try:
        return rcpt(port, addr)
    except (smtplib.SMTPException, OSError):
        return 0


def send(port, to, body):
    s = smtplib.SMTP("127.0.0.1", port, timeout=20)
    try:
        s.ehlo("client.example.org")
        s.sendmail("someone@example.org", [to],
                   "Subject: reload\r\n\r\n%s\r\n" % body)
    finally:
        s.close()


def write_config(relay, cfg):
    """The daemon's file, as nobody can read it (relaylib runs it so)."""
    st = os.stat(relay.config_path)
    with open(relay.config_path, "w") as f:
        json.dump(cfg, f, indent=1)
    os.chown(relay.config_path, st.st_uid, st.st_gid)


def reload_cmd(relay):
    p = subprocess.run([relaylib.SEKIMORID, "--reload", "-c",
                        relay.config_path], capture_output=True, text=True,
                       timeout=120)
    return p.returncode, (p.stdout + p.stderr).strip()


def refused_conn(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return False
    except OSError:
        return True


def domains(cfg):
    return cfg["sekimori-mail:mail"]["relay"]["domain"]


def test_relay_domain_and_queue(relay, deferrer, tmp):
    mx = relay.ports["mx"]
    code = rcpt(mx, "user@example.org")
    report("a-before-new-domain-refused", code >= 500, "got %d" % code)
    send(mx, "queued@example.net", "queued-before-reload")
    ok = wait_for(lambda: deferrer.connections > 0, 30)
    report("a-message-deferred-before", ok, "the relay never tried")
    cfg = json.loads(json.dumps(relay.config))
    domains(cfg).append({"name": "example.org"})
    write_config(relay, cfg)
    since = relay.log_size()
    rc, out = reload_cmd(relay)
    report("a-reload-ok", rc == 0 and out == "ok", "rc %d: %s" % (rc, out))
    report("a-log-applied",
           "reload: applied %s" % relay.config_path in relay.log(since),
           relay.log(since)[-600:])
    relay.config = cfg
    code = rcpt(mx, "user@example.org")
    report("a-new-domain-accepted", code == 250, "got %d" % code)
    # the next hop now accepts: the message queued before is delivered
    port = deferrer.port
    deferrer.stop()
    sink = relaylib.Sink(port=port)
    try:
        subprocess.run([relaylib.QUEUE_TOOL, "-c", relay.config_path,
                        "flush"], capture_output=True, timeout=30)
        ok = wait_for(lambda: sink.find(b"queued-before-reload"), 60)
        report("a-queued-before-delivered-after", bool(ok),
               "not delivered; log: " + relay.log(since)[-600:])
    finally:
        sink.stop()


def test_bad_certificate(relay):
    good = relay.config
    bad = json.loads(json.dumps(good))
    missing = "/config/tls/missing-for-reload.crt"
    bad["sekimori-mail:mail"]["tls"]["certificate"][0][
        "certificate-file"] = missing
    domains(bad).append({"name": "example.edu"})
    write_config(relay, bad)
    since = relay.log_size()
    rc, out = reload_cmd(relay)
    report("b-bad-cert-refused",
           rc == 1 and out.startswith("refused: ") and missing in out,
           "rc %d: %s" % (rc, out))
    report("b-log-refused", "reload: refused: " in relay.log(since),
           relay.log(since)[-400:])
    code = rcpt(relay.ports["mx"], "user@example.edu")
    report("b-old-config-still-served", code >= 500, "got %d" % code)
    code = rcpt(relay.ports["mx"], "user@example.org")
    report("b-old-domain-still-accepted", code == 250, "got %d" % code)
    write_config(relay, good)


def test_listener_busy(relay):
    """A new listener on a port something else holds: refused, naming
    the listener; the running listeners keep serving."""
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen(1)
    try:
        cfg = json.loads(json.dumps(relay.config))
        cfg["sekimori-mail:mail"]["listener"].append(
            {"name": "busy", "address": "127.0.0.1",
             "port": holder.getsockname()[1], "mode": "mx"})
        write_config(relay, cfg)
        rc, out = reload_cmd(relay)
        report("c-busy-port-refused",
               rc == 1 and out.startswith("refused: ") and
               "listener busy" in out, "rc %d: %s" % (rc, out))
        code = rcpt(relay.ports["mx"], "user@example.org")
        report("c-busy-port-old-listeners-serve", code == 250,
               "got %d" % code)
    finally:
        holder.close()
        write_config(relay, relay.config)


def test_listeners(relay):
    cfg = json.loads(json.dumps(relay.config))
    mail = cfg["sekimori-mail:mail"]
    extra = relaylib.free_port()
    gone = relay.ports["submissions"]
    mail["listener"] = [l for l in mail["listener"]
                        if l["name"] != "submissions"]
    mail["listener"].append({"name": "extra", "address": "127.0.0.1",
                             "port": extra, "mode": "mx"})
    write_config(relay, cfg)
    rc, out = reload_cmd(relay)
    report("c-reload-ok", rc == 0, "rc %d: %s" % (rc, out))
    relay.config = cfg
    s = smtplib.SMTP("127.0.0.1", extra, timeout=20)
    code, _ = s.ehlo("client.example.org")
    s.quit()
    report("c-new-listener-serves", code == 250, "got %d" % code)
    report("c-removed-listener-closed",
           wait_for(lambda: refused_conn(gone), 10), "port %d open" % gone)
    code = rcpt(relay.ports["mx"], "user@example.org")
    report("c-kept-listener-serves", code == 250, "got %d" % code)


def test_sighup(relay):
    cfg = json.loads(json.dumps(relay.config))
    domains(cfg).append({"name": "example.info"})
    write_config(relay, cfg)
    since = relay.log_size()
    relay.proc.send_signal(signal.SIGHUP)
    ok = wait_for(lambda: "reload: applied" in relay.log(since), 60)
    report("d-sighup-applied", ok, relay.log(since)[-400:])
    relay.config = cfg
    code = rcpt(relay.ports["mx"], "user@example.info")
    report("d-sighup-domain-accepted", code == 250, "got %d" % code)


def cli(confdir, data, mail_config, lines):
    return relaylib.run_cli(confdir, data, lines, mail_config, timeout=180)


def test_cli_commit(relay, tmp):
    confdir, data, startup = relaylib.cli_folders(relay, tmp)
    write_config(relay, startup)  # the daemon serves what the CLI runs
    out = cli(confdir, data, relay.config_path,
              ["configure", "set mail relay domain example.com.au",
               "commit"])
    report("e-cli-commit-complete",
           "commit complete" in out and "error" not in out, out[-600:])
    code = rcpt(relay.ports["mx"], "user@example.com.au")
    report("e-cli-commit-applied", code == 250, "got %d" % code)
    with open(relay.config_path, "rb") as f:
        daemon_before = f.read()
    with open(os.path.join(confdir, "startup.json"), "rb") as f:
        startup_before = f.read()
    out = cli(confdir, data, relay.config_path,
              ["configure",
               "set mail tls certificate rsa certificate-file "
               "/config/tls/nope.crt",
               "set mail relay domain example.co.nz", "commit"])
    report("e-cli-refused-commit-failed",
           "error: commit failed: mail: refused: " in out and
           "nope.crt" in out and "commit complete" not in out, out[-800:])
    with open(relay.config_path, "rb") as f:
        report("e-cli-refused-daemon-file-restored",
               f.read() == daemon_before, "the daemon's file changed")
    with open(os.path.join(confdir, "startup.json"), "rb") as f:
        report("e-cli-refused-startup-unchanged",
               f.read() == startup_before, "startup.json changed")
    out = cli(confdir, data, relay.config_path,
              ["show configuration mail relay | no-more"])
    report("e-cli-refused-running-unchanged",
           "example.co.nz" not in out and "example.com.au" in out,
           out[-600:])
    code = rcpt(relay.ports["mx"], "user@example.co.nz")
    report("e-cli-refused-daemon-unchanged", code >= 500, "got %d" % code)
    out = cli(confdir, data, os.path.join(tmp, "no-such", "mail.json"),
              ["configure", "set mail relay domain example.org.uk",
               "commit"])
    report("e-cli-no-daemon-warning",
           "warning: the mail daemon is not running; the configuration "
           "applies when it starts" in out and "commit complete" in out,
           out[-600:])


def test_cli_confirmed(relay, tmp):
    confdir, data, _ = relaylib.cli_folders(relay, tmp)  # test_cli_commit's
    with open(os.path.join(confdir, "startup.json"), "rb") as f:
        startup_before = f.read()
    out = cli(confdir, data, relay.config_path,
              ["configure", "set mail relay domain confirmed.example",
               "commit confirmed 1"])
    report("h-confirmed-commit",
           "commit complete" in out and "rolled back in 1 minutes" in out,
           out[-600:])
    code = rcpt(relay.ports["mx"], "user@confirmed.example")
    report("h-confirmed-applied", code == 250, "got %d" % code)
    out = cli(confdir, data, relay.config_path, ["configure", "status"])
    report("h-confirmed-seen-by-another-process",
           "A commit confirmed rolls back at" in out, out[-600:])
    watch = subprocess.Popen([CLI, "--confirm-watch", "--config-dir", confdir,
                              "--factory", FACTORY, "--data-dir", data,
                              "--mail-config", relay.config_path,
                              "--mail-daemon", relaylib.SEKIMORID],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        back = wait_for(lambda: rcpt_during_reload(
            relay.ports["mx"], "user@confirmed.example") >= 500, 120, 1.0)
        report("h-confirmed-rolled-back-by-watcher", back,
               "the domain is still served after 120 s")
    finally:
        watch.kill()
        watch.wait()
    with open(os.path.join(confdir, "startup.json"), "rb") as f:
        report("h-confirmed-startup-unchanged", f.read() == startup_before,
               "startup.json changed")
    out = cli(confdir, data, relay.config_path,
              ["show system commit | no-more"])
    report("h-confirmed-history",
           "by system via rollback" in out and
           "not confirmed within 1 minutes" in out, out[-600:])
    db = sqlite3.connect(os.path.join(data, "audit.db"))
    rows = db.execute("SELECT user, event FROM audit WHERE "
                      "source = 'confirm-watch'").fetchall()
    db.close()
    report("h-confirmed-audited", ("system", "rollback") in rows, repr(rows))


def test_other_user(relay):
    """The socket is the daemon's user's (0600): another user is refused
    (exit 1), not told that no daemon runs."""
    p = subprocess.run([relaylib.SEKIMORID, "--reload", "-c",
                        relay.config_path], capture_output=True, text=True,
                       timeout=30, user="daemon")
    report("g-other-user-refused",
           p.returncode == 1 and p.stdout.startswith("refused: "),
           "rc %d: %s" % (p.returncode, p.stdout + p.stderr))


def test_no_daemon(tmp):
    root = os.path.join(tmp, "nodaemon")
    r = relaylib.Relay(root, 9)
    p = subprocess.run([relaylib.SEKIMORID, "--reload", "-c", r.config_path],
                       capture_output=True, text=True, timeout=30)
    report("f-no-daemon-exit-2", p.returncode == 2,
           "rc %d: %s" % (p.returncode, p.stdout + p.stderr))


def main():
    for prog in (relaylib.SEKIMORID, relaylib.QUEUE_TOOL, CLI):
        if not os.path.exists(prog):
            report("reload-setup", False, "no %s: run make host" % prog)
            return 1
    tmp = tempfile.mkdtemp(prefix="sk-reload-")
    os.chmod(tmp, 0o755)  # the daemon may run as nobody (relaylib)
    deferrer = Deferrer()
    relay = relaylib.Relay(os.path.join(tmp, "main"), deferrer.port)
    try:
        if not relay.start():
            report("reload-start", False, relay.log()[-2000:])
            return 1
        report("reload-start", True)
        relaylib.run_tests([
            (test_relay_domain_and_queue, (relay, deferrer, tmp)),
            (test_bad_certificate, (relay,)),
            (test_listener_busy, (relay,)),
            (test_listeners, (relay,)),
            (test_sighup, (relay,)),
            (test_cli_commit, (relay, tmp)),
            (test_cli_confirmed, (relay, tmp)),
            (test_no_daemon, (tmp,)),
            (test_other_user, (relay,)),
        ], relay)
    finally:
        relay.stop()
        relaylib.keep_log_on_failure(relay, "reload-test.log")
        shutil.rmtree(tmp, ignore_errors=True)
    return 1 if relaylib.failures else 0


if __name__ == "__main__":
    sys.exit(main())
