import assert from "node:assert/strict";
import { createServer, type Socket } from "node:net";
import { once } from "node:events";
import { afterEach, beforeEach, describe, it } from "node:test";
import { WebSocket } from "ws";
import {
  type ChannelMessage,
  type ClientOptions,
  type Gap,
  OdinClient,
  type ServerError,
  type StateChange,
  type WebSocketConstructor,
} from "@odin-ws/client";
import { FakeServer, holdsFor, until } from "../support/fake-server.js";
import { jwt } from "../support/jwt.js";

const TOPIC = "AAAAAAAAAAAAAAAAAAAAAA";
const at = (offset: number) => `${TOPIC}:0:${offset}`;
/** Fast timings, so a test reconnects in milliseconds; no random jitter unless a test asks for it. */
const FAST: ClientOptions = { backoff: { baseMs: 20, capMs: 200 }, random: () => 0.5 };

/** A client under test with everything it reported. */
class Observed {
  readonly states: StateChange[] = [];
  readonly messages: ChannelMessage[] = [];
  readonly gaps: Gap[] = [];
  readonly errors: ServerError[] = [];
  readonly shards: number[] = [];

  constructor(readonly client: OdinClient) {
    client.on("state", (s) => this.states.push(s));
    client.on("error", (e) => this.errors.push(e));
    client.on("shard", (s) => this.shards.push(s));
  }

  subscribe(channel: string, since?: string) {
    return this.client.subscribe(
      channel,
      {
        onMessage: (m) => this.messages.push(m),
        onGap: (g) => this.gaps.push(g),
        onError: (e) => this.errors.push(e),
      },
      since === undefined ? {} : { since },
    );
  }

  positions(): string[] {
    return this.messages.map((m) => m.position);
  }

  count(state: StateChange["state"]): number {
    return this.states.filter((s) => s.state === state).length;
  }

  last(): StateChange | undefined {
    return this.states[this.states.length - 1];
  }
}

let server: FakeServer;
const clients: OdinClient[] = [];

function observe(options: ClientOptions = FAST, url = server.url): Observed {
  const client = new OdinClient(url, options);
  clients.push(client);
  return new Observed(client);
}

beforeEach(async () => {
  server = await FakeServer.start();
});

afterEach(async () => {
  clients.splice(0).forEach((c) => c.close());
  await server.close();
});

