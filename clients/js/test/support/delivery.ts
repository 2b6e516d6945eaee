/** A record as the demo page keeps it. */
export interface Received {
  channel: string;
  position: string;
  seq: number;
}

/**
 * Why a run of records is not "every record once, in order": empty when it is. The demo publisher numbers its records
 * round-robin over the channels, so each channel's `seq` grows by the channel count: that alone shows a gap, a repeat
 * or a record out of order. Where a position has the single-partition form (`<topic id>:<partition>:<offset>`,
 * shard-server's Position) it also checks that, per Kafka partition, the offsets form one unbroken range with no
 * repeat; a spread position (a channel the shard may see on several partitions: header-routed, `{topic}`) is opaque
 * here, and only checked never to repeat.
 */
export function deliveryProblems(records: readonly Received[], channelCount: number): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  const byPartition = new Map<string, number[]>();
  const lastOffset = new Map<string, number>();
  const lastSeq = new Map<string, number>();
  for (const r of records) {
    if (seen.has(r.position)) {
      problems.push(`${r.channel} ${r.position} delivered twice`);
    }
    seen.add(r.position);
    const seq = lastSeq.get(r.channel);
    if (seq !== undefined && r.seq !== seq + channelCount) {
      problems.push(`${r.channel}: seq ${r.seq} after ${seq}`);
    }
    lastSeq.set(r.channel, r.seq);
    const match = /^([A-Za-z0-9_-]{22}):(\d+):(\d+)$/.exec(r.position);
    if (!match) {
      continue;
    }
    const partition = `${match[1]}:${match[2]}`;
    const offset = Number(match[3]);
    const list = byPartition.get(partition) ?? [];
    list.push(offset);
    byPartition.set(partition, list);
    const key = `${r.channel}@${partition}`;
    const previous = lastOffset.get(key);
    if (previous !== undefined && offset <= previous) {
      problems.push(`${r.channel}: offset ${offset} after ${previous} on partition ${match[2]}`);
    }
    lastOffset.set(key, offset);
  }
  for (const [partition, offsets] of byPartition) {
    const sorted = [...new Set(offsets)].sort((a, b) => a - b);
    const missing = sorted[sorted.length - 1]! - sorted[0]! + 1 - sorted.length;
    if (missing > 0) {
      problems.push(`partition ${partition.split(":")[1]}: ${missing} offsets missing between ${sorted[0]} and ${
        sorted[sorted.length - 1]}`);
    }
  }
  return problems;
}
