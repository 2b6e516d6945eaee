"""Bench 7's figures and plot from the local runner's --timeline, the load generator's summary and the runner's log.

usage: autoscale_report.py TIMELINE SUMMARY LOCAL_LOG PLOT PEAK LOW
Prints when the shards rose and fell, the time from the peak to every shard within 10% of the mean, the reconnects
the rebalancer and the scale-down caused, and the delivery checks; writes PLOT (PNG) when matplotlib is importable.
"""
import json
import re
import sys

timeline_path, summary_path, log_path, plot_path = sys.argv[1:5]
peak, low = int(sys.argv[5]), int(sys.argv[6])
samples = [json.loads(line) for line in open(timeline_path) if line.strip()]
summary = json.load(open(summary_path))
plan = summary["plan"]
t0 = plan[0]["began"]


def at(ms):
    return (ms - t0) / 1000.0


def serving(sample):
    return [s for s in sample["shards"] if s["state"] == "serving"]


def within(sample, tolerance=0.10):
    shards = serving(sample)
    if len(shards) < 2:
        return False
    total = sum(s["connections"] for s in shards)
    mean = total / len(shards)
    return total > 0 and all(abs(s["connections"] - mean) <= max(tolerance * mean, 1) for s in shards)


rises, count = [], None
for s in samples:
    n = len(s["shards"])
    if n != count:
        rises.append((at(s["time"]), n))
        count = n
peak_settled = plan[0]["settledAt"]
drop_began = plan[1]["began"]
most = max(len(s["shards"]) for s in samples)
all_up = next((s["time"] for s in samples if s["time"] >= t0 and len(serving(s)) == most), None)
balanced = next((s["time"] for s in samples
                 if all_up and s["time"] >= all_up and s["time"] < drop_began and within(s)), None)
fell = next((s["time"] for s in samples if s["time"] > drop_began and len(s["shards"]) == min(
    len(x["shards"]) for x in samples if x["time"] > drop_began)), None)
rebalance_moves = sum(int(m) for m in re.findall(r"rebalance: round \d+: .*?\((\d+) clients", open(log_path).read()))
rounds = len(re.findall(r"rebalance: round \d+:", open(log_path).read()))
resumed = summary.get("failures", {}).get("resumed_after_close_1012", 0)

print("shard count over time (s since the ramp began: shards): "
      + ", ".join("%.0f: %d" % (t, n) for t, n in rises))
print("ramp to %d settled at %.0f s; all %d shards serving at %s s" % (
    peak, at(peak_settled), most, "%.0f" % at(all_up) if all_up else "never"))
if balanced:
    print("time to balance: %.0f s after the ramp settled, %.0f s after the last shard was serving "
          "(every shard within 10%% of the mean)" % (at(balanced) - at(peak_settled), at(balanced) - at(all_up)))
else:
    print("time to balance: not balanced before the drop")
print("reconnects caused: %d by the rebalancer (%d rounds), %d by the scale-down drains; %d resumes in all"
      % (rebalance_moves, rounds, max(0, resumed - rebalance_moves), resumed))
print("drop to %d began at %.0f s; shards down to %d at %s s (%s s after the drop began)" % (
    low, at(drop_began), len([x for x in samples if x["time"] == fell][0]["shards"]) if fell else -1,
    "%.0f" % at(fell) if fell else "-", "%.0f" % ((fell - drop_began) / 1000) if fell else "-"))
print("delivery: %d records published, %d deliveries, gaps %d, duplicates %d, out of order %d, failures %s"
      % (summary.get("publisher", {}).get("records", 0), summary["messages"], summary["gaps"],
         summary["duplicates"], summary["outOfOrder"], summary["failures"]))

try:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError:
    print("no plot: matplotlib is not installed")
    sys.exit(0)

xs = [at(s["time"]) for s in samples]
fig, (top, bottom) = plt.subplots(2, 1, figsize=(10, 7), sharex=True, gridspec_kw={"height_ratios": [1, 2]})
top.step(xs, [len(s["shards"]) for s in samples], where="post", color="black", label="shards")
top.set_ylabel("shards")
top.set_ylim(0, most + 1)
twin = top.twinx()
twin.plot(xs, [sum(x["connections"] for x in s["shards"]) for s in samples], color="tab:gray", linestyle="--",
          label="connections (all shards)")
twin.set_ylabel("connections")
top.legend(loc="upper left")
twin.legend(loc="upper right")
indices = sorted({x["index"] for s in samples for x in s["shards"]})
for i in indices:
    ys = []
    for s in samples:
        match = [x["connections"] for x in s["shards"] if x["index"] == i]
        ys.append(match[0] if match else float("nan"))
    bottom.plot(xs, ys, label="shard %d" % i)
bottom.set_ylabel("connections per shard")
bottom.set_xlabel("seconds since the ramp began")
for ax in (top, bottom):
    ax.axvline(at(peak_settled), color="tab:blue", linestyle=":", linewidth=1)
    ax.axvline(at(drop_began), color="tab:red", linestyle=":", linewidth=1)
    if balanced:
        ax.axvline(at(balanced), color="tab:green", linestyle=":", linewidth=1)
bottom.text(at(peak_settled), bottom.get_ylim()[1] * 0.95, " %d clients" % peak, color="tab:blue", fontsize=8)
if balanced:
    bottom.text(at(balanced), bottom.get_ylim()[1] * 0.85, " balanced", color="tab:green", fontsize=8)
bottom.text(at(drop_began), bottom.get_ylim()[1] * 0.95, " drop to %d" % low, color="tab:red", fontsize=8)
bottom.legend(loc="center right", fontsize=8)
fig.suptitle("Autoscaling and rebalancing, local mode: target 1,000 connections per shard, %d rebalance rounds, "
             "%d clients moved" % (rounds, rebalance_moves), fontsize=10)
fig.tight_layout()
fig.savefig(plot_path, dpi=100)
print("plot: %s" % plot_path)
