import type { WebSocketLike } from "./socket.js";

/**
 * The messages of one connection, sent at most {@code perSecond} per second in bursts of up to twice that; the rest
 * wait, in order. The shard drops a message over its inbound limit with a `rate_limited` error that names no request
 * (so a client could not tell which was lost) and closes a client that keeps on with 1008.
 */
export class Outbox {
  private readonly queue: string[] = [];
  private readonly burst: number;
  private tokens: number;
  private refilledAt = Date.now();
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly socket: WebSocketLike,
    private readonly perSecond: number,
  ) {
    this.burst = Math.max(1, 2 * perSecond);
    this.tokens = this.burst;
  }

  send(text: string): void {
    if (this.queue.length === 0 && this.take()) {
      this.socket.send(text);
    } else {
      this.queue.push(text);
      this.schedule();
    }
  }

  /** Drops what still waits: the connection is gone, and the next one starts afresh. */
  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.queue.length = 0;
  }

  private schedule(): void {
    if (this.timer !== undefined) {
      return;
    }
    const waitMs = Math.max(1, Math.ceil(((1 - this.tokens) * 1_000) / this.perSecond));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      while (this.queue.length > 0 && this.take()) {
        this.socket.send(this.queue.shift()!);
      }
      if (this.queue.length > 0) {
        this.schedule();
      }
    }, waitMs);
  }

  private take(): boolean {
    const now = Date.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.refilledAt) * this.perSecond) / 1_000);
    this.refilledAt = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return true;
    }
    return false;
  }
}
