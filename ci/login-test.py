#!/usr/bin/python3
"""login-test.py - sekimori-login end to end on a pseudo-terminal.

Runs sekimori-login (and through it sekimori-cli) on a pty over a config
folder and a data folder made here: logs in as the factory admin
(admin/sekimori), changes the password at the forced prompts, gets the
CLI prompt `sekimori> `, looks at `show audit`, exits; logs in again with
the new password; then types wrong passwords until the lockout answers,
and checks the audit rows in /data/audit.db (SQLite) and that no password
was ever echoed. Then, over fresh folders, the SSH modes as dropbear runs
them: --ssh-password (the PAM helper: yes, no, the lock's message) and
--ssh (the session: the forced change on a pty, then `-c COMMAND` for a
key login, audited as "ssh publickey"). Prints `PASS: login ...` or `FAIL: login ...: why` per
check; exits non-zero on any failure.

    /usr/bin/python3 ci/login-test.py [BINDIR]

BINDIR holds sekimori-login and sekimori-cli (default output/host/bin,
built by `make host` when missing). Uses only the standard library (pty,
select, sqlite3); runs in a few seconds.
"""
import os
import pty
import select
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FACTORY = os.path.join(TOP, "cli", "yang", "factory.json")
NEW_PASSWORD = "Tr0ub4dor&3x"
fails = 0


def result(name, ok, why=""):
    global fails
    if ok:
        print("PASS: login %s" % name)
    else:
        fails += 1
        print("FAIL: login %s: %s" % (name, why))


class Session:
    """One sekimori-login on a fresh pty; everything it wrote is kept."""

    def __init__(self, bindir, cfg, data):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.environ.pop("SSH_CLIENT", None)
            os.environ["TERM"] = "vt100"
            os.execv(os.path.join(bindir, "sekimori-login"), [
                "sekimori-login", "--config-dir", cfg, "--factory", FACTORY,
                "--data-dir", data, "--cli",
                os.path.join(bindir, "sekimori-cli"), "--fail-delay", "0"])
        self.seen = b""
        self.mark = 0

    def expect(self, text, timeout=10):
        """Wait until text appears after the last match; True if so."""
        want = text.encode()
        end = time.time() + timeout
        while True:
            at = self.seen.find(want, self.mark)
            if at >= 0:
                self.mark = at + len(want)
                return True
            left = end - time.time()
            if left <= 0:
                return False
            r, _, _ = select.select([self.fd], [], [], left)
            if not r:
                return False
            try:
                chunk = os.read(self.fd, 4096)
            except OSError:
                return False
            if not chunk:
                return False
            self.seen += chunk

    def send(self, line):
        os.write(self.fd, line.encode() + b"\r")

    def close(self):
        """Wait for the end; the exit status (or -1 after a kill)."""
        end = time.time() + 10
        while time.time() < end:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid != 0:
                os.close(self.fd)
                return os.waitstatus_to_exitcode(status)
            r, _, _ = select.select([self.fd], [], [], 0.2)
            if r:
                try:
                    self.seen += os.read(self.fd, 4096)
                except OSError:
                    pass
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)
        os.close(self.fd)
        return -1

    def tail(self):
        return self.seen[-300:].decode(errors="replace").replace("\r", "")


def step(s, name, prompt, answer=None):
    """Expect prompt, then type answer; a FAIL names what was seen."""
    ok = s.expect(prompt)
    result(name, ok, "no %r; the screen ends with %r" % (prompt, s.tail()))
    if ok and answer is not None:
        s.send(answer)
    return ok


