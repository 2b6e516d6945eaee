/**
 * What the client does when a connection ends, and how long it waits before the next attempt. Pure functions,
 * exported so an application can show the same decision the client takes.
 */

/** What a close code means for the client's next step. */
export type CloseAction =
  /** Reconnect after the normal backoff and resume every channel. */
  | "reconnect"
  /** Reconnect after the slow backoff (the cluster is going away; it may come back much later). */
  | "reconnect_slowly"
  /** Reconnect with a new token from the `token` callback, and resume; stop if it returns the same token. */
  | "reconnect_with_new_token"
  /** Stop: retrying would fail the same way. The application must change something first. */
  | "stop";

/**
 * The close codes of the odin-ws protocol (README, "Close codes") and the standard ones a client can see.
 * A code not listed reconnects with the normal backoff: for a push service a client that stops for good on a code
 * it does not know is worse than one that retries at a capped, jittered pace.
 */
export const CLOSE_ACTIONS: Readonly<Record<number, CloseAction>> = Object.freeze({
  1000: "reconnect", // the shard's idle timeout, or a normal close by the server
  1001: "reconnect_slowly", // the cluster is going away (e.g. the WsCluster was deleted)
  1002: "stop", // protocol error: this client broke WebSocket framing
  1003: "stop", // unsupported data (the server accepts text frames only)
  1005: "reconnect", // closed without a status code
  1006: "reconnect", // abnormal: the shard died, the network dropped, or the upgrade was refused (503 when full)
  1007: "stop", // a frame that is not valid UTF-8
  1008: "stop", // policy: the client kept flooding past its rate limit
  1009: "stop", // a message larger than the shard's frame limit
  1011: "reconnect", // internal server error
  1012: "reconnect", // service restart: drain, scale-down, rollout, rebalancing
  1013: "reconnect", // try again later (overloaded)
  1014: "reconnect", // bad gateway
  4001: "reconnect_with_new_token", // unauthorized: only a different token can succeed
  4004: "reconnect_with_new_token", // token expired
  4008: "reconnect", // slow consumer: the client fell behind; resume with since
});

export function closeAction(code: number): CloseAction {
  return CLOSE_ACTIONS[code] ?? "reconnect";
}

/** Exponential backoff with full jitter: attempt n waits a uniformly random time in [0, min(cap, base * 2^n)). */
export interface Backoff {
  readonly baseMs: number;
  readonly capMs: number;
}

export const DEFAULT_BACKOFF: Backoff = Object.freeze({ baseMs: 1_000, capMs: 30_000 });

/** After 1001 (the cluster is going away): first retry within 10 s, then up to 5 minutes apart. */
export const DEFAULT_GOING_AWAY_BACKOFF: Backoff = Object.freeze({ baseMs: 10_000, capMs: 300_000 });

/**
 * The delay before reconnect attempt {@code attempt} (0 for the first after a stable connection). Full jitter, so
 * that thousands of clients closed in the same instant (a drain, a crashed shard) come back spread over the whole
 * window instead of in waves.
 */
export function backoffDelay(attempt: number, backoff: Backoff, random: () => number = Math.random): number {
  const ceiling = Math.min(backoff.capMs, backoff.baseMs * 2 ** Math.min(Math.max(attempt, 0), 30));
  return Math.floor(random() * ceiling);
}
