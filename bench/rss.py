#!/usr/bin/env python3
"""Bench 1's RSS readings of one process, as the kernel counts them (VmRSS of /proc/PID/status).

sample PID OUT INTERVAL_MS MAX_SECONDS STOP_FILE: appends "epoch_ms rss_kb" to OUT every INTERVAL_MS until STOP_FILE
exists, the process is gone or MAX_SECONDS passed (bounded). Nothing is asked of the process: no GC, no trim.
report SAMPLES MARKS CONNECTIONS: the figures from the samples and the bench's marks ("epoch_ms label" lines:
connect, connected, settled), one line of key=value pairs.
"""
import os
import sys
import time


def rss_kb(pid):
    with open('/proc/%s/status' % pid) as f:
        for line in f:
            if line.startswith('VmRSS:'):
                return int(line.split()[1])
    return -1


def sample(pid, out, interval_ms, max_seconds, stop_file):
    deadline = time.monotonic() + float(max_seconds)
    step = int(interval_ms) / 1000.0
    with open(out, 'a', buffering=1) as f:
        next_at = time.monotonic()
        while time.monotonic() < deadline and not os.path.exists(stop_file):
            try:
                f.write('%d %d\n' % (time.time() * 1000, rss_kb(pid)))
            except (FileNotFoundError, ProcessLookupError):
                return
            next_at += step
            time.sleep(max(0.0, next_at - time.monotonic()))


def report(samples_path, marks_path, connections):
    samples = [tuple(map(int, l.split())) for l in open(samples_path) if l.strip()]
    marks = {}
    for line in open(marks_path):
        t, label = line.split(None, 1)
        marks[label.strip()] = int(t)
    n = int(connections)
    connect, connected, settled = marks['connect'], marks['connected'], marks['settled']
    before = [r for t, r in samples if t < connect]
    floor = before[-1]
    last5 = [r for t, r in samples if connect - 5000 <= t < connect]
    window = [(t, r) for t, r in samples if connect <= t <= settled]
    peak_t, peak = max(window, key=lambda s: s[1])
    ramp = [r for t, r in samples if connect <= t <= connected]
    at_settled = min(samples, key=lambda s: abs(s[0] - settled))[1]
    per = lambda kb: (kb - floor) * 1024 // n
    print(' '.join('%s=%s' % kv for kv in [
        ('floor_kb', floor), ('floor_last5s_min_kb', min(last5)), ('floor_last5s_max_kb', max(last5)),
        ('ramp_peak_kb', max(ramp) if ramp else peak), ('peak_kb', peak), ('peak_after_connected_s', '%.1f' % ((peak_t - connected) / 1000)),
        ('settled_kb', at_settled), ('connect_seconds', '%.1f' % ((connected - connect) / 1000)),
        ('peak_b_per_conn', per(peak)), ('settled_b_per_conn', per(at_settled)),
        ('samples', len(samples))]))


if __name__ == '__main__':
    {'sample': sample, 'report': report}[sys.argv[1]](*sys.argv[2:])
