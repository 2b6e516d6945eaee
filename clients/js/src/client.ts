import { Emitter } from "./events.js";
import { Outbox } from "./outbox.js";
import { backoffDelay, closeAction } from "./policy.js";
import { type SubscribeRequest, subscribeRequests, unsubscribeBatches } from "./requests.js";
import { type Settings, settingsOf } from "./settings.js";
import { OPEN, resolveWebSocket, type WebSocketLike } from "./socket.js";
import { Subscription } from "./subscription.js";
import { refreshDelay, tokenExpiresAt } from "./token.js";
import type {
  ClientEvents,
  ClientOptions,
  ConnectionState,
  ServerError,
  StateChange,
  SubscribeOptions,
  SubscriptionHandlers,
} from "./types.js";

/** The close code the client reports for a connection that never opened, died, or stopped answering. */
const ABNORMAL = 1006;
/**
 * A connection to an odin-ws cluster that survives disconnects: it reconnects with full-jitter exponential backoff
 * and resumes every channel from the last record it delivered, so the application sees each record once, in order,
 * or hears about a gap. See the package README for the policy on each close code.
 */
export class OdinClient {
  private readonly url: string;
  private readonly options: ClientOptions;
  private readonly settings: Settings;
  private readonly events = new Emitter<ClientEvents>();
  private readonly subscriptions = new Map<string, Subscription>();
  private readonly requests = new Map<number, SubscribeRequest>();
  private socket: WebSocketLike | undefined;
  private state_: ConnectionState = "connecting";
  private shard_: number | undefined;
  private stopped = false;
  /** Attempts since the last stable connection; the exponent of the next backoff. */
  private failures = 0;
  private openedAt: number | undefined;
  private lastFrameAt = 0;
  private nextId = 1;
  private token: string | undefined;
  /** The token the server refused (4001) or declared expired (4004): the next attempt needs another one. */
  private refusedToken: string | undefined;
  private refusedCode: number | undefined;
  /** False once this connection's server answered `auth` or `refresh` with `unknown_type`. */
  private refreshSupported = true;
  /** Ids of this connection's `auth` and `refresh` messages, whose `unknown_type` means "no auth on this server". */
  private readonly authIds = new Set<number>();
  private flushScheduled = false;
  /** Channels unsubscribed since the last flush, told to the server in one message. */
  private readonly unsubscribing = new Set<string>();
  /** The current connection's messages, paced below the shard's inbound limit. */
  private outbox: Outbox | undefined;
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private stats_ = { connections: 0, delivered: 0, duplicatesDropped: 0, gaps: 0 };

  constructor(url: string, options: ClientOptions = {}) {
    if (!/^wss?:\/\//i.test(url)) {
      throw new TypeError(`odin-ws: the URL must start with ws:// or wss://, was "${url}"`);
    }
    this.url = url;
    this.options = options;
    this.settings = settingsOf(options);
    // On a microtask, so that listeners added right after the constructor see the first `connecting`.
    queueMicrotask(() => void this.connect());
  }

  get state(): ConnectionState {
    return this.state_;
  }

  /** The index of the shard the current connection is on, once its first pong said so. */
  get shard(): number | undefined {
    return this.shard_;
  }

  /**
   * Counters since the client was created: connections opened, records delivered, repeats dropped by the client's
   * own check (0 unless a server broke its guarantee), gaps reported.
   */
  get stats(): Readonly<{ connections: number; delivered: number; duplicatesDropped: number; gaps: number }> {
    return { ...this.stats_ };
  }

  on<K extends keyof ClientEvents>(event: K, listener: (value: ClientEvents[K]) => void): () => void {
    return this.events.on(event, listener);
  }

  off<K extends keyof ClientEvents>(event: K, listener: (value: ClientEvents[K]) => void): void {
    this.events.off(event, listener);
  }

  /**
   * Subscribes to a channel: its records go to `handlers.onMessage`, through every reconnect, until `unsubscribe()`.
   * One subscription per channel and client.
   */
  subscribe<T = unknown>(
    channel: string,
    handlers: SubscriptionHandlers<T>,
    options: SubscribeOptions = {},
  ): Subscription<T> {
    if (typeof channel !== "string" || channel.length === 0) {
      throw new TypeError("odin-ws: a channel is a non-empty string");
    }
    if (this.stopped) {
      throw new Error(`odin-ws: the client is closed; cannot subscribe to "${channel}"`);
    }
    if (this.subscriptions.has(channel)) {
      throw new Error(`odin-ws: already subscribed to "${channel}"; unsubscribe first`);
    }
    const subscription = new Subscription<T>(channel, handlers, options.since, (s) => this.release(s));
    this.subscriptions.set(channel, subscription as Subscription);
    this.scheduleFlush();
    return subscription;
  }