def first_login(bindir, cfg, data):
    s = Session(bindir, cfg, data)
    ok = (step(s, "prompt", "login: ", "admin") and
          step(s, "password prompt", "Password: ", "sekimori") and
          step(s, "forced change: new", "New password: ", "short") and
          step(s, "too short refused",
               "Password too short: at least 8 characters", None) and
          step(s, "forced change: new again", "New password: ",
               NEW_PASSWORD) and
          step(s, "forced change: retype", "Retype new password: ",
               NEW_PASSWORD) and
          step(s, "password changed", "Password changed", None) and
          step(s, "CLI prompt", "sekimori> ", "show audit"))
    if ok:
        ok = step(s, "show audit has the commit",
                  "password changed at first login", None)
        step(s, "prompt after show audit", "sekimori> ", "exit")
    rc = s.close()
    result("CLI exits 0", rc == 0, "status %d" % rc)
    screen = s.seen.decode(errors="replace")
    result("passwords never echoed",
           "sekimori" not in screen.replace("sekimori>", "")
           .replace("sekimori-", "") and NEW_PASSWORD not in screen,
           "a password is on the screen")


def second_login(bindir, cfg, data):
    s = Session(bindir, cfg, data)
    ok = (step(s, "second login", "login: ", "admin") and
          step(s, "second password", "Password: ", NEW_PASSWORD) and
          step(s, "no change asked, CLI prompt", "sekimori> ", "exit"))
    s.close()
    result("old password gone", ok and b"New password" not in s.seen,
           "asked again for a new password")


def lockout(bindir, cfg, data):
    """Default policy: 5 failures per user lock it; 3 per dialogue."""
    tries = 0
    for _ in range(2):
        s = Session(bindir, cfg, data)
        for _ in range(3 if tries == 0 else 2):
            if not (s.expect("login: ") and s.send("admin") is None and
                    s.expect("Password: ")):
                break
            s.send("wrong-%d" % tries)
            tries += 1
            s.expect("Login incorrect")
        if tries == 5:
            ok = (step(s, "after 5 failures", "login: ", "admin") and
                  step(s, "locked password prompt", "Password: ",
                       NEW_PASSWORD) and
                  step(s, "lockout",
                       "Login locked: too many failures; try again later",
                       None))
            result("right password refused while locked",
                   ok and b"sekimori> " not in s.seen, "logged in")
        s.close()


def audit_rows(data):
    db = sqlite3.connect(os.path.join(data, "audit.db"))
    rows = db.execute("SELECT user, source, event, detail FROM audit "
                      "ORDER BY id").fetchall()
    db.close()
    return rows


def check_audit(data):
    rows = audit_rows(data)
    events = [(r[0], r[2], r[3].split("\n")[0]) for r in rows]
    want = [
        ("admin", "commit", "password changed at first login"),
        ("admin", "login", "password, password changed"),
        ("admin", "logout", ""),
        ("admin", "login", "password"),
        ("admin", "logout", ""),
    ] + [("admin", "login-failed", "reason password")] * 5 + [
        ("admin", "login-failed", "reason locked")]
    result("audit rows", events == want,
           "got %r, want %r" % (events, want))
    result("audit source console", all(r[1] == "console" for r in rows),
           "sources %r" % sorted(set(r[1] for r in rows)))
    commit = [r[3] for r in rows if r[2] == "commit"]
    result("audit commit diff",
           len(commit) == 1 and "password-hash <secret>" in commit[0] and
           "-    password-change-required true;" in commit[0],
           "detail %r" % commit)


def ssh_password(bindir, cfg, data, password):
    """sekimori-login --ssh-password as cli/sshpam runs it: (status, out)."""
    run = subprocess.run([
        os.path.join(bindir, "sekimori-login"), "--config-dir", cfg,
        "--factory", FACTORY, "--data-dir", data, "--fail-delay", "0",
        "--ssh-password", "--user", "admin", "--source", "192.0.2.1"],
        input=password.encode(), capture_output=True, timeout=30, env={})
    return run.returncode, run.stdout.decode(errors="replace")


