#!/bin/sh
# Load bench for breachscope serve: wrk on POST /api/v1/lookup (bearer key,
# bodies cycling over present and absent personnummer) against an index of
# COUNT subjects, and on GET /healthz of the same server as the ceiling, in
# one run; medians of RUNS alternating rounds. Prints requests/s, p50/p99
# latency, errors, and the ratio lookup / healthz.
#
# usage: bench/serve.sh [COUNT] [RUNS]   (defaults 1000000 and 3)
set -eu
cd "$(dirname "$0")/.."
COUNT=${1:-1000000}
RUNS=${2:-3}
DUR=${BENCH_SECONDS:-10}
CONNS=${BENCH_CONNECTIONS:-32}
BUILD=${BUILD:-build}
BS=$BUILD/breachscope
W=bench/data/serve-$COUNT
ninja -C "$BUILD" >/dev/null

if [ ! -f "$W/.filled" ]; then
	rm -rf "$W"
	mkdir -p bench/data
	"$BS" init "$W" >/dev/null
	nice "$BUILD/bench/bench-serve" "$W" "$COUNT" "$W/bodies.txt"
	cat >>"$W/breachscope.conf" <<CONF
[serve]
threads = 2
access_log = false
rate_api_per_min = 0
# wrk comes from one address: do not let the per-address guard count it.
per_ip_limit = 1000
CONF
	touch "$W/.filled"
fi
# A workspace filled before the per-key limit counted per minute.
sed -i 's/^rate_api_per_s = 0$/rate_api_per_min = 0/' "$W/breachscope.conf"
"$BS" apikey -w "$W" revoke bench >/dev/null 2>&1 || true
KEY=$("$BS" apikey -w "$W" add "bench-$$" 2>/dev/null)

"$BS" serve -w "$W" --listen 127.0.0.1:0 2>"$W/serve.log" &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; "$BS" apikey -w "$W" revoke "bench-$$" >/dev/null 2>&1' EXIT
for _ in $(seq 100); do
	PORT=$(sed -n 's/.*listening on port \([0-9]*\).*/\1/p' "$W/serve.log")
	[ -n "$PORT" ] && break
	sleep 0.1
done
URL=http://127.0.0.1:$PORT

# Server CPU time (user + system) in clock ticks, from /proc: the cost per
# request in CPU microseconds holds even when other jobs load the machine.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$PID/stat"; }
TCK=$(getconf CLK_TCK)

# wrk prints "Requests/sec: N" and, with --latency, "99% Xms"; in ms here.
run_wrk() { # name, extra args...
	name=$1
	shift
	c0=$(cpu_ticks)
	out=$(BS_API_KEY=$KEY BS_BODIES=$W/bodies.txt wrk -t2 -c"$CONNS" -d"${DUR}s" --latency "$@")
	c1=$(cpu_ticks)
	total=$(echo "$out" | awk '/requests in/ {print $1}')
	cpu_us=$(awk -v t=$((c1 - c0)) -v n="$total" -v hz="$TCK" 'BEGIN {printf "%.1f", t * 1e6 / hz / n}')
	rps=$(echo "$out" | awk '/^Requests\/sec/ {print $2}')
	p50=$(echo "$out" | awk '$1 == "50%" {print $2}')
	p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
	errs=$(echo "$out" | awk '/Non-2xx|Socket errors/ {print}' | tr '\n' ' ')
	echo "$name $rps $(to_ms "$p50") $(to_ms "$p99") $cpu_us ${errs:-none}"
}
to_ms() {
	case $1 in
	*us) echo "$1" | sed 's/us//' | awk '{printf "%.3f", $1 / 1000}' ;;
	*ms) echo "$1" | sed 's/ms//' ;;
	*s) echo "$1" | sed 's/s//' | awk '{printf "%.1f", $1 * 1000}' ;;
	*) echo "$1" ;;
	esac
}

: >"$W/results"
for i in $(seq "$RUNS"); do
	run_wrk lookup -s bench/serve-lookup.lua "$URL/api/v1/lookup" >>"$W/results"
	run_wrk healthz "$URL/healthz" >>"$W/results"
done
kill -TERM $PID
wait $PID || true
cat "$W/results"
median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
for name in lookup healthz; do
	rps=$(awk -v n=$name '$1 == n {print $2}' "$W/results" | median)
	p50=$(awk -v n=$name '$1 == n {print $3}' "$W/results" | median)
	p99=$(awk -v n=$name '$1 == n {print $4}' "$W/results" | median)
	cpu=$(awk -v n=$name '$1 == n {print $5}' "$W/results" | median)
	eval "${name}_rps=$rps ${name}_cpu=$cpu"
	printf '%-8s median %8.0f req/s  p50 %6.3f ms  p99 %7.3f ms  server CPU %6.1f us/req\n' \
		"$name" "$rps" "$p50" "$p99" "$cpu"
done
awk -v a="$lookup_rps" -v b="$healthz_rps" 'BEGIN {printf "ratio lookup / healthz: %.2f\n", a / b}'
awk -v a="$lookup_cpu" -v b="$healthz_cpu" 'BEGIN {printf "server CPU per request, lookup / healthz: %.2f; lookups per core-second: %.0f\n", a / b, 1e6 / a}'
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "index: $COUNT subjects; wrk -t2 -c$CONNS -d${DUR}s, keep-alive; server threads 2"
