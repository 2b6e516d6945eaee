import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type Browser, chromium, type Page } from "playwright-core";
import { OdinClient, type StateChange } from "@odin-ws/client";
import { deliveryProblems, type Received } from "../support/delivery.js";
import { holdsFor, until } from "../support/fake-server.js";
import { LocalCluster, OUTPUT_DIR } from "../support/local-cluster.js";

/**
 * The JavaScript client in headless Chromium (Debian's, through playwright-core) and in Node, against
 * `./odin-ws local --demo`: three shard processes behind the balancer, the demo publisher at 20 records/s, and the
 * demo page, which runs on the client.
 */

const RATE = 20;
const SHARDS = 3;
const DRAIN_SECONDS = 2;
const CHROMIUM = "/usr/bin/chromium";

/** What the demo page exposes as window.odinDemo, as far as the tests read it. */
interface DemoState {
  records: Received[];
  states: StateChange[];
  gaps: unknown[];
  sequenceBreaks: number;
  shard: number | undefined;
  connections: number;
}

let cluster: LocalCluster;
let browser: Browser;
let page: Page;

async function demoState(): Promise<DemoState> {
  return page.evaluate(() => {
    const demo = (window as any).odinDemo;
    return {
      records: demo.records,
      states: demo.states,
      gaps: demo.gaps,
      sequenceBreaks: demo.sequenceBreaks,
      shard: demo.client?.shard,
      connections: demo.client?.stats.connections ?? 0,
    };
  });
}