def ssh_modes(bindir, tmp):
    cfg = os.path.join(tmp, "ssh-config")
    data = os.path.join(tmp, "ssh-data")
    os.mkdir(cfg)
    os.mkdir(data)
    rc, _ = ssh_password(bindir, cfg, data, "sekimori")
    result("ssh-password right", rc == 0, "status %d" % rc)
    rc, out = ssh_password(bindir, cfg, data, "wrong")
    result("ssh-password wrong", rc == 1 and out == "",
           "status %d, said %r" % (rc, out))
    for i in range(4):
        ssh_password(bindir, cfg, data, "wrong-%d" % i)
    rc, out = ssh_password(bindir, cfg, data, "sekimori")
    result("ssh-password locked after 5", rc == 1 and "Login locked" in out,
           "status %d, said %r" % (rc, out))
    # the session of a password login: the forced change, then the CLI
    # (the lock is on the user: a session checks it too, so a new box)
    shutil.rmtree(data)
    os.mkdir(data)
    env = {"USER": "admin", "SSH_CLIENT": "192.0.2.1 50000 22",
           "TERM": "vt100"}
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(os.path.join(bindir, "sekimori-login"), [
            "sekimori-login", "--config-dir", cfg, "--factory", FACTORY,
            "--data-dir", data, "--cli", os.path.join(bindir, "sekimori-cli"),
            "--ssh"], env)
    s = Session.__new__(Session)
    s.pid, s.fd, s.seen, s.mark = pid, fd, b"", 0
    ok = (step(s, "ssh session: no login prompt, the change",
               "You are required to change your password now.", None) and
          step(s, "ssh session: new", "New password: ", NEW_PASSWORD) and
          step(s, "ssh session: retype", "Retype new password: ",
               NEW_PASSWORD) and
          step(s, "ssh session: CLI prompt", "sekimori> ", "exit"))
    result("ssh session: never asked login", ok and b"login: " not in s.seen,
           "asked for the name")
    s.close()
    env["SSH_PUBKEYINFO"] = "key-1"
    run = subprocess.run([
        os.path.join(bindir, "sekimori-login"), "--config-dir", cfg,
        "--factory", FACTORY, "--data-dir", data, "--cli",
        os.path.join(bindir, "sekimori-cli"), "--ssh", "-c",
        "show audit | no-more"], env=env, stdin=subprocess.DEVNULL,
        capture_output=True, timeout=30)
    out = run.stdout.decode(errors="replace")
    result("ssh command with a key: audited",
           run.returncode == 0 and "ssh password, password changed" in out and
           "ssh publickey" in out,
           "status %d: %r" % (run.returncode, out[-400:]))
    env["USER"] = "nosuchuser"
    run = subprocess.run([
        os.path.join(bindir, "sekimori-login"), "--config-dir", cfg,
        "--factory", FACTORY, "--data-dir", data, "--fail-delay", "0",
        "--ssh", "-c", "show audit"], env=env, stdin=subprocess.DEVNULL,
        capture_output=True, timeout=30)
    result("ssh session of a deleted user refused",
           run.returncode == 1 and b"Login incorrect" in run.stdout,
           "status %d: %r" % (run.returncode, run.stdout[-200:]))


def main():
    bindir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        TOP, "output", "host", "bin")
    if not os.path.exists(os.path.join(bindir, "sekimori-login")):
        if subprocess.call(["make", "-C", TOP, "--no-print-directory",
                            "host"]) != 0:
            print("FAIL: login build: make host failed")
            return 1
    tmp = tempfile.mkdtemp(prefix="sklogin.")
    try:
        cfg = os.path.join(tmp, "config")
        data = os.path.join(tmp, "data")
        os.mkdir(cfg)
        os.mkdir(data)
        start = time.time()
        first_login(bindir, cfg, data)
        second_login(bindir, cfg, data)
        lockout(bindir, cfg, data)
        check_audit(data)
        ssh_modes(bindir, tmp)
        with open(os.path.join(cfg, "startup.json")) as f:
            startup = f.read()
        result("startup.json has the new hash, no change flag",
               "$6$" in startup and "sekimorifactory" not in startup and
               "password-change-required" not in startup,
               "startup.json unchanged")
        print("INFO: login test took %.1f s" % (time.time() - start))
    finally:
        shutil.rmtree(tmp)
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
