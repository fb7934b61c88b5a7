"""relaylib - what the relay tests share: a private sekimorid on loopback
ports, an SMTP sink that records what the relay delivers, certificates and
password hashes made at test time, and PASS/FAIL reporting.

Nothing here talks to the network beyond 127.0.0.0/8. Every file lives in
one temporary directory that the caller removes.
"""

import json
import os
import shutil
import smtplib
import signal
import socket
import socketserver
import subprocess
import threading
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEKIMORID = os.environ.get("SK_SEKIMORID", os.path.join(TOP, "output", "host", "bin", "sekimorid"))
CLI = os.environ.get("SK_CLI", os.path.join(TOP, "output", "host", "bin",
                                            "sekimori-cli"))
FACTORY = os.path.join(TOP, "cli", "yang", "factory.json")
QUEUE_TOOL = os.environ.get("SK_QUEUE_TOOL", os.path.join(TOP, "output", "host", "bin", "sekimori-queue"))

failures = 0
passes = 0


def report(name, ok, why=""):
    """One PASS:/FAIL: line, as every ci driver prints."""
    global failures, passes
    if ok:
        passes += 1
        print("PASS: %s" % name, flush=True)
    else:
        failures += 1
        print("FAIL: %s: %s" % (name, why), flush=True)


def keep_log_on_failure(relay, name):
    """After failures, copy the daemon's log to output/NAME for the
    developer (the temporary folder goes)."""
    if failures:
        keep = os.path.join(TOP, "output", name)
        shutil.copy(relay.log_path, keep)
        print("INFO: daemon log kept in %s" % keep)


def run_tests(tests, relay=None):
    """Each (fn, args) of tests in turn: one that raises is a failure
    under its name, not a stop. With relay, then that its daemon outlived
    them all (daemon-alive-after-tests)."""
    for fn, args in tests:
        try:
            fn(*args)
        except Exception as e:  # a crashed test is a failure, not a stop
            report(fn.__name__, False, "%s: %s" % (type(e).__name__, e))
    if relay is not None:
        report("daemon-alive-after-tests", relay.proc.poll() is None,
               "it exited")


