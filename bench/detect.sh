#!/bin/sh
# Detect throughput on two texts of tools/gen-text.py (seeded; kept in
# build/bench-data/ between runs), each >= 100 MB:
#   dense:   the accuracy text, 2-6 plain sentences per letter (a finding
#            every ~200 bytes, an identifier-shaped number every ~60);
#   letters: 20-39 sentences per letter (a finding every ~900 bytes);
#   mail:    an undecoded mbox of tools/gen-mailboxes.py (seed 7), the
#            kind of text reference/performance.md's raw Hyperscan
#            figures are on: mostly base64 attachments (~89 % of bytes).
# For each, build/bench/bench-detect runs the engine against a raw
# Vectorscan block pass with the same expressions (alone and with the
# identifier shapes added) and against grep -E, medians of RUNS.
#   bench/detect.sh [MB] [RUNS]
set -eu
cd "$(dirname "$0")/.."
MB=${1:-110}
RUNS=${2:-5}
DATA=build/bench-data
mkdir -p "$DATA"
ninja -C build bench/bench-detect >/dev/null
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
for kind in dense letters; do
	if [ "$kind" = dense ]; then
		TEXT=$DATA/detect-$MB.txt
		SENTENCES=2,6
	else
		TEXT=$DATA/detect-letters-$MB.txt
		SENTENCES=20,39
	fi
	if [ ! -f "$TEXT" ]; then
		python3 tools/gen-text.py --seed 42 --sentences "$SENTENCES" \
			--bytes $((MB * 1024 * 1024)) "$TEXT" "${TEXT%.txt}.jsonl"
	fi
	echo "== $kind text ($SENTENCES sentences per letter)"
	nice build/bench/bench-detect "$TEXT" data/terms "$RUNS"
done
TEXT=$DATA/detect-mail-$MB.mbox
if [ ! -f "$TEXT" ]; then
	python3 tools/gen-mailboxes.py --seed 7 --format mbox --megabytes "$MB" --no-truth \
		--one-mbox "$TEXT" --out "$DATA/mail-$MB" >/dev/null
	rm -rf "$DATA/mail-$MB"
fi
echo "== mail (undecoded mbox, attachments in base64)"
nice build/bench/bench-detect "$TEXT" data/terms "$RUNS"