  /** Closes the connection for good (code 1000); every subscription ends. Idempotent. */
  close(): void {
    if (this.stopped) {
      return;
    }
    for (const subscription of this.subscriptions.values()) {
      subscription.status_ = "unsubscribed";
    }
    this.subscriptions.clear();
    this.stop(1000, "closed by the application");
  }

  private async connect(): Promise<void> {
    if (this.stopped) {
      return;
    }
    this.setState({ state: "connecting", attempt: this.failures });
    let WebSocketImpl;
    try {
      WebSocketImpl = await resolveWebSocket(this.options.WebSocket);
    } catch (error) {
      this.stop(undefined, messageOf(error));
      return;
    }
    if (this.stopped) {
      return; // closed while the WebSocket implementation loaded
    }
    let token: string | undefined;
    if (this.options.token) {
      try {
        token = await this.options.token();
      } catch (error) {
        if (!this.stopped) {
          this.events.emit("error", { code: "token_callback_failed", message: messageOf(error) });
          this.lost(ABNORMAL, `the token callback failed: ${messageOf(error)}`);
        }
        return;
      }
      if (this.stopped) {
        return;
      }
      if (this.refusedToken !== undefined && token === this.refusedToken) {
        this.stop(this.refusedCode, "the token callback returned the token the server refused");
        return;
      }
    }
    let socket: WebSocketLike;
    try {
      socket = new WebSocketImpl(this.url);
    } catch (error) {
      this.stop(undefined, `cannot open ${this.url}: ${messageOf(error)}`);
      return;
    }
    this.token = token;
    this.socket = socket;
    this.openedAt = undefined;
    socket.onopen = () => this.opened(socket);
    socket.onmessage = (event) => this.received(socket, event.data);
    socket.onclose = (event) => {
      if (socket === this.socket) {
        this.lost(event.code, event.reason);
      }
    };
    socket.onerror = () => {
      // A close event follows with the code; the error event itself carries nothing useful.
    };
    this.later(this.settings.connectTimeoutMs, () => {
      if (socket === this.socket && this.openedAt === undefined) {
        this.lost(ABNORMAL, `not connected within ${this.settings.connectTimeoutMs} ms`);
      }
    });
  }

  private opened(socket: WebSocketLike): void {
    if (socket !== this.socket) {
      return;
    }
    this.openedAt = Date.now();
    this.lastFrameAt = this.openedAt;
    this.outbox = new Outbox(socket, this.settings.maxMessagesPerSecond);
    this.stats_.connections++;
    this.refusedToken = undefined;
    this.setState({ state: "connected", attempt: this.failures });
    if (this.token !== undefined) {
      const id = this.nextId++;
      this.authIds.add(id);
      this.send({ type: "auth", token: this.token, id });
      this.scheduleRefresh(socket, this.token);
    }
    this.send({ type: "ping" }); // the pong names the shard
    this.pingTimer = setInterval(() => this.ping(socket), this.settings.pingIntervalMs);
    this.flush();
  }

  private ping(socket: WebSocketLike): void {
    if (socket !== this.socket) {
      return;
    }
    const sentAt = Date.now();
    this.send({ type: "ping" });
    this.later(this.settings.pongTimeoutMs, () => {
      if (socket === this.socket && this.lastFrameAt < sentAt) {
        this.lost(ABNORMAL, `no frame from the server within ${this.settings.pongTimeoutMs} ms of a ping`);
      }
    });
  }