describe("OdinClient: subscribing", () => {
  it("subscribes, delivers the channel's records in order, and learns its shard from the pong", async () => {
    const o = observe();
    o.subscribe("BTC-USD");
    const conn = await server.connection(0);
    const ping = await conn.next("ping");
    conn.send({ type: "pong", ts: 1, shard: 2, ...(ping.id === undefined ? {} : { id: ping.id }) });
    const request = await conn.acceptSubscribe();
    assert.deepEqual(request.channels, ["BTC-USD"]);
    assert.equal(request.since, undefined, "a fresh subscription starts from the live stream");
    conn.record("BTC-USD", at(1), { price: 1 });
    conn.record("BTC-USD", at(2), { price: 2 });
    await until(() => o.messages.length === 2, "two records arrive");
    assert.deepEqual(o.messages.map((m) => m.data), [{ price: 1 }, { price: 2 }]);
    assert.deepEqual(o.shards, [2]);
    assert.equal(o.client.shard, 2);
    assert.deepEqual(o.states.map((s) => s.state), ["connecting", "connected"]);
  });

  it("sends the subscriptions made in one task as one request", async () => {
    const o = observe();
    o.subscribe("a");
    o.subscribe("b");
    o.subscribe("c");
    const conn = await server.connection(0);
    const request = await conn.acceptSubscribe();
    assert.deepEqual(request.channels, ["a", "b", "c"]);
  });

  it("splits a large set of subscriptions into requests far below a shard's frame limit", async () => {
    const o = observe();
    const names = Array.from({ length: 300 }, (_, i) => `${"x".repeat(190)}-${i}`);
    names.forEach((n) => o.subscribe(n));
    const conn = await server.connection(0);
    const seen: string[] = [];
    while (seen.length < names.length) {
      const request = await conn.next("subscribe");
      assert.ok(JSON.stringify(request).length < 65_536 / 2, "each request stays under half of 64 KiB");
      seen.push(...(request.channels as string[]));
    }
    assert.deepEqual(seen, names);
  });

  it("drops records of a channel once it is unsubscribed, and tells the server", async () => {
    const o = observe();
    const sub = o.subscribe("a");
    const conn = await server.connection(0);
    await conn.acceptSubscribe();
    conn.record("a", at(1), 1);
    await until(() => o.messages.length === 1, "the first record arrives");
    sub.unsubscribe();
    assert.equal(sub.status, "unsubscribed");
    assert.deepEqual((await conn.next("unsubscribe")).channels, ["a"]);
    o.subscribe("b");
    await conn.acceptSubscribe();
    conn.record("a", at(2), "in flight when the server processed the unsubscribe");
    conn.record("b", `${TOPIC}:1:1`, "b");
    await until(() => o.messages.some((m) => m.channel === "b"), "the record of b, sent after the one of a");
    assert.deepEqual(o.messages.map((m) => m.data), [1, "b"]);
  });

  it("refuses a second subscription to the same channel, and any after close()", () => {
    const o = observe();
    o.subscribe("a");
    assert.throws(() => o.subscribe("a"), /already subscribed to "a"/);
    o.client.close();
    assert.throws(() => o.subscribe("b"), /the client is closed/);
  });

  it("ends a subscription the server refuses, calls onError, and does not ask again after a reconnect", async () => {
    const o = observe();
    const bad = o.subscribe("bad");
    const conn = await server.connection(0);
    const request = await conn.next("subscribe");
    conn.send({ type: "error", code: "forbidden", message: "not yours", id: request.id });
    await until(() => bad.status === "failed", "the subscription fails");
    assert.deepEqual(o.errors, [{ code: "forbidden", message: "not yours" }]);
    o.subscribe("good");
    await conn.acceptSubscribe();
    conn.close(1012);
    const again = await server.connection(1);
    assert.deepEqual((await again.next("subscribe")).channels, ["good"]);
  });

  it("paces its messages below the shard's rate limit, and sends what it held back in order", async () => {
    const o = observe({ ...FAST, maxMessagesPerSecond: 10 });
    const subs = Array.from({ length: 40 }, (_, i) => o.subscribe(`c${i}`));
    const conn = await server.connection(0);
    await conn.acceptSubscribe();
    await until(() => subs.every((s) => s.status === "subscribed"), "subscribed");
    const receivedAt: number[] = [];
    conn.socket.on("message", () => receivedAt.push(Date.now()));
    const start = Date.now();
    for (const sub of subs) {
      sub.unsubscribe();
      await new Promise((resolve) => setImmediate(resolve)); // one task each: 40 separate unsubscribe messages
    }
    const told: string[] = [];
    while (told.length < subs.length) {
      told.push(...((await conn.next("unsubscribe")).channels as string[]));
    }
    assert.deepEqual(told, subs.map((s) => s.channel));
    // A full bucket holds 20 (two seconds' worth); the rest follow at 10 per second, never faster.
    const early = receivedAt.filter((t) => t - start < 1_000).length;
    assert.ok(early <= 20 + 10, `${early} messages within the first second`);
    assert.ok(Date.now() - start >= 1_500, "40 messages at 10/s after a burst of 20 take about 2 s");
  });

  it("sends the unsubscriptions of one task in one message, before a subscription made in the same task", async () => {
    const o = observe();
    const a = o.subscribe("a");
    const b = o.subscribe("b");
    const conn = await server.connection(0);
    await conn.acceptSubscribe();
    await until(() => a.status === "subscribed" && b.status === "subscribed", "subscribed");
    a.unsubscribe();
    b.unsubscribe();
    o.subscribe("a");
    assert.deepEqual((await conn.next("unsubscribe")).channels, ["a", "b"]);
    assert.deepEqual((await conn.acceptSubscribe()).channels, ["a"]);
    assert.deepEqual(conn.log.map((m) => m.type).filter((t) => t !== "ping"), ["subscribe", "unsubscribe", "subscribe"]);
  });
});

