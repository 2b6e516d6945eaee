#!/usr/bin/env python3
import re, subprocess, sys
# Bytes each thread allocated between the first and last jdk.ThreadAllocationStatistics of a JFR file (the recording's
# start and end), summed over threads whose name starts with each given prefix.
out = subprocess.run(['jfr', 'print', '--events', 'jdk.ThreadAllocationStatistics', sys.argv[1]],
                     capture_output=True, text=True).stdout
units = {'bytes': 1, 'byte': 1, 'kB': 1e3, 'MB': 1e6, 'GB': 1e9}
first, last = {}, {}
for block in out.split('jdk.ThreadAllocationStatistics {')[1:]:
    m = re.search(r'allocated = ([\d.]+) (\w+)', block)
    t = re.search(r'thread = "([^"]+)"', block)
    if not m or not t:
        continue
    v = float(m.group(1)) * units.get(m.group(2), 1)
    first.setdefault(t.group(1), v)
    last[t.group(1)] = v
for prefix in sys.argv[2:]:
    total = sum(last[n] - first[n] for n in last if n.startswith(prefix))
    print('%s %.0f' % (prefix, total))
