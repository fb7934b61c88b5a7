#!/usr/bin/python3
"""boot-test.py - boot a board's disk image in QEMU and check the boot.

Usage: ci/boot-test.py [BOARD]   (BOARD defaults to $BOARD or x86_64)

Boots a sparse copy of $O/images/disk.img (the build output stays pristine)
through UEFI firmware and GRUB with board/common/run-qemu.sh, the serial console
on a unix socket and free host ports, and checks:
  boot-ready      "sekimori: ready slot=A boot=1" within the boot timeout
  console-login   the serial console runs sekimori-login: admin/sekimori, the
                  forced password change (New password:, Retype new
                  password:), then sekimori-cli's "sekimori> " prompt
  console-status  `show system status | no-more` in the CLI prints the lines
                  of sekimori-status (firmware/status), checked as:
  rootfs-ro, config-rw, data-rw, services, slot-a   from the status output
  ssh-banner      (when dropbear is a service) port 22 answers with SSH-2.0-
  ssh-login       OpenSSH's ssh as admin with the password of the console's
                  change (dropbear asks sekimori-login through cli/sshpam):
                  the CLI prompt, `show system status` in it
  ssh-key-command admin commits an ssh-public-key in that SSH session; then
                  `ssh -i KEY admin@box "show system status"` (BatchMode, no
                  password) prints the status: the key reached dropbear
                  through the commit (cli/accounts)
  ssh-lockout     wrong passwords over SSH for one name until OpenSSH shows
                  "Login locked" (the lock banner) and refuses
  ssh-audit       `show audit` has the "ssh password" and "ssh publickey"
                  logins and the SSH failures
  ssh-login-banner  a `system login banner` committed over SSH is shown by
                  OpenSSH at the next login (dropbear restarted by the
                  commit, cli/accounts); then deleted again
  console-operator-refused   admin adds a user of role operator (and sets
                  max-failures-per-user 2) with configure and commit; the
                  operator logs in and `configure` is refused
  console-wrong-password     three wrong passwords: "Login incorrect" each
                  time, no CLI, then a new login prompt (init respawns it)
  console-lockout after the configured failures for one name: "Login locked"
  console-no-shell  ^C in the CLI keeps the CLI; sh, start shell, /bin/sh are
                  CLI errors; the operator's refusal is in `show audit`; ^D in
                  the CLI and ^C ^D at the login prompt bring the login back;
                  never a Unix shell prompt on the console
  persistence     after a power cut (QEMU killed), the next boot says boot=2
  login-password-kept   on that boot admin logs in with the new password,
                  without a forced change (it was committed to /config)
  fallback-b      with slot A marked bad in grubenv, the box boots slot B
  trial-a         slot A on trial (1 try left) boots A and GRUB saves tries=0
  mail-factory    (boot 1) the factory config greets on 25 and relays nothing
After the mail checks of the trial-a boot, the relay is configured in the
CLI over SSH (the factory admin again, so the forced change first):
  cli-ssh-first-login  password login, the change, a key committed
  cli-relay-commit     configure relay domain cli.test (routed to the sink)
                  and a listener "alt" on 2526, commit with a comment
  cli-relay-delivered  swaks to cli.test on the new listener: at the sink
  cli-rollback    rollback 1 and commit: cli.test refused (5.7.1) on 25,
                  nothing listens on 2526
  cli-rollback-back    rollback 1 again and commit: cli.test delivered
  cli-reboot-kept (boot 5, after a power cut) the key still logs in, `show
                  configuration mail relay` has cli.test, mail to it on
                  2526 reaches the sink, `show system commit` lists the
                  commit's comment
The trial-a boot also carries the mail test: before it, a startup config is
written into the config partition (debugfs, no mount) that relays
example.com to a recording sink on the host (ci/relaylib.py's Sink on
127.0.0.1, which QEMU's user networking shows the guest as 10.0.2.2); then,
through the forwarded ports:
  mail-config     the startup config passes the host's sekimorid --check and
                  reads back from the partition
  mail-greeting   port 25 answers 220 (after the box made its certificate)
  mail-swaks      swaks to alice@example.com is accepted
  mail-delivered  the sink receives it, with a Received header by the box
  mail-relay-denied   a recipient in an outside domain gets 554 5.7.1
  mail-starttls   swaks -tls on 25: STARTTLS, accepted and delivered
  mail-submission swaks -tls with AUTH PLAIN on 587, accepted and delivered
  mail-clamd-quarantine   the box scans with a clamd on the host (Debian's,
                  started here on 127.0.0.1 with a test signature of EICAR):
                  EICAR gets 250, clamd logs the find, and the message is
                  quarantined (not at the sink) while a clean one is delivered
Prints PASS/FAIL/INFO lines; exits 1 if any test failed. Standard library
only, plus the host tools swaks and e2fsprogs (ci/host-tools).
"""
import json
import os
import pty
import re
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import relaylib  # noqa: E402  (the recording SMTP sink; standard library only)

BOARD = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("BOARD", "x86_64")
TOP = os.environ.get("SK_TOP") or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
O = os.environ.get("O") or os.path.join(TOP, "output", BOARD)
# TCG (no KVM) is all CI has: aarch64 emulated on x86 is the slow one.
BOOT_TIMEOUT = 240 if BOARD == "aarch64" else 150
ESP_OFFSET = "1M"  # where genimage.cfg.in puts the ESP
# The mail daemon starts after "ready" and first makes its self-signed RSA
# key: 220 came about 6 s after "ready" on both boards under TCG on the CI
# machine; the limits leave room for a slower one, not for a hang.
MAIL_START_TIMEOUT = 300 if BOARD == "aarch64" else 180
DELIVERY_TIMEOUT = 120  # accepted on 25 -> at the sink
SWAKS_TIMEOUT = 120  # swaks's own limit per SMTP step
SEKIMORID_HOST = os.environ.get("SK_SEKIMORID",
                                os.path.join(TOP, "output", "host", "bin", "sekimorid"))
SERVER_NAME = "mx.sekimori.test"  # host-name.domain-name of the test config
SUBMISSION_USER = "alice@example.com"
SUBMISSION_PASSWORD = "boot test password"

failed = 0


