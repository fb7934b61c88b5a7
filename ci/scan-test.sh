#!/bin/sh
# scan-test.sh - sekimori-scan against a real clamd and a real clamav-milter
# (Debian's clamav-daemon and clamav-milter), each started here as the
# current user on a unix socket in a temporary directory, with a signature
# database made by this test (freshclam cannot download): a body signature
# of EICAR (.ndb) and an MD5 hash signature of a test file (.hdb).
#
# clamd: a clean message is clean; EICAR inline, in a base64 attachment, in
# a ZIP, in a nested message/rfc822, and the hashed file as an attachment
# are infected with the signature's name; a stream past the client's
# --max-size and one past clamd's StreamMaxLength are too-large; a socket
# that never answers and a killed clamd are errors within the timeout.
# clamav-milter (OnInfected Reject, and a second one with Quarantine):
# clean is accepted with its X-Virus-Scanned header action, EICAR is
# rejected with its 5.7.1 reply, or quarantined. A test milter on the real
# libmilter (ci/testdata/envelope_milter.py, python3-milter) changes the
# envelope and gives a multi-line reply (one reply= line each). Then
# ci/content-test.py drives sekimorid's content step against the same
# clamd and milters (the multi-line reply reaches the SMTP client as
# three 550 lines: envelope-multiline-550).
#
# Prints PASS:/FAIL: lines; exits 1 on a failure, 2 when a tool is missing.
# KEEP=1 keeps the temporary directory (configs, logs, messages).
# Installs nothing: ci/host-tools lists clamd, clamav-milter, sigtool and
# python3-milter (stage test). SEKIMORI_SCAN=PATH tests that binary and skips the build.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
O=$top/output/host
PY=/usr/bin/python3

for tool in clamd clamav-milter sigtool "$PY"; do
	if ! command -v "$tool" >/dev/null 2>&1 &&
	    [ ! -x "/usr/sbin/$tool" ]; then
		echo "FAIL: scan tools: $tool not found (ci/install-deps test)"
		exit 2
	fi
done
# the envelope test milter runs on the real libmilter: python3-milter
if ! "$PY" -c 'import Milter' 2>/dev/null; then
	echo "FAIL: scan tools: python3-milter not found (ci/install-deps test)"
	exit 2
