#!/bin/sh
# yang-test.sh - the YANG model in cli/yang: every module compiles with no
# message at all, every node is described, the factory configuration and the
# good-*.json examples validate, and every bad-*.json is rejected with the
# message fragments listed, one per line, in its bad-*.expect (issue: the
# configuration and CLI, "The model"). Prints `PASS: yang ...` or
# `FAIL: yang ...: why` per check and exits non-zero on any failure.
#
# Needs yanglint (Debian package libyang2-tools) and python3; installs
# nothing itself.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
dir=$top/cli/yang
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0

fail() {
	echo "FAIL: yang $1"
	fails=$((fails + 1))
}

if ! command -v yanglint > /dev/null 2>&1; then
	echo "FAIL: yang tools: yanglint not found (install the Debian package libyang2-tools)"
	exit 1
fi
if ! command -v python3 > /dev/null 2>&1; then
	echo "FAIL: yang tools: python3 not found"
	exit 1
fi

cd "$dir" || exit 1
modules=$(ls sekimori-*.yang)

# lint NAME COMMAND... - COMMAND must succeed and print nothing on stderr.
lint() {
	name=$1
	shift
	"$@" > "$tmp/out" 2> "$tmp/err"
	rc=$?
	if [ "$rc" -ne 0 ]; then
		fail "$name: exit status $rc: $(head -c 600 "$tmp/err" | tr '\n' ' ')"
	elif [ -s "$tmp/err" ]; then
		fail "$name: messages on stderr: $(head -c 600 "$tmp/err" | tr '\n' ' ')"
	else
		echo "PASS: yang $name"
		return 0
	fi
	return 1
}

# -D: only this folder and libyang's built-in modules are searched, so a
# module lying around in the working directory cannot hide a missing import.
for m in $modules; do
	lint "module $m" yanglint -D -p "$dir" "$m"
done
# shellcheck disable=SC2086 # a list of file names without spaces
if ! lint "all modules together" yanglint -D -p "$dir" $modules; then
	echo "FAIL: yang data checks: skipped, the modules do not compile"
	exit 1
fi

# Conventions the compiler does not check: one revision 2026-11-25 (or later
# ones added on top), our namespace and prefix, and a description on every
# definition, for the CLI's `?` help is made from them.
for m in $modules; do
	yanglint -D -p "$dir" -f yin "$m" > "$tmp/$m.yin" 2>&1
done
# shellcheck disable=SC2086 # a list of file names without spaces
if python3 - "$tmp" $modules > "$tmp/conv" 2>&1 << 'EOF'
import sys
import xml.etree.ElementTree as ET

Y = '{urn:ietf:params:xml:ns:yang:yin:1}'
NEEDS = {'container', 'leaf', 'leaf-list', 'list', 'choice', 'case',
         'typedef', 'grouping', 'extension', 'identity', 'enum',
         'augment', 'rpc', 'action', 'notification', 'feature'}
bad = []
for m in sys.argv[2:]:
    root = ET.parse('%s/%s.yin' % (sys.argv[1], m)).getroot()
    name = root.get('name')
    if m != name + '.yang':
        bad.append('%s: file name does not match module %s' % (m, name))
    ns = root.find(Y + 'namespace').get('uri')
    if ns != 'urn:sekimori:yang:' + name[len('sekimori-'):]:
        bad.append('%s: namespace %s' % (m, ns))
    if not root.find(Y + 'prefix').get('value').startswith('sk-'):
        bad.append('%s: prefix does not start with sk-' % m)
    if root.find(Y + 'organization/' + Y + 'text').text != 'Sekimori':
        bad.append('%s: organization is not Sekimori' % m)
    revs = [r.get('date') for r in root.findall(Y + 'revision')]
    if not revs or revs[-1] != '2026-11-25':
        bad.append('%s: first revision is not 2026-11-25' % m)

    def walk(node, path):
        for child in node:
            tag = child.tag[len(Y):] if child.tag.startswith(Y) else None
            if tag is None:
                continue
            label = child.get('name') or child.get('target-node') or ''
            here = '%s/%s %s' % (path, tag, label)
            if tag in NEEDS and child.find(Y + 'description') is None:
                bad.append('%s: no description on%s' % (m, here))
            walk(child, here)
    walk(root, '')
for b in bad:
    print(b)
sys.exit(1 if bad else 0)
EOF
then
	echo "PASS: yang conventions (namespace, prefix, revision, descriptions)"
else
	fail "conventions: $(head -n 5 "$tmp/conv" | tr '\n' ';')"
fi

# validate FILE - yanglint with every module, as configuration data.
validate() {
	# shellcheck disable=SC2086 # a list of file names without spaces
	yanglint -D -p "$dir" -t config $modules "$1"
}

lint "factory.json validates" validate factory.json
for f in testdata/good-*.json; do
	[ -e "$f" ] || continue
	lint "$(basename "$f") validates" validate "$f"
done

nbad=0
for f in testdata/bad-*.json; do
	[ -e "$f" ] || continue
	nbad=$((nbad + 1))
	name=$(basename "$f" .json)
	exp=testdata/$name.expect
	if [ ! -s "$exp" ]; then
		fail "$name: no $exp"
		continue
	fi
	if validate "$f" > "$tmp/out" 2> "$tmp/err"; then
		fail "$name: accepted, want rejected"
		continue
	fi
	missing=
	while IFS= read -r want; do
		[ -n "$want" ] || continue
		grep -qF -- "$want" "$tmp/err" || missing="$missing \"$want\""
	done < "$exp"
	if [ -n "$missing" ]; then
		fail "$name: message lacks$missing; got: $(head -c 600 "$tmp/err" | tr '\n' ' ')"
	else
		echo "PASS: yang $name rejected"
	fi
done
if [ "$nbad" -eq 0 ]; then
	fail "bad configs: none found in cli/yang/testdata"
fi

[ "$fails" -eq 0 ]