def result(name, ok, reason="", console=None):
    global failed
    if ok:
        print(f"PASS: {name}", flush=True)
        return
    failed += 1
    print(f"FAIL: {name}: {reason}", flush=True)
    if console is not None:
        for line in console.tail(25):
            print(f"  | {line}", flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class VM:
    """One QEMU run of the disk copy; the console is read by a thread."""

    def __init__(self, work, disk):
        self.sock_path = os.path.join(work, "console.sock")
        self.buf = ""
        self.lock = threading.Lock()
        env = dict(os.environ, BOARD=BOARD, O=O, SK_TOP=TOP,
                   SK_QEMU_SERIAL="unix:" + self.sock_path,
                   SK_QEMU_VARS=os.path.join(work, "vars.fd"))
        taken = set()
        for var in ("SK_PORT_SMTP", "SK_PORT_SUBMISSION", "SK_PORT_SMTPS", "SK_PORT_SSH",
                    "SK_PORT_EXTRA"):
            port = free_port()
            while port in taken:  # the kernel may hand out a closed one again
                port = free_port()
            taken.add(port)
            env[var] = str(port)
        self.extra_port = int(env["SK_PORT_EXTRA"])  # the CLI's listener on 2526
        self.ssh_port = int(env["SK_PORT_SSH"])
        self.smtp_port = int(env["SK_PORT_SMTP"])
        self.submission_port = int(env["SK_PORT_SUBMISSION"])
        if os.path.exists(self.sock_path):
            os.unlink(self.sock_path)
        self.log = open(os.path.join(work, "qemu.log"), "a")
        self.start = time.monotonic()
        self.proc = subprocess.Popen(
            ["sh", os.path.join(TOP, "board/common/run-qemu.sh"), disk],
            env=env, stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log)
        self.sock = socket.socket(socket.AF_UNIX)
        deadline = time.monotonic() + 60
        while True:
            try:
                self.sock.connect(self.sock_path)
                break
            except OSError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    if self.proc.poll() is None:
                        self.proc.kill()
                        self.proc.wait()
                    self.log.flush()
                    with open(self.log.name, errors="replace") as f:
                        tail = " | ".join(f.read().splitlines()[-5:])
                    raise RuntimeError("QEMU did not open the console socket "
                                       f"(exit {self.proc.poll()}): {tail}")
                time.sleep(0.1)
        threading.Thread(target=self._reader, daemon=True).start()

    def _reader(self):
        while True:
            try:
                data = self.sock.recv(4096)
            except OSError:
                return
            if not data:
                return
            with self.lock:
                self.buf += data.decode("utf-8", "replace")

    def expect(self, pattern, timeout, since=0):
        """Wait for regex pattern in the console after offset since."""
        deadline = time.monotonic() + timeout
        rx = re.compile(pattern)
        while time.monotonic() < deadline:
            with self.lock:
                m = rx.search(self.buf, since)
            if m:
                return m
            if self.proc.poll() is not None:
                raise RuntimeError(f"QEMU exited ({self.proc.returncode})")
            time.sleep(0.1)
        raise TimeoutError(f"no /{pattern}/ within {timeout} s")

    def send(self, text):
        for ch in text:  # one character at a time: the guest UART has a tiny FIFO
            self.sock.sendall(ch.encode())
            time.sleep(0.01)

    def tail(self, n):
        clean = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]|\r", "", self.buf)
        return [l for l in clean.split("\n") if l.strip()][-n:]

    def power_cut(self):
        self.proc.kill()  # SIGKILL: no shutdown, no sync, like pulling the plug
        self.proc.wait()
        self.sock.close()
        self.log.close()


def grubenv(disk, work, **settings):
    """Read (and with settings, change) grubenv on the ESP of the disk copy."""
    env = os.path.join(work, "grubenv")
    img = f"{disk}@@{ESP_OFFSET}"
    mt = dict(os.environ, MTOOLS_SKIP_CHECK="1")
    subprocess.run(["mcopy", "-o", "-i", img, "::/EFI/sekimori/grubenv", env],
                   check=True, env=mt)
    if settings:
        subprocess.run(["grub-editenv", env, "set"] +
                       [f"{k}={v}" for k, v in settings.items()], check=True)
        subprocess.run(["mcopy", "-o", "-i", img, env, "::/EFI/sekimori/grubenv"],
                       check=True, env=mt)
    out = subprocess.run(["grub-editenv", env, "list"], check=True,
                         capture_output=True, text=True).stdout
    return dict(l.split("=", 1) for l in out.splitlines() if "=" in l)


def boot(work, disk, name):
    """Start the VM and wait for the ready line: (vm, slot, boot) or (vm, None, None)."""
    # QEMU itself failed to start once in CI (the log was lost then). Its
    # start is not what this test checks, so one retry, reported, is allowed;
    # a second failure is a FAIL with QEMU's last lines.
    try:
        vm = VM(work, disk)
    except RuntimeError as e:
        print(f"INFO: {name}: QEMU start failed, retrying once: {e}", flush=True)
        time.sleep(2)
        try:
            vm = VM(work, disk)
        except RuntimeError as e2:
            result(name, False, str(e2))
            return None, None, None
    try:
        m = vm.expect(r"sekimori: ready slot=(\S+) boot=(\d+)", BOOT_TIMEOUT)
    except (TimeoutError, RuntimeError) as e:
        result(name, False, str(e), vm)
        return vm, None, None
    print(f"INFO: {BOARD} boot to ready {time.monotonic() - vm.start:.1f} s", flush=True)
    return vm, m.group(1), int(m.group(2))


# ---- the serial console: sekimori-login, then sekimori-cli -----------------

FACTORY_PASSWORD = "sekimori"  # the factory account admin (cli/yang/factory.json)
NEW_PASSWORD = f"boot test {BOARD} admin"  # set at the forced change of boot 1
OPERATOR, OPERATOR_PASSWORD = "op", "boot test operator"
LOCK_USER = "locktest"  # no such user: lockout counts unknown names too
# system login max-failures-per-user, committed with the operator: the
# three wrong passwords of console-wrong-password (admin once, then
# LOCK_USER twice) then lock LOCK_USER, and no time goes to more failures.
MAX_FAILURES = 2
WRONG_PASSWORD = "not the password"
# The admin password the box has now: the forced change sets NEW_PASSWORD
# on /config; the mail test's startup config brings the factory one back.
admin_password = FACTORY_PASSWORD
# sekimori-cli's operational prompt "HOST> " (the line editor redraws the
# line after \r); the prompts of sekimori-login.
CLI_PROMPT = r"[\r\n][A-Za-z0-9][A-Za-z0-9.-]*> $"
LOGIN_PROMPT = r"login: ?$"
# What a Unix shell's prompt looks like (busybox ash: "/ # ", "~ $ ", or a
# bare "# "/"$ "): never on this console. sekimori-cli's configure prompt
# "HOST# " has no path before the "#", so it is not one.
SHELL_PROMPT = re.compile(r"(?m)^(?:\S*[/~]\S* )?[#$] ?$")
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def console_text(vm, since):
    """The console after offset since, without escapes; a \\r starts a line
    (the line editor redraws with it)."""
    with vm.lock:
        text = vm.buf[since:]
    return ANSI.sub("", text).replace("\r", "\n")


