/**
 * The last line of defence against a record delivered twice or out of order on one channel. The server already
 * guarantees, when a client resumes with `since`, that it sends every missed record once and in order and joins the
 * live stream with nothing repeated (README, "Resuming"); this filter only makes sure that a fault on either side of
 * that seam never reaches the application as a repeat.
 *
 * It relies on two things, and nothing else:
 * 1. A position is identical bytes for every delivery of the same record by the same shard (DESIGN.md §4). So a
 *    position equal to one of the last {@link RECENT_POSITIONS} delivered on the channel is a repeat, whatever the
 *    position's format.
 * 2. Only for positions that match today's single-partition format exactly, `<topic id>:<partition>:<offset>`
 *    (a 22-character Kafka topic id, then two decimal numbers): offsets grow within one topic id and partition, so an
 *    offset at or below the highest one delivered for that topic id and partition is a repeat or out of order.
 *    A position of any other shape (e.g. one that names several partitions) is left to rule 1 and the server.
 */
export const RECENT_POSITIONS = 256;

const SINGLE_PARTITION = /^([A-Za-z0-9_-]{22}:\d{1,10}):(\d{1,19})$/;

export class ChannelDeduplicator {
  private readonly recent = new Set<string>();
  private readonly order: string[] = [];
  private next = 0;
  /** Highest offset delivered per `<topic id>:<partition>`, as a decimal string (exact beyond 2^53). */
  private readonly highest = new Map<string, string>();

  /** Marks a position as delivered without a record, e.g. a `since` the application resumes from. */
  seed(position: string): void {
    this.remember(position);
  }

  /** True when a record at {@code position} may be delivered; it is then remembered. */
  accept(position: string): boolean {
    if (this.recent.has(position)) {
      return false;
    }
    const parsed = SINGLE_PARTITION.exec(position);
    if (parsed) {
      const top = this.highest.get(parsed[1]!);
      if (top !== undefined && !greater(parsed[2]!, top)) {
        return false;
      }
    }
    this.remember(position);
    return true;
  }

  private remember(position: string): void {
    const parsed = SINGLE_PARTITION.exec(position);
    if (parsed) {
      const top = this.highest.get(parsed[1]!);
      if (top === undefined || greater(parsed[2]!, top)) {
        this.highest.set(parsed[1]!, parsed[2]!);
      }
    }
    if (this.recent.has(position)) {
      return;
    }
    if (this.order.length < RECENT_POSITIONS) {
      this.order.push(position);
    } else {
      this.recent.delete(this.order[this.next]!);
      this.order[this.next] = position;
      this.next = (this.next + 1) % RECENT_POSITIONS;
    }
    this.recent.add(position);
  }
}

/** Compares two non-negative decimal integers given as strings (leading zeros ignored). */
function greater(a: string, b: string): boolean {
  const x = a.replace(/^0+(?=\d)/, "");
  const y = b.replace(/^0+(?=\d)/, "");
  return x.length !== y.length ? x.length > y.length : x > y;
}
