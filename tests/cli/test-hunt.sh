#!/bin/sh
# breachscope hunt: planted phishing found exactly (Maildir and mbox), IOC
# errors name file:line:col, quarantine -> restore is byte-identical, a
# SIGKILL at every journal step followed by a rerun loses and duplicates
# nothing, and the same over IMAP against a real Dovecot on loopback.
set -u
SRC=${BS_SOURCE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
BS=${BS_BUILD_ROOT:-$SRC/build}/breachscope
# tmpfs when there is one: the kill rounds fsync a few thousand times.
if [ -d /dev/shm ] && [ -w /dev/shm ]; then T=$(mktemp -d -p /dev/shm); else T=$(mktemp -d); fi
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

# --- 4. quarantine -> restore round trip is byte-identical ------------------
cp -a "$T/gen" "$T/orig"
NHITS=$(grep -c . "$T/gen/expected.jsonl")
for fmt in maildir mbox; do
	before=$(tree_sum "$T/gen/$fmt")
	"$BS" hunt --json --quarantine "$T/q-$fmt" --ioc "$IOC" "$T/gen/$fmt" >"$T/q.out"
	tail -1 "$T/q.out" | grep -qx "{\"hits\":$NHITS,\"quarantined\":$NHITS}" ||
		fail "$fmt quarantine: $(tail -1 "$T/q.out")"
	"$BS" hunt --json --ioc "$IOC" "$T/gen/$fmt" | tail -1 | grep -qx '{"hits":0,"quarantined":0}' ||
		fail "$fmt: hits left after quarantine"
	[ "$(grep -c '"seq"' "$T/q-$fmt/manifest")" -eq "$NHITS" ] || fail "$fmt: manifest entries"
	"$BS" hunt --json --restore "$T/q-$fmt/manifest" >"$T/r.out" || fail "$fmt restore exit $?"
	grep -qx "{\"restored\":$NHITS,\"changed\":0,\"recovered\":0}" "$T/r.out" ||
		fail "$fmt restore: $(cat "$T/r.out")"
	if [ "$(tree_sum "$T/gen/$fmt")" = "$before" ]; then
		ok "$fmt: quarantine -> restore byte-identical"
	else
		fail "$fmt: tree differs after restore"
	fi
	"$BS" hunt --json --restore "$T/q-$fmt/manifest" | grep -qx '{"restored":0,"changed":0,"recovered":0}' ||
		fail "$fmt: second restore did something"
done

# a quarantine inside the SOURCE tree is not hunted again
cp -a "$T/orig/mbox" "$T/inside"
"$BS" hunt --quarantine "$T/inside/q" --ioc "$IOC" "$T/inside" >/dev/null
"$BS" hunt --json --quarantine "$T/inside/q" --ioc "$IOC" "$T/inside" | tail -1 |
	grep -qx '{"hits":0,"quarantined":0}' && ok "quarantine inside SOURCE is skipped" ||
	fail "quarantine inside SOURCE was hunted again"

# --- 5. mbox changed between quarantine and restore ---------------------------
MB=$T/gen/mbox/alice.mbox
cp "$MB" "$T/alice.orig"
"$BS" hunt --quarantine "$T/q-chg" --ioc "$IOC" "$MB" >/dev/null
printf 'From x Mon Mar  2 08:00:00 2026\nSubject: new\n\nnew mail\n\n' >"$T/extra"
cat "$T/extra" >>"$MB"
"$BS" hunt --restore "$T/q-chg/manifest" >/dev/null || fail "restore after append"
cat "$T/alice.orig" "$T/extra" | cmp -s - "$MB" && ok "mbox appended meanwhile: restored in place" ||
	fail "mbox appended meanwhile: not original + appended"
cp "$T/alice.orig" "$MB"
"$BS" hunt --quarantine "$T/q-chg2" --ioc "$IOC" "$MB" >/dev/null
cat "$T/extra" "$MB" >"$T/pre" && cp "$T/pre" "$MB"
"$BS" hunt --json --restore "$T/q-chg2/manifest" >"$T/r.out"
changed=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["changed"])' "$T/r.out")
hits=$("$BS" hunt --json --ioc "$IOC" "$MB" | tail -1)
n=$(grep '"mailbox": "alice"' "$T/gen/expected.jsonl" | grep -c '<phish')
[ "$changed" -gt 0 ] && [ "$hits" = "{\"hits\":$n,\"quarantined\":0}" ] &&
	[ "$(grep -c '^From ' "$MB")" -eq "$(($(grep -c '^From ' "$T/alice.orig") + 1))" ] &&
	ok "mbox prepended meanwhile: every message back once ($changed at the end)" ||
	fail "mbox prepended meanwhile: changed=$changed hits=$hits"