describe("OdinClient: resuming", () => {
  it("after a drain (1012) reconnects with backoff and resubscribes with the last delivered position", async () => {
    const o = observe();
    o.subscribe("a");
    o.subscribe("b");
    const first = await server.connection(0);
    await first.acceptSubscribe();
    first.record("a", at(1), 1);
    first.record("a", at(2), 2);
    first.record("b", `${TOPIC}:1:7`, 7);
    await until(() => o.messages.length === 3, "three records");
    first.close(1012, "draining");
    const second = await server.connection(1);
    const request = await second.acceptSubscribe({ a: true, b: true });
    assert.deepEqual(request.since, { a: at(2), b: `${TOPIC}:1:7` });
    const reconnecting = o.states.find((s) => s.state === "reconnecting");
    assert.deepEqual(reconnecting, { state: "reconnecting", attempt: 1, code: 1012, reason: "draining", delayMs: 10 });
    assert.deepEqual(
      o.states.map((s) => `${s.state}:${s.attempt}`),
      ["connecting:0", "connected:0", "reconnecting:1", "connecting:1", "connected:1"],
    );
    assert.deepEqual(o.gaps, []);
  });

  it("resumes after a slow-consumer close (4008) and after a connection lost without a close frame", async () => {
    const o = observe();
    o.subscribe("a");
    const first = await server.connection(0);
    await first.acceptSubscribe();
    first.record("a", at(5), 5);
    await until(() => o.messages.length === 1, "a record");
    first.close(4008, "slow consumer: resume with since");
    const second = await server.connection(1);
    assert.deepEqual((await second.acceptSubscribe({ a: true })).since, { a: at(5) });
    second.record("a", at(6), 6);
    await until(() => o.messages.length === 2, "the next record");
    second.socket.terminate(); // no close frame: what a killed shard looks like
    const third = await server.connection(2);
    assert.deepEqual((await third.acceptSubscribe({ a: true })).since, { a: at(6) });
    assert.ok(o.states.some((s) => s.state === "reconnecting" && s.code === 1006));
  });

  it("starts from a position the application stored (since), and reports a gap when the server cannot fill it", async () => {
    const o = observe();
    const sub = o.subscribe("a", at(40));
    const conn = await server.connection(0);
    const request = await conn.acceptSubscribe({ a: false });
    assert.deepEqual(request.since, { a: at(40) });
    await until(() => o.gaps.length === 1, "a gap");
    assert.deepEqual(o.gaps, [{ channel: "a", since: at(40), reason: "not_recovered" }]);
    conn.record("a", at(90), 90);
    await until(() => sub.position === at(90), "delivery goes on after the gap");
    assert.equal(o.client.stats.gaps, 1);
  });

  it("reports a gap for a channel that lost its connection before its first record (nothing to resume from)", async () => {
    const o = observe();
    o.subscribe("quiet");
    const first = await server.connection(0);
    await first.acceptSubscribe();
    first.close(1012);
    const second = await server.connection(1);
    assert.equal((await second.acceptSubscribe()).since, undefined);
    await until(() => o.gaps.length === 1, "a gap");
    assert.deepEqual(o.gaps, [{ channel: "quiet", since: undefined, reason: "no_position" }]);
  });

  it("never delivers a record twice or out of order across the seam, even when a server repeats itself", async () => {
    const o = observe();
    o.subscribe("a");
    const first = await server.connection(0);
    await first.acceptSubscribe();
    for (let i = 1; i <= 3; i++) first.record("a", at(i), i);
    await until(() => o.messages.length === 3, "three records");
    first.close(1012);
    const second = await server.connection(1);
    await second.acceptSubscribe({ a: true });
    // A faulty replay: the last record again, an older one, then the new ones.
    for (const i of [3, 2, 4, 5]) second.record("a", at(i), i);
    await until(() => o.messages.length === 5, "five records");
    assert.deepEqual(o.positions(), [1, 2, 3, 4, 5].map(at));
    assert.equal(o.client.stats.duplicatesDropped, 2);
  });

  it("reports a gap and resubscribes without a position the server rejects as invalid", async () => {
    const o = observe();
    o.subscribe("a", "not-a-position-of-this-cluster");
    const conn = await server.connection(0);
    const first = await conn.next("subscribe");
    conn.send({ type: "error", code: "invalid_position", message: "not one this server issued", id: first.id });
    const second = await conn.acceptSubscribe();
    assert.equal(second.since, undefined);
    assert.deepEqual(o.gaps, [{ channel: "a", since: "not-a-position-of-this-cluster", reason: "invalid_position" }]);
  });

  it("reports a position rejected after a reconnect once, not again as a channel without a position", async () => {
    const o = observe();
    o.subscribe("a");
    const first = await server.connection(0);
    await first.acceptSubscribe();
    first.record("a", at(1), 1);
    await until(() => o.messages.length === 1, "a record");
    first.close(1012);
    const second = await server.connection(1);
    const refused = await second.next("subscribe");
    second.send({ type: "error", code: "invalid_position", message: "topic re-created", id: refused.id });
    await second.acceptSubscribe();
    second.record("a", "BBBBBBBBBBBBBBBBBBBBBB:0:1", "the re-created topic's first record");
    await until(() => o.messages.length === 2, "the live stream after the gap");
    assert.deepEqual(o.gaps, [{ channel: "a", since: at(1), reason: "invalid_position" }]);
  });

  it("abandons a connection that stops answering pings, and nothing from it reaches the application", async () => {
    const o = observe({ ...FAST, pingIntervalMs: 50, pongTimeoutMs: 100 });
    o.subscribe("a");
    const silent = await server.connection(0);
    await silent.acceptSubscribe();
    silent.record("a", at(1), 1);
    await until(() => o.messages.length === 1, "a record");
    silent.stopReading(); // a dead route: the client must notice by itself
    const replacement = await server.connection(1, 3_000);
    const reconnecting = o.states.find((s) => s.state === "reconnecting")!;
    assert.equal(reconnecting.code, 1006);
    assert.match(reconnecting.reason!, /no frame from the server within 100 ms of a ping/);
    silent.record("a", at(2), "late, from the abandoned connection");
    const request = await replacement.acceptSubscribe({ a: true });
    assert.deepEqual(request.since, { a: at(1) });
    replacement.record("a", at(2), 2);
    await until(() => o.messages.length === 2, "the record through the new connection");
    assert.deepEqual(o.messages.map((m) => m.data), [1, 2]);
  });

  it("abandons an attempt whose upgrade never completes", async () => {
    const held: Socket[] = [];
    const tcp = createServer((socket) => held.push(socket)); // accepts, never answers the upgrade
    tcp.listen(0, "127.0.0.1");
    await once(tcp, "listening");
    const port = (tcp.address() as { port: number }).port;
    const o = observe({ ...FAST, connectTimeoutMs: 100 }, `ws://127.0.0.1:${port}/ws`);
    await until(() => o.count("reconnecting") >= 1, "the attempt is abandoned");
    assert.equal(o.states.find((s) => s.state === "reconnecting")!.reason, "not connected within 100 ms");
    o.client.close();
    held.forEach((s) => s.destroy());
    tcp.close();
  });
});