def shell_seen(vm, since):
    """The first shell-like prompt on the console after since, or None."""
    m = SHELL_PROMPT.search(console_text(vm, since))
    return m.group(0) if m else None


def at_login(vm):
    """Where to look for the login prompt the console shows now."""
    return max(0, len(vm.buf) - 16)


def console_login(vm, user, password, since=None, wake=False):
    """Log in on the serial console and wait for the CLI prompt. A forced
    password change (the factory admin) sets NEW_PASSWORD. since: where to
    look for the login prompt (default: the one shown now, else the next);
    wake: press Enter first, for a fresh prompt. Returns whether the change
    was asked. Raises TimeoutError or RuntimeError (with what the box said)."""
    global admin_password
    since = at_login(vm) if since is None else since
    if wake:
        vm.send("\r")
    vm.expect(LOGIN_PROMPT, 60, since)
    since = len(vm.buf)
    vm.send(user + "\r")
    vm.expect(r"Password: ?$", 20, since)
    since = len(vm.buf)
    vm.send(password + "\r")
    m = vm.expect(r"New password: ?$|Login (?:incorrect|locked)|" + CLI_PROMPT, 60, since)
    if m.group(0).startswith("Login"):
        raise RuntimeError(f"{user}: {m.group(0)}")
    if not m.group(0).startswith("New"):
        return False
    since = len(vm.buf)
    vm.send(NEW_PASSWORD + "\r")
    vm.expect(r"Retype new password: ?$", 20, since)
    vm.send(NEW_PASSWORD + "\r")
    vm.expect(r"Password changed", 60, since)
    vm.expect(CLI_PROMPT, 60, since)
    if user == "admin":
        admin_password = NEW_PASSWORD
    return True


def cli_run(vm, line, want=CLI_PROMPT, timeout=60):
    """Type a line into the CLI; wait for want (a regex), return the
    console text from the line on."""
    since = len(vm.buf)
    vm.send(line + "\r")
    vm.expect(want, timeout, since)
    return console_text(vm, since)


def cli_status(vm):
    """`show system status` in the CLI: the lines sekimori-status prints."""
    since = len(vm.buf)
    vm.send("show system status | no-more\r")
    m = vm.expect(r"product: Sekimori\r?\n((?:.*\r?\n)*?)end of status", 60, since)
    vm.expect(CLI_PROMPT, 20, since)
    return [l.strip() for l in m.group(1).splitlines() if l.strip()]


def status_after_start(vm):
    """The status; services start right after "ready" and a fast login can
    beat them, so once more after a pause before calling one down."""
    lines = cli_status(vm)
    if any(l.startswith("service ") and ": running" not in l for l in lines):
        time.sleep(10)
        lines = cli_status(vm)
    return lines


def login_status(vm, wake=False):
    """Log in as admin on the console, return `show system status`'s lines
    and leave the CLI. wake: press Enter first, for a new prompt when the
    last one was printed long ago."""
    console_login(vm, "admin", admin_password, wake=wake)
    lines = cli_status(vm)
    cli_run(vm, "exit", LOGIN_PROMPT)
    return lines


def console_first_login(vm, ready_at):
    """Boot 1 on the console: the factory login with its forced password
    change, the status checks, and the console checks after them. Returns
    whether the CLI was reached."""
    try:
        changed = console_login(vm, "admin", FACTORY_PASSWORD, since=ready_at)
        result("console-login", changed and not shell_seen(vm, ready_at),
               "no forced password change for the factory admin" if not changed
               else f"a shell prompt: {shell_seen(vm, ready_at)!r}", vm)
    except (TimeoutError, RuntimeError) as e:
        result("console-login", False, str(e), vm)
        return False
    try:
        lines = status_after_start(vm)
        result("console-status", True)
        check_status(vm, lines)
    except (TimeoutError, RuntimeError) as e:
        result("console-status", False, str(e), vm)
    return True


def console_operator(vm):
    """As admin (logged in): make an operator and set the lockout's
    MAX_FAILURES, commit, leave; the operator logs in and is refused
    configure mode; back at the login prompt."""
    cli_run(vm, "configure", r"# $")
    cli_run(vm, f"set system login max-failures-per-user {MAX_FAILURES}", r"# $")
    cli_run(vm, f"set system user {OPERATOR} role operator", r"# $")
    cli_run(vm, f"set system user {OPERATOR} authentication password-hash "
            + relaylib.crypt_sha512(OPERATOR_PASSWORD), r"# $")
    out = cli_run(vm, "commit and-quit", CLI_PROMPT)
    if "commit complete" not in out:
        raise RuntimeError("commit of the operator: " + " | ".join(out.split("\n")[-6:]))
    cli_run(vm, "exit", LOGIN_PROMPT)
    console_login(vm, OPERATOR, OPERATOR_PASSWORD)
    out = cli_run(vm, "configure", CLI_PROMPT)
    result("console-operator-refused",
           "permission denied: role operator may not change the configuration" in out,
           "configure was not refused: " + " | ".join(out.split("\n")[-4:]), vm)
    cli_run(vm, "\x04", LOGIN_PROMPT)  # ^D on an empty line ends the CLI


def console_failures(vm, step):
    """Wrong passwords: Login incorrect, never the CLI; after 3 the login
    program ends and init starts it again; MAX_FAILURES failures (the
    configured max-failures-per-user) lock that name (LOCK_USER, so admin
    stays usable): the next attempt says Login locked. step[0] is set to
    the name of the check under way."""
    names = ["admin"] + [LOCK_USER] * max(2, MAX_FAILURES)
    since0 = since = at_login(vm)
    for i, name in enumerate(names):
        vm.expect(LOGIN_PROMPT, 60, since)
        since = len(vm.buf)
        vm.send(name + "\r")
        vm.expect(r"Password: ?$", 20, since)
        vm.send(WRONG_PASSWORD + "\r")
        m = vm.expect(r"Login (?:incorrect|locked)|" + CLI_PROMPT, 30, since)
        if m.group(0) != "Login incorrect":
            raise RuntimeError(f"wrong password {i + 1} ({name}): got {m.group(0)!r}")
        if i == 2:
            # the third failure ends sekimori-login; init starts a new one
            vm.expect(LOGIN_PROMPT, 60, since)
            result("console-wrong-password", not shell_seen(vm, since0),
                   f"a shell prompt: {shell_seen(vm, since0)!r}", vm)
            step[0] = "console-lockout"
    since = at_login(vm)  # init starts a new login after the last third
    vm.expect(LOGIN_PROMPT, 60, since)
    vm.send(LOCK_USER + "\r")
    vm.expect(r"Password: ?$", 20, since)
    vm.send(WRONG_PASSWORD + "\r")
    m = vm.expect(r"Login (?:incorrect|locked)[^\r\n]*|" + CLI_PROMPT, 30, since)
    result("console-lockout", m.group(0).startswith("Login locked"),
           f"after {len(names) - 1} failures of {LOCK_USER}: {m.group(0)!r}", vm)