  private received(socket: WebSocketLike, data: unknown): void {
    if (socket !== this.socket) {
      return; // a connection the client already gave up: nothing from it may reach the application
    }
    this.lastFrameAt = Date.now();
    if (typeof data !== "string") {
      return;
    }
    let frame: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(data);
      if (parsed === null || typeof parsed !== "object") {
        return;
      }
      frame = parsed as Record<string, unknown>;
    } catch {
      return;
    }
    switch (frame.type) {
      case "message":
        this.message(frame);
        break;
      case "subscribed":
        this.confirmed(frame);
        break;
      case "pong":
        if (typeof frame.shard === "number" && frame.shard !== this.shard_) {
          this.shard_ = frame.shard;
          this.events.emit("shard", frame.shard);
        }
        break;
      case "error":
        this.serverError(frame);
        break;
      case "unsubscribed":
        this.revoked(frame);
        break;
      default:
        break; // replies a newer server may add
    }
  }

  /**
   * An `unsubscribed` without an id is the server ending subscriptions itself: a refreshed token no longer allows
   * them. They fail as a refused subscription does, and are not asked for again after a reconnect.
   */
  private revoked(frame: Record<string, unknown>): void {
    if (frame.id !== undefined || !Array.isArray(frame.channels)) {
      return; // the answer to this client's own unsubscribe
    }
    const error: ServerError = {
      code: typeof frame.reason === "string" ? frame.reason : "forbidden",
      message: "the refreshed token no longer allows this channel",
    };
    for (const channel of frame.channels) {
      const subscription = typeof channel === "string" ? this.subscriptions.get(channel) : undefined;
      if (!subscription) {
        continue;
      }
      this.subscriptions.delete(channel);
      if (!subscription.fail(error)) {
        this.events.emit("error", { code: error.code, message: `${channel}: ${error.message}` });
      }
    }
  }

  private message(frame: Record<string, unknown>): void {
    const subscription = typeof frame.channel === "string" ? this.subscriptions.get(frame.channel) : undefined;
    if (!subscription || typeof frame.position !== "string") {
      return; // a record of a channel unsubscribed a moment ago
    }
    const ts = typeof frame.ts === "number" ? frame.ts : 0;
    if (subscription.deliver(frame.position, ts, frame.data)) {
      this.stats_.delivered++;
    } else {
      this.stats_.duplicatesDropped++;
    }
  }

  private confirmed(frame: Record<string, unknown>): void {
    const request = typeof frame.id === "number" ? this.requests.get(frame.id) : undefined;
    if (!request) {
      return;
    }
    this.requests.delete(frame.id as number);
    const recovered = (frame.recovered ?? {}) as Record<string, unknown>;
    for (const subscription of request.subscriptions) {
      if (this.subscriptions.get(subscription.channel) !== subscription) {
        continue; // unsubscribed meanwhile
      }
      subscription.inFlight = false;
      const since = request.since[subscription.channel];
      const flag = recovered[subscription.channel];
      if (since !== undefined && flag === false) {
        this.stats_.gaps++;
        subscription.gap({ channel: subscription.channel, since, reason: "not_recovered" });
      } else if (since === undefined && subscription.confirmedBefore) {
        this.stats_.gaps++;
        subscription.gap({ channel: subscription.channel, since: undefined, reason: "no_position" });
      }
      subscription.subscribed({
        channel: subscription.channel,
        resumed: since !== undefined,
        ...(typeof flag === "boolean" ? { recovered: flag } : {}),
      });
    }
  }

  private serverError(frame: Record<string, unknown>): void {
    const error: ServerError = {
      code: typeof frame.code === "string" ? frame.code : "unknown",
      message: typeof frame.message === "string" ? frame.message : "",
    };
    const id = typeof frame.id === "number" ? frame.id : undefined;
    if (id !== undefined && this.authIds.has(id)) {
      if (error.code === "unknown_type") {
        this.authIds.clear(); // a server without authentication: nothing to refresh on this connection
        this.refreshSupported = false;
      } else {
        this.events.emit("error", error);
      }
      return;
    }
    const request = id === undefined ? undefined : this.requests.get(id);
    if (!request) {
      this.events.emit("error", error);
      return;
    }
    this.requests.delete(id!);
    const current = request.subscriptions.filter((s) => this.subscriptions.get(s.channel) === s);
    current.forEach((s) => (s.inFlight = false));
    if (error.code === "invalid_position") {
      // The server accepts none of the request: resubscribe without positions, and say what may have been lost.
      for (const subscription of current) {
        const since = request.since[subscription.channel];
        if (since !== undefined) {
          subscription.position_ = undefined;
          subscription.confirmedBefore = false; // this gap is reported here, not again as `no_position`
          this.stats_.gaps++;
          subscription.gap({ channel: subscription.channel, since, reason: "invalid_position" });
        }
      }
      this.flush();
    } else {
      for (const subscription of current) {
        this.subscriptions.delete(subscription.channel);
        if (!subscription.fail(error)) {
          this.events.emit("error", { code: error.code, message: `${subscription.channel}: ${error.message}` });
        }
      }
    }
  }

  private release(subscription: Subscription): void {
    if (this.subscriptions.get(subscription.channel) !== subscription) {
      return;
    }
    this.subscriptions.delete(subscription.channel);
    const known = subscription.inFlight || subscription.status_ === "subscribed";
    subscription.status_ = "unsubscribed";
    if (known && this.isOpen()) {
      this.unsubscribing.add(subscription.channel);
      this.scheduleFlush();
    }
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) {
      return;
    }
    this.flushScheduled = true;
    // Subscriptions (and unsubscriptions) made in the same task travel in one request.
    queueMicrotask(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  /**
   * Tells the server the channels unsubscribed since the last flush, then sends subscribe requests for every pending
   * subscription not yet requested on this connection (in that order: a channel unsubscribed and subscribed again in
   * one task ends subscribed).
   */
  private flush(): void {
    if (!this.isOpen()) {
      return;
    }
    const gone = [...this.unsubscribing];
    this.unsubscribing.clear();
    for (const channels of unsubscribeBatches(gone)) {
      this.send({ type: "unsubscribe", channels });
    }
    const pending = [...this.subscriptions.values()].filter((s) => s.status_ === "pending" && !s.inFlight);
    for (const request of subscribeRequests(pending)) {
      const id = this.nextId++;
      this.requests.set(id, request);
      request.subscriptions.forEach((s) => (s.inFlight = true));
      const message: Record<string, unknown> = {
        type: "subscribe",
        channels: request.subscriptions.map((s) => s.channel),
        id,
      };
      if (Object.keys(request.since).length > 0) {
        message.since = request.since;
      }
      this.send(message);
    }
  }

  private scheduleRefresh(socket: WebSocketLike, token: string): void {
    const expiresAt = tokenExpiresAt(token);
    if (expiresAt === undefined) {
      return;
    }
    const delay = refreshDelay(expiresAt, Date.now(), this.settings.refreshBeforeExpiryMs);
    this.later(delay, async () => {
      if (socket !== this.socket || !this.refreshSupported || !this.options.token) {
        return;
      }
      let fresh: string;
      try {
        fresh = await this.options.token();
      } catch (error) {
        // The server closes with 4004 at expiry; the reconnect asks the callback again.
        this.events.emit("error", { code: "token_callback_failed", message: messageOf(error) });
        return;
      }
      if (socket !== this.socket || fresh === this.token) {
        return;
      }
      const id = this.nextId++;
      this.authIds.add(id);
      this.token = fresh;
      this.send({ type: "refresh", token: fresh, id });
      this.scheduleRefresh(socket, fresh);
    });
  }

  /** The current connection ended (or an attempt failed): decide, from the code, whether and when to try again. */
  private lost(code: number, reason: string): void {
    const stable = this.openedAt !== undefined && Date.now() - this.openedAt >= this.settings.stableAfterMs;
    this.teardown();
    if (this.stopped) {
      return;
    }
    const action = closeAction(code);
    if (action === "stop") {
      this.stop(code, reason);
      return;
    }
    if (action === "reconnect_with_new_token") {
      if (!this.options.token) {
        this.stop(code, reason || "the server requires a token; pass the token option");
        return;
      }
      this.refusedToken = this.token;
      this.refusedCode = code;
    }
    if (stable) {
      this.failures = 0;
    }
    const backoff = action === "reconnect_slowly" ? this.settings.goingAwayBackoff : this.settings.backoff;
    const delayMs = backoffDelay(this.failures, backoff, this.settings.random);
    this.failures++;
    this.setState({ state: "reconnecting", attempt: this.failures, code, reason, delayMs });
    this.later(delayMs, () => void this.connect());
  }

  private stop(code: number | undefined, reason: string): void {
    this.teardown();
    this.stopped = true;
    this.setState({ state: "closed", attempt: this.failures, ...(code === undefined ? {} : { code }), reason });
  }

  /** Forgets the current connection and every timer; nothing from the old socket reaches the application again. */
  private teardown(): void {
    const socket = this.socket;
    this.socket = undefined;
    this.openedAt = undefined;
    this.timers.forEach(clearTimeout);
    this.timers.clear();
    if (this.pingTimer !== undefined) {
      clearInterval(this.pingTimer);
      this.pingTimer = undefined;
    }
    this.requests.clear();
    this.authIds.clear();
    this.unsubscribing.clear();
    this.outbox?.close();
    this.outbox = undefined;
    this.refreshSupported = true;
    this.shard_ = undefined;
    for (const subscription of this.subscriptions.values()) {
      subscription.status_ = "pending";
      subscription.inFlight = false;
    }
    if (socket) {
      socket.onopen = null;
      socket.onmessage = null;
      socket.onclose = null;
      socket.onerror = () => {};
      try {
        socket.close(1000);
      } catch {
        // already closing
      }
    }
  }

  private isOpen(): boolean {
    return this.socket !== undefined && this.openedAt !== undefined && this.socket.readyState === OPEN;
  }

  private send(message: Record<string, unknown>): void {
    this.outbox?.send(JSON.stringify(message));
  }

  private later(delayMs: number, task: () => unknown): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      task();
    }, delayMs);
    this.timers.add(timer);
  }

  private setState(change: StateChange): void {
    this.state_ = change.state;
    this.events.emit("state", change);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
