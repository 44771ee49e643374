#!/bin/sh
# CLI contract of init, lookup and stats (issue 3 §1, §6): exact --json
# shapes, exit statuses, refusals, no identifier on stderr. The index is
# written by tests/lib/index-fill through the store API (pseudonyms made
# with the workspace key, as the scanner makes them).
set -u
BS=$(realpath "${BS_BUILD_ROOT:-build}/breachscope")
FILL=$(realpath "${BS_BUILD_ROOT:-build}/tests/lib/index-fill")
ROOT=${BS_SOURCE_ROOT:-.}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0

check() { # name expected actual
	if [ "$2" = "$3" ]; then
		echo "ok - $1"
	else
		echo "not ok - $1"
		echo "  expected: $2"
		echo "  actual:   $3"
		fails=$((fails + 1))
	fi
}

# --- init
W="$T/ws"
"$BS" init "$W" --org-domain kommun.example >/dev/null 2>"$T/err"
check "init exits 0" 0 $?
check "key file mode 0600" 600 "$(stat -c %a "$W/pseudonym.key")"
check "key file 32 bytes" 32 "$(stat -c %s "$W/pseudonym.key")"
check "config names the org domain" "org_domains = kommun.example" \
	"$(grep '^org_domains' "$W/breachscope.conf")"
cp "$W/pseudonym.key" "$T/key.before"
"$BS" init "$W" >/dev/null 2>"$T/err"
check "init refuses an existing workspace" 2 $?
cmp -s "$W/pseudonym.key" "$T/key.before"
check "refused init keeps the key" 0 $?

# --- vault keygen and init --vault-pubkey
"$BS" vault keygen --out "$T/dpo.key" >"$T/pub" 2>/dev/null
check "vault keygen exits 0" 0 $?
check "vault secret key mode 0600" 600 "$(stat -c %a "$T/dpo.key")"
check "public key printed and written" "$(cat "$T/pub")" "$(cat "$T/dpo.key.pub")"
"$BS" init "$T/ws2" --vault-pubkey "$T/dpo.key.pub" >/dev/null 2>&1
check "init with vault key" "public_key = $(cat "$T/pub")" \
	"$(grep '^public_key' "$T/ws2/breachscope.conf")"
echo junk >"$T/bad.pub"
"$BS" init "$T/ws3" --vault-pubkey "$T/bad.pub" >/dev/null 2>&1
check "init refuses a bad vault key" 2 $?

# --- stats on an empty index
check "stats --json empty" \
	'{"messages":{"total":0,"ok":0,"partial":0,"failed":0},"subjects":{"pnr":0,"samordningsnummer":0,"email":0,"phone":0},"occurrences":0}' \
	"$("$BS" stats -w "$W" --json)"

# --- a small synthetic index
set -- $(python3 "$ROOT/tools/synth-forms.py" 11) # canonical, long-dash, short, short-dash
PNR=$1
"$FILL" "$W" <<SPEC
message offset:0 2024-01-05T08:00:00Z ekonomi accessed ok
message offset:900 2024-03-01T10:00:00Z socialtjanst window partial
message offset:1800 2024-02-11T09:00:00Z ekonomi none ok
message offset:2700 - ekonomi window failed
occurrence pnr $PNR offset:0 body high
occurrence pnr $PNR offset:900 attachment medium
occurrence pnr $PNR offset:1800 body high
occurrence email anna.svensson@example.org offset:0 header high
category offset:0 health 2
category offset:900 health 1
category offset:900 social 3
SPEC
check "index-fill exits 0" 0 $?

check "stats --json" \
	'{"messages":{"total":4,"ok":2,"partial":1,"failed":1},"subjects":{"pnr":1,"samordningsnummer":0,"email":1,"phone":0},"occurrences":4}' \
	"$("$BS" stats -w "$W" --json)"
BREACHSCOPE_WORKSPACE="$W" "$BS" stats >"$T/out" 2>&1
check "stats finds the workspace in \$BREACHSCOPE_WORKSPACE" 0 $?
(cd "$W" && "$BS" stats --json >/dev/null 2>&1)
check "stats finds the workspace in the current directory" 0 $?

ANNA='{"found":true,"messages":2,"first":"2024-01-05","last":"2024-03-01","mailboxes":["ekonomi","socialtjanst"],"categories":{"health":2,"social":1},"exposure":{"accessed":1,"synced":0,"window":1}}'
NOBODY='{"found":false,"messages":0,"first":null,"last":null,"mailboxes":[],"categories":{},"exposure":{"accessed":0,"synced":0,"window":0}}'

# Values are normalised by ident; until its parsers recognise a kind, only
# the refusal of that kind is checked.
if "$BS" ident "$PNR" | grep -q '"valid":true'; then
	for form in "$@"; do
		check "lookup --pnr $form --json" "$ANNA" "$("$BS" lookup -w "$W" --pnr "$form" --json)"
	done
	check "lookup text" "found in 2 exposed messages, 2024-01-05 to 2024-03-01" \
		"$("$BS" lookup -w "$W" --pnr "$PNR" | head -1)"
	set -- $(python3 "$ROOT/tools/synth-forms.py" 12)
	check "lookup of an absent pnr" "$NOBODY" "$("$BS" lookup -w "$W" --pnr "$1" --json)"
else
	check "ident accepts the synthetic personnummer it is looked up by" valid "$("$BS" ident "$PNR")"
fi
if "$BS" ident anna.svensson@example.org | grep -q '"valid":true'; then
	check "lookup --email --json" '{"found":true,"messages":1,"first":"2024-01-05","last":"2024-01-05","mailboxes":["ekonomi"],"categories":{"health":1},"exposure":{"accessed":1,"synced":0,"window":0}}' \
		"$("$BS" lookup -w "$W" --email Anna.Svensson@EXAMPLE.org --json)"
else
	check "ident accepts the e-mail address it is looked up by" valid \
		"$("$BS" ident anna.svensson@example.org)"
fi

# --- refusals, and no identifier ever on stderr
"$BS" lookup -w "$W" --pnr "${PNR}9" --json >"$T/out" 2>"$T/err"
check "lookup of an invalid value exits 2" 2 $?
check "nothing on stdout for an invalid value" "" "$(cat "$T/out")"
grep -q "$PNR" "$T/err"
check "stderr does not repeat the value" 1 $?
"$BS" lookup -w "$W" --pnr "$PNR" --email a@example.org >/dev/null 2>&1
check "lookup with two values exits 2" 2 $?
"$BS" lookup -w "$T/nowhere" --pnr "$PNR" >/dev/null 2>"$T/err"
check "lookup without a workspace exits 2" 2 $?
grep -q "nowhere" "$T/err"
check "error names the directory" 0 $?
"$BS" lookup --help >/dev/null 2>&1
check "lookup --help works outside a workspace" 0 $?
mv "$W/pseudonym.key" "$T/key.moved"
"$BS" stats -w "$W" --json >/dev/null 2>"$T/err"
check "a missing key exits 2" 2 $?
grep -q "pseudonym.key" "$T/err"
check "error names the key file" 0 $?
test ! -e "$W/pseudonym.key"
check "no silent new key" 0 $?
mv "$T/key.moved" "$W/pseudonym.key"
echo "[scan]
max_depth = 99" >>"$W/breachscope.conf"
"$BS" stats -w "$W" >/dev/null 2>"$T/err"
check "bad config exits 2" 2 $?
check "config error names file, group and key" \
	"breachscope stats: $W/breachscope.conf: [scan] max_depth = 99: above the ceiling 32" \
	"$(cat "$T/err")"

echo "$fails failed"
[ "$fails" -eq 0 ]
