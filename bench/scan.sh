#!/bin/sh
# Bench: breachscope scan of a generated Maildir (>= 200 MB) with 1 and 2
# threads against `notmuch new` (GMime + Xapian) on the same Maildir, in
# the same run; medians of RUNS. Then peak RSS of a scan of a 2 GB mbox
# (and of a 200 MB one, to show it does not grow with the file).
#
#   bench/scan.sh [MEGABYTES] [RUNS]     (defaults 210 and 3)
#
# Floors (issue 3): >= 60 MB/s per core, >= 4x notmuch, 2 threads >= 1.7x
# one thread, 2 GB mbox under 200 MiB peak RSS (BENCH_RSS_MB sets the small mbox;
# the large one is ten copies). Prints a PASS/FAIL line per
# floor; exit 1 when one fails. Work files go to $BENCH_TMP (default /tmp).
# BENCH_RT=1 runs every timed contender under SCHED_FIFO (chrt -f 1, root):
# on a machine shared with other sessions their load otherwise decides the
# wall-clock figures (it stalls them for the seconds each run takes).
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BS=${BS:-$ROOT/build/breachscope}
MB=${1:-210}
RUNS=${2:-3}
RT=
[ "${BENCH_RT:-0}" = 1 ] && RT="chrt -f 1"
T=$(mktemp -d "${BENCH_TMP:-/tmp}/bs-bench-XXXXXX")
trap 'rm -rf "$T"' EXIT
[ -x "$BS" ] || { echo "bench: build first (ninja -C build)"; exit 2; }
"$BS" scan --help >/dev/null 2>&1 || { echo "bench: this build has no scan (detect missing)"; exit 2; }

echo "== generating a ${MB} MB Maildir incident (seed 7)"
python3 "$ROOT/tools/gen-mailboxes.py" --seed 7 --format maildir --megabytes "$MB" \
	--no-truth --out "$T/inc" >"$T/gen.json"
BOX="$T/inc/mailboxes"
BYTES=$(find "$BOX" -type f | xargs cat | wc -c)
COUNT=$(find "$BOX" -type f | wc -l)
echo "   $COUNT messages, $BYTES bytes"
find "$BOX" -type f | xargs cat >/dev/null # page cache warm for every contender

median() { # $1 = column
	awk -v c="$1" '{print $c}' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}