def free_port():
    """A TCP port nobody listens on right now (127.0.0.1)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_port(port, host="127.0.0.1", timeout=20.0):
    """Wait until something accepts on port; False on timeout."""
    end = time.time() + timeout
    while time.time() < end:
        try:
            socket.create_connection((host, port), timeout=1).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


def wait_for(cond, timeout=20.0, step=0.05):
    """Poll cond() until it is true; its last value."""
    end = time.time() + timeout
    value = cond()
    while not value and time.time() < end:
        time.sleep(step)
        value = cond()
    return value


# ---- the sink ------------------------------------------------------------


class Sink:
    """A small SMTP server that stores each message it accepts.

    It speaks just enough ESMTP for the relay's client: EHLO (PIPELINING,
    8BITMIME, SMTPUTF8, SIZE, ENHANCEDSTATUSCODES), MAIL, RCPT, DATA, RSET,
    NOOP, QUIT. A recipient whose local part starts with "reject" gets
    550 5.1.1 and one starting with "defer" gets 451 4.3.0, so tests can
    drive the relay's bounce and retry paths.
    """

    def __init__(self, port=0, tls=None):
        """tls: (certfile, keyfile) to offer STARTTLS with."""
        self.messages = []
        self.tls_messages = []
        self.lock = threading.Lock()
        sink = self

        class Handler(socketserver.StreamRequestHandler):
            def reply(self, text):
                self.wfile.write(text.encode() + b"\r\n")

            def handle(self):
                self.reply("220 sink.test ESMTP")
                mail, rcpts = None, []
                self.tls = False
                while True:
                    line = self.rfile.readline(4096)
                    if not line:
                        return
                    cmd = line.decode("utf-8", "replace").rstrip("\r\n")
                    verb = cmd[:4].upper()
                    if verb == "EHLO":
                        self.reply("250-sink.test\r\n250-PIPELINING\r\n"
                                   "250-8BITMIME\r\n250-SMTPUTF8\r\n"
                                   "250-SIZE 100000000\r\n" +
                                   ("250-STARTTLS\r\n"
                                    if tls and not self.tls else "") +
                                   "250 ENHANCEDSTATUSCODES")
                    elif cmd.upper() == "STARTTLS" and tls and not self.tls:
                        import ssl
                        self.reply("220 2.0.0 go ahead")
                        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
                        ctx.load_cert_chain(tls[0], tls[1])
                        self.request = ctx.wrap_socket(self.request,
                                                       server_side=True)
                        self.rfile = self.request.makefile("rb")
                        self.wfile = self.request.makefile("wb", 0)
                        self.tls = True
                        mail, rcpts = None, []
                    elif verb == "HELO":
                        self.reply("250 sink.test")
                    elif verb == "MAIL":
                        mail, rcpts = cmd[10:].split(">")[0].lstrip("<"), []
                        self.reply("250 2.1.0 Ok")
                    elif verb == "RCPT":
                        addr = cmd[8:].split(">")[0].lstrip("<")
                        if addr.startswith("reject"):
                            self.reply("550 5.1.1 <%s>: no such user" % addr)
                        elif addr.startswith("defer"):
                            self.reply("451 4.3.0 try again later")
                        else:
                            rcpts.append(addr)
                            self.reply("250 2.1.5 Ok")
                    elif verb == "DATA":
                        if not rcpts:
                            self.reply("554 5.5.1 no valid recipients")
                            continue
                        self.reply("354 go ahead")
                        data = bytearray()
                        while True:
                            l2 = self.rfile.readline(1 << 20)
                            if not l2:
                                # the client vanished before the final
                                # dot: nothing was accepted, nothing is
                                # stored (RFC 5321 4.1.1.4)
                                return
                            if l2 == b".\r\n":
                                break
                            if l2.startswith(b".."):
                                l2 = l2[1:]
                            data += l2
                        with sink.lock:
                            sink.messages.append((mail, list(rcpts),
                                                  bytes(data)))
                            if self.tls:
                                sink.tls_messages.append(bytes(data))
                            n = len(sink.messages)
                        self.reply("250 2.0.0 Ok: queued as SINK%d" % n)
                        rcpts = []
                    elif verb == "RSET":
                        mail, rcpts = None, []
                        self.reply("250 2.0.0 Ok")
                    elif verb == "NOOP":
                        self.reply("250 2.0.0 Ok")
                    elif verb == "QUIT":
                        self.reply("221 2.0.0 Bye")
                        return
                    else:
                        self.reply("502 5.5.2 not here")

        class Server(socketserver.ThreadingTCPServer):
            allow_reuse_address = True
            daemon_threads = True
            # the relay opens many connections at once after a restart;
            # socketserver's default backlog of 5 overflows, and a client
            # whose handshake the kernel then dropped waits for a
            # greeting that never comes (RFC 5321: 5 minutes)
            request_queue_size = 128

            def handle_error(self, request, client_address):
                pass  # a client that hangs up mid-way is a test's business

        self.server = Server(("127.0.0.1", port), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       daemon=True)
        self.thread.start()

    def count(self):
        with self.lock:
            return len(self.messages)

    def find(self, needle):
        """Messages whose content holds needle (bytes)."""
        with self.lock:
            return [m for m in self.messages if needle in m[2]]

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


# ---- certificates and passwords -----------------------------------------


def make_cert(directory, name, key_type="rsa", cn="mx.sekimori.test"):
    """A self-signed certificate and key under directory/config/tls/."""
    tls = os.path.join(directory, "config", "tls")
    os.makedirs(tls, exist_ok=True)
    crt = os.path.join(tls, name + ".crt")
    key = os.path.join(tls, name + ".key")
    if key_type == "rsa":
        newkey = ["-newkey", "rsa:2048"]
    else:
        newkey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"]
    subprocess.run(["openssl", "req", "-x509", "-nodes", "-days", "30"] +
                   newkey + ["-keyout", key, "-out", crt, "-subj",
                             "/CN=" + cn, "-addext",
                             "subjectAltName=DNS:" + cn],
                   check=True, capture_output=True)
    return "/config/tls/%s.crt" % name, "/config/tls/%s.key" % name


def crypt_sha512(password):
    """$6$ hash of password (openssl passwd -6)."""
    out = subprocess.run(["openssl", "passwd", "-6", password], check=True,
                         capture_output=True, text=True)
    return out.stdout.strip()


# ---- the daemon -----------------------------------------------------------


class Relay:
    """sekimorid with a config under a private root-directory.

    ports: dict listener name -> port. The relay delivers every domain to
    the sink (a route per relay domain, the smarthost for the rest), with
    TLS policy none, answering DNS from a zone file.
    """

    def __init__(self, root, sink_port, extra=None, listeners=None):
        self.root = root
        os.makedirs(root, exist_ok=True)
        self.ports = {}
        self.proc = None
        self.log_path = os.path.join(root, "sekimorid.log")
        rsa = make_cert(root, "rsa")
        self.cert = os.path.join(root, rsa[0].lstrip("/"))
        self.config = self.build_config(sink_port, rsa, listeners or [])
        if extra:
            merge(self.config["sekimori-mail:mail"], extra)
        self.config_path = os.path.join(root, "relay.json")
        with open(self.config_path, "w") as f:
            json.dump(self.config, f, indent=1)
        self.zone = os.path.join(root, "test.zone")
        with open(self.zone, "w") as f:
            f.write("$ORIGIN test.\n$TTL 300\n"
                    "sink 300 IN A 127.0.0.1\n")

    def build_config(self, sink_port, rsa, more_listeners):
        for name in ("mx", "submission", "submissions"):
            self.ports[name] = free_port()
        listeners = [
            {"name": "mx", "address": "127.0.0.1", "port": self.ports["mx"],
             "mode": "mx", "tls": {"certificate": "rsa"}},
            {"name": "submission", "address": "127.0.0.1",
             "port": self.ports["submission"], "mode": "submission",
             "smtp-auth": "required", "tls": {"certificate": "rsa"}},
            {"name": "submissions", "address": "127.0.0.1",
             "port": self.ports["submissions"], "mode": "submissions",
             "smtp-auth": "required", "tls": {"certificate": "rsa"}},
        ] + more_listeners
        hop = {"host": "127.0.0.1", "port": sink_port,
               "tls-policy": "plain"}
        return {"sekimori-mail:mail": {
            "server-name": "mx.sekimori.test",
            "root-directory": self.root,
            "listener": listeners,
            "relay": {
                "domain": [
                    {"name": "example.com", "known-recipients-only": True,
                     "known-recipient": ["alice", "bob", "postmaster"]},
                    {"name": "example.net"},
                ],
                "internal-network": ["127.0.0.2/32"],
            },
            "smtp-auth": {
                "max-failures-per-user": 3,
                "user": [{"name": "alice@example.com",
                          "password-hash": crypt_sha512("correct horse")}],
            },
            "tls": {
                "certificate": [{"name": "rsa", "certificate-file": rsa[0],
                                 "key-file": rsa[1]}],
                "policy": [{"name": "plain", "mode": "none"}],
            },
            "delivery": {
                "tls-policy": "plain",
                "smarthost": dict(hop),
                "route": [dict(hop, domain="example.com"),
                          dict(hop, domain="example.net")],
            },
            "limits": {"message-size": 1048576},
            "queue": {"minimum-backoff": 60},
        }}

    def start(self):
        log = open(self.log_path, "ab")
        kw = {}
        if os.geteuid() == 0:
            # As root sekimorid would switch to its own users (the
            # appliance's); a host has none, so it runs as nobody, as any
            # unprivileged user would run it.
            chown_tree(self.root, "nobody")
            kw["user"] = "nobody"
            kw["group"] = "nogroup"
        self.proc = subprocess.Popen(
            [SEKIMORID, "-c", self.config_path, "--zone", self.zone,
             "--log-stderr"], stdout=log, stderr=log, **kw)
        log.close()
        return all(wait_port(p) for p in self.ports.values())

    def stop(self, sig=15):
        if self.proc is None:
            return
        self.proc.send_signal(sig)
        try:
            self.proc.wait(timeout=40)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc = None

    def log(self, since=0):
        with open(self.log_path, "rb") as f:
            f.seek(since)
            return f.read().decode("utf-8", "replace")

    def children(self):
        """pids of the daemon's child processes."""
        if self.proc is None:
            return []
        try:
            with open("/proc/%d/task/%d/children" % (self.proc.pid,
                                                     self.proc.pid)) as f:
                return [int(p) for p in f.read().split()]
        except OSError:
            return []

    def crash(self):
        """kill -9 the daemon and its children, as near one instant as a
        test can: the supervisor is stopped first so that it restarts
        nothing, then its children are stopped, then all are killed.
        (Killing the supervisor alone would not do: the kernel then sends
        its children SIGTERM, PR_SET_PDEATHSIG, and they stop cleanly.)
        Returns once every one is dead, so that a new daemon can bind the
        ports and lock the spool."""
        if self.proc is None:
            return
        pid = self.proc.pid
        os.kill(pid, signal.SIGSTOP)
        kids = self.children()
        for sig in (signal.SIGSTOP, signal.SIGKILL):
            for k in kids:
                try:
                    os.kill(k, sig)
                except ProcessLookupError:
                    pass
        self.proc.kill()
        self.proc.wait()
        self.proc = None
        wait_for(lambda: not any(alive(k) for k in kids), 10)

    def log_size(self):
        """How far the log goes now: log(since=) reads what comes after."""
        try:
            return os.path.getsize(self.log_path)
        except OSError:
            return 0


