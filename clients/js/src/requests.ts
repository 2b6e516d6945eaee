import type { Subscription } from "./subscription.js";

/** A subscribe request: the subscriptions it names, and the positions it sends as `since`, by channel. */
export interface SubscribeRequest {
  readonly subscriptions: readonly Subscription[];
  readonly since: Readonly<Record<string, string>>;
}

/**
 * Requests stay far below any shard's frame limit (64 KiB by default), since a frame over it is closed with 1009,
 * which the client must not retry.
 */
const MAX_REQUEST_CHARS = 16_384;
const MAX_REQUEST_CHANNELS = 64;

/** The subscriptions in as few requests as the limits allow, each resuming from the subscription's position. */
export function subscribeRequests(subscriptions: Iterable<Subscription>): SubscribeRequest[] {
  const requests: SubscribeRequest[] = [];
  let batch: Subscription[] = [];
  let since: Record<string, string> = {};
  let size = 0;
  for (const subscription of subscriptions) {
    // JSON may escape a character into up to 6; a channel is usually plain, so twice its length is the budget.
    const cost = 2 * subscription.channel.length + 2 * (subscription.position?.length ?? 0) + 16;
    if (batch.length === MAX_REQUEST_CHANNELS || (batch.length > 0 && size + cost > MAX_REQUEST_CHARS)) {
      requests.push({ subscriptions: batch, since });
      batch = [];
      since = {};
      size = 0;
    }
    batch.push(subscription);
    if (subscription.position !== undefined) {
      since[subscription.channel] = subscription.position;
    }
    size += cost;
  }
  if (batch.length > 0) {
    requests.push({ subscriptions: batch, since });
  }
  return requests;
}

/** Channels to unsubscribe, in messages of at most {@link MAX_REQUEST_CHANNELS}. */
export function unsubscribeBatches(channels: readonly string[]): string[][] {
  const batches: string[][] = [];
  for (let i = 0; i < channels.length; i += MAX_REQUEST_CHANNELS) {
    batches.push(channels.slice(i, i + MAX_REQUEST_CHANNELS));
  }
  return batches;
}
