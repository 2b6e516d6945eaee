// @ts-check
// The page `./odin-ws local --demo` serves: the demo channels through @odin-ws/client, the shard the page is on,
// and a button that drains that shard, so a person can watch the client move to another shard with no gap.
import { OdinClient } from "../dist/index.js";

/** @typedef {{ symbol: string, price: number, seq: number }} Tick */
/** @typedef {{ index: number, state: string, connections: number, pid?: number }} Shard */
/** @typedef {{ cluster: string, websocket: string, channels: string[], shards: Shard[] }} ClusterInfo */

const POINTS = 120;

/** What the page received, for people (the counters) and for tests (window.odinDemo). */
const demo = {
  /** @type {{ channel: string, position: string, seq: number, price: number }[]} */
  records: [],
  /** @type {import("../dist/index.js").StateChange[]} */
  states: [],
  /** @type {import("../dist/index.js").Gap[]} */
  gaps: [],
  /** Records whose `seq` does not follow the channel's previous one: missed (gap) or repeated. */
  sequenceBreaks: 0,
  /** @type {OdinClient | undefined} */
  client: undefined,
};
/** @type {any} */ (window).odinDemo = demo;

const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));

/** @param {string} text */
function log(text) {
  const line = `${new Date().toLocaleTimeString()}  ${text}\n`;
  const element = $("log");
  element.textContent = (line + (element.textContent ?? "")).split("\n").slice(0, 40).join("\n");
}

/** One small line chart per channel, redrawn on every tick. */
class Chart {
  /** @param {string} channel */
  constructor(channel) {
    /** @type {number[]} */
    this.prices = [];
    /** @type {number | undefined} */
    this.lastSeq = undefined;
    const box = document.createElement("section");
    box.className = "chart";
    box.innerHTML = `<header><span></span><span class="price">–</span></header><canvas></canvas><footer></footer>`;
    /** @type {HTMLElement} */ (box.querySelector("header span")).textContent = channel;
    this.price = /** @type {HTMLElement} */ (box.querySelector(".price"));
    this.footer = /** @type {HTMLElement} */ (box.querySelector("footer"));
    this.canvas = /** @type {HTMLCanvasElement} */ (box.querySelector("canvas"));
    $("charts").append(box);
  }

  /** @param {Tick} tick @param {string} position */
  add(tick, position) {
    this.prices.push(tick.price);
    if (this.prices.length > POINTS) this.prices.shift();
    this.price.textContent = tick.price.toFixed(2);
    this.footer.textContent = `seq ${tick.seq} · position ${position}`;
    this.draw();
  }

  draw() {
    const { canvas, prices } = this;
    const ratio = window.devicePixelRatio || 1;
    canvas.width = canvas.clientWidth * ratio;
    canvas.height = canvas.clientHeight * ratio;
    const g = /** @type {CanvasRenderingContext2D} */ (canvas.getContext("2d"));
    g.clearRect(0, 0, canvas.width, canvas.height);
    if (prices.length < 2) return;
    const low = Math.min(...prices);
    const high = Math.max(...prices);
    const span = high - low || 1;
    const pad = 6 * ratio;
    g.strokeStyle = (prices[prices.length - 1] ?? 0) >= (prices[0] ?? 0) ? "#18864b" : "#c0392b";
    g.lineWidth = 2 * ratio;
    g.beginPath();
    prices.forEach((p, i) => {
      const x = pad + (i / (prices.length - 1)) * (canvas.width - 2 * pad);
      const y = pad + (1 - (p - low) / span) * (canvas.height - 2 * pad);
      if (i === 0) g.moveTo(x, y);
      else g.lineTo(x, y);
    });
    g.stroke();
  }
}

function showCounts() {
  const stats = demo.client?.stats;
  $("counts").textContent =
    `${demo.records.length} records · ${stats ? stats.connections - 1 : 0} reconnects · ` +
    `${demo.gaps.length} gaps · ${demo.sequenceBreaks} sequence breaks`;
}

/** @param {ClusterInfo} info */
function showShards(info) {
  const mine = demo.client?.shard;
  $("shards").replaceChildren(
    ...info.shards.map((s) => {
      const row = document.createElement("tr");
      row.className = s.index === mine ? "mine" : "";
      for (const text of [`${s.index}${s.index === mine ? "  ← this page" : ""}`, s.state, String(s.connections)]) {
        const cell = document.createElement("td");
        cell.textContent = text;
        row.append(cell);
      }
      return row;
    }),
  );
  const shard = info.shards.find((s) => s.index === mine);
  const button = /** @type {HTMLButtonElement} */ ($("drain"));
  button.textContent = mine === undefined ? "Drain this shard" : `Drain shard ${mine}`;
  button.disabled = !shard || shard.state !== "serving";
}

async function refreshShards() {
  try {
    const response = await fetch("/api/cluster");
    showShards(await response.json());
  } catch {
    // the runner is stopping; the next poll tells
  }
}

async function drain() {
  const shard = demo.client?.shard;
  if (shard === undefined) return;
  /** @type {HTMLButtonElement} */ ($("drain")).disabled = true;
  const response = await fetch(`/api/shards/${shard}/drain`, { method: "POST" });
  const body = await response.json();
  $("drain-result").textContent = body.message;
  log(`drain shard ${shard}: ${response.status} ${body.message}`);
}

async function main() {
  /** @type {ClusterInfo} */
  const info = await (await fetch("/api/cluster")).json();
  $("cluster").textContent = `cluster ${info.cluster} · ${info.websocket}`;
  const client = new OdinClient(info.websocket);
  demo.client = client;
  client.on("state", (change) => {
    demo.states.push(change);
    const element = $("state");
    element.dataset.state = change.state;
    element.textContent =
      change.state === "reconnecting"
        ? `reconnecting in ${change.delayMs} ms (closed ${change.code})`
        : change.state === "closed"
          ? `closed ${change.code ?? ""} ${change.reason ?? ""}`
          : change.state;
    if (change.state !== "connected") $("shard").textContent = "shard ?";
    const detail = change.code === undefined ? "" : ` code ${change.code} ${change.reason ?? ""}`;
    log(`${change.state}${detail}${change.delayMs === undefined ? "" : `, next attempt in ${change.delayMs} ms`}`);
  });
  client.on("shard", (shard) => {
    $("shard").textContent = `shard ${shard}`;
    log(`on shard ${shard}`);
    void refreshShards();
  });
  for (const channel of info.channels) {
    const chart = new Chart(channel);
    client.subscribe(channel, {
      onMessage(message) {
        const tick = /** @type {Tick} */ (message.data);
        if (chart.lastSeq !== undefined && tick.seq !== chart.lastSeq + info.channels.length) {
          demo.sequenceBreaks++;
          log(`${channel}: seq ${tick.seq} after ${chart.lastSeq}`);
        }
        chart.lastSeq = tick.seq;
        demo.records.push({ channel, position: message.position, seq: tick.seq, price: tick.price });
        chart.add(tick, message.position);
        showCounts();
      },
      onGap(gap) {
        demo.gaps.push(gap);
        log(`${channel}: gap (${gap.reason}${gap.since === undefined ? "" : ` after ${gap.since}`})`);
        showCounts();
      },
      onSubscribed(event) {
        if (event.resumed) log(`${channel}: resumed, recovered ${event.recovered}`);
      },
    });
  }
  $("drain").addEventListener("click", () => void drain());
  void refreshShards();
  setInterval(() => void refreshShards(), 1_000);
}

void main();
