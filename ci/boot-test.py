#!/usr/bin/python3
"""boot-test.py - boot a board's disk image in QEMU and check the boot.

Usage: ci/boot-test.py [BOARD]   (BOARD defaults to $BOARD or x86_64)

Boots a sparse copy of $O/images/disk.img (the build output stays pristine)
through UEFI firmware and GRUB with board/common/run-qemu.sh, the serial console
on a unix socket and free host ports, and checks:
  boot-ready      "sekimori: ready slot=A boot=1" within the boot timeout
  login           admin/sekimori on the serial console runs the status program
  rootfs-ro, config-rw, data-rw, services, slot-a   from the status output
  ssh-banner      (when dropbear is a service) port 22 answers with SSH-2.0-
  persistence     after a power cut (QEMU killed), the next boot says boot=2
  fallback-b      with slot A marked bad in grubenv, the box boots slot B
  trial-a         slot A on trial (1 try left) boots A and GRUB saves tries=0
Prints PASS/FAIL/INFO lines; exits 1 if any test failed. Standard library only.
"""
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

BOARD = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("BOARD", "x86_64")
TOP = os.environ.get("SK_TOP") or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
O = os.environ.get("O") or os.path.join(TOP, "output", BOARD)
# TCG (no KVM) is all CI has: aarch64 emulated on x86 is the slow one.
BOOT_TIMEOUT = 240 if BOARD == "aarch64" else 150
ESP_OFFSET = "1M"  # where genimage.cfg.in puts the ESP

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
        for var in ("SK_PORT_SMTP", "SK_PORT_SUBMISSION", "SK_PORT_SMTPS", "SK_PORT_SSH"):
            env[var] = str(free_port())
        self.ssh_port = int(env["SK_PORT_SSH"])
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


def login_status(vm):
    """Log in as admin on the console; return the status program's lines."""
    since = len(vm.buf)
    vm.expect(r"login: ?$", 60, since)
    vm.send("admin\r")
    vm.expect(r"Password: ?$", 20, since)
    since = len(vm.buf)
    vm.send("sekimori\r")
    m = vm.expect(r"product: Sekimori\r?\n((?:.*\r?\n)*?)end of status", 60, since)
    return [l.strip() for l in m.group(1).splitlines() if l.strip()]


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


def main():
    src = os.path.join(O, "images", "disk.img")
    if not os.path.isfile(src):
        result(f"{BOARD}-image", False, f"{src} not found: build the image first")
        return 1
    work = tempfile.mkdtemp(prefix=f"sk-boot-{BOARD}-")
    disk = os.path.join(work, "disk.img")
    subprocess.run(["cp", "--sparse=always", src, disk], check=True)
    vm = None
    try:
        # Boot 1: factory state.
        vm, slot, n = boot(work, disk, "boot-ready")
        if slot is None:
            return 1
        result("boot-ready", slot == "A" and n == 1, f"got slot={slot} boot={n}, want A and 1", vm)
        try:
            lines = login_status(vm)
            if any(l.startswith("service ") and ": running" not in l for l in lines):
                # Services start right after "ready"; a fast login can beat
                # them. Look once more before calling a service down.
                time.sleep(10)
                lines = login_status(vm)
            result("login", True)
            check_status(vm, lines)
        except (TimeoutError, RuntimeError) as e:
            result("login", False, str(e), vm)
        if vm is not None:
            vm.power_cut()

        # Boot 2: after a power cut the counter on /config and /data went on.
        vm, slot, n = boot(work, disk, "persistence")
        if slot is not None:
            result("persistence", n == 2, f"boot counter {n} after the second boot, want 2", vm)
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
        grubenv(disk, work, SK_A_GOOD=0, SK_A_TRIES=1)
        vm, slot, n = boot(work, disk, "trial-a")
        if vm is not None:
            vm.power_cut()
        if slot is not None:
            left = grubenv(disk, work).get("SK_A_TRIES")
            result("trial-a", slot == "A" and left == "0",
                   f"booted slot {slot} with SK_A_TRIES={left} after, want A and 0", vm)
        vm = None
    except Exception as e:  # a broken test step is a failure with its files kept
        result("boot-test", False, repr(e))
    finally:
        if vm is not None and vm.proc.poll() is None:
            vm.proc.kill()
        if failed == 0:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"INFO: files of the failed run kept in {work}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
