import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { until } from "./fake-server.js";

/** clients/js, from build/test/support/ where this file runs. */
export const CLIENT_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
export const REPO_ROOT = resolve(CLIENT_DIR, "../..");
/** Screenshots and printed figures of the browser tests. */
export const OUTPUT_DIR = join(CLIENT_DIR, "test-output");

export interface ShardInfo {
  index: number;
  state: string;
  connections: number;
  pid?: number;
}

export interface ClusterInfo {
  cluster: string;
  websocket: string;
  channels: string[];
  shards: ShardInfo[];
}

export interface ClusterSpec {
  name: string;
  shards: number;
  drainSeconds: number;
  /** Demo records per second over all channels. */
  rate: number;
}

/**
 * `./odin-ws local --demo` as a user runs it (the runner's jar, the shard jar, the watchdog), with a WsCluster file
 * of the test's own, on free ports: an embedded broker, shard processes, the balancer and the demo page.
 */
export class LocalCluster {
  private constructor(
    private readonly process: ChildProcess,
    private readonly dir: string,
    readonly output: string[],
    readonly pageUrl: string,
    readonly webSocketUrl: string,
  ) {}

  static async start(spec: ClusterSpec): Promise<LocalCluster> {
    const target = join(REPO_ROOT, "local", "target");
    const runner = existsSync(target) ? readdirSync(target).find((f) => /^local-.*-all\.jar$/.test(f)) : undefined;
    const watchdog = runner?.replace("-all.jar", ".jar");
    const shardTarget = join(REPO_ROOT, "shard-server", "target");
    const shard = existsSync(shardTarget) ? readdirSync(shardTarget).find((f) => /-all\.jar$/.test(f)) : undefined;
    if (!runner || !watchdog || !shard) {
      throw new Error("the local runner and shard jars are not built: run `mvn -B -pl local -am package -DskipTests`");
    }
    const dir = mkdtempSync(join(tmpdir(), `odin-ws-${spec.name}-`));
    const yaml = join(dir, "wscluster.yaml");
    writeFileSync(yaml, clusterYaml(spec));
    const child = spawn(
      "java",
      [
        "-jar", join(target, runner),
        "--shard-jar", join(shardTarget, shard),
        "--watchdog-jar", join(target, watchdog),
        "--state-dir", join(dir, "state"),
        "--demo-root", CLIENT_DIR,
        "-f", yaml, "--demo", "--rate", String(spec.rate), "--port", "0",
      ],
      { stdio: ["pipe", "pipe", "pipe"] },
    );
    const output: string[] = [];
    const collect = (chunk: Buffer) => {
      for (const line of chunk.toString().split("\n").filter((l) => l.length > 0)) {
        output.push(line);
        if (process.env.ODIN_WS_TEST_VERBOSE) console.log(`[runner] ${line}`);
      }
    };
    child.stdout!.on("data", collect);
    child.stderr!.on("data", collect);
    // The test process may die before its after() hook: never leave a cluster behind.
    const killOnExit = () => child.kill("SIGKILL");
    process.once("exit", killOnExit);
    child.once("exit", () => process.off("exit", killOnExit));
    try {
      await until(() => output.some((l) => l.includes("demo page  http://")) || child.exitCode !== null,
        "the runner prints its banner", 180_000);
      const page = output.find((l) => l.includes("demo page  http://"));
      const connect = output.find((l) => l.includes("connect    ws://"));
      if (!page || !connect) {
        throw new Error(`the runner printed no demo page or connect line:\n${output.join("\n")}`);
      }
      const cluster = new LocalCluster(child, dir, output, /http:\/\/\S+/.exec(page)![0], /ws:\/\/\S+/.exec(connect)![0]);
      await cluster.awaitServing(spec.shards);
      return cluster;
    } catch (error) {
      child.kill("SIGKILL");
      throw error;
    }
  }

  async info(): Promise<ClusterInfo> {
    const response = await fetch(new URL("/api/cluster", this.pageUrl));
    return (await response.json()) as ClusterInfo;
  }

  /** Waits until {@code count} shards serve (ready in the balancer, not draining or restarting). */
  async awaitServing(count: number, timeoutMs = 120_000): Promise<void> {
    let last: ClusterInfo | undefined;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      last = await this.info().catch(() => undefined);
      if (last && last.shards.filter((s) => s.state === "serving").length === count) {
        return;
      }
      if (Date.now() > deadline) {
        throw new Error(`${count} shards not serving within ${timeoutMs} ms: ${JSON.stringify(last)}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /** The demo page's drain button, pressed through its endpoint. */
  async drain(index: number): Promise<number> {
    const response = await fetch(new URL(`/api/shards/${index}/drain`, this.pageUrl), { method: "POST" });
    return response.status;
  }

  /** SIGKILL to shard {@code index}'s process: no drain, no close frame; the runner restarts it. */
  async kill(index: number): Promise<number> {
    const shard = (await this.info()).shards.find((s) => s.index === index);
    if (shard?.pid === undefined) {
      throw new Error(`shard ${index} has no process: ${JSON.stringify(shard)}`);
    }
    process.kill(shard.pid, "SIGKILL");
    return shard.pid;
  }

  /** SIGTERM, as Ctrl-C: the runner drains and stops every shard, then the broker; SIGKILL if it hangs. */
  async stop(): Promise<void> {
    if (this.process.exitCode === null) {
      const exited = new Promise((r) => this.process.once("exit", r));
      this.process.kill("SIGTERM");
      const timer = setTimeout(() => this.process.kill("SIGKILL"), 90_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function clusterYaml(spec: ClusterSpec): string {
  return `apiVersion: ws.odin.dev/v1alpha1
kind: WsCluster
metadata:
  name: ${spec.name}
spec:
  shards: ${spec.shards}
  resources:
    limits:
      cpu: "1"
      memory: 256Mi
  kafka:
    bootstrapServers: embedded
    topics:
      - name: demo
  drain:
    seconds: ${spec.drainSeconds}
`;
}
