#!/usr/bin/env bash
# Heap bytes each thread allocated over a JFR recording (jdk.ThreadAllocationStatistics: its last value minus its
# first), busiest first; with RECORDS=N also per record. Deterministic where the CPU figures are not: the same
# records cost the same allocations however loaded the machine is. Usage: bench/jfr-alloc.sh F.jfr
set -euo pipefail
jfr print --json --events jdk.ThreadAllocationStatistics "$1" | python3 -c '
import json, os, sys
events = json.load(sys.stdin)["recording"]["events"]
first, last = {}, {}
for e in events:
    v = e["values"]
    name = v["thread"]["javaName"] if v.get("thread") else "?"
    first.setdefault(name, v["allocated"])
    last[name] = v["allocated"]
records = int(os.environ.get("RECORDS", "0"))
print("--- allocated per thread over %s (first to last sample)" % sys.argv[1])
for name, b in sorted(((n, last[n] - first[n]) for n in last), key=lambda x: -x[1])[:8]:
    per = ("  %10.0f B/record" % (b / records)) if records else ""
    print("%14d B  %-24s%s" % (b, name, per))
' "$1"
