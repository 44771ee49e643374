#!/bin/sh
# breachscope serve on loopback: pages, sessions and CSRF, security headers,
# the lookup API against `lookup --json`, API keys, rate limits, the admin
# boundary, the audit chain, graceful stop, and no personal data in logs.
set -u
BS=${BS_BUILD_ROOT:-build}/breachscope
SRC=${BS_SOURCE_ROOT:-.}
T=$(mktemp -d)
PID=""
fails=0
cleanup() {
	[ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
	[ -n "${PID_B:-}" ] && kill "$PID_B" 2>/dev/null && wait "$PID_B" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
check() { # name, command...
	name=$1
	shift
	if "$@"; then echo "ok: $name"; else fail "$name"; fi
}

W=$T/ws
"$BS" init "$W" >/dev/null || { echo "init failed"; exit 1; }
PEOPLE=$(python3 "$SRC/tests/lib/seed-index.py" "$W") || { echo "seed failed"; exit 1; }
who() { echo "$PEOPLE" | python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }
FOUND=$(who found)
ABSENT=$(who absent)
SAMORD=$(who samordning)

start() { # extra options
	: >"$T/log"
	"$BS" serve -w "$W" --listen 127.0.0.1:0 "$@" 2>"$T/log" &
	PID=$!
	for _ in $(seq 50); do
		PORT=$(sed -n 's/.*listening on port \([0-9]*\).*/\1/p' "$T/log")
		[ -n "$PORT" ] && break
		sleep 0.1
	done
	[ -n "$PORT" ] || { cat "$T/log"; echo "server did not start"; exit 1; }
	B=http://127.0.0.1:$PORT
}
stop() {
	kill -TERM "$PID"
	wait "$PID"
	rc=$?
	PID=""
	return $rc
}

# --dev-login refuses a non-loopback address, before listening.
"$BS" serve -w "$W" --listen 0.0.0.0:0 --dev-login 2>"$T/err"
check "dev-login refused off loopback" [ $? -eq 2 ]
check "refusal names the reason" grep -q "loopback" "$T/err"

start --dev-login
C=$T/cookies
curl -s -D "$T/h" "$B/healthz" >"$T/b"
check "healthz answers ok" grep -qx ok "$T/b"
check "CSP header" grep -qi "^content-security-policy: default-src 'none'.*frame-ancestors 'none'" "$T/h"
check "nosniff header" grep -qi "^x-content-type-options: nosniff" "$T/h"
check "referrer policy" grep -qi "^referrer-policy: no-referrer" "$T/h"

curl -s -c "$C" -b "$C" -D "$T/h" "$B/" >"$T/home"
check "home is Swedish by default" grep -q '<html lang="sv">' "$T/home"
check "test mode banner" grep -q 'class="testmode"' "$T/home"
check "session cookie HttpOnly SameSite=Lax" grep -qi "^set-cookie: bs_sid=.*SameSite=Lax; HttpOnly" "$T/h"
check "skip link" grep -q 'href="#main"' "$T/home"
curl -s -c "$C" -b "$C" "$B/?lang=en" >"$T/en"
check "English via ?lang=en" grep -q '<html lang="en">' "$T/en"
curl -s -c "$C" -b "$C" "$B/" >"$T/en2"
check "language kept in a cookie" grep -q '<html lang="en">' "$T/en2"
curl -s -c "$C" -b "$C" "$B/?lang=sv" >/dev/null

curl -s -c "$C" -b "$C" "$B/dev-login" >"$T/dev"
CSRF=$(sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$T/dev" | head -1)
check "dev-login lists synthetic residents" grep -q "$FOUND" "$T/dev"
code=$(curl -s -o /dev/null -w '%{http_code}' -c "$C" -b "$C" -d "pnr=$FOUND" "$B/dev-login")
check "POST without CSRF token is 403" [ "$code" = 403 ]
code=$(curl -s -o /dev/null -w '%{http_code}' -c "$C" -b "$C" -d "pnr=$FOUND&csrf=00$CSRF" "$B/dev-login")
check "POST with a wrong CSRF token is 403" [ "$code" = 403 ]
curl -s -c "$C" -b "$C" -D "$T/h" -o /dev/null -d "pnr=$FOUND&csrf=$CSRF" "$B/dev-login"
check "login redirects to the answer" grep -qi "^location: /answer" "$T/h"
curl -s -c "$C" -b "$C" "$B/answer" >"$T/answer"
check "answer says found" grep -q "Ja, ditt personnummer förekommer" "$T/answer"
check "answer counts three exposed messages" grep -q "<dd>3</dd>" "$T/answer"
check "answer gives the period" grep -q "2024-03-01 – 2024-04-15" "$T/answer"
check "answer names categories in plain words" grep -q "uppgifter om hälsa" "$T/answer"
check "answer names the grade in plain words" grep -q "öppnat av angriparen" "$T/answer"
check "answer names the window grade" grep -q "i en brevlåda angriparen kunde läsa" "$T/answer"
check "answer has a case reference" grep -Eq "BS-[2-9A-Z]{4}-[2-9A-Z]{4}" "$T/answer"
check "answer never shows the Message-ID" sh -c "! grep -q 'seed0@' '$T/answer'"
check "answer leaves out grade none" sh -c "! grep -q 'brott' '$T/answer'"
REF=$(grep -Eo "BS-[2-9A-Z]{4}-[2-9A-Z]{4}" "$T/answer" | head -1)
CSRF=$(sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$T/answer" | head -1)
curl -s -c "$C" -b "$C" -o /dev/null -d "csrf=$CSRF" "$B/art15"
curl -s -c "$C" -b "$C" "$B/answer" >"$T/answer2"
check "Art. 15 request is registered" grep -q "Din begäran om kopia är registrerad" "$T/answer2"

# A resident session never opens the admin desk.
code=$(curl -s -o /dev/null -w '%{http_code}' -c "$C" -b "$C" "$B/admin/case?ref=$REF")
check "admin case with resident cookie redirects" [ "$code" = 303 ]
SID=$(awk '$6 == "bs_sid" {print $7}' "$C")
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: bs_admin=$SID" "$B/admin/export.csv")
check "resident session id as admin cookie is refused" [ "$code" = 303 ]

# The DPO desk with a local account: the high-risk list (pseudonyms and
# locators, never plaintext), and its session never opens resident pages.
echo 'correct horse battery staple' | "$BS" admin -w "$W" add dpo
CA=$T/admin-cookies
code=$(curl -s -o /dev/null -w '%{http_code}' -c "$CA" -b "$CA" "$B/admin/high-risk")
check "high-risk list without a desk session redirects" [ "$code" = 303 ]
curl -s -c "$CA" -b "$CA" "$B/admin" >"$T/alogin"
check "desk without e-ID configured offers no e-ID log-in" sh -c "! grep -q 'href=\"/admin/eid\"' '$T/alogin'"
code=$(curl -s -o /dev/null -w '%{http_code}' -c "$CA" -b "$CA" "$B/admin/eid")
check "desk e-ID log-in is 404 when not configured" [ "$code" = 404 ]
ACSRF=$(sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$T/alogin" | head -1)
curl -s -c "$CA" -b "$CA" -o /dev/null --data-urlencode "user=dpo" \
	--data-urlencode "password=correct horse battery staple" -d "csrf=$ACSRF" "$B/admin/login"
curl -s -c "$CA" -b "$CA" "$B/admin" >"$T/admin"
check "desk links the high-risk list" grep -q 'href="/admin/high-risk"' "$T/admin"
curl -s -c "$CA" -b "$CA" "$B/admin/high-risk" >"$T/risk"
PNR_PSEUD=$(sqlite3 "$W/index.sqlite" "SELECT lower(hex(pseudonym)) FROM subject WHERE kind = 'pnr'")
SAM_PSEUD=$(sqlite3 "$W/index.sqlite" "SELECT lower(hex(pseudonym)) FROM subject WHERE kind = 'samordningsnummer'")
check "high-risk list names the person by pseudonym" grep -q "$PNR_PSEUD" "$T/risk"
check "high-risk list gives the locators" grep -q "handlaggare@kommun.example offset:0 2024-03-01" "$T/risk"
check "high-risk list gives the reasons in words" grep -q "känsliga uppgifter (art. 9)" "$T/risk"
check "high-risk list says when it was made" grep -Eq "Listan togs fram [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8} UTC" "$T/risk"
check "high-risk list leaves out people below the line" sh -c "! grep -q '$SAM_PSEUD' '$T/risk'"
check "high-risk list shows no plaintext identifier" \
	sh -c "! grep -q -e '$FOUND' -e '$SAMORD' -e 'anna.prov' '$T/risk'"
ASID=$(awk '$6 == "bs_admin" {print $7}' "$CA")
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: bs_sid=$ASID" "$B/answer")
check "desk session id as resident cookie is refused" [ "$code" = 303 ]

# A person not in the index, and a samordningsnummer.
C2=$T/c2
curl -s -c "$C2" -b "$C2" "$B/dev-login" >"$T/dev2"
CSRF2=$(sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$T/dev2" | head -1)
curl -s -c "$C2" -b "$C2" -L -d "pnr=$ABSENT&csrf=$CSRF2" "$B/dev-login" >"$T/absent"
check "absent person gets no" grep -q "Nej, ditt personnummer förekommer inte" "$T/absent"
C3=$T/c3
curl -s -c "$C3" -b "$C3" "$B/dev-login?lang=en" >"$T/dev3"
CSRF3=$(sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$T/dev3" | head -1)
curl -s -c "$C3" -b "$C3" -L -d "pnr=$SAMORD&csrf=$CSRF3" "$B/dev-login" >"$T/samord"
check "samordningsnummer answer in English" grep -q "Yes, your coordination number occurs" "$T/samord"
check "synced grade in plain words" grep -q "in a folder the attacker downloaded" "$T/samord"

# The API: keys, exact lookup --json shape, errors, rate limit.
KEY=$("$BS" apikey -w "$W" add portal 2>/dev/null)
check "apikey add prints a key" sh -c "echo '$KEY' | grep -q '^bsk_'"
check "apikey list hides the key" sh -c "! '$BS' apikey -w '$W' list | grep -q '$KEY'"
code=$(curl -s -o "$T/r" -w '%{http_code}' -d "{\"pnr\":\"$FOUND\"}" "$B/api/v1/lookup")
check "API without key is 401" [ "$code" = 401 ]
curl -s -H "Authorization: Bearer $KEY" -d "{\"pnr\":\"$FOUND\"}" "$B/api/v1/lookup" >"$T/api"
"$BS" lookup -w "$W" --json --pnr "$FOUND" >"$T/cli"
check "API answer equals lookup --json" cmp -s "$T/api" "$T/cli"
curl -s -H "Authorization: Bearer $KEY" -d "{\"pnr\":\"$ABSENT\"}" "$B/api/v1/lookup" >"$T/api2"
"$BS" lookup -w "$W" --json --pnr "$ABSENT" >"$T/cli2"
check "API not-found equals lookup --json" cmp -s "$T/api2" "$T/cli2"
curl -s -H "Authorization: Bearer $KEY" -d '{"email":"Anna.Prov@Example.org"}' "$B/api/v1/lookup" >"$T/api3"
"$BS" lookup -w "$W" --json --email anna.prov@example.org >"$T/cli3"
check "API e-mail answer equals lookup --json" cmp -s "$T/api3" "$T/cli3"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $KEY" -d '{"pnr":1}' "$B/api/v1/lookup")
check "API bad body is 400" [ "$code" = 400 ]
"$BS" apikey -w "$W" revoke portal
sleep 1.1 # a valid key is cached for one second
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $KEY" -d "{\"pnr\":\"$FOUND\"}" "$B/api/v1/lookup")
check "revoked key is 401" [ "$code" = 401 ]

# Oversized body, unknown route.
head -c 70000 /dev/zero | tr '\0' a >"$T/big"
code=$(curl -s -o /dev/null -w '%{http_code}' --data-binary @"$T/big" "$B/email")
check "oversized body is refused" [ "$code" = 413 ]
code=$(curl -s -o /dev/null -w '%{http_code}' "$B/nope")
check "unknown route is 404" [ "$code" = 404 ]

stop
check "SIGTERM stops with status 0" [ $? -eq 0 ]
check "access log has lines" grep -q "access method=GET route=/answer status=200" "$T/log"
check "no personnummer in the log" sh -c "! grep -q -e '$FOUND' -e '$ABSENT' -e '$SAMORD' -e '${FOUND#19}' '$T/log'"
check "no query string in the log" sh -c "! grep -q 'lang=' '$T/log'"
check "no API key in the log" sh -c "! grep -q '$KEY' '$T/log'"

# Two servers on one workspace share their sessions (no sticky sessions at
# the load balancer): log in on one, go on at the other, log out there.
start --dev-login
PID_A=$PID
BA=$B
"$BS" serve -w "$W" --listen 127.0.0.1:0 --dev-login 2>"$T/log2" &
PID_B=$!
for _ in $(seq 50); do
	PORT_B=$(sed -n 's/.*listening on port \([0-9]*\).*/\1/p' "$T/log2")
	[ -n "$PORT_B" ] && break
	sleep 0.1
done
BB=http://127.0.0.1:$PORT_B
C5=$T/c5
curl -s -c "$C5" -b "$C5" "$BA/dev-login" >"$T/devA"
CSRF5=$(sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$T/devA" | head -1)
curl -s -c "$C5" -b "$C5" -o /dev/null -d "pnr=$FOUND&csrf=$CSRF5" "$BA/dev-login"
curl -s -c "$C5" -b "$C5" "$BB/answer" >"$T/answerB"
check "a log-in on one server holds on the other" grep -q "Ja, ditt personnummer förekommer" "$T/answerB"
CSRF6=$(sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$T/answerB" | head -1)
code=$(curl -s -o /dev/null -w '%{http_code}' -c "$C5" -b "$C5" -d "csrf=$CSRF6" "$BA/art15")
check "a form served by one server posts to the other" [ "$code" = 303 ]
curl -s -c "$C5" -b "$C5" -o /dev/null -d "csrf=$CSRF6" "$BB/logout"
code=$(curl -s -o /dev/null -w '%{http_code}' -c "$C5" -b "$C5" "$BA/answer")
check "a log-out on one server ends the session on the other" [ "$code" = 303 ]
kill -TERM "$PID_B"
wait "$PID_B"
rc=$?
PID_B=""
check "second server stops with status 0" [ $rc -eq 0 ]
stop

# HTTPS from the config: Secure cookies and HSTS.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
	-subj /CN=127.0.0.1 -keyout "$T/key.pem" -out "$T/cert.pem" 2>/dev/null
cp "$W/breachscope.conf" "$T/plain.conf"
printf '[serve]\ntls_cert = %s\ntls_key = %s\n' "$T/cert.pem" "$T/key.pem" >>"$W/breachscope.conf"
start
curl -sk -D "$T/h" -o "$T/b" "https://127.0.0.1:$PORT/"
check "HTTPS serves the start page" grep -q '<html lang="sv">' "$T/b"
check "HTTPS cookie is Secure" grep -qi "^set-cookie: bs_sid=.*HttpOnly; Secure" "$T/h"
check "HSTS under TLS" grep -qi "^strict-transport-security: max-age=" "$T/h"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/healthz")
check "plain HTTP on the TLS port fails" [ "$code" != 200 ]
stop
cp "$T/plain.conf" "$W/breachscope.conf"

# X-Forwarded-For counts only from a configured proxy: without one, a forged
# header does not escape the per-address limit.
printf '[serve]\nrate_ip_per_min = 1\n' >>"$W/breachscope.conf"
start
: >"$T/codes"
for i in $(seq 20); do
	curl -s -o /dev/null -w '%{http_code}\n' -H "X-Forwarded-For: 192.0.2.$i" "$B/login" >>"$T/codes"
done
check "forged X-Forwarded-For is ignored (429 reached)" grep -q 429 "$T/codes"
stop
cp "$T/plain.conf" "$W/breachscope.conf"

# The per-key API limit: one call a minute leaves no room for timing (the
# next token is a minute away however slow this machine is): the first
# call passes, every other one is 429 with a Retry-After.
printf '[serve]\nrate_api_per_min = 1\n' >>"$W/breachscope.conf"
KEY2=$("$BS" apikey -w "$W" add limited 2>/dev/null)
start
: >"$T/codes"
: >"$T/h429"
for _ in $(seq 5); do
	curl -s -D "$T/hdr" -o /dev/null -w '%{http_code}\n' -H "Authorization: Bearer $KEY2" \
		-d "{\"pnr\":\"$FOUND\"}" "$B/api/v1/lookup" >>"$T/codes"
	grep -qi "^HTTP/1.1 429" "$T/hdr" && cat "$T/hdr" >>"$T/h429"
done
check "API rate limit: first call passes, the next four are 429" \
	[ "$(tr '\n' ' ' <"$T/codes")" = "200 429 429 429 429 " ]
check "429 carries Retry-After" grep -qi "^retry-after: [0-9]" "$T/h429"
check "429 is JSON on the API" sh -c "curl -s -H 'Authorization: Bearer $KEY2' -d '{}' '$B/api/v1/lookup' | grep -q rate"
stop
cp "$T/plain.conf" "$W/breachscope.conf"

# Slow clients: idle connections up to the per-address limit lock that
# address out only until the timeout closes them.
printf '[serve]\nper_ip_limit = 4\ntimeout_s = 2\n' >>"$W/breachscope.conf"
start
python3 - "$PORT" "$T/held" <<'PY' &
import socket, sys, time
socks = [socket.create_connection(("127.0.0.1", int(sys.argv[1]))) for _ in range(4)]
open(sys.argv[2], "w").close()
time.sleep(6)
PY
HOLD=$!
for _ in $(seq 50); do [ -f "$T/held" ] && break; sleep 0.1; done
sleep 0.2
code=$(curl -s -m 2 -o /dev/null -w '%{http_code}' "$B/healthz")
check "idle connections at the per-address limit refuse more" [ "$code" != 200 ]
sleep 3
code=$(curl -s -m 2 -o /dev/null -w '%{http_code}' "$B/healthz")
check "the timeout frees them" [ "$code" = 200 ]
wait $HOLD
stop
cp "$T/plain.conf" "$W/breachscope.conf"

# The audit chain: intact, then tampered.
"$BS" audit -w "$W" verify >"$T/audit"
check "audit chain intact" grep -q "audit chain intact" "$T/audit"
check "audit holds no personnummer" sh -c "! sqlite3 '$W/index.sqlite' 'SELECT * FROM audit' | grep -q '$FOUND'"
n=$(sqlite3 "$W/index.sqlite" "SELECT count(*) FROM audit WHERE action IN ('login','lookup','api.lookup','art15','api.denied')")
check "logins, lookups and API calls are audited" [ "$n" -ge 8 ]
sqlite3 "$W/index.sqlite" "DROP TRIGGER audit_no_update; UPDATE audit SET detail = 'x' WHERE seq = 3"
"$BS" audit -w "$W" verify >"$T/audit2"
check "tampered chain exits 1" [ $? -eq 1 ]
check "tampered chain names entry 3" grep -q "broken at entry 3" "$T/audit2"

[ $fails -eq 0 ] || { echo "$fails failed"; exit 1; }
echo "all passed"
