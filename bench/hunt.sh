#!/bin/sh
# bench/hunt.sh [NORMAL_PER_USER] [RUNS]: a dry-run hunt over a synthetic
# campaign (tools/gen-phish.py: 3 mailboxes, NORMAL_PER_USER normal messages
# each, the planted phishing among them) as mbox files and as Maildirs,
# against named peers on the same files in the same invocation:
#   breachscope (mbox)     hunt --json with every indicator kind of the IOC
#   breachscope (maildir)  the same on the Maildir copy
#   python3 email          the script an administrator would write: stdlib
#                          mailbox.mbox + email.policy.default, the same IOC
#                          (addresses, domains, regexes, URLs in decoded text
#                          parts, attachment SHA-256, Message-ID)
#   grep -c                one fixed string over the raw mbox bytes: the
#                          ceiling of reading the files, no decoding at all
# Prints median wall seconds, messages/s and the ratios against breachscope
# (mbox). Files go to $BENCH_DIR (default /tmp/bs-bench-hunt), reused.
set -eu
cd "$(dirname "$0")/.."
NORMAL=${1:-20000}
RUNS=${2:-3}
DIR=${BENCH_DIR:-/tmp/bs-bench-hunt}/n$NORMAL
BIN=build/breachscope
[ -x "$BIN" ] || { echo "build first: ninja -C build" >&2; exit 2; }
if [ ! -f "$DIR/ioc.json" ]; then
	echo "generating $DIR ..." >&2
	nice python3 tools/gen-phish.py "$DIR" --normal "$NORMAL" >/dev/null
fi
msgs=$("$BIN" hunt --ioc "$DIR/ioc.json" "$DIR/mbox" | tail -1 | sed 's/.* in \([0-9]*\) messages.*/\1/')
bytes=$(cat "$DIR"/mbox/*.mbox "$DIR"/mbox/*/*.mbox | wc -c)
PY='import email, email.policy, hashlib, json, mailbox, re, sys
ioc = json.load(open(sys.argv[1]))
senders = set(ioc["senders"]); sdoms = set(ioc["sender_domains"])
subj = [re.compile(p) for p in ioc["subjects"]]
names = [re.compile(p) for p in ioc["display_names"]]
urls = ioc["urls"]; doms = set(ioc["domains"]); shas = set(ioc["attachment_sha256"])
mids = set(ioc["message_ids"]); url_re = re.compile(r"[a-z][a-z0-9+.-]*://[^\s<>\"\x27]+", re.I)
def covers(host, ds):
    parts = host.split(".")
    return any(".".join(parts[i:]) in ds for i in range(len(parts)))
hits = 0
for path in sys.argv[2:]:
    for m in mailbox.mbox(path, factory=lambda f: email.message_from_binary_file(f, policy=email.policy.default)):
        hit = False
        for h in ("From", "Sender", "Return-Path"):
            for a in getattr(m[h], "addresses", ()):
                addr = a.addr_spec.lower()
                hit |= addr in senders or covers(addr.rsplit("@", 1)[-1], sdoms)
                hit |= any(r.search(a.display_name or "") for r in names)
        hit |= any(r.search(str(m["Subject"] or "")) for r in subj)
        hit |= str(m["Message-ID"] or "") in mids
        for part in m.walk():
            if part.is_multipart():
                continue
            data = part.get_payload(decode=True) or b""
            hit |= hashlib.sha256(data).hexdigest() in shas
            if part.get_content_maintype() == "text":
                for u in url_re.findall(part.get_content()):
                    host = u.split("://", 1)[1].split("/", 1)[0].split(":")[0].lower()
                    hit |= any(u.lower().startswith(x) for x in urls) or covers(host, doms)
        hits += hit
print(hits)'
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
timeit() { # prints median wall seconds of RUNS runs of "$@" (output discarded)
	for _ in $(seq "$RUNS"); do
		s=$(date +%s.%N)
		"$@" >/dev/null 2>&1 || true
		e=$(date +%s.%N)
		echo "$e - $s" | bc
	done | median
}
mboxes=$(ls "$DIR"/mbox/*.mbox "$DIR"/mbox/*/*.mbox)
t_mbox=$(timeit nice "$BIN" hunt --json --ioc "$DIR/ioc.json" "$DIR/mbox")
t_mdir=$(timeit nice "$BIN" hunt --json --ioc "$DIR/ioc.json" "$DIR/maildir")
# shellcheck disable=SC2086
t_py=$(timeit nice python3 -c "$PY" "$DIR/ioc.json" $mboxes)
# shellcheck disable=SC2086
t_grep=$(timeit nice grep -c -F evil-phish.test $mboxes)
hits=$("$BIN" hunt --json --ioc "$DIR/ioc.json" "$DIR/mbox" | tail -1)
# shellcheck disable=SC2086
pyhits=$(python3 -c "$PY" "$DIR/ioc.json" $mboxes)
echo "hunt over $msgs messages, $bytes bytes of mbox; $RUNS runs, medians"
echo "breachscope: $hits; python3 email: $pyhits hits"
printf '%-24s %10s %12s %8s\n' "tool" "seconds" "messages/s" "ratio"
row() { printf '%-24s %10.3f %12.0f %8.2f\n' "$1" "$2" "$(echo "$msgs / $2" | bc -l)" \
	"$(echo "$t_mbox / $2" | bc -l)"; }
row "breachscope (mbox)" "$t_mbox"
row "breachscope (maildir)" "$t_mdir"
row "python3 email" "$t_py"
row "grep -c (raw bytes)" "$t_grep"
echo "ratio = breachscope (mbox) seconds / tool seconds (above 1: tool is faster)"