fi
CLAMD=$(command -v clamd || echo /usr/sbin/clamd)
MILTER=$(command -v clamav-milter || echo /usr/sbin/clamav-milter)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/skscan.XXXXXX")
chmod 755 "$tmp"
pids=""
cleanup() {
	for p in $pids; do
		kill "$p" 2>/dev/null
	done
	wait 2>/dev/null
	[ -n "${KEEP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
fails=0

if [ -z "${SEKIMORI_SCAN:-}" ]; then
	SEKIMORI_SCAN=$O/bin/sekimori-scan
	if ! make -C "$top" --no-print-directory host >"$tmp/build.log" 2>&1; then
		echo "FAIL: scan build: make host failed"
		tail -n 15 "$tmp/build.log" | sed 's/^/INFO: /'
		exit 1
	fi
fi
if [ ! -x "$SEKIMORI_SCAN" ]; then
	echo "FAIL: scan build: $SEKIMORI_SCAN not found"
	exit 1
fi

# ---- the signature database and the messages ---------------------------
mkdir -p "$tmp/db" "$tmp/msg" "$tmp/clamtmp"
"$PY" - "$tmp" <<'PYEOF' || { echo "FAIL: scan setup: messages"; exit 1; }
import base64, hashlib, io, sys, zipfile
t = sys.argv[1]
# EICAR, written in two halves so that no scanner flags this script.
eicar = (b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" +
         b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*")
assert len(eicar) == 68
testfile = b"".join(b"sekimori hash-signature test file, line %04d\n" % i
                    for i in range(200))
with open(t + "/db/test.ndb", "w") as f:
    f.write("Sekimori.Test.EICAR:0:*:%s\n" % eicar.hex())
with open(t + "/db/test.hdb", "w") as f:
    f.write("%s:%d:Sekimori.Test.HashFile\n"
            % (hashlib.md5(testfile).hexdigest(), len(testfile)))

def head(subject, extra=""):
    return ("From: alice@example.com\r\nTo: bob@example.org\r\n"
            "Subject: %s\r\nMessage-ID: <%s@example.com>\r\n"
            "Date: Thu, 26 Nov 2026 10:00:00 +0000\r\n%s"
            % (subject, subject.replace(" ", "."), extra))

def b64(data):
    s = base64.b64encode(data).decode()
    return "\r\n".join(s[i:i + 76] for i in range(0, len(s), 76))

def attach(subject, ctype, name, data):
    return (head(subject, "MIME-Version: 1.0\r\nContent-Type: "
                 "multipart/mixed; boundary=\"b1\"\r\n") +
            "\r\n--b1\r\nContent-Type: text/plain\r\n\r\nSee the file.\r\n"
            "--b1\r\nContent-Type: %s; name=\"%s\"\r\n"
            "Content-Transfer-Encoding: base64\r\n"
            "Content-Disposition: attachment; filename=\"%s\"\r\n\r\n"
            "%s\r\n--b1--\r\n" % (ctype, name, name, b64(data)))

def write(name, text):
    with open(t + "/msg/" + name, "wb") as f:
        f.write(text.encode() if isinstance(text, str) else text)

write("clean.eml", head("clean") + "\r\nHello Bob,\r\nnothing to see.\r\n")
write("inline.eml", head("inline") + "\r\n" + eicar.decode() + "\r\n")
write("base64.eml", attach("base64", "application/octet-stream",
                           "eicar.com", eicar))
z = io.BytesIO()
with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
    zf.writestr("readme.txt", "hello\n")
    zf.writestr("eicar.com", eicar)
write("zip.eml", attach("zip", "application/zip", "files.zip", z.getvalue()))
inner = attach("inner", "application/octet-stream", "eicar.com", eicar)
write("rfc822.eml", head("rfc822", "MIME-Version: 1.0\r\nContent-Type: "
                         "multipart/mixed; boundary=\"outer\"\r\n") +
      "\r\n--outer\r\nContent-Type: text/plain\r\n\r\nForwarded.\r\n"
      "--outer\r\nContent-Type: message/rfc822\r\n\r\n" + inner +
      "\r\n--outer--\r\n")
write("hash.eml", attach("hash", "application/octet-stream", "data.bin",
                         testfile))
line = "x" * 76 + "\r\n"
write("big.eml", head("big") + "\r\n" + line * (3 * 1024 * 1024 // 78))
PYEOF

# ---- helpers ------------------------------------------------------------

# wait_sock PATH PID - until the socket exists (30 s) and PID lives
wait_sock() {
	i=0
	while [ ! -S "$1" ]; do
		if ! kill -0 "$2" 2>/dev/null || [ $i -ge 300 ]; then
			return 1
		fi
		sleep 0.1
		i=$((i + 1))
	done
}

# started NAME WHAT PID LOG... - NAME-start: $tmp/NAME.sock appears while
# PID (now one to kill at exit) lives; else a FAIL (WHAT did not come up)
# with the end of the LOGs, and status 1
started() {
	name=$1 what=$2 pid=$3
	shift 3
	pids="$pids $pid"
	if ! wait_sock "$tmp/$name.sock" "$pid"; then
		echo "FAIL: scan $name-start: $what did not come up"
		sed 's/^/INFO: /' "$@" 2>/dev/null | tail -n 10
		fails=$((fails + 1))
		return 1
	fi
	echo "PASS: scan $name-start"
}

# check NAME VERDICT TEXT FILE ARGS... - sekimori-scan ARGS < FILE must
# print verdict=VERDICT and a line containing TEXT ("" = any)
check() {
	name=$1 want=$2 text=$3 file=$4
	shift 4
	"$SEKIMORI_SCAN" "$@" <"$file" >"$tmp/out" 2>&1
	got=$(sed -n 's/^verdict=//p' "$tmp/out")
	if [ "$got" != "$want" ]; then
		echo "FAIL: scan $name: got verdict '$got', want '$want' ($(head -c 300 "$tmp/out" | tr '\n' ' '))"
		fails=$((fails + 1))
	elif [ -n "$text" ] && ! grep -qF -- "$text" "$tmp/out"; then
		echo "FAIL: scan $name: no '$text' in: $(head -c 300 "$tmp/out" | tr '\n' ' ')"
		fails=$((fails + 1))
	else
		echo "PASS: scan $name"
	fi
}

# check_in_time NAME SECONDS VERDICT TEXT FILE ARGS... - check NAME, and
# NAME-in-time: it took at most SECONDS (the --timeout given, plus slack)
check_in_time() {
	name=$1 limit=$2
	shift 2
	t0=$(date +%s)
	check "$name" "$@"
	t1=$(date +%s)
	if [ $((t1 - t0)) -le "$limit" ]; then
		echo "PASS: scan $name-in-time"
	else
		echo "FAIL: scan $name-in-time: took $((t1 - t0)) s, more than $limit s"
		fails=$((fails + 1))
	fi
}

# ---- clamd ----------------------------------------------------------------
cat >"$tmp/clamd.conf" <<CONF
Foreground yes
LocalSocket $tmp/clamd.sock
LocalSocketMode 666
DatabaseDirectory $tmp/db
TemporaryDirectory $tmp/clamtmp
LogFile $tmp/clamd.log
PidFile $tmp/clamd.pid
StreamMaxLength 2M
ScanMail yes
ScanArchive yes
CONF
"$CLAMD" --config-file="$tmp/clamd.conf" >"$tmp/clamd.out" 2>&1 &
clamd_pid=$!
started clamd clamd "$clamd_pid" "$tmp/clamd.out" || exit 1

C="--clamd $tmp/clamd.sock --timeout 20"
check clamd-clean clean "" "$tmp/msg/clean.eml" $C
check clamd-eicar-inline infected "name=Sekimori.Test.EICAR.UNOFFICIAL" \
	"$tmp/msg/inline.eml" $C
check clamd-eicar-base64 infected "name=Sekimori.Test.EICAR.UNOFFICIAL" \
	"$tmp/msg/base64.eml" $C
check clamd-eicar-zip infected "name=Sekimori.Test.EICAR.UNOFFICIAL" \
	"$tmp/msg/zip.eml" $C
check clamd-eicar-rfc822 infected "name=Sekimori.Test.EICAR.UNOFFICIAL" \
	"$tmp/msg/rfc822.eml" $C
check clamd-hash-file infected "name=Sekimori.Test.HashFile.UNOFFICIAL" \
	"$tmp/msg/hash.eml" $C
check clamd-client-limit too-large "reason=" "$tmp/msg/big.eml" $C \
	--max-size 100000
check clamd-server-limit too-large "INSTREAM size limit exceeded" \
	"$tmp/msg/big.eml" $C
check clamd-tcp-form-bad error "reason=" "$tmp/msg/clean.eml" \
	--clamd "[::1" --timeout 2

# A socket that accepts and never answers: an error by the timeout.
"$PY" - "$tmp/stub.sock" <<'PYEOF' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
s.listen(4)
held = []
while True:
    c, _ = s.accept()
    held.append(c)
PYEOF
stub_pid=$!
pids="$pids $stub_pid"
if wait_sock "$tmp/stub.sock" "$stub_pid"; then
	check_in_time clamd-slow 4 error "timed out" "$tmp/msg/clean.eml" \
		--clamd "$tmp/stub.sock" --timeout 2
	check milter-slow error "timed out" "$tmp/msg/clean.eml" \
		--milter "$tmp/stub.sock" --timeout 2
fi

# ---- clamav-milter, against the same clamd --------------------------------
start_milter() { # NAME ONINFECTED [CONFIG LINE [ADDHEADER]]
	cat >"$tmp/$1.conf" <<CONF
MilterSocket unix:$tmp/$1.sock
MilterSocketMode 666
ClamdSocket unix:$tmp/clamd.sock
OnInfected $2
OnFail Defer
AddHeader ${4:-Add}
Foreground yes
LogSyslog no
LogFile $tmp/$1.log
PidFile $tmp/$1.pid
TemporaryDirectory $tmp/clamtmp
FixStaleSocket yes
${3:-}
CONF
	"$MILTER" --config-file="$tmp/$1.conf" >"$tmp/$1.out" 2>&1 &
	started "$1" clamav-milter $! "$tmp/$1.out" "$tmp/$1.log"
}

M="--timeout 20 --from alice@example.com --rcpt bob@example.org"
# RejectMsg makes clamav-milter answer with REPLYCODE; without it (the
# quarantine one) a clean message gets a plain ACCEPT/CONTINUE.
if start_milter milter-reject Reject "RejectMsg Rejected by test: %v"; then
	check milter-clean clean "X-Virus-Scanned: clamav-milter" \
		"$tmp/msg/clean.eml" --milter "$tmp/milter-reject.sock" $M
	check milter-clean-status clean "X-Virus-Status: Clean" \
		"$tmp/msg/clean.eml" --milter "$tmp/milter-reject.sock" $M
	check milter-eicar-reject reject \
		"reply=550 5.7.1 Rejected by test: Sekimori.Test.EICAR.UNOFFICIAL" \
		"$tmp/msg/base64.eml" --milter "$tmp/milter-reject.sock" $M
	check milter-eicar-zip-reject reject "reply=550 5.7.1" \
		"$tmp/msg/zip.eml" --milter "$tmp/milter-reject.sock" $M
	check milter-eicar-rfc822-reject reject "reply=550 5.7.1" \
		"$tmp/msg/rfc822.eml" --milter "$tmp/milter-reject.sock" $M
fi
if start_milter milter-quarantine Quarantine; then
	check milter-quarantine quarantine "action=quarantine" \
		"$tmp/msg/inline.eml" --milter "$tmp/milter-quarantine.sock" $M
	check milter-quarantine-status quarantine \
		"X-Virus-Status: Infected (Sekimori.Test.EICAR.UNOFFICIAL)" \
		"$tmp/msg/zip.eml" --milter "$tmp/milter-quarantine.sock" $M
	check milter-quarantine-clean clean "" "$tmp/msg/clean.eml" \
		--milter "$tmp/milter-quarantine.sock" $M
fi

# AddHeader Replace: the X-Virus fields come as header changes (chgheader),
# which sekimorid applies at the end of the header when they are missing
start_milter milter-replace Reject "RejectMsg Rejected by test: %v" Replace

# ---- a milter that changes the envelope -----------------------------------
# ci/testdata/envelope_milter.py, on the real libmilter (python3-milter):
# recipients added (one with NOTIFY and ORCPT) and deleted, the sender
# changed, 10,000 added (past the limit: an error), a multi-line reply
for tag in env-change env-many env-multiline; do
	printf 'From: alice@example.com\r\nTo: bob@example.org\r\nSubject: %s\r\n\r\nHello\r\n' \
		"$tag" >"$tmp/msg/$tag.eml"
done
"$PY" "$top/ci/testdata/envelope_milter.py" "$tmp/milter-envelope.sock" \
	>"$tmp/milter-envelope.log" 2>&1 &
if started milter-envelope envelope_milter.py $! "$tmp/milter-envelope.log"; then
	chmod 666 "$tmp/milter-envelope.sock"
	check milter-env-addrcpt-par clean "action=addrcpt_par <dave@example.net> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;dave@example.net" \
		"$tmp/msg/env-change.eml" --milter "$tmp/milter-envelope.sock" $M
	check milter-env-addrcpt clean "action=addrcpt <carol@example.net>" \
		"$tmp/msg/env-change.eml" --milter "$tmp/milter-envelope.sock" $M
	check milter-env-delrcpt clean "action=delrcpt <bob@example.org>" \
		"$tmp/msg/env-change.eml" --milter "$tmp/milter-envelope.sock" $M
	check milter-env-chgfrom clean "action=chgfrom <bounce@sender.test>" \
		"$tmp/msg/env-change.eml" --milter "$tmp/milter-envelope.sock" $M
	check milter-env-many error "too many recipients added" \
		"$tmp/msg/env-many.eml" --milter "$tmp/milter-envelope.sock" $M
	check milter-multiline reject "reply=550-5.7.1 second line" \
		"$tmp/msg/env-multiline.eml" --milter "$tmp/milter-envelope.sock" $M
fi

# ---- sekimorid end to end, against the same clamd and milters -------------
if [ -S "$tmp/milter-reject.sock" ] && [ -S "$tmp/milter-quarantine.sock" ] &&
    [ -S "$tmp/milter-replace.sock" ] && [ -S "$tmp/milter-envelope.sock" ]; then
	SK_CLAMD_SOCK=$tmp/clamd.sock \
	SK_MILTER_REJECT=$tmp/milter-reject.sock \
	SK_MILTER_QUARANTINE=$tmp/milter-quarantine.sock \
	SK_MILTER_REPLACE=$tmp/milter-replace.sock \
	SK_MILTER_ENVELOPE=$tmp/milter-envelope.sock \
		"$PY" "$top/ci/content-test.py" || fails=$((fails + 1))
else
	echo "FAIL: scan content-test: the milters did not come up"
	fails=$((fails + 1))
fi

# ---- clamd gone ------------------------------------------------------------
kill "$clamd_pid" 2>/dev/null
wait "$clamd_pid" 2>/dev/null
check_in_time clamd-killed 4 error "reason=" "$tmp/msg/clean.eml" \
	--clamd "$tmp/clamd.sock" --timeout 3

[ "$fails" -eq 0 ] || exit 1
exit 0