cp "$T/alice.orig" "$MB"

# an mbox changed while a quarantine of it was interrupted: the journal is
# kept and the hunt stops (exit 2); undoing the change lets the rerun finish
rm -rf "$T/cq" && cp "$T/alice.orig" "$MB"
BS_TEST_HUNT_KILL_AFTER=2 "$BS" hunt --quarantine "$T/cq" --ioc "$IOC" "$MB" >/dev/null 2>&1
cat "$T/extra" >>"$MB"
"$BS" hunt --quarantine "$T/cq" --ioc "$IOC" "$MB" >/dev/null 2>"$T/err"
st=$?
if [ "$st" -eq 2 ] && grep -q "journal is kept" "$T/err" && [ -s "$T/cq/journal" ] &&
	[ ! -s "$T/cq/manifest" ]; then
	ok "mbox changed during an interrupted quarantine: stopped, journal kept"
else
	fail "mbox changed during an interrupted quarantine: exit $st, $(cat "$T/err")"
fi
cp "$T/alice.orig" "$MB"
"$BS" hunt --json --quarantine "$T/cq" --ioc "$IOC" "$MB" | tail -1 | grep -qx "{\"hits\":$n,\"quarantined\":$n}" &&
	[ "$(grep -c '^From ' "$T/cq/quarantine.mbox")" -eq "$n" ] &&
	ok "after undoing the change the rerun rolls back and completes" ||
	fail "rerun after undoing the change"
"$BS" hunt --restore "$T/cq/manifest" >/dev/null && cmp -s "$T/alice.orig" "$MB" ||
	fail "restore after the interrupted, changed quarantine"

# --- 6. SIGKILL after every journal step, then rerun: nothing lost or twice ----
# BS_TEST_HUNT_KILL_AFTER=N makes breachscope SIGKILL itself after N durable
# steps (test-only hook). Each N: kill the quarantine, rerun it, kill the
# restore at the same step, rerun it; the tree must come back identical.
kill_rounds() { # $1 = format
	fmt=$1
	want=$(tree_sum "$T/orig/$fmt")
	n=1
	while [ $n -lt 400 ]; do
		rm -rf "$T/k" "$T/kq"
		cp -a "$T/orig/$fmt" "$T/k"
		BS_TEST_HUNT_KILL_AFTER=$n "$BS" hunt --json --quarantine "$T/kq" --ioc "$IOC" "$T/k" \
			>/dev/null 2>&1
		qst=$?
		"$BS" hunt --json --quarantine "$T/kq" --ioc "$IOC" "$T/k" >/dev/null 2>"$T/kerr"
		"$BS" hunt --json --ioc "$IOC" "$T/k" | tail -1 | grep -qx '{"hits":0,"quarantined":0}' ||
			{ fail "$fmt kill at $n: hits left after rerun ($(cat "$T/kerr"))"; return; }
		entries=$(grep -c '"seq"' "$T/kq/manifest")
		uniq=$(grep -o '"message_id":"[^"]*"' "$T/kq/manifest" | sort -u | wc -l)
		[ "$entries" -eq "$NHITS" ] && [ "$uniq" -eq "$NHITS" ] ||
			{ fail "$fmt kill at $n: $entries manifest entries, $uniq distinct"; return; }
		if [ "$fmt" = maildir ]; then
			q=$(find "$T/kq/Maildir" -type f | wc -l)
			[ "$q" -eq "$NHITS" ] || { fail "$fmt kill at $n: $q files in quarantine"; return; }
		else
			q=$(grep -c '^From ' "$T/kq/quarantine.mbox")
			[ "$q" -eq "$NHITS" ] || { fail "$fmt kill at $n: $q in quarantine.mbox"; return; }
		fi
		BS_TEST_HUNT_KILL_AFTER=$n "$BS" hunt --restore "$T/kq/manifest" >/dev/null 2>&1
		rst=$?
		"$BS" hunt --restore "$T/kq/manifest" >/dev/null 2>"$T/kerr" ||
			{ fail "$fmt kill at $n: restore rerun failed: $(cat "$T/kerr")"; return; }
		[ "$(tree_sum "$T/k")" = "$want" ] || { fail "$fmt kill at $n: tree differs"; return; }
		[ "$qst" -ne 137 ] && [ "$rst" -ne 137 ] && break
		n=$((n + 1))
	done
	ok "$fmt: killed after each of $n steps, rerun: nothing lost, nothing twice"
}
kill_rounds maildir
kill_rounds mbox

