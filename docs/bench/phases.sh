#!/bin/bash
# phases.sh BINARY — what the harness's create load is made of, on one dealcoach server
# (pinned to CPU 0, load on CPU 1, as loadcmp.sh): the 2 s warm-up and the 10 s measured
# phase of ../shared/bench both number their commands from 1, so the measured phase first
# repeats the warm-up's names. Prints the share of measured commands answered as
# duplicates (from the deals left in the file), then the server's CPU per request of
# 1.5 s of duplicates alone and 1.5 s of new names alone, twice. Needs python3 with
# sqlite3 and the harness's .bin (run ../shared/bench/run-peers.sh once).
set -euo pipefail
B="${BENCH_WORK:-${TMPDIR:-/tmp}/dealcoach-bench}/.bin"
PORT=${PORT:-3150}; FS=${FS_PORT:-3198}
exec 9>/tmp/bench.lock; flock 9
"$B/fakeslack" -addr "127.0.0.1:$FS" >/dev/null 2>&1 & fs=$!
d=$(mktemp -d)
DEALCOACH_RATE_LIMIT=off DEALCOACH_DB="$d/deals.db" DEALCOACH_ADDR="127.0.0.1:$PORT" \
  SLACK_BOT_TOKEN=xoxb-bench SLACK_SIGNING_SECRET=benchsecret SLACK_API_URL="http://127.0.0.1:$FS/api/" \
  taskset -c 0 "$1" serve >"$d/log" 2>&1 & sp=$!
for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break; sleep 0.1; done
load() { # load TEMPLATE DURATION LABEL: loadgen JSON into $d/LABEL.json
  taskset -c 1 "$B/loadgen" -url "http://127.0.0.1:$PORT/slack/commands" -secret benchsecret \
    -concurrency 16 -body-template "$1" -duration "$2" -server-pid "$sp" -label "$3" >"$d/$3.json"
}
load "new Acme-{n} 50000" 2s warm
load "new Acme-{n} 50000" 10s run
python3 - "$d" <<'PY'
import json, sqlite3, sys
d = sys.argv[1]
w, r = (json.load(open(f"{d}/{n}.json")) for n in ("warm", "run"))
deals = sqlite3.connect(f"file:{d}/deals.db?mode=ro", uri=True).execute("SELECT count(*) FROM deals").fetchone()[0]
dup = w["requests"] + r["requests"] - deals
print(f"warm-up {w['requests']}, measured {r['requests']}, deals {deals}: {dup} measured commands "
      f"({100 * dup / r['requests']:.1f}%) were duplicates of a warm-up name")
PY
for i in 1 2; do
  load "new Acme-{n} 50000" 1.5s dup$i   # names the first phases made: all duplicates
  load "new Fresh$i-{n} 50000" 1.5s new$i # names never seen: all creates
done
kill -TERM "$sp"; wait "$sp" || true; kill "$fs"
python3 - "$d" <<'PY'
import json, sys
d = sys.argv[1]
for n in ("dup1", "new1", "dup2", "new2"):
    j = json.load(open(f"{d}/{n}.json"))
    kind = "duplicates" if n.startswith("dup") else "new deals "
    print(f"{kind} {j['rps']:6.0f}/s  cpu/req {j['server_cpu_pct'] / 100 * j['duration_s'] / j['requests'] * 1e6:5.1f} us  p99 {j['p99_ms']:4.1f} ms")
PY
rm -rf "$d"
