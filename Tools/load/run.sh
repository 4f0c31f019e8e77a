#!/usr/bin/env bash
# The server's load figures (`make load`), every figure beside a baseline from the same run:
#
#   1. GET /healthz, the server's hello-world route: the baseline req/s;
#   2. POST /track with one event per request (replies after the projection, the default);
#   3. POST /track with 50 events per request: events/s;
#   4. POST /track with one event per request, paced at half of the rate measured in 2: p50/p99;
#   5. the server's resident memory sampled during a steady run of LOAD_MINUTES (default 1;
#      the goal speaks of 10: LOAD_MINUTES=10 make load).
#
# wrk runs on the same machine as the server (2 threads, 64 connections, SECONDS per run,
# default 10). Needs wrk (apt-get install wrk). Data goes to a fresh folder under /tmp.
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_PER_RUN=${SECONDS_PER_RUN:-10}
LOAD_MINUTES=${LOAD_MINUTES:-1}
PORT=${PORT:-18686}
CAIRN=${CAIRN:-.build/release/cairn}
DIR=$(mktemp -d /tmp/cairn-load.XXXXXX)
trap 'kill $SERVER 2>/dev/null || true; wait $SERVER 2>/dev/null || true; rm -rf "$DIR"' EXIT
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk"; exit 1; }

mkdir -p "$DIR/config"
printf -- '- {kind: event-source, id: load, name: Load, bridge: rest}\n- {kind: segment, name: Regulars, condition: "profile@stats.views >= 5"}\n' > "$DIR/config/load.yaml"
"$CAIRN" serve --data "$DIR/data" --config "$DIR/config" --port "$PORT" > "$DIR/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 100); do grep -q "serving on" "$DIR/server.log" && break; sleep 0.1; done
URL="http://127.0.0.1:$PORT"

result() { grep '^RESULT' | sed 's/^RESULT //'; }
field() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

hello=$(HELLO=1 wrk -t2 -c64 -d"${SECONDS_PER_RUN}s" -s Tools/load/track.lua "$URL" | result)
single=$(EVENTS=1 wrk -t2 -c64 -d"${SECONDS_PER_RUN}s" -s Tools/load/track.lua "$URL" | result)
batched=$(EVENTS=50 wrk -t2 -c64 -d"${SECONDS_PER_RUN}s" -s Tools/load/track.lua "$URL" | result)
single_rps=$(field "$single" rps)
half=$(awk -v r="$single_rps" 'BEGIN { printf "%d", r / 2 }')
# 16 connections, each waiting DELAY_MS before its next request: about `half` requests/s.
delay=$(awk -v h="$half" 'BEGIN { d = 16000 / (h > 0 ? h : 1); printf "%d", (d < 1 ? 1 : d) }')
paced=$(EVENTS=1 DELAY_MS=$delay wrk -t2 -c16 -d"${SECONDS_PER_RUN}s" --latency -s Tools/load/track.lua "$URL" | result)

rss() { awk '/VmRSS/ { print $2 }' "/proc/$SERVER/status"; }
# The anonymous part (heap) apart from LMDB's file-backed map pages, which grow with the store.
anon() { awk '/RssAnon/ { print $2 }' "/proc/$SERVER/status"; }
rss_start=$(rss)
anon_start=$(anon)
EVENTS=5 DELAY_MS=$delay wrk -t2 -c16 -d"${LOAD_MINUTES}m" -s Tools/load/track.lua "$URL" > "$DIR/steady.txt" &
LOADER=$!
samples=""
for _ in $(seq $((LOAD_MINUTES * 6))); do sleep 10; samples="$samples $(rss)/$(anon)"; done
wait $LOADER || true
rss_end=$(rss)
anon_end=$(anon)

echo "hello-world GET /healthz:        $hello"
echo "/track, 1 event per request:     $single"
echo "/track, 50 events per request:   $batched"
echo "/track at about half the rate:   $paced (DELAY_MS=$delay, 16 connections)"
echo "server RSS/RssAnon KiB: start $rss_start/$anon_start, every 10 s:$samples, end $rss_end/$anon_end"
awk -v s="$single_rps" -v h="$(field "$hello" rps)" -v b="$(field "$batched" rps)" -v p99="$(field "$paced" p99_ms)" \
    -v r0="$rss_start" -v r1="$rss_end" -v a0="$anon_start" -v a1="$anon_end" 'BEGIN {
  printf "single-event /track: %.1f%% of hello-world (goal >= 70%%): %s\n", 100 * s / h, (s / h >= 0.7 ? "met" : "NOT MET")
  printf "batched /track: %.0f events/s (goal >= 150,000): %s\n", 50 * b, (50 * b >= 150000 ? "met" : "NOT MET")
  printf "p99 at half rate: %.2f ms (goal <= 10 ms): %s\n", p99, (p99 <= 10 ? "met" : "NOT MET")
  printf "RSS end/start: %.2fx; anonymous end/start: %.2fx\n", r1 / r0, a1 / a0
}'