secs() { # runs "$@"; prints "wall-seconds cpu-seconds"; a fatal exit (> 1) stops the bench
	st=0
	$RT /usr/bin/time -f "%e %U %S" -o "$T/time1" "$@" >/dev/null 2>"$T/err" || st=$?
	if [ "$st" -gt 1 ]; then
		echo "bench: $1 failed with status $st: $(cat "$T/err")" >&2
		exit 2
	fi
	awk '{printf "%.3f %.3f\n", $1, $2 + $3}' "$T/time1"
}
scan_once() { # $1 = threads
	rm -rf "$T/ws"
	"$BS" init "$T/ws" --org-domain kommun.example >/dev/null
	secs "$BS" scan -w "$T/ws" --threads "$1" "$BOX"/*
}
notmuch_once() {
	rm -rf "$BOX/.notmuch" "$T/nm-db"
	printf '[database]\npath=%s\n[user]\nname=Bench\nprimary_email=bench@kommun.example\n[new]\ntags=new\n[search]\nexclude_tags=\n[maildir]\nsynchronize_flags=false\n' \
		"$BOX" >"$T/notmuch-config"
	NOTMUCH_CONFIG="$T/notmuch-config" secs notmuch new --quiet
}

: >"$T/t1"; : >"$T/t2"; : >"$T/tn"
for r in $(seq "$RUNS"); do
	scan_once 1 >>"$T/t1"
	scan_once 2 >>"$T/t2"
	notmuch_once >>"$T/tn"
	echo "   run $r (wall cpu s): scan-1t $(tail -1 "$T/t1"), scan-2t $(tail -1 "$T/t2"), notmuch $(tail -1 "$T/tn")"
done
T1=$(median 1 <"$T/t1"); T2=$(median 1 <"$T/t2"); TN=$(median 1 <"$T/tn")
C1=$(median 2 <"$T/t1"); C2=$(median 2 <"$T/t2"); CN=$(median 2 <"$T/tn")

RESULT=0
floor() { # name value op limit
	if awk -v v="$2" -v l="$4" "BEGIN {exit !(v $3 l)}"; then
		echo "PASS $1: $2 $3 $4"
	else
		echo "FAIL $1: $2 not $3 $4"
		RESULT=1
	fi
}
echo
echo "== speed (median of $RUNS, $BYTES bytes, $(nproc) cores: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load average $(cut -d' ' -f1-3 /proc/loadavg)${RT:+, under $RT})"
awk -v b="$BYTES" -v t1="$T1" -v t2="$T2" -v tn="$TN" -v c1="$C1" -v c2="$C2" -v cn="$CN" 'BEGIN {
	m = b / 1e6
	printf "%-30s %8s %9s %8s %12s\n", "", "wall s", "MB/s", "cpu s", "MB/cpu-s"
	printf "%-30s %8.2f %9.1f %8.2f %12.1f\n", "breachscope scan --threads 1", t1, m / t1, c1, m / c1
	printf "%-30s %8.2f %9.1f %8.2f %12.1f\n", "breachscope scan --threads 2", t2, m / t2, c2, m / c2
	printf "%-30s %8.2f %9.1f %8.2f %12.1f\n", "notmuch new", tn, m / tn, cn, m / cn
	printf "ratio scan-1t / notmuch: %.2fx wall, %.2fx cpu; scan-2t / scan-1t: %.2fx wall\n",
		tn / t1, cn / c1, t1 / t2
}'
floor "MB/s per core (1 thread, wall)" "$(awk -v b="$BYTES" -v t="$T1" 'BEGIN {printf "%.1f", b/1e6/t}')" ">=" 60
floor "MB/s per core (1 thread, cpu time)" "$(awk -v b="$BYTES" -v t="$C1" 'BEGIN {printf "%.1f", b/1e6/t}')" ">=" 60
floor "x notmuch (1 thread)" "$(awk -v a="$TN" -v t="$T1" 'BEGIN {printf "%.2f", a/t}')" ">=" 4
floor "2 threads / 1 thread" "$(awk -v a="$T1" -v t="$T2" 'BEGIN {printf "%.2f", a/t}')" ">=" 1.7

echo
echo "== peak RSS: one mbox of ~200 MB and the same repeated to ~2 GB"
rm -rf "$BOX" "$T/ws"
python3 "$ROOT/tools/gen-mailboxes.py" --seed 8 --megabytes "${BENCH_RSS_MB:-200}" --no-truth \
	--one-mbox "$T/small.mbox" --out "$T/inc2" >/dev/null
for i in 1 2 3 4 5 6 7 8 9 10; do cat "$T/small.mbox"; done >"$T/big.mbox"
rm -rf "$T/inc2"
rss() { # $1 = mbox: prints peak RSS in KiB of a 2-thread scan
	rm -rf "$T/ws"
	"$BS" init "$T/ws" --org-domain kommun.example >/dev/null
	/usr/bin/time -v "$BS" scan -w "$T/ws" --threads 2 "$1" >/dev/null 2>"$T/time.txt" || true
	awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}' "$T/time.txt"
}
R_SMALL=$(rss "$T/small.mbox")
R_BIG=$(rss "$T/big.mbox")
echo "$(stat -c %s "$T/small.mbox") bytes: peak RSS $((R_SMALL / 1024)) MiB"
echo "$(stat -c %s "$T/big.mbox") bytes: peak RSS $((R_BIG / 1024)) MiB"
floor "2 GB mbox peak RSS MiB" "$((R_BIG / 1024))" "<" 200
exit $RESULT
