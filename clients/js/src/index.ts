export { OdinClient } from "./client.js";
export { Subscription, type SubscriptionStatus } from "./subscription.js";
export {
  backoffDelay,
  closeAction,
  CLOSE_ACTIONS,
  DEFAULT_BACKOFF,
  DEFAULT_GOING_AWAY_BACKOFF,
  type Backoff,
  type CloseAction,
} from "./policy.js";
export type { WebSocketConstructor, WebSocketLike } from "./socket.js";
export type {
  ChannelMessage,
  ClientEvents,
  ClientOptions,
  ConnectionState,
  Gap,
  ServerError,
  StateChange,
  Subscribed,
  SubscribeOptions,
  SubscriptionHandlers,
} from "./types.js";
