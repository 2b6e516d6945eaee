import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type ChannelMessage, OdinClient } from "@odin-ws/client";
import { FakeServer, until } from "../support/fake-server.js";

// Run with `node --experimental-websocket` (Node 20): the global WebSocket that Node 22 has without the flag.

describe("OdinClient on a runtime with a global WebSocket", () => {
  let server: FakeServer;
  before(async () => {
    server = await FakeServer.start();
  });
  after(() => server.close());

  it("uses the global WebSocket, receives, and resumes after a drain", async () => {
    const Global = (globalThis as { WebSocket?: new (url: string) => object }).WebSocket;
    assert.equal(typeof Global, "function", "run this file with node --experimental-websocket");
    let constructed = 0;
    (globalThis as { WebSocket?: unknown }).WebSocket = class extends Global! {
      constructor(url: string) {
        super(url);
        constructed++;
      }
    };
    const messages: ChannelMessage[] = [];
    const client = new OdinClient(server.url, { backoff: { baseMs: 10, capMs: 100 } });
    try {
      client.subscribe("a", { onMessage: (m) => messages.push(m) });
      const first = await server.connection(0);
      await first.acceptSubscribe();
      first.record("a", "AAAAAAAAAAAAAAAAAAAAAA:0:1", { n: 1 });
      await until(() => messages.length === 1, "a record");
      first.close(1012, "draining");
      const second = await server.connection(1);
      assert.deepEqual((await second.acceptSubscribe({ a: true })).since, { a: "AAAAAAAAAAAAAAAAAAAAAA:0:1" });
      assert.equal(constructed, 2, "both connections through the global WebSocket");
      assert.deepEqual(messages.map((m) => m.data), [{ n: 1 }]);
    } finally {
      client.close();
      (globalThis as { WebSocket?: unknown }).WebSocket = Global;
    }
  });
});