def console_no_shell(vm, since):
    """^C in the CLI keeps the CLI; ^D and `exit` end it and the login comes
    back; ^C and ^D at the login prompt bring the login back; shell words
    are CLI errors. Nowhere a Unix shell prompt."""
    steps = []
    console_login(vm, "admin", admin_password)
    t = cli_run(vm, "\x03", CLI_PROMPT)
    steps.append(("^C in the CLI", "login:" not in t))
    for word in ("sh", "start shell", "/bin/sh"):
        t = cli_run(vm, word, CLI_PROMPT)
        steps.append((word, "error" in t))
    out = cli_run(vm, f"show audit user {OPERATOR} event denied | no-more")
    steps.append(("the operator's refusal audited",
                  re.search(rf"\b{OPERATOR} +console +denied +configure\b", out) is not None))
    cli_run(vm, "\x04", LOGIN_PROMPT)  # ^D on an empty line: the CLI ends
    steps.append(("^D in the CLI", True))
    # ^C at the login prompt is ignored; ^D is the end of input: the login
    # ends and init starts a new one
    since_d = len(vm.buf)
    vm.send("\x03\x04")
    vm.expect(LOGIN_PROMPT, 60, since_d)
    steps.append(("^C, ^D at the login prompt", True))
    bad = [s for s, ok in steps if not ok]
    shell = shell_seen(vm, since)
    result("console-no-shell", not bad and not shell,
           f"a shell prompt: {shell!r}" if shell else f"failed: {bad}", vm)


def console_checks(vm, ready_at):
    """Boot 1: every console check, the login step first."""
    if not console_first_login(vm, ready_at):
        return
    try:
        console_operator(vm)
    except (TimeoutError, RuntimeError) as e:
        result("console-operator-refused", False, str(e), vm)
        vm.send("\x04")  # out of the CLI, if still in it
    step = ["console-wrong-password"]  # the check a broken step fails
    try:
        console_failures(vm, step)
    except (TimeoutError, RuntimeError) as e:
        result(step[0], False, str(e), vm)
    try:
        console_no_shell(vm, ready_at)
    except (TimeoutError, RuntimeError) as e:
        result("console-no-shell", False, str(e), vm)
    if ssh_service(vm):
        ssh_checks(vm, ready_at)


# ---- SSH: OpenSSH's client against dropbear, sekimori-login, the CLI --------

SSH_LOCK_USER = "sshlock"  # no such user: locked after MAX_FAILURES


def ssh_service(vm):
    """Whether the image runs dropbear (SK_PACKAGE_DROPBEAR)."""
    path = os.path.join(O, "target", "usr", "sbin", "dropbear")
    return os.path.exists(path)


def ssh_args(vm, *more):
    return ["ssh", "-p", str(vm.ssh_port), "-o", "StrictHostKeyChecking=no",
            "-o", "UserKnownHostsFile=/dev/null", "-o", "ConnectTimeout=60",
            *more]


def ssh_dialogue(args, steps, timeout=90):
    """ssh on a pty: for each (regex, answer) wait for the regex in what
    came since the last answer, then type the answer (None: only wait).
    Returns everything ssh printed; raises TimeoutError with it."""
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(args[0], args)
    out, pos = "", 0
    try:
        for want, answer in steps:
            end = time.monotonic() + timeout
            while not re.search(want, ANSI.sub("", out[pos:])):
                if time.monotonic() > end:
                    raise TimeoutError(f"no {want!r} from ssh; it printed: {out[-600:]!r}")
                if select.select([fd], [], [], 1)[0]:
                    try:
                        data = os.read(fd, 4096)
                    except OSError:
                        data = b""
                    if not data:
                        raise TimeoutError(f"ssh ended before {want!r}: {out[-600:]!r}")
                    out += data.decode(errors="replace")
            pos = len(out)
            if answer is not None:
                os.write(fd, answer.encode() + b"\r")
        return ANSI.sub("", out)
    finally:
        try:
            os.kill(pid, 9)
        except OSError:
            pass
        os.waitpid(pid, 0)
        os.close(fd)


def ssh_key_command(vm, key, command=None, lines=(), timeout=300):
    """ssh as admin with the key (BatchMode: never a password): one CLI
    command, or without one the lines on standard input (no pty: the CLI
    reads them as a script). (exit status, everything printed)."""
    args = ssh_args(vm, "-T", "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes",
                    "-i", key, "admin@127.0.0.1", *([command] if command else []))
    try:
        run = subprocess.run(args, input="".join(l + "\n" for l in lines),
                             capture_output=True, text=True, timeout=timeout)
    except (subprocess.TimeoutExpired, OSError) as e:
        return -1, str(e)
    return run.returncode, run.stdout + run.stderr


def ssh_script(vm, key, lines):
    """CLI lines over ssh with the key: (exit status, everything printed)."""
    return ssh_key_command(vm, key, lines=lines)


def ssh_key_pair(work):
    """A fresh Ed25519 key: (private key file, public key line)."""
    key = os.path.join(work, "id_ed25519")
    if not os.path.exists(key):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C",
                        "boot-test", "-f", key], check=True)
    with open(key + ".pub") as f:
        return key, f.read().strip()


def ssh_first_login(vm, pub):
    """Password login as admin over ssh (the forced change when the box
    asks it: admin_password becomes NEW_PASSWORD), then pub committed as
    admin's key. Returns what ssh printed; raises TimeoutError."""
    global admin_password
    args = ssh_args(vm, "-o", "PubkeyAuthentication=no", "-o", "NumberOfPasswordPrompts=1",
                    "admin@127.0.0.1")
    steps = [(r"assword: ?$", admin_password)]
    if admin_password == FACTORY_PASSWORD:
        steps += [(r"New password: ?$", NEW_PASSWORD),
                  (r"Retype new password: ?$", NEW_PASSWORD)]
    out = ssh_dialogue(args, steps + [
        (CLI_PROMPT, "show system status | no-more"),
        (r"end of status[\s\S]*" + CLI_PROMPT, "configure"),
        (r"# ?$", f'set system user admin authentication ssh-public-key "{pub}"'),
        (r"# ?$", "commit"),
        (r"commit complete[\s\S]*# ?$", "exit"),
        (CLI_PROMPT, "exit")])
    admin_password = NEW_PASSWORD
    return out