def send(relay, mail_from, rcpt, data, source=None, timeout=30):
    """One message to relay's mx listener from source (an address to
    bind, e.g. an internal network's), EHLO client.sender.test; (code,
    reply text) of the end of DATA, (0, b"disconnected") when the relay
    hung up."""
    s = smtplib.SMTP("127.0.0.1", relay.ports["mx"], timeout=timeout,
                     source_address=(source, 0) if source else None)
    try:
        s.ehlo("client.sender.test")
        s.mail(mail_from)
        s.rcpt(rcpt)
        code, text = s.data(data)
        s.quit()
    except smtplib.SMTPServerDisconnected:
        return 0, b"disconnected"
    except smtplib.SMTPDataError as e:
        return e.smtp_code, e.smtp_error
    return code, text


def alive(pid):
    """Whether pid runs (a zombie is dead: it holds no port or lock)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except OSError:
        return False


def chown_tree(path, user):
    """Give path and everything under it to user."""
    import pwd
    pw = pwd.getpwnam(user)
    os.chown(path, pw.pw_uid, pw.pw_gid)
    for dirpath, dirs, files in os.walk(path):
        for n in dirs + files:
            os.chown(os.path.join(dirpath, n), pw.pw_uid, pw.pw_gid)


def merge(base, extra):
    """Merge extra into base recursively (dicts merge, the rest replaces)."""
    for k, v in extra.items():
        if isinstance(v, dict) and isinstance(base.get(k), dict):
            merge(base[k], v)
        else:
            base[k] = v


def run_cli(confdir, data, lines, mail_config=None, timeout=60):
    """sekimori-cli as admin on the config folder confdir, the lines on
    standard input (a script); with mail_config, commits reach the relay
    through `sekimorid --reload -c mail_config`. Everything it printed."""
    args = [CLI, "--config-dir", confdir, "--factory", FACTORY,
            "--data-dir", data, "--user", "admin", "--role", "admin"]
    if mail_config is not None:
        args += ["--mail-config", mail_config, "--mail-daemon", SEKIMORID]
    p = subprocess.run(args, input="".join(l + "\n" for l in lines),
                       capture_output=True, text=True, timeout=timeout)
    return p.stdout + p.stderr


def cli_folders(relay, tmp, name="cli"):
    """A CLI's config and data folders under tmp (NAME-conf, NAME-data),
    made once: startup.json is the factory configuration with relay's
    mail configuration, so the CLI runs what the daemon serves.
    (confdir, data, startup)."""
    confdir = os.path.join(tmp, name + "-conf")
    data = os.path.join(tmp, name + "-data")
    with open(FACTORY) as f:
        startup = json.load(f)
    startup["sekimori-mail:mail"] = relay.config["sekimori-mail:mail"]
    if not os.path.isdir(confdir):
        os.makedirs(confdir)
        os.makedirs(data)
        with open(os.path.join(confdir, "startup.json"), "w") as f:
            json.dump(startup, f)
    return confdir, data, startup