describe("OdinClient: backoff", () => {
  it("doubles the backoff window while attempts fail, up to the cap, and resets it after a stable connection", async () => {
    const o = observe({ backoff: { baseMs: 10, capMs: 40 }, stableAfterMs: 300, random: () => 0.999_999 });
    // Each connection is refused at once, as a shard does when the upgrade fails: not stable.
    for (let n = 0; n < 4; n++) {
      (await server.connection(n)).close(1011);
    }
    const stable = await server.connection(4);
    await until(() => o.count("connected") === 5, "the fifth connection opens");
    await new Promise((resolve) => setTimeout(resolve, 350)); // past stableAfterMs, on purpose
    stable.close(1012);
    await server.connection(5);
    const delays = o.states.filter((s) => s.state === "reconnecting").map((s) => s.delayMs);
    assert.deepEqual(delays, [9, 19, 39, 39, 9]);
  });

  it("retries slowly when the cluster goes away (1001)", async () => {
    const o = observe({ ...FAST, goingAwayBackoff: { baseMs: 400, capMs: 4_000 } });
    (await server.connection(0)).close(1001, "cluster deleted");
    await until(() => o.count("reconnecting") === 1, "reconnecting");
    assert.equal(o.last()!.delayMs, 200);
  });
});

describe("OdinClient: closes that must not be retried", () => {
  for (const code of [1002, 1007, 1008, 1009]) {
    it(`stops after ${code} and never connects again`, async () => {
      const o = observe();
      o.subscribe("a");
      const conn = await server.connection(0);
      await conn.acceptSubscribe();
      conn.close(code, "fix the client");
      await until(() => o.client.state === "closed", "closed");
      assert.deepEqual(o.last(), { state: "closed", attempt: 0, code, reason: "fix the client" });
      await holdsFor(() => server.connections.length === 1, "no second connection", 20 * 10);
    });
  }

  it("stops after 4001 when it has no token callback", async () => {
    const o = observe();
    (await server.connection(0)).close(4001, "unauthorized");
    await until(() => o.client.state === "closed", "closed");
    assert.equal(o.last()!.code, 4001);
    await holdsFor(() => server.connections.length === 1, "no second connection", 200);
  });

  it("close() ends the connection with 1000 and stops for good", async () => {
    const o = observe();
    const conn = await server.connection(0);
    await until(() => o.client.state === "connected", "connected");
    o.client.close();
    assert.equal(await conn.closed(), 1000);
    assert.deepEqual(o.last(), { state: "closed", attempt: 0, code: 1000, reason: "closed by the application" });
    await holdsFor(() => server.connections.length === 1, "no second connection", 200);
  });
});

