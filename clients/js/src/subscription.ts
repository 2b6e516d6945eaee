import { ChannelDeduplicator } from "./dedupe.js";
import { invokeSafely } from "./events.js";
import type { ChannelMessage, Gap, ServerError, Subscribed, SubscriptionHandlers } from "./types.js";

/**
 * - `pending`: waiting for a connection or for the server's `subscribed` reply (again after every reconnect).
 * - `subscribed`: the server confirmed it on the current connection.
 * - `failed`: the server refused it (`onError` said why); it is over.
 * - `unsubscribed`: {@link Subscription.unsubscribe} or {@link OdinClient.close} ended it.
 */
export type SubscriptionStatus = "pending" | "subscribed" | "failed" | "unsubscribed";

/** One channel's subscription: its handlers, where it is in the channel, and its state on the current connection. */
export class Subscription<T = unknown> {
  readonly channel: string;
  /** @internal */
  status_: SubscriptionStatus = "pending";
  /** @internal The position to resume after: the last record delivered, or the `since` the application gave. */
  position_: string | undefined;
  /** @internal A subscribe request naming this subscription awaits its reply on the current connection. */
  inFlight = false;
  /** @internal The server confirmed it on an earlier connection: a resubscription without a position has a gap. */
  confirmedBefore = false;
  private readonly handlers: SubscriptionHandlers<T>;
  private readonly dedupe = new ChannelDeduplicator();
  private readonly release: (subscription: Subscription<T>) => void;

  /** @internal Created by {@link OdinClient.subscribe}. */
  constructor(
    channel: string,
    handlers: SubscriptionHandlers<T>,
    since: string | undefined,
    release: (subscription: Subscription<T>) => void,
  ) {
    this.channel = channel;
    this.handlers = handlers;
    this.release = release;
    if (since !== undefined) {
      this.position_ = since;
      this.dedupe.seed(since);
    }
  }

  /** The position of the last record delivered (or the `since` given), to store and resume from later. */
  get position(): string | undefined {
    return this.position_;
  }

  get status(): SubscriptionStatus {
    return this.status_;
  }

  /** Stops delivery at once and tells the server. Idempotent. */
  unsubscribe(): void {
    this.release(this);
  }

  /** @internal Delivers a record unless it repeats one already delivered; returns whether it was delivered. */
  deliver(position: string, ts: number, data: unknown): boolean {
    if (!this.dedupe.accept(position)) {
      return false;
    }
    this.position_ = position;
    const message: ChannelMessage<T> = { channel: this.channel, position, ts, data: data as T };
    invokeSafely((m: ChannelMessage<T>) => this.handlers.onMessage(m), message);
    return true;
  }

  /** @internal */
  subscribed(event: Subscribed): void {
    this.status_ = "subscribed";
    this.confirmedBefore = true;
    const onSubscribed = this.handlers.onSubscribed;
    if (onSubscribed) {
      invokeSafely((e: Subscribed) => onSubscribed.call(this.handlers, e), event);
    }
  }

  /** @internal */
  gap(gap: Gap): void {
    const onGap = this.handlers.onGap;
    if (onGap) {
      invokeSafely((g: Gap) => onGap.call(this.handlers, g), gap);
    }
  }

  /** @internal Ends the subscription; returns false when the application has no `onError` to hear why. */
  fail(error: ServerError): boolean {
    this.status_ = "failed";
    const onError = this.handlers.onError;
    if (onError) {
      invokeSafely((e: ServerError) => onError.call(this.handlers, e), error);
    }
    return onError !== undefined;
  }
}