async function awaitPage(predicate: (s: DemoState) => boolean, what: string, timeoutMs = 60_000): Promise<DemoState> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = await demoState();
    if (predicate(state)) {
      return state;
    }
    if (Date.now() > deadline) {
      const { records, ...rest } = state;
      throw new Error(`timed out waiting until ${what}: ${records.length} records, ${JSON.stringify(rest)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

function screenshot(name: string): Promise<Buffer> {
  mkdirSync(OUTPUT_DIR, { recursive: true });
  return page.screenshot({ path: join(OUTPUT_DIR, name) });
}

/** Moves the page's client off its shard with {@code disrupt}, then checks it resumed with no gap and no repeat. */
async function resumesWithNoGapAfter(disrupt: (shard: number) => Promise<unknown>, expectedCode: number) {
  const before = await awaitPage((s) => s.shard !== undefined && s.records.length >= 20, "20 records on a known shard");
  const shard = before.shard!;
  await disrupt(shard);
  const moved = await awaitPage(
    (s) => s.connections === before.connections + 1 && s.shard !== undefined && s.shard !== shard,
    `the client is on another shard than ${shard}`,
    90_000,
  );
  const lost = moved.states.slice(before.states.length).find((s) => s.state === "reconnecting");
  assert.equal(lost?.code, expectedCode, JSON.stringify(moved.states.slice(before.states.length)));
  // Long enough after the move that the replay of every channel is done and live records follow it.
  const settled = await awaitPage((s) => s.records.length >= moved.records.length + 2 * RATE, "40 more records");
  assert.deepEqual(deliveryProblems(settled.records, 3), []);
  assert.deepEqual(settled.gaps, []);
  assert.equal(settled.sequenceBreaks, 0, "the page's own count of records out of sequence");
  const acrossTheSeam = settled.records.length - before.records.length;
  console.log(`  resumed after ${expectedCode} from shard ${shard} on shard ${settled.shard}: ${
    acrossTheSeam} records across the seam, every one once and in order`);
}

describe("the client against ./odin-ws local --demo", { timeout: 600_000 }, () => {
  before(async () => {
    cluster = await LocalCluster.start({ name: "sdk-browser", shards: SHARDS, drainSeconds: DRAIN_SECONDS, rate: RATE });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"],
    });
    page = await browser.newPage({ viewport: { width: 1100, height: 720 } });
    page.on("pageerror", (error) => console.log(`  page error: ${error.message}`));
    await page.goto(cluster.pageUrl);
  });

  after(async () => {
    await browser?.close();
    await cluster?.stop();
  });

  it("the demo page subscribes to every demo channel, charts its ticks and shows the shard it is on", async () => {
    const state = await awaitPage(
      (s) => s.shard !== undefined && new Set(s.records.map((r) => r.channel)).size === 3 && s.records.length >= 30,
      "records of all three channels",
    );
    assert.equal(await page.textContent("#state"), "connected");
    assert.equal(await page.textContent("#shard"), `shard ${state.shard}`);
    await page.waitForSelector("tr.mine", { timeout: 10_000 });
    assert.match((await page.textContent("tr.mine td"))!, new RegExp(`^${state.shard}\\s+← this page$`));
    const prices = await page.$$eval(".chart .price", (elements) => elements.map((e) => e.textContent));
    assert.equal(prices.length, 3);
    assert.ok(prices.every((p) => /^\d+\.\d\d$/.test(p ?? "")), `every chart shows a price: ${prices}`);
    assert.equal(await page.isEnabled("#drain"), true, "the drain button is ready");
    const png = await screenshot("demo-page.png");
    assert.ok(png.length > 10_000, "a screenshot with content");
    console.log(`  screenshot: ${join(OUTPUT_DIR, "demo-page.png")}`);
  });

  it("its drain button drains the page's shard under 20 records/s: the page resumes elsewhere with no gap and no repeat", async () => {
    await resumesWithNoGapAfter(() => page.click("#drain"), 1012);
    await screenshot("demo-page-after-drain.png");
    assert.match((await page.textContent("#log"))!, /reconnecting code 1012/);
    await cluster.awaitServing(SHARDS); // the drained shard was started again
  });

  it("after its shard is killed with SIGKILL the page resumes elsewhere with no gap and no repeat", async () => {
    await resumesWithNoGapAfter((shard) => cluster.kill(shard), 1006);
    await cluster.awaitServing(SHARDS); // restarted by the runner, as the kubelet restarts a pod
  });

  it("a fatal close (1009, a message over the shard's frame limit) is never retried", async () => {
    await page.evaluate(async (url) => {
      const { OdinClient: Client } = await import("/dist/index.js" as string);
      const sockets: WebSocket[] = [];
      class Recording extends WebSocket {
        constructor(address: string) {
          super(address);
          sockets.push(this);
        }
      }
      const states: StateChange[] = [];
      const client = new Client(url, { WebSocket: Recording });
      client.on("state", (s: StateChange) => states.push(s));
      (window as any).fatal = { client, sockets, states };
    }, cluster.webSocketUrl);
    await page.waitForFunction(() => (window as any).fatal.client.state === "connected");
    await page.evaluate(() => (window as any).fatal.sockets[0].send(`{"type":"ping","id":"${"x".repeat(70_000)}"}`));
    await page.waitForFunction(() => (window as any).fatal.client.state === "closed");
    const fatal = () => page.evaluate(() => ({
      sockets: (window as any).fatal.sockets.length as number,
      states: (window as any).fatal.states as StateChange[],
    }));
    const closed = (await fatal()).states.at(-1)!;
    assert.equal(closed.code, 1009);
    // The normal backoff would have retried within 1 s; for 3 s there is still only the one socket, closed.
    await holdsFor(async () => {
      const now = await fatal();
      return now.sockets === 1 && now.states.at(-1)!.state === "closed";
    }, "one socket, closed", 3_000);
    const last = await fatal();
    assert.deepEqual(last.states.map((s) => s.state), ["connecting", "connected", "closed"]);
  });

  it("1,000 clients in one Node process spread their reconnects over the backoff window after a drain", async () => {
    const count = 1_000;
    const clients: OdinClient[] = [];
    const lost: Array<{ at: number; delayMs: number; code: number | undefined; attemptAt?: number }> = [];
    try {
      for (let i = 0; i < count; i++) {
        const client = new OdinClient(cluster.webSocketUrl);
        client.on("state", (s) => {
          if (s.state === "reconnecting") {
            lost[i] = { at: performance.now(), delayMs: s.delayMs!, code: s.code };
          } else if (s.state === "connecting" && lost[i] && lost[i]!.attemptAt === undefined) {
            lost[i]!.attemptAt = performance.now();
          }
        });
        client.subscribe("BTC-USD", { onMessage() {} });
        clients.push(client);
      }
      await until(() => clients.every((c) => c.shard !== undefined), "every client knows its shard", 120_000);
      const byShard = new Map<number, number>();
      clients.forEach((c) => byShard.set(c.shard!, (byShard.get(c.shard!) ?? 0) + 1));
      const [target, onTarget] = [...byShard].sort((a, b) => b[1] - a[1])[0]!;
      lost.length = 0;
      assert.equal(await cluster.drain(target), 202);
      await until(() => lost.filter((l) => l?.code === 1012).length === onTarget, `all ${onTarget} clients get 1012`, 60_000);
      await until(() => clients.every((c) => c.state === "connected"), "every client is connected again", 60_000);
      const drained = lost.filter((l) => l !== undefined);
      const delays = drained.map((l) => l.attemptAt! - l.at).sort((a, b) => a - b);
      const chosen = drained.map((l) => l.delayMs).sort((a, b) => a - b);
      const closes = drained.map((l) => l.at).sort((a, b) => a - b);
      const attempts = drained.map((l) => l.attemptAt!).sort((a, b) => a - b);
      const pct = (list: number[], p: number) => list[Math.min(list.length - 1, Math.floor(p * list.length))]!;
      const histogram = Array.from({ length: 10 }, (_, b) =>
        chosen.filter((d) => d >= b * 100 && d < (b + 1) * 100).length);
      const report = [
        `1,000 clients (Node ${process.version}, ws package) over ${byShard.size} shards ${JSON.stringify([...byShard])};`,
        `drained shard ${target} (drain window ${DRAIN_SECONDS} s): ${drained.length} clients got 1012`,
        `closes arrived over ${(closes.at(-1)! - closes[0]!).toFixed(0)} ms (the shard's pacing)`,
        `backoff chosen (ms): min ${chosen[0]} p50 ${pct(chosen, 0.5)} p90 ${pct(chosen, 0.9)} max ${chosen.at(-1)}`,
        `close -> next attempt measured (ms): min ${delays[0]!.toFixed(0)} p50 ${pct(delays, 0.5).toFixed(0)} p90 ${
          pct(delays, 0.9).toFixed(0)} max ${delays.at(-1)!.toFixed(0)}`,
        `reconnect attempts spread over ${(attempts.at(-1)! - attempts[0]!).toFixed(0)} ms`,
        `backoff chosen per 100 ms bucket of the 1,000 ms window: ${histogram.join(" ")}`,
      ].join("\n  ");
      console.log(`  ${report}`);
      mkdirSync(OUTPUT_DIR, { recursive: true });
      writeFileSync(join(OUTPUT_DIR, "reconnect-spread.txt"), `${report}\n`);
      assert.ok(drained.length >= count / SHARDS / 2, `a drain moves a shard's share of clients: ${drained.length}`);
      assert.ok(chosen.every((d) => d >= 0 && d < 1_000), "every first retry waits within [0, base)");
      assert.ok(chosen.at(-1)! - chosen[0]! > 50, "the backoff delays are not all within 50 ms of each other");
      assert.ok(attempts.at(-1)! - attempts[0]! > 50, "the reconnect attempts are not all within 50 ms");
    } finally {
      clients.forEach((c) => c.close());
    }
  });
});
