#!/bin/sh
# pgstore: the index in PostgreSQL, on a real server of the test's own
# (tests/lib/pg-start.sh: Unix socket in a temp dir). init --store-dsn,
# two scanners in parallel (scan --shard 1/2 and 2/2) into one database,
# then stats, lookup and report --json equal those of one SQLite scan of the
# same input, and so do notify-list (the vault through PostgreSQL) and the
# e-service's API; no row twice; a re-run changes nothing; a shard killed
# with SIGKILL and run again ends with the same answers; the DSN's password
# is never shown. Skips (77) only when the PostgreSQL binaries are missing and
# BS_REQUIRE_PG is not 1 (tools/test sets it).
set -u
ROOT=${BS_SOURCE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
BS=${BS_BUILD_ROOT:-$ROOT/build}/breachscope
T=$(mktemp -d)
PGD=$(mktemp -d /tmp/bs-pg-XXXXXX)
trap 'sh "$ROOT/tests/lib/pg-stop.sh" "$PGD"; rm -rf "$T"' EXIT
fail() {
	echo "FAIL: $*"
	exit 1
}
"$BS" scan --help >/dev/null 2>&1 || { echo "scan not built: skip"; exit 77; }

st=0
DSN=$(sh "$ROOT/tests/lib/pg-start.sh" "$PGD" $$ 2>"$T/pg.err") || st=$?
if [ "$st" -eq 77 ]; then
	[ "${BS_REQUIRE_PG:-}" = 1 ] && fail "BS_REQUIRE_PG=1 but $(cat "$T/pg.err")"
	echo "skip: $(cat "$T/pg.err")"
	exit 77
fi
[ "$st" -eq 0 ] || fail "pg-start.sh: $(cat "$T/pg.err")"
PSQL="$(cat "$PGD/bin")/psql"
pg() { "$PSQL" -X -q -t -A -d "$DSN" -c "$1"; }

python3 "$ROOT/tools/gen-mailboxes.py" --seed 23 --size small --out "$T/inc" >/dev/null
SOURCES=$(ls -d "$T/inc/mailboxes"/*)
SCOPE="$T/inc/scope.json"

echo "# one SQLite scan: the reference"
"$BS" vault keygen --out "$T/dpo.key" >/dev/null 2>&1 || fail "vault keygen"
"$BS" init "$T/lite" --org-domain kommun.example --vault-pubkey "$T/dpo.key.pub" >/dev/null ||
	fail "init sqlite"
# shellcheck disable=SC2086
"$BS" scan -w "$T/lite" --scope "$SCOPE" $SOURCES >/dev/null 2>"$T/lite.err" ||
	[ $? -eq 1 ] || fail "sqlite scan: $(cat "$T/lite.err")"

echo "# init --store-dsn, then two shard scanners at once into one database"
"$BS" init "$T/pg" --org-domain kommun.example --vault-pubkey "$T/dpo.key.pub" \
	--store-dsn "$DSN" >"$T/init.out" ||
	fail "init --store-dsn"
grep -q "backend = postgresql" "$T/pg/breachscope.conf" || fail "config has no backend"
[ "$(pg "SELECT version FROM schema_version")" -ge 3 ] || fail "no schema version"
"$BS" init "$T/again" --store-dsn "$DSN" >/dev/null 2>"$T/again.err" &&
	fail "init into a database that holds an index"
grep -q "holds a breachscope index already" "$T/again.err" || fail "$(cat "$T/again.err")"
[ ! -e "$T/again/pseudonym.key" ] || fail "a refused init left a key behind"
cp "$T/lite/pseudonym.key" "$T/pg/pseudonym.key" # the same pseudonyms, to compare
run_shard() {
	# shellcheck disable=SC2086
	"$BS" scan -w "$T/pg" --scope "$SCOPE" --shard "$1" --json $SOURCES >"$T/shard$2.json" \
		2>"$T/shard$2.err"
	echo $? >"$T/shard$2.st"
}
run_shard 1/2 1 &
run_shard 2/2 2 &
wait
for k in 1 2; do
	[ "$(cat "$T/shard$k.st")" -le 1 ] || fail "shard $k: $(cat "$T/shard$k.err")"
done
python3 - "$T/shard1.json" "$T/shard2.json" "$T/inc/truth.json" <<'PY' || fail "shards did not split the work"
import json, sys
a, b, t = (json.load(open(p)) for p in sys.argv[1:])
sa, sb = a["messages"]["scanned"], b["messages"]["scanned"]
assert sa > 0 and sb > 0 and sa + sb == len(t["messages"]), (sa, sb, len(t["messages"]))
PY

same() { # what, command args...: the SQLite and PostgreSQL workspaces answer alike
	what=$1
	shift
	"$BS" "$@" -w "$T/lite" >"$T/a.json" 2>"$T/a.err"
	sa=$?
	"$BS" "$@" -w "$T/pg" >"$T/b.json" 2>"$T/b.err"
	sb=$?
	[ "$sa" -eq "$sb" ] || fail "$what: exit $sa (sqlite) but $sb (postgresql): $(cat "$T/b.err")"
	cmp -s "$T/a.json" "$T/b.json" ||
		fail "$what differs: $(diff "$T/a.json" "$T/b.json" | head -5)"
	echo "ok - $what"
}
check_all() {
	same "stats --json" stats --json
	same "report --json" report --json --scope "$SCOPE"
	python3 - "$T/inc/truth.json" >"$T/who" <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))
for r in t["residents"][:12]:
    print("--pnr", r["written"])
    if r.get("email"):
        print("--email", r["email"])
print("--email", "nobody.at.all@example.com")
PY
	found=0
	while read -r opt value; do
		same "lookup $opt (resident)" lookup --json "$opt" "$value"
		grep -q '"found":true' "$T/b.json" && found=$((found + 1))
	done <"$T/who"
	[ "$found" -ge 6 ] || fail "only $found residents found: the comparison says little"
}
# The e-service's cases stay in the workspace's SQLite file: report counts
# them there for either backend.
seed_case() {
	sqlite3 "$T/$1/index.sqlite" "INSERT INTO request(ref, opened, deadline, channel,
		subject_kind, pseudonym, found) VALUES ('BS-TEST-0001', '2026-11-20T10:00:00Z',
		'2026-12-20', 'dev', 'pnr', x'00', 1)" || fail "seed a case ($1)"
}
seed_case lite
seed_case pg
check_all
"$BS" report --json -w "$T/pg" 2>/dev/null | grep -q '"cases":{"total":1,' ||
	fail "report does not count the e-service's case"

echo "# notify-list opens the same vault entries"
for w in lite pg; do
	"$BS" notify-list -w "$T/$w" --vault-key "$T/dpo.key" --out "$T/$w.csv" >/dev/null \
		2>"$T/$w.nerr" || fail "notify-list ($w): $(cat "$T/$w.nerr")"
done
cmp -s "$T/lite.csv" "$T/pg.csv" || fail "notify-list differs: $(diff "$T/lite.csv" "$T/pg.csv" | head -3)"
[ "$(wc -l <"$T/pg.csv")" -gt 10 ] || fail "notify-list is nearly empty"
echo "ok - notify-list"

echo "# the e-service answers from PostgreSQL"
KEY=$("$BS" apikey -w "$T/pg" add portal 2>/dev/null) || fail "apikey add"
"$BS" serve -w "$T/pg" --listen 127.0.0.1:0 2>"$T/serve.log" &
SERVE=$!
PORT=""
for _ in $(seq 100); do
	PORT=$(sed -n 's/.*listening on port \([0-9]*\).*/\1/p' "$T/serve.log")
	[ -n "$PORT" ] && break
	sleep 0.1
done
[ -n "$PORT" ] || fail "serve did not start: $(cat "$T/serve.log")"
PNR=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["residents"][0]["written"])' \
	"$T/inc/truth.json")
curl -s -H "Authorization: Bearer $KEY" -d "{\"pnr\":\"$PNR\"}" \
	"http://127.0.0.1:$PORT/api/v1/lookup" >"$T/api.json"
kill -TERM "$SERVE"
wait "$SERVE"
"$BS" lookup -w "$T/lite" --json --pnr "$PNR" >"$T/cli.json"
cmp -s "$T/api.json" "$T/cli.json" || fail "API $(cat "$T/api.json") vs lookup $(cat "$T/cli.json")"
grep -q '"found":true' "$T/api.json" || fail "the API found nobody"
echo "ok - serve API"

echo "# no row twice"
lite_count() { sqlite3 "$T/lite/index.sqlite" "$1"; }
for q in "SELECT count(*) FROM message" "SELECT count(*) FROM subject" \
	"SELECT count(*) FROM occurrence" "SELECT sum(count) FROM occurrence" \
	"SELECT count(*) FROM message_category" "SELECT count(*) FROM subject_fact" \
	"SELECT count(*) FROM source" "SELECT count(*) FROM vault"; do
	[ "$(lite_count "$q")" = "$(pg "$q")" ] || fail "$q: $(lite_count "$q") vs $(pg "$q")"
done
[ "$(pg "SELECT count(*) FROM (SELECT kind, pseudonym FROM subject GROUP BY 1, 2 HAVING count(*) > 1) d")" = 0 ] ||
	fail "a subject twice"

echo "# both shards again: nothing changes"
pg "SELECT count(*), sum(count) FROM occurrence" >"$T/before"
run_shard 2/2 1
run_shard 1/2 2
pg "SELECT count(*), sum(count) FROM occurrence" >"$T/after"
cmp -s "$T/before" "$T/after" || fail "a re-run changed the index"
check_all

echo "# a shard killed with SIGKILL mid-scan, then both run: the same answers"
pg "CREATE DATABASE killed" >/dev/null || fail "create database"
DSN2=$(echo "$DSN" | sed 's|/postgres?|/killed?|')
"$BS" init "$T/pg2" --org-domain kommun.example --vault-pubkey "$T/dpo.key.pub" \
	--store-dsn "$DSN2" >/dev/null || fail "init the second database"
cp "$T/lite/pseudonym.key" "$T/pg2/pseudonym.key"
seed_case pg2
# shellcheck disable=SC2086
"$BS" scan -w "$T/pg2" --scope "$SCOPE" --shard 1/2 $SOURCES >/dev/null 2>&1 &
VICTIM=$!
for _ in $(seq 200); do
	n=$("$PSQL" -X -q -t -A -d "$DSN2" -c "SELECT count(*) FROM message" 2>/dev/null || echo 0)
	[ "${n:-0}" -gt 20 ] && break
	sleep 0.05
done
kill -KILL "$VICTIM" 2>/dev/null
wait "$VICTIM" 2>/dev/null
echo "  killed after ${n:-0} messages"
for k in 1/2 2/2; do
	# shellcheck disable=SC2086
	"$BS" scan -w "$T/pg2" --scope "$SCOPE" --shard "$k" $SOURCES >/dev/null 2>"$T/k.err" ||
		[ $? -eq 1 ] || fail "shard $k after the kill: $(cat "$T/k.err")"
done
for what in "stats --json" "report --json --scope $SCOPE"; do
	# shellcheck disable=SC2086
	"$BS" $what -w "$T/lite" >"$T/a.json" 2>/dev/null
	# shellcheck disable=SC2086
	"$BS" $what -w "$T/pg2" >"$T/b.json" 2>/dev/null
	cmp -s "$T/a.json" "$T/b.json" || fail "after the kill, $what differs"
done
"$BS" notify-list -w "$T/pg2" --vault-key "$T/dpo.key" --out "$T/pg2.csv" >/dev/null 2>&1 ||
	fail "notify-list after the kill (a subject left unsealed?)"
cmp -s "$T/lite.csv" "$T/pg2.csv" || fail "after the kill, notify-list differs"
echo "ok - killed shard"

echo "# the password never shows"
sock=$(echo "$DSN" | sed 's/.*?//')
"$BS" init "$T/bad" --store-dsn "postgresql://nobody:Sekr1tPw@/nodb?$sock&password=Sekr2tPw" \
	>"$T/bad.out" 2>"$T/bad.err" && fail "init against a missing database"
cat "$T/bad.out" "$T/bad.err" | grep -q "Sekr" && fail "the password was shown: $(cat "$T/bad.err")"
grep -q "nobody:\*\*\*@" "$T/bad.err" || fail "the error names no database: $(cat "$T/bad.err")"
"$BS" init "$T/bad2" --store-dsn "host=x password=Sekr3tPw" >/dev/null 2>"$T/bad2.err" &&
	fail "a key=value DSN was taken"
grep -q "Sekr" "$T/bad2.err" && fail "the password was shown: $(cat "$T/bad2.err")"
echo "ok - pgstore"