CLI_DOMAIN = "cli.test"
CLI_COMMENT = "boot test: relay cli.test"


def cli_send(vm, sink, port, name):
    """swaks to bob@cli.test on port: (exit status, transcript, whether the
    sink got it)."""
    token = f"boot-test-{BOARD}-{name}-{time.time():.3f}"
    rc, out = swaks(port, f"bob@{CLI_DOMAIN}", "--header", f"Subject: {token}",
                    "--body", f"{token}\n")
    return rc, out, rc == 0 and delivered(sink, token) is not None


def cli_relay_checks(vm, sink, work):
    """Boot 4: the relay configured in the CLI over SSH, used, rolled back
    and rolled forward again. Returns the key for boot 5, or None."""
    key, pub = ssh_key_pair(work)
    try:
        out = ssh_first_login(vm, pub)
        result("cli-ssh-first-login", "commit complete" in out, f"ssh printed {out[-300:]!r}")
    except (TimeoutError, OSError) as e:
        result("cli-ssh-first-login", False, str(e), vm)
        return None
    rc, out = ssh_script(vm, key, [
        "configure", f"set mail relay domain {CLI_DOMAIN}",
        f"set mail delivery route {CLI_DOMAIN} host 10.0.2.2",
        f"set mail delivery route {CLI_DOMAIN} port {sink.port}",
        f"set mail delivery route {CLI_DOMAIN} tls-policy sink",
        "set mail listener alt port 2526", "set mail listener alt mode mx",
        f'commit comment "{CLI_COMMENT}"', "exit"])
    result("cli-relay-commit", rc == 0 and "commit complete" in out,
           f"exit {rc}: {out[-400:]!r}", vm)
    rc, out, got = cli_send(vm, sink, vm.extra_port, "cli-relay")
    result("cli-relay-delivered", got, swaks_why(rc, out) if rc else NOT_DELIVERED, vm)
    rc, out = ssh_script(vm, key, ["configure", "rollback 1", "commit", "exit"])
    ok = rc == 0 and "commit complete" in out
    rc25, out25 = swaks(vm.smtp_port, f"bob@{CLI_DOMAIN}")
    rc_alt, out_alt = swaks(vm.extra_port, f"bob@{CLI_DOMAIN}")
    result("cli-rollback", ok and rc25 != 0 and "5.7.1" in out25 and rc_alt != 0,
           f"rollback commit {ok}: {out[-200:]!r}; on 25 swaks {rc25}: "
           f"{out25.strip().splitlines()[-3:]}; on 2526 swaks {rc_alt}", vm)
    rc, out = ssh_script(vm, key, ["configure", "rollback 1", "commit", "exit"])
    rc, out, got = cli_send(vm, sink, vm.extra_port, "cli-back")
    result("cli-rollback-back", got, swaks_why(rc, out) if rc else NOT_DELIVERED, vm)
    return key


def cli_reboot_kept(vm, sink, key):
    """Boot 5: the configuration of boot 4's last commit is running."""
    rc, out = ssh_script(vm, key, ["show configuration mail relay | no-more",
                                   "show system commit | no-more"])
    kept = rc == 0 and CLI_DOMAIN in out and CLI_COMMENT in out
    rc2, out2, got = cli_send(vm, sink, vm.extra_port, "cli-kept")
    result("cli-reboot-kept", kept and got,
           f"ssh exit {rc}: {out[-400:]!r}; " + (swaks_why(rc2, out2) if rc2 else
                                                 "" if got else NOT_DELIVERED), vm)


def ssh_checks(vm, ready_at):
    """Boot 1, after the console: password login, a key committed and
    used for one command, the lockout, the audit rows."""
    work = tempfile.mkdtemp(prefix="sk-ssh-")
    key, pub = ssh_key_pair(work)
    try:
        out = ssh_first_login(vm, pub)
        result("ssh-login", "product: Sekimori" in out and not shell_seen(vm, ready_at),
               f"no status in the SSH session: {out[-400:]!r}")
    except (TimeoutError, OSError) as e:
        result("ssh-login", False, str(e), vm)
    rc, out = ssh_key_command(vm, key, "show system status")
    result("ssh-key-command", rc == 0 and "product: Sekimori" in out,
           f"exit {rc}: {out[-400:]!r}", vm)
    try:  # MAX_FAILURES wrong ones lock the name; the next shows the lock
        steps = [(r"assword: ?$", WRONG_PASSWORD)] * (MAX_FAILURES + 1)
        out = ssh_dialogue(ssh_args(vm, "-o", "PubkeyAuthentication=no",
                                    "-o", f"NumberOfPasswordPrompts={MAX_FAILURES + 1}",
                                    f"{SSH_LOCK_USER}@127.0.0.1"),
                           steps + [(r"Permission denied \(", None)])
        result("ssh-lockout", "Login locked" in out, f"no lock shown: {out[-400:]!r}")
    except (TimeoutError, OSError) as e:
        result("ssh-lockout", False, str(e), vm)
    rc, out = ssh_key_command(vm, key, "show audit | no-more")
    missing = [w for w in ["ssh password", "ssh publickey", f"{SSH_LOCK_USER} "]
               if w not in out]
    result("ssh-audit", rc == 0 and not missing,
           f"exit {rc}, missing {missing}: {out[-400:]!r}", vm)
    ssh_login_banner(vm, key)
    shutil.rmtree(work, ignore_errors=True)


def ssh_login_banner(vm, key):
    """A committed `system login banner` is what OpenSSH shows before the
    login (dropbear restarted by the commit); deleting it removes it."""
    text = "Authorized use only: Sekimori boot test"
    rc, out = ssh_script(vm, key, ["configure", f'set system login banner "{text}"',
                                   "commit", "exit"])
    seen = ""
    for _ in range(20):  # init starts the new listener within a moment
        rc2, seen = ssh_key_command(vm, key, "show system status", timeout=60)
        if rc2 == 0:
            break
        time.sleep(1)
    rc3, out3 = ssh_script(vm, key, ["configure", "delete system login banner",
                                     "commit", "exit"])
    result("ssh-login-banner", rc == 0 and text in seen and rc3 == 0,
           f"commit exit {rc}: {out[-200:]!r}; then {seen[-300:]!r}; "
           f"delete exit {rc3}: {out3[-200:]!r}", vm)


