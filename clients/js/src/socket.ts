/**
 * The part of the WebSocket API the client uses: what browsers, Node 22+'s global WebSocket and the `ws` package
 * (Node 20) have in common.
 */
export interface WebSocketLike {
  readonly readyState: number;
  binaryType: string;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export type WebSocketConstructor = new (url: string) => WebSocketLike;

export const OPEN = 1;

// Held in a variable so that bundlers for the browser leave the import alone: it only runs where no global
// WebSocket exists, which is Node before 22.
const WS_PACKAGE = "ws";

/** The given constructor, else the global WebSocket, else the optional `ws` package. */
export async function resolveWebSocket(given: WebSocketConstructor | undefined): Promise<WebSocketConstructor> {
  if (given) {
    return given;
  }
  const global = (globalThis as { WebSocket?: unknown }).WebSocket;
  if (typeof global === "function") {
    return global as WebSocketConstructor;
  }
  try {
    const module = (await import(/* webpackIgnore: true */ /* @vite-ignore */ WS_PACKAGE)) as {
      WebSocket?: unknown;
      default?: unknown;
    };
    const ctor = module.WebSocket ?? module.default;
    if (typeof ctor === "function") {
      return ctor as WebSocketConstructor;
    }
  } catch {
    // reported below
  }
  throw new Error(
    "no WebSocket implementation: this runtime has no global WebSocket (Node before 22); install the 'ws' " +
      "package (npm install ws) or pass the WebSocket option",
  );
}
