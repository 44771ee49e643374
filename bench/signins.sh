#!/bin/sh
# bench/signins.sh [BYTES] [RUNS]: a 1 GB Entra ID sign-in export through
# `breachscope signins`, bounded memory, against named peers on the same
# records in the same invocation. The export is a Graph JSON array, one
# record per line (tools/gen-signins.py --bench-bytes: the synthetic tenant
# with its attacker, again and again); an NDJSON copy is cut from it by sed.
#   breachscope (array)   signins --ioc: every pass, rules, scope file
#   breachscope (ndjson)  the same on the NDJSON copy
#   python3 lines         json.loads of each line of the array file and a test
#                         of status.errorCode: the streaming way to read it
#   jq -c                 one filter per NDJSON record (select success, print UPN)
# Prints medians of CPU seconds (user + system: the machine is shared, so wall
# time says more about the neighbours), MB/s of CPU time, wall seconds and
# peak RSS (/usr/bin/time -v), and the throughput ratios against
# breachscope (array). Files are generated once
# into $BENCH_DIR (default /tmp/bs-bench-signins) and reused.
set -eu
cd "$(dirname "$0")/.."
BYTES=${1:-1073741824}
RUNS=${2:-3}
DIR=${BENCH_DIR:-/tmp/bs-bench-signins}
BIN=build/breachscope
FILE=$DIR/signins-$BYTES.json
ND=$DIR/signins-$BYTES.ndjson
mkdir -p "$DIR"
[ -x "$BIN" ] || { echo "build first: ninja -C build" >&2; exit 2; }
if [ ! -f "$FILE" ]; then
	echo "generating $FILE ..." >&2
	nice python3 tools/gen-signins.py --bench-bytes "$BYTES" "$FILE"
fi
[ -f "$ND" ] || sed -e '1d' -e '$d' -e 's/,$//' "$FILE" >"$ND"
size=$(stat -c %s "$FILE")
python3 tools/gen-signins.py --seed 5 "$DIR/small" >/dev/null
PY='import json,sys
n = 0
for line in open(sys.argv[1], encoding="utf-8"):
    line = line.strip().rstrip(",")
    if line in ("[", "]", ""):
        continue
    r = json.loads(line)
    n += r["status"]["errorCode"] == 0
print(n)'

measure() { # name, command...: prints "name cpu_seconds peak_kb wall_seconds" per run
	name=$1
	shift
	i=0
	while [ "$i" -lt "$RUNS" ]; do
		/usr/bin/time -v -o "$DIR/time.txt" nice "$@" >/dev/null 2>"$DIR/err.txt" || true
		wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$DIR/time.txt")
		rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$DIR/time.txt")
		secs=$(echo "$wall" | awk -F: '{ if (NF == 3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
		cpu=$(awk -F': ' '/User time|System time/ { s += $2 } END { print s }' "$DIR/time.txt")
		echo "$name $cpu $rss $secs"
		i=$((i + 1))
	done
}

median() { # stdin: numbers; prints the median
	sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

{
	measure breachscope-array "$BIN" signins --ioc "$DIR/small/ioc.json" --out "$DIR/scope.json" "$FILE"
	measure breachscope-ndjson "$BIN" signins --ioc "$DIR/small/ioc.json" --out "$DIR/scope2.json" "$ND"
	measure python3-lines python3 -c "$PY" "$FILE"
	if command -v jq >/dev/null; then
		measure jq-ndjson jq -c 'select(.status.errorCode == 0) | .userPrincipalName' "$ND"
	fi
} >"$DIR/runs.txt"

echo "file: $FILE ($size bytes), $RUNS runs each, medians"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {print $2 " kB"}' /proc/meminfo), $(uname -sr)"
printf '%-20s %10s %10s %10s %12s\n' tool cpu_s MB/s wall_s peak_RSS_MB
base=""
for t in breachscope-array breachscope-ndjson python3-lines jq-ndjson; do
	grep -q "^$t " "$DIR/runs.txt" || continue
	s=$(grep "^$t " "$DIR/runs.txt" | awk '{print $2}' | median)
	r=$(grep "^$t " "$DIR/runs.txt" | awk '{print $3}' | median)
	w=$(grep "^$t " "$DIR/runs.txt" | awk '{print $4}' | median)
	mbs=$(awk -v b="$size" -v s="$s" 'BEGIN { printf "%.1f", b / 1048576 / s }')
	printf '%-20s %10s %10s %10s %12s\n' "$t" "$s" "$mbs" "$w" "$(awk -v r="$r" 'BEGIN { printf "%.0f", r / 1024 }')"
	if [ -z "$base" ]; then base=$s; else
		echo "  throughput ratio breachscope-array / $t: $(awk -v a="$base" -v b="$s" 'BEGIN { printf "%.2fx", b / a }')"
	fi
done