# --- 7. IMAP: a real Dovecot on a free loopback port, its own config ----------
. "$SRC/tests/lib/dovecot.sh"
start_dovecot() { # the shared starter (tests/lib/dovecot.sh); D and PORT as used below
	dovecot_start "$T/dovecot" || return 1
	D=$DOVECOT_DIR PORT=$DOVECOT_PORT
}
load_alice() { # the generated Maildir, as files, owned as Dovecot serves them
	rm -rf "$D/mail/alice"
	cp -a "$T/orig/maildir/alice" "$D/mail/alice"
	dovecot_own
}
folder_sums() { # per folder (not quarantine): count, hash of the sorted SHA-256 of its files
	python3 -c '
import hashlib, os, sys
top = sys.argv[1]
skip = ".Breachscope-Quarantine"
for folder in sorted(["."] + [d for d in os.listdir(top) if d.startswith(".") and d != skip]):
    sums = []
    for sub in ("cur", "new"):
        d = os.path.join(top, folder, sub)
        for n in os.listdir(d) if os.path.isdir(d) else []:
            sums.append(hashlib.sha256(open(os.path.join(d, n), "rb").read()).hexdigest())
    print(folder, len(sums), hashlib.sha256("".join(sorted(sums)).encode()).hexdigest())
' "$D/mail/alice"
}
seen_count() { find "$D/mail/alice" -path '*/cur/*' -name '*:2,*S*' | wc -l; }
qstatus() {
	curl -s --url "imap://127.0.0.1:$PORT/" --user alice:alicepw \
		-X 'STATUS "Breachscope-Quarantine" (MESSAGES)' | tr -d '\r'
}
hunt_imap() { "$BS" hunt --config "$T/imap.conf" "$@"; }

if ! command -v dovecot >/dev/null 2>&1; then
	fail "dovecot is not installed (tools/install-deps installs dovecot-imapd)"
elif ! start_dovecot; then
	fail "dovecot did not start"
