#!/bin/sh
# Detect throughput: generates >= 100 MB of labelled synthetic Swedish text
# with tools/gen-text.py (seeded; kept in build/bench-data/ between runs),
# then runs build/bench/bench-detect: the engine against a raw Vectorscan
# block pass with the same expressions and against grep -E, medians.
#   bench/detect.sh [MB] [RUNS]
set -eu
cd "$(dirname "$0")/.."
MB=${1:-110}
RUNS=${2:-5}
DATA=build/bench-data
mkdir -p "$DATA"
TEXT=$DATA/detect-$MB.txt
if [ ! -f "$TEXT" ]; then
	python3 tools/gen-text.py --seed 42 --bytes $((MB * 1024 * 1024)) "$TEXT" "$DATA/detect-$MB.jsonl"
fi
ninja -C build bench/bench-detect >/dev/null
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
nice build/bench/bench-detect "$TEXT" data/terms "$RUNS"
