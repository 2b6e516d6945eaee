import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { WebSocket, WebSocketServer } from "ws";

/** A message the client sent, parsed. */
export type Sent = { type: string } & Record<string, unknown>;

/** One client connection as the fake server sees it: what it sent, and ways to answer or end it. */
export class FakeConnection {
  /** Messages not yet taken by {@link next}. */
  readonly received: Sent[] = [];
  /** Every message, in the order it arrived. */
  readonly log: Sent[] = [];
  private readonly waiters: Array<() => void> = [];
  closeCode: number | undefined;

  constructor(readonly socket: WebSocket) {
    socket.on("message", (data) => {
      const message = JSON.parse(data.toString()) as Sent;
      this.received.push(message);
      this.log.push(message);
      this.waiters.splice(0).forEach((wake) => wake());
    });
    socket.on("close", (code) => {
      this.closeCode = code;
      this.waiters.splice(0).forEach((wake) => wake());
    });
  }

  /** The next message of {@code type} the client sends after the ones already taken. */
  async next(type: string, timeoutMs = 5_000): Promise<Sent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.received.findIndex((m) => m.type === type);
      if (index >= 0) {
        return this.received.splice(index, 1)[0]!;
      }
      if (Date.now() > deadline) {
        throw new Error(`no "${type}" from the client within ${timeoutMs} ms; got ${JSON.stringify(this.received)}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  send(frame: Record<string, unknown>): void {
    this.socket.send(JSON.stringify(frame));
  }

  /** Answers the next subscribe request as a shard does, echoing its id, with the given `recovered` flags. */
  async acceptSubscribe(recovered?: Record<string, boolean>): Promise<Sent> {
    const request = await this.next("subscribe");
    this.send({ type: "subscribed", channels: request.channels, id: request.id, ...(recovered ? { recovered } : {}) });
    return request;
  }

  record(channel: string, position: string, data: unknown): void {
    this.send({ type: "message", channel, position, ts: 1, data });
  }

  /**
   * Stops reading what the client sends, as a dead route does: the client's pings and its close frame never arrive,
   * while this side can still send.
   */
  stopReading(): void {
    (this.socket as unknown as { _socket: { pause(): void } })._socket.pause();
  }

  close(code: number, reason = ""): void {
    this.socket.close(code, reason);
  }

  async closed(): Promise<number | undefined> {
    if (this.socket.readyState !== WebSocket.CLOSED) {
      await once(this.socket, "close");
    }
    return this.closeCode;
  }
}

/** A WebSocket server on loopback that records every connection, for driving the client through a protocol. */
export class FakeServer {
  readonly connections: FakeConnection[] = [];
  private readonly waiters: Array<() => void> = [];

  private constructor(private readonly server: WebSocketServer) {
    server.on("connection", (socket) => {
      this.connections.push(new FakeConnection(socket));
      this.waiters.splice(0).forEach((wake) => wake());
    });
  }

  static async start(): Promise<FakeServer> {
    const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    await once(server, "listening");
    return new FakeServer(server);
  }

  get url(): string {
    return `ws://127.0.0.1:${(this.server.address() as AddressInfo).port}/ws`;
  }

  /** The n-th connection (0-based), waiting for it to arrive. */
  async connection(n: number, timeoutMs = 5_000): Promise<FakeConnection> {
    const deadline = Date.now() + timeoutMs;
    while (this.connections.length <= n) {
      if (Date.now() > deadline) {
        throw new Error(`connection ${n} did not arrive within ${timeoutMs} ms (${this.connections.length} so far)`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.connections[n]!;
  }

  async close(): Promise<void> {
    for (const client of this.server.clients) {
      client.terminate();
    }
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Resolves when {@code predicate} holds, checking every 5 ms; rejects after {@code timeoutMs}. */
export async function until(predicate: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Resolves after checking that {@code predicate} held throughout {@code ms}; rejects as soon as it does not. */
export async function holdsFor(predicate: () => boolean | Promise<boolean>, what: string, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (!(await predicate())) {
      throw new Error(`expected ${what} to hold for ${ms} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