else
	URL="imap://alice@127.0.0.1:$PORT/"
	printf '[imap]\nmaster_user = admin\npassword = masterpw\n' >"$T/imap.conf"
	chmod 644 "$T/imap.conf"
	hunt_imap --ioc "$IOC" "$URL" >/dev/null 2>"$T/err"
	st=$?
	[ "$st" -eq 2 ] && grep -q 'readable by others' "$T/err" &&
		ok "imap: world-readable password file refused" || fail "imap: world-readable config accepted"
	chmod 600 "$T/imap.conf"
	load_alice
	grep '"mailbox": "alice"' "$T/gen/expected.jsonl" >"$T/alice.expected"
	NA=$(grep -c . "$T/alice.expected")
	hunt_imap --json --ioc "$IOC" "$URL" >"$T/imap.out"
	st=$?
	seen_before=$(seen_count)
	normalise_hits <"$T/imap.out" >"$T/imap.hits"
	if [ "$st" -eq 1 ] && cmp -s "$T/imap.hits" "$T/alice.expected"; then
		ok "imap: exactly the planted hits ($NA)"
	else
		fail "imap dry run (exit $st)"
		diff "$T/alice.expected" "$T/imap.hits" | head
	fi
	# only server-searchable indicators: UID SEARCH narrows, local match decides
	printf '{"version":1,"senders":["IT-Support@evil-phish.test"],"sender_domains":["phishdomain.test"]}' \
		>"$T/search.json"
	n=$(hunt_imap --json --ioc "$T/search.json" "$URL" | tail -1)
	want=$(grep -c '"sender:it-support@evil-phish.test"' "$T/alice.expected")
	[ "$n" = "{\"hits\":$want,\"quarantined\":0}" ] && ok "imap: server-side search path ($want)" ||
		fail "imap: server-side search path: $n"
	hunt_imap --json --ioc "$IOC" "$URL" >/dev/null
	[ "$(seen_count)" -eq "$seen_before" ] && ok "imap: dry run leaves \\Seen alone" ||
		fail "imap: dry run changed \\Seen flags"
	before=$(folder_sums)
	hunt_imap --json --quarantine "$T/iq" --ioc "$IOC" "$URL" | tail -1 |
		grep -qx "{\"hits\":$NA,\"quarantined\":$NA}" || fail "imap quarantine totals"
	hunt_imap --json --ioc "$IOC" "$URL" | tail -1 | grep -qx '{"hits":0,"quarantined":0}' ||
		fail "imap: hits left after quarantine"
	qstatus | grep -q "(MESSAGES $NA)" && ok "imap: second listing: $NA in the quarantine folder" ||
		fail "imap: quarantine folder: $(qstatus)"
	hunt_imap --json --restore "$T/iq/manifest" >"$T/r.out"
	grep -qx "{\"restored\":$NA,\"changed\":0,\"recovered\":0}" "$T/r.out" ||
		fail "imap restore: $(cat "$T/r.out")"
	if [ "$(folder_sums)" = "$before" ] && qstatus | grep -q "(MESSAGES 0)"; then
		ok "imap: quarantine -> restore gives every folder its messages back byte-identical"
	else
		fail "imap: folders differ after restore"
	fi

	# kill at each of the first steps of an IMAP quarantine and of its restore
	n=1
	while [ $n -le 8 ]; do
		rm -rf "$T/ik"
		BS_TEST_HUNT_KILL_AFTER=$n hunt_imap --quarantine "$T/ik" --ioc "$IOC" "$URL" >/dev/null 2>&1
		hunt_imap --quarantine "$T/ik" --ioc "$IOC" "$URL" >/dev/null 2>"$T/kerr"
		entries=$(grep -c '"seq"' "$T/ik/manifest")
		if ! qstatus | grep -q "(MESSAGES $NA)" || [ "$entries" -ne "$NA" ]; then
			fail "imap kill at $n: $entries entries, $(qstatus) $(cat "$T/kerr")"
			break
		fi
		BS_TEST_HUNT_KILL_AFTER=$n hunt_imap --restore "$T/ik/manifest" >/dev/null 2>&1
		if ! hunt_imap --restore "$T/ik/manifest" >/dev/null 2>"$T/kerr"; then
			fail "imap kill at $n: restore rerun: $(cat "$T/kerr")"
			break
		fi
		[ "$(folder_sums)" = "$before" ] || { fail "imap kill at $n: folders differ"; break; }
		n=$((n + 1))
	done
	[ $n -gt 8 ] && ok "imap: killed after each of the first 8 steps, rerun: nothing lost or twice"
	dovecot_stop
fi

echo "$fails failed"
[ "$fails" -eq 0 ]