def console_password_kept(vm):
    """A later boot: the admin logs in with the password of boot 1's forced
    change (kept in /config/startup.json), without a new change."""
    try:
        changed = console_login(vm, "admin", NEW_PASSWORD, wake=True)
        cli_run(vm, "exit", LOGIN_PROMPT)
        result("login-password-kept", not changed,
               "the forced password change came again", vm)
    except (TimeoutError, RuntimeError) as e:
        result("login-password-kept", False, str(e), vm)


def check_status(vm, lines):
    st = {}
    for l in lines:
        if ":" in l:
            k, v = l.split(":", 1)
            st[k.strip()] = v.strip()
    print("INFO: status: " + "; ".join(lines), flush=True)
    result("rootfs-ro", st.get("root") == "ro", f"root is {st.get('root')!r}", vm)
    result("config-rw", st.get("mount /config") == "rw",
           f"mount /config is {st.get('mount /config')!r}", vm)
    result("data-rw", st.get("mount /data") == "rw", f"mount /data is {st.get('mount /data')!r}", vm)
    svcs = {k[8:]: v for k, v in st.items() if k.startswith("service ")}
    down = [k for k, v in svcs.items() if not v.startswith("running")]
    result("services", svcs and not down,
           f"not running: {down}" if svcs else "no service in the status output", vm)
    result("slot-a", st.get("slot") == "A", f"status says slot {st.get('slot')!r}", vm)
    if "dropbear" in svcs:
        # The SSH service answers through the forwarded port with its banner.
        try:
            with socket.create_connection(("127.0.0.1", vm.ssh_port), timeout=30) as c:
                c.settimeout(30)
                banner = c.recv(64).decode("ascii", "replace").strip()
            result("ssh-banner", banner.startswith("SSH-2.0-"), f"got {banner!r}", vm)
        except OSError as e:
            result("ssh-banner", False, str(e), vm)


# ---- the mail test ---------------------------------------------------------


def gpt_partition(disk, name):
    """(byte offset, byte size) of the GPT partition called name
    (board/*/genimage.cfg.in)."""
    with open(disk, "rb") as f:
        f.seek(512)  # LBA 1: the GPT header
        hdr = f.read(92)
        if hdr[:8] != b"EFI PART":
            raise RuntimeError(f"{disk}: no GPT header")
        entries_lba = int.from_bytes(hdr[72:80], "little")
        count = int.from_bytes(hdr[80:84], "little")
        size = int.from_bytes(hdr[84:88], "little")
        f.seek(entries_lba * 512)
        table = f.read(count * size)
    for i in range(count):
        e = table[i * size:(i + 1) * size]
        if e[56:128].decode("utf-16-le").rstrip("\x00") == name:
            first, last = int.from_bytes(e[32:40], "little"), int.from_bytes(e[40:48], "little")
            return first * 512, (last - first + 1) * 512
    raise RuntimeError(f"{disk}: no partition named {name}")


