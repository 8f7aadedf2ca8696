#!/bin/bash
# loadcmp.sh N BINARY... — runs each dealcoach binary N times, alternately, under the
# side-by-side harness's create load (../shared/bench: signed "/deal new Acme-N 50000",
# 16 clients, 2 s warm-up, DUR of load; server pinned to CPU 0, load on CPU 1, a fake
# Slack Web API), and prints requests/s, the server's CPU per request, p99 and RSS.
# Run ../shared/bench/run-peers.sh once first: it builds the load generator and the fake
# Slack API into $BENCH_WORK/.bin. A binary built with -tags profile also writes
# OUT.cpu (set PROFILE=OUT). One load at a time on the machine (flock on /tmp/bench.lock).
set -euo pipefail
N=$1; shift
B="${BENCH_WORK:-${TMPDIR:-/tmp}/dealcoach-bench}/.bin"
PORT=${PORT:-3150}; FS=${FS_PORT:-3198}; DUR=${DUR:-6s}
exec 9>/tmp/bench.lock; flock 9
run() { # run BINARY: one load, its loadgen JSON on stdout
  "$B/fakeslack" -addr "127.0.0.1:$FS" >/dev/null 2>&1 & local fs=$!
  local d; d=$(mktemp -d)
  DEALCOACH_RATE_LIMIT=off DEALCOACH_DB="$d/deals.db" DEALCOACH_ADDR="127.0.0.1:$PORT" \
    SLACK_BOT_TOKEN=xoxb-bench SLACK_SIGNING_SECRET=benchsecret SLACK_API_URL="http://127.0.0.1:$FS/api/" \
    DEALCOACH_CPUPROFILE="${PROFILE:+$PROFILE.cpu}" DEALCOACH_CPUPROFILE_SECONDS=14 \
    taskset -c 0 "$1" serve >"$d/log" 2>&1 & local sp=$!
  for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break; sleep 0.1; done
  local lg=(taskset -c 1 "$B/loadgen" -url "http://127.0.0.1:$PORT/slack/commands" -secret benchsecret
    -concurrency 16 -body-template "new Acme-{n} 50000")
  "${lg[@]}" -duration 2s -label warm >/dev/null
  "${lg[@]}" -duration "$DUR" -server-pid "$sp" -label run
  kill -TERM "$sp"; wait "$sp" || true; kill "$fs"; rm -rf "$d"
}
for _ in $(seq 1 "$N"); do
  for bin in "$@"; do
    run "$bin" | python3 -c '
import json, sys
d = json.load(sys.stdin)
print("%-24s rps %6.0f  cpu/req %5.1f us  p99 %5.1f ms  rss %4.1f MB  other cpu %4.1f%%" % (sys.argv[1], d["rps"],
  d["server_cpu_pct"] / 100 * d["duration_s"] / d["requests"] * 1e6, d["p99_ms"], d["server_rss_mb"], d["other_cpu_pct"]))' "$(basename "$bin")"
  done
done
