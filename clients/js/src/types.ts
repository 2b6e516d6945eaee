import type { Backoff } from "./policy.js";
import type { WebSocketConstructor } from "./socket.js";

/**
 * - `connecting`: an attempt to open a connection is under way (`attempt` 0 is the first one).
 * - `connected`: the connection is open; subscriptions are being (re)established on it.
 * - `reconnecting`: the connection or an attempt ended (`code`, `reason`); the next attempt starts in `delayMs`.
 * - `closed`: final. After {@link OdinClient.close} (code 1000), or a close the client must not retry (see the
 *   package README's close-code table), or a setup error (no `code`).
 */
export type ConnectionState = "connecting" | "connected" | "reconnecting" | "closed";

export interface StateChange {
  readonly state: ConnectionState;
  /** Attempts since the last stable connection: 0 for the first connection, 1 for the first reconnect, … */
  readonly attempt: number;
  /** The close code of the connection that ended: 1006 when it never opened, died, or stopped answering pings. */
  readonly code?: number;
  readonly reason?: string;
  /** `reconnecting` only: milliseconds until the next attempt. */
  readonly delayMs?: number;
}

/** A record of a channel, as the server sent it. */
export interface ChannelMessage<T = unknown> {
  readonly channel: string;
  /** Opaque: where the record sits in Kafka. Store it to resume after a page reload (`subscribe(…, { since })`). */
  readonly position: string;
  /** The Kafka record timestamp, in milliseconds since the epoch. */
  readonly ts: number;
  readonly data: T;
}

/**
 * Records of the channel may be lost to this client: delivery goes on with the live stream, so fetch the channel's
 * state another way (e.g. a snapshot over HTTP).
 */
export interface Gap {
  readonly channel: string;
  /** The position the client asked to resume after; undefined for `no_position`. */
  readonly since: string | undefined;
  /**
   * - `not_recovered`: the server answered `recovered: false` (older than Kafka's retention, topic re-created, gap
   *   larger than the server's replay limit, or the replay timed out).
   * - `invalid_position`: the server did not accept the position at all (it came from another cluster, or was
   *   corrupted in storage).
   * - `no_position`: the connection was lost before the channel's first record, so there was nothing to resume
   *   from: whatever the channel published while the client was away is not replayed.
   */
  readonly reason: "not_recovered" | "invalid_position" | "no_position";
}

/** An `error` reply of the server (README, "Errors"), or one the client reports about its own setup. */
export interface ServerError {
  readonly code: string;
  readonly message: string;
}

export interface Subscribed {
  readonly channel: string;
  /** True when the client asked to resume from a position (`since`). */
  readonly resumed: boolean;
  /** The server's `recovered` flag for the channel when it resumed; undefined for a fresh subscription. */
  readonly recovered?: boolean;
}

export interface SubscriptionHandlers<T = unknown> {
  /** Every record of the channel, once each, in the order the server sends them. */
  onMessage(message: ChannelMessage<T>): void;
  /** Records were lost (see {@link Gap}); delivery goes on with the live stream. */
  onGap?(gap: Gap): void;
  /** The server confirmed the subscription: once at first, then after every reconnect. */
  onSubscribed?(event: Subscribed): void;
  /** The server refused the subscription (`invalid_channel`, `too_many_subscriptions`, `forbidden`, …); it ends. */
  onError?(error: ServerError): void;
}

export interface SubscribeOptions {
  /** Resume after this position (e.g. one stored before a page reload) instead of starting from the live stream. */
  readonly since?: string;
}

export interface ClientOptions {
  /**
   * Called before every connection attempt, and before the token expires when it is a JWT with `exp`: the client
   * sends the token as its first message (`{"type":"auth"}`) and renews it with `{"type":"refresh"}`.
   */
  readonly token?: () => string | Promise<string>;
  /** A WebSocket constructor; default: the global one (browsers, Node 22+), else the `ws` package (Node 20). */
  readonly WebSocket?: WebSocketConstructor;
  /** Reconnect backoff. Default `{ baseMs: 1000, capMs: 30000 }`. */
  readonly backoff?: Backoff;
  /** Backoff after `1001` (the cluster is going away). Default `{ baseMs: 10000, capMs: 300000 }`. */
  readonly goingAwayBackoff?: Backoff;
  /** A connection open this long resets the backoff to its first step. Default 10000. */
  readonly stableAfterMs?: number;
  /** How often the client pings the server to detect a dead connection. Default 15000. */
  readonly pingIntervalMs?: number;
  /** A connection that sends nothing this long after a ping is treated as dead. Default 10000. */
  readonly pongTimeoutMs?: number;
  /** An attempt that is not open after this long is abandoned. Default 10000. */
  readonly connectTimeoutMs?: number;
  /** Refresh a JWT this long before its `exp`. Default 30000. */
  readonly refreshBeforeExpiryMs?: number;
  /**
   * The most messages the client sends per second (in bursts of up to twice as many); more wait in a queue.
   * Default 10: half the shard's default inbound limit (`ODIN_WS_INBOUND_MESSAGES_PER_SECOND`, 20). Keep it below
   * the cluster's limit: the shard drops an excess message with a `rate_limited` error that names no request.
   */
  readonly maxMessagesPerSecond?: number;
  /** The source of jitter, in [0, 1). Default `Math.random`. */
  readonly random?: () => number;
}

/** The client's events. `on` returns a function that removes the listener. */
export interface ClientEvents {
  state: StateChange;
  /** The index of the shard this connection is on, from its first `pong` (servers that predate it never say). */
  shard: number;
  /** Errors that belong to no subscription: unknown replies, a failing token callback. */
  error: ServerError;
}