describe("OdinClient: tokens", () => {
  it("sends the token first, and after 4004 (expired) reconnects with a fresh token and resumes", async () => {
    const tokens = ["token-1", "token-2"];
    let calls = 0;
    const o = observe({ ...FAST, token: async () => tokens[calls++]! });
    o.subscribe("a");
    const first = await server.connection(0);
    await until(() => first.received.length > 0, "a first message");
    assert.equal(first.received[0]!.type, "auth", "the token goes first");
    assert.equal((await first.next("auth")).token, "token-1");
    await first.acceptSubscribe();
    first.record("a", at(3), 3);
    await until(() => o.messages.length === 1, "a record");
    first.close(4004, "token expired");
    const second = await server.connection(1);
    assert.equal((await second.next("auth")).token, "token-2");
    assert.deepEqual((await second.acceptSubscribe({ a: true })).since, { a: at(3) });
  });

  it("stops when the token callback returns the token the server just refused (4001)", async () => {
    const o = observe({ ...FAST, token: () => "always-the-same" });
    (await server.connection(0)).close(4001, "bad signature");
    await until(() => o.client.state === "closed", "closed");
    assert.deepEqual(o.last(), {
      state: "closed",
      attempt: 1,
      code: 4001,
      reason: "the token callback returned the token the server refused",
    });
    assert.equal(server.connections.length, 1);
  });

  it("refreshes a JWT before it expires, on the same connection", async () => {
    const expiring = (seconds: number) => jwt({ sub: "u", exp: Math.floor(Date.now() / 1000) + seconds });
    const issued = [expiring(2), expiring(3600)];
    let calls = 0;
    const o = observe({ ...FAST, token: () => issued[calls++]!, refreshBeforeExpiryMs: 1_900 });
    const conn = await server.connection(0);
    assert.equal((await conn.next("auth")).token, issued[0]);
    const refresh = await conn.next("refresh", 3_000);
    assert.equal(refresh.token, issued[1]);
    assert.equal(server.connections.length, 1);
    assert.equal(o.client.state, "connected");
  });

  it("ends the subscriptions a refreshed token no longer allows, and does not ask for them after a reconnect", async () => {
    const o = observe({ ...FAST, token: () => "t" });
    const kept = o.subscribe("public.a");
    const revoked = o.subscribe("orders#42");
    const conn = await server.connection(0);
    await conn.next("auth");
    await conn.acceptSubscribe();
    await until(() => revoked.status === "subscribed", "both subscribed");
    conn.send({ type: "unsubscribed", channels: ["orders#42"], reason: "forbidden" });
    await until(() => revoked.status === "failed", "the revoked subscription fails");
    assert.deepEqual(o.errors, [{ code: "forbidden", message: "the refreshed token no longer allows this channel" }]);
    assert.equal(kept.status, "subscribed");
    conn.close(1012);
    const again = await server.connection(1);
    await again.next("auth");
    assert.deepEqual((await again.next("subscribe")).channels, ["public.a"]);
  });

  it("treats unknown_type in answer to auth as a server without authentication, not an error", async () => {
    const o = observe({ ...FAST, token: () => "t" });
    o.subscribe("a");
    const conn = await server.connection(0);
    const auth = await conn.next("auth");
    conn.send({ type: "error", code: "unknown_type", message: 'unknown type "auth"', id: auth.id });
    await conn.acceptSubscribe();
    conn.record("a", at(1), 1);
    await until(() => o.messages.length === 1, "a record");
    assert.deepEqual(o.errors, []);
  });

  it("retries with backoff when the token callback fails, and says so", async () => {
    let calls = 0;
    const o = observe({
      ...FAST,
      token: async () => {
        if (calls++ === 0) throw new Error("identity provider down");
        return "t";
      },
    });
    const conn = await server.connection(0);
    assert.equal((await conn.next("auth")).token, "t");
    assert.deepEqual(o.errors, [{ code: "token_callback_failed", message: "identity provider down" }]);
    assert.equal(o.states.find((s) => s.state === "reconnecting")!.reason, "the token callback failed: identity provider down");
  });
});

describe("OdinClient: setup", () => {
  it("rejects a URL that is not ws:// or wss://, and options that are not positive durations", () => {
    assert.throws(() => new OdinClient("http://127.0.0.1/ws"), /must start with ws:\/\/ or wss:\/\//);
    assert.throws(() => new OdinClient("ws://h/ws", { pingIntervalMs: 0 }), /pingIntervalMs must be a positive/);
    assert.throws(
      () => new OdinClient("ws://h/ws", { backoff: { baseMs: 100, capMs: 10 } }),
      /backoff.capMs \(10\) must not be below baseMs \(100\)/,
    );
  });

  it("uses the WebSocket constructor it is given", async () => {
    let constructed = 0;
    const Counting = class extends WebSocket {
      constructor(url: string) {
        super(url);
        constructed++;
      }
    } as unknown as WebSocketConstructor;
    const o = observe({ ...FAST, WebSocket: Counting });
    await server.connection(0);
    await until(() => o.client.state === "connected", "connected");
    assert.equal(constructed, 1);
  });
});