EICAR = (b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" +
         b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*")  # in halves: no scanner flags this file


def start_clamd(work):
    """Debian's clamd on 127.0.0.1 (the box's 10.0.2.2) with a signature
    database made here; (process, port, log path) or None."""
    clamd = shutil.which("clamd") or "/usr/sbin/clamd"
    if not os.path.exists(clamd):
        return None
    db = os.path.join(work, "clamdb")
    os.makedirs(db, exist_ok=True)
    with open(os.path.join(db, "test.ndb"), "w") as f:
        f.write("Sekimori.Test.EICAR:0:*:%s\n" % EICAR.hex())
    port = free_port()
    log = os.path.join(work, "clamd.log")
    conf = os.path.join(work, "clamd.conf")
    with open(conf, "w") as f:
        f.write(f"Foreground yes\nTCPSocket {port}\nTCPAddr 127.0.0.1\n"
                f"DatabaseDirectory {db}\nTemporaryDirectory {work}\n"
                f"LogFile {log}\nPidFile {work}/clamd.pid\n")
    proc = subprocess.Popen([clamd, f"--config-file={conf}"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return proc, port, log
        except OSError:
            time.sleep(0.2)
    proc.kill()
    return None


def mail_config(sink_port, clamd_port=None):
    """The startup config of the mail test (YANG RFC 7951 JSON).

    No internal-network: QEMU's user networking makes every connection
    from the host arrive from 10.0.2.2, so 10.0.2.0/24 as an internal
    network would let the test itself relay anywhere and the relay-denied
    check would prove nothing. The host is an outside client here, as a
    sender on the Internet is.
    """
    with open(os.path.join(TOP, "cli", "yang", "factory.json")) as f:
        factory = json.load(f)
    system = factory["sekimori-system:system"]
    system["host-name"], system["domain-name"] = SERVER_NAME.split(".", 1)
    return {
        "sekimori-system:system": system,
        "sekimori-interfaces:interfaces": factory["sekimori-interfaces:interfaces"],
        "sekimori-mail:mail": {
            "listener": [
                {"name": "mx", "port": 25, "mode": "mx",
                 "tls": {"certificate": "box"}},
                {"name": "submission", "port": 587, "mode": "submission",
                 "smtp-auth": "required", "tls": {"certificate": "box"}},
            ],
            "relay": {"domain": [{"name": "example.com", "known-recipients-only": True,
                                  "known-recipient": ["alice"]}]},
            "smtp-auth": {"user": [{"name": SUBMISSION_USER,
                                    "password-hash": relaylib.crypt_sha512(SUBMISSION_PASSWORD)}]},
            # A name of its own: the box makes this certificate on this boot.
            "tls": {"certificate": [{"name": "box", "self-signed": {}}],
                    "policy": [{"name": "sink", "mode": "none"}]},
            # 10.0.2.2 is the host's 127.0.0.1 in QEMU's user networking.
            "delivery": {"route": [{"domain": "example.com", "host": "10.0.2.2",
                                    "port": sink_port, "tls-policy": "sink"}]},
            # the host's clamd; what it finds is quarantined
            "content-scanning": {
                "enabled": True,
                "scanner": [{"name": "clamav", "type": "clamd",
                             "address": f"10.0.2.2:{clamd_port}", "timeout": 120}],
                "inbound": {"scanner": ["clamav"]},
                "outbound": {"scanner": ["clamav"]},
                "rule": [{"name": "virus", "match": {"verdict": ["infected"]},
                          "action": "quarantine"}],
            } if clamd_port else {"enabled": False},
        }}


def put_startup_config(disk, work, config):
    """Check config, write it as /config/startup.json into the disk copy.

    The config partition is copied out of the disk, changed with debugfs
    (no loop mount) and copied back. The partition was last left by a
    power cut: e2fsck first replays its journal, or the box's replay at
    the next boot would write older copies of the metadata blocks debugfs
    changes (debugfs does not replay it). Not "disk?offset=N" in place:
    e2fsck loses the offset when it reopens the filesystem after a replay.
    Returns an error text, or None.
    """
    path = os.path.join(work, "startup.json")
    with open(path, "w") as f:
        json.dump(config, f, indent=1)
    os.chmod(path, 0o600)  # debugfs copies the mode: password hashes inside
    if os.access(SEKIMORID_HOST, os.X_OK):
        r = subprocess.run([SEKIMORID_HOST, "--check", "-c", path],
                           capture_output=True, text=True)
        if r.returncode != 0:
            return f"sekimorid --check: {(r.stdout + r.stderr).strip()}"
        print(f"INFO: mail-config: {r.stdout.strip()}", flush=True)
    else:
        print(f"INFO: mail-config: {SEKIMORID_HOST} missing (make host): not checked",
              flush=True)
    offset, size = gpt_partition(disk, "config")
    part = os.path.join(work, "config.ext4")
    with open(disk, "rb") as d, open(part, "wb") as p:
        d.seek(offset)
        p.write(d.read(size))
    r = subprocess.run(["e2fsck", "-fp", part], capture_output=True, text=True)
    if r.returncode >= 4:  # 0-3: clean or repaired
        return f"e2fsck -fp exited {r.returncode}: {(r.stdout + r.stderr).strip()}"
    cmds = os.path.join(work, "debugfs.cmds")
    with open(cmds, "w") as f:
        f.write(f"rm /startup.json\nwrite {path} /startup.json\n")
    subprocess.run(["debugfs", "-w", "-f", cmds, part], capture_output=True, check=True)
    # debugfs exits 0 whatever its commands did: read the file back.
    back = subprocess.run(["debugfs", "-R", "cat /startup.json", part],
                          capture_output=True, check=True).stdout
    with open(path, "rb") as f:
        if back != f.read():
            return "/startup.json does not read back from the config partition"
    with open(part, "rb") as p, open(disk, "r+b") as d:
        d.seek(offset)
        d.write(p.read())
    os.unlink(part)
    return None


def wait_greeting(port, timeout):
    """The first reply line on port once it starts with 220, else the last
    thing seen. QEMU accepts on the host side before the guest listens and
    then closes, so an empty read means "not yet"."""
    deadline = time.monotonic() + timeout
    seen = "nothing"
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=10) as c:
                c.settimeout(20)
                line = c.makefile("rb").readline(512).decode("ascii", "replace").strip()
                if line.startswith("220"):
                    c.sendall(b"QUIT\r\n")
                    return line
                seen = repr(line) if line else "a closed connection"
        except OSError as e:
            seen = str(e)
        time.sleep(1)
    return seen


# Postfix's reject_unauth_destination reply, as firmware/smtp/smtp_relay.h
# documents it; swaks marks a refusal with "<**".
RELAY_DENIED = re.compile(r"<\*\* 554[ -]5\.7\.1")


def swaks(port, to, *more):
    """Run swaks against the box; (exit status, its transcript)."""
    cmd = ["swaks", "--server", "127.0.0.1", "--port", str(port), "--to", to,
           "--from", "sender@sender.test", "--helo", "client.sender.test",
           "--timeout", str(SWAKS_TIMEOUT)] + list(more)
    try:
        r = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                           timeout=6 * SWAKS_TIMEOUT)
    except (OSError, subprocess.TimeoutExpired) as e:
        return -1, str(e)
    return r.returncode, r.stdout + r.stderr


def swaks_why(rc, out):
    """A FAIL reason from a swaks run: its status and its last lines."""
    return f"swaks exited {rc}: " + " | ".join(out.strip().splitlines()[-4:])


def received_header(message):
    """The first (the box's) Received field of a message, unfolded."""
    head = message.split(b"\r\n\r\n", 1)[0].decode("utf-8", "replace")
    m = re.search(r"^Received:([^\r\n]*(?:\r?\n[ \t][^\r\n]*)*)", head, re.M | re.I)
    return re.sub(r"\s+", " ", m.group(1)).strip() if m else ""


def delivered(sink, token):
    """The message holding token once the sink has it, else None."""
    deadline = time.monotonic() + DELIVERY_TIMEOUT
    while time.monotonic() < deadline:
        found = sink.find(token.encode())
        if found:
            return found[0][2]
        time.sleep(0.5)
    return None


def send_and_check(vm, sink, name, port, *more):
    """Submit one message to alice@example.com with swaks and wait for the
    sink to have it. Reports name only if swaks fails; returns (accepted,
    the delivered message or None)."""
    token = f"boot-test-{BOARD}-{name}-{time.time():.3f}"
    rc, out = swaks(port, "alice@example.com", "--header", f"Subject: {token}",
                    "--body", f"{token}\n", *more)
    if rc != 0:
        result(name, False, swaks_why(rc, out), vm)
        return False, None
    if "-tls" in more and "TLS started" not in out:
        result(name, False, "swaks did not report 'TLS started'", vm)
        return False, None
    return True, delivered(sink, token)


NOT_DELIVERED = f"accepted, but not at the sink within {DELIVERY_TIMEOUT} s"


def mail_checks(vm, sink):
    """The mail test proper, once the box with the test config is ready."""
    t0 = time.monotonic()
    banner = wait_greeting(vm.smtp_port, MAIL_START_TIMEOUT)
    if not banner.startswith("220"):
        result("mail-greeting", False,
               f"no 220 on port 25 within {MAIL_START_TIMEOUT} s (last: {banner})", vm)
        return
    result("mail-greeting", SERVER_NAME in banner, f"greeting {banner!r} does not name "
           f"{SERVER_NAME}: the box ignored /config/startup.json?", vm)
    print(f"INFO: {BOARD} ready to 220 on port 25 {time.monotonic() - t0:.1f} s", flush=True)

    t0 = time.monotonic()
    accepted, msg = send_and_check(vm, sink, "mail-swaks", vm.smtp_port)
    if accepted:
        result("mail-swaks", True)
    if msg is not None:
        print(f"INFO: {BOARD} swaks to sink {time.monotonic() - t0:.1f} s", flush=True)
        rx = received_header(msg)
        print(f"INFO: Received:{rx}", flush=True)
        result("mail-delivered", re.search(rf"\bby {re.escape(SERVER_NAME)}\b", rx),
               f"Received header does not name {SERVER_NAME}: {rx!r}", vm)
    else:
        result("mail-delivered", False, NOT_DELIVERED if accepted else "see mail-swaks", vm)

    rc, out = swaks(vm.smtp_port, "someone@elsewhere.test", "--quit-after", "RCPT")
    result("mail-relay-denied", rc != 0 and RELAY_DENIED.search(out),
           swaks_why(rc, out), vm)

    accepted, msg = send_and_check(vm, sink, "mail-starttls", vm.smtp_port, "-tls")
    if accepted:
        rx = received_header(msg) if msg is not None else ""
        result("mail-starttls", " with ESMTPS" in rx, NOT_DELIVERED if msg is None else
               f"Received header {rx!r} does not say ESMTPS", vm)

    accepted, msg = send_and_check(vm, sink, "mail-submission", vm.submission_port, "-tls",
                                   "--auth", "PLAIN", "--auth-user", SUBMISSION_USER,
                                   "--auth-password", SUBMISSION_PASSWORD)
    if accepted:
        result("mail-submission", msg is not None, NOT_DELIVERED, vm)


def clamd_check(vm, sink, clamd):
    """EICAR through the box: 250, found by the host's clamd, kept in
    quarantine (never at the sink); the clean messages before it passed the
    same scanner, so the scanner path itself works."""
    if clamd is None:
        result("mail-clamd-quarantine", False, "no clamd on the host (ci/host-tools)", vm)
        return
    token = f"boot-test-{BOARD}-eicar-{time.time():.3f}"
    body = os.path.join(os.path.dirname(clamd[2]), "eicar.txt")
    with open(body, "wb") as f:
        f.write(token.encode() + b"\n" + EICAR + b"\n")
    rc, out = swaks(vm.smtp_port, "alice@example.com", "--header", f"Subject: {token}",
                    "--body", body)
    if rc != 0:
        result("mail-clamd-quarantine", False, swaks_why(rc, out), vm)
        return
    with open(clamd[2], errors="replace") as f:
        found = "Sekimori.Test.EICAR" in f.read()
    time.sleep(5)
    result("mail-clamd-quarantine", found and not sink.find(token.encode()),
           "clamd did not log the find" if not found else "EICAR reached the sink", vm)


def mail_diagnosis(vm):
    """After a failed mail check: the service states from the console (the
    daemon's own log is in syslog, out of reach without a shell). The
    kernel's seccomp audit lines, already in the console tail above, name a
    forbidden system call."""
    try:
        print("INFO: status after the mail failure: " + "; ".join(login_status(vm, wake=True)),
              flush=True)
    except (TimeoutError, RuntimeError) as e:
        print(f"INFO: no status after the mail failure: {e}", flush=True)


def factory_mail_check(vm):
    """The factory config: listeners up with their self-signed certificate,
    but no relay domain, so nothing is accepted."""
    banner = wait_greeting(vm.smtp_port, MAIL_START_TIMEOUT)
    if not banner.startswith("220"):
        result("mail-factory", False,
               f"no 220 on port 25 within {MAIL_START_TIMEOUT} s (last: {banner})", vm)
        return
    rc, out = swaks(vm.smtp_port, "alice@example.com", "--quit-after", "RCPT")
    result("mail-factory", rc != 0 and RELAY_DENIED.search(out),
           swaks_why(rc, out), vm)


def main():
    global admin_password
    src = os.path.join(O, "images", "disk.img")
    if not os.path.isfile(src):
        result(f"{BOARD}-image", False, f"{src} not found: build the image first")
        return 1
    work = tempfile.mkdtemp(prefix=f"sk-boot-{BOARD}-")
    disk = os.path.join(work, "disk.img")
    subprocess.run(["cp", "--sparse=always", src, disk], check=True)
    vm = sink = clamd = None
    try:
        # Boot 1: factory state.
        vm, slot, n = boot(work, disk, "boot-ready")
        if slot is None:
            return 1
        result("boot-ready", slot == "A" and n == 1, f"got slot={slot} boot={n}, want A and 1", vm)
        t0 = time.monotonic()
        console_checks(vm, vm.buf.rfind("sekimori: ready"))
        print(f"INFO: {BOARD} console checks {time.monotonic() - t0:.1f} s", flush=True)
        factory_mail_check(vm)
        if vm is not None:
            vm.power_cut()

        # Boot 2: after a power cut the counter on /config and /data went on.
        vm, slot, n = boot(work, disk, "persistence")
        if slot is not None:
            result("persistence", n == 2, f"boot counter {n} after the second boot, want 2", vm)
            console_password_kept(vm)
        if vm is not None:
            vm.power_cut()

        # Boot 3: slot A marked bad (not good, no tries left) -> slot B.
        grubenv(disk, work, SK_A_GOOD=0, SK_A_TRIES=0)
        vm, slot, n = boot(work, disk, "fallback-b")
        if slot is not None:
            result("fallback-b", slot == "B", f"booted slot {slot}, want B", vm)
        if vm is not None:
            vm.power_cut()

        # Boot 4: slot A on trial with one try: boots A, GRUB records tries=0.
        # It also runs the mail test, with a startup config that delivers
        # example.com to the sink.
        grubenv(disk, work, SK_A_GOOD=0, SK_A_TRIES=1)
        sink = relaylib.Sink()
        clamd = start_clamd(work)
        err = put_startup_config(disk, work,
                                 mail_config(sink.port, clamd[1] if clamd else None))
        result("mail-config", err is None, err)
        if err is None:  # its system part is the factory's: admin/sekimori again
            admin_password = FACTORY_PASSWORD
        vm, slot, n = boot(work, disk, "trial-a")
        key = None
        if slot is not None and err is None:
            before = failed
            mail_checks(vm, sink)
            clamd_check(vm, sink, clamd)
            if failed > before:
                mail_diagnosis(vm)
            if ssh_service(vm):
                key = cli_relay_checks(vm, sink, work)
        if vm is not None:
            vm.power_cut()
        if slot is not None:
            left = grubenv(disk, work).get("SK_A_TRIES")
            result("trial-a", slot == "A" and left == "0",
                   f"booted slot {slot} with SK_A_TRIES={left} after, want A and 0", vm)

        # Boot 5 (slot A good again): what boot 4 committed in the CLI.
        if key is not None:
            grubenv(disk, work, SK_A_GOOD=1, SK_A_TRIES=0)
            vm, slot, n = boot(work, disk, "cli-reboot-kept")
            if slot is not None:
                cli_reboot_kept(vm, sink, key)
            if vm is not None:
                vm.power_cut()
        vm = None
    except Exception as e:  # a broken test step is a failure with its files kept
        result("boot-test", False, repr(e))
    finally:
        if vm is not None and vm.proc.poll() is None:
            vm.proc.kill()
        if sink is not None:
            sink.stop()
        if clamd is not None:
            clamd[0].kill()
        if failed == 0:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"INFO: files of the failed run kept in {work}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
