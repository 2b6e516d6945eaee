#!/usr/bin/env bash
# Summarises a JFR recording's CPU samples: the hottest top frames (self time) and the methods most often
# anywhere on the stack (inclusive), for Java (jdk.ExecutionSample) and native (jdk.NativeMethodSample).
set -euo pipefail
f="$1"
top="${TOP:-15}"
for event in jdk.ExecutionSample jdk.NativeMethodSample; do
  jfr print --events "$event" --stack-depth 64 "$f" | awk -v top="$top" -v ev="$event" -v file="$f" '
    /stackTrace = \[/ { instack = 1; depth = 0; delete seen; n++; next }
    instack && /^[[:space:]]*\]/ { instack = 0; next }
    instack {
      line = $0; sub(/^[[:space:]]+/, "", line); sub(/[[:space:]]+line:.*$/, "", line); sub(/\(.*$/, "", line)
      if (line == "...") next
      if (depth == 0) self[line]++
      if (!(line in seen)) { incl[line]++; seen[line] = 1 }
      depth++
    }
    END {
      printf "--- %s: %d samples in %s\n", ev, n, file
      if (n == 0) exit
      printf "self (top frame):\n"
      for (m in self) printf "%6.1f%%  %s\n", 100 * self[m] / n, m | "sort -rn | head -" top
      close("sort -rn | head -" top)
      printf "inclusive (anywhere on the stack):\n"
      for (m in incl) printf "%6.1f%%  %s\n", 100 * incl[m] / n, m | "sort -rn | head -" top
      close("sort -rn | head -" top)
    }'
done
