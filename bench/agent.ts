// `tsbpf agent` against the separate tools doing the same work, at a steady event rate for 10
// minutes (TSBPF_BENCH_AGENT_MINUTES to change it): memory (resident set) and CPU time per
// thousand events.
//   - ours: one `tsbpf agent` with the packets, flows, tcp and exec collectors, interval 1 s,
//     NDJSON on stdout (drained);
//   - peer: `tsbpf flows --top --json`, `tsbpf tcp --json` and `tsbpf exec --json` — three
//     processes, one per collector — their resident sets and CPU times summed.
// All four run at once on the same events: 100 pings a second into one end of a veth pair (each
// is an echo request in and a reply out on the watched interface) and a shell loop exec'ing
// /bin/true and sleep 0.05, some 30 execs a second (exec and TCP tracing see the whole machine). The events are
// what the agent counted (packets and execs, from its /metrics). The run is cut into ten windows
// after a warm-up; each figure is the median of the windows, with their spread.
// Run alone: npx tsc -p . && node dist/bench/agent.js
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseExposition } from "../src/tools/common/metrics.js";
import { VethPair } from "../test/helpers/netns.js";
import { scrapeIn } from "../test/helpers/tool-process.js";
import { median } from "./c-peer.js";
import type { Figures } from "./run.js";

const TSBPF = fileURLToPath(new URL("../bin/tsbpf.js", import.meta.url));
const WINDOWS = 10;
const WARMUP_MS = 20_000;
const TICK_MS = 10; // USER_HZ = 100

/** User + system ticks of all the threads of process `pid`. */
function processTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]);
}

/** Resident set of process `pid`, MiB. */
function rssMib(pid: number): number {
  const kib = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
  return Number(kib) / 1024;
}

interface Child {
  name: string;
  process: ChildProcess;
  stderr: string;
  stdoutSeen: boolean;
}

function start(name: string, argv: string[]): Child {
  const child: Child = {
    name,
    process: spawn(argv[0]!, argv.slice(1), { stdio: ["ignore", "pipe", "pipe"] }),
    stderr: "",
    stdoutSeen: false,
  };
  // Output is drained (a full pipe would stall the tool) and dropped.
  child.process.stdout!.on("data", () => (child.stdoutSeen = true));
  child.process.stderr!.setEncoding("utf8").on("data", (d: string) => {
    if (child.stderr.length < 65536) child.stderr += d;
  });
  return child;
}

async function until(what: string, children: Child[], ok: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    for (const c of children)
      if (c.process.exitCode !== null) throw new Error(`${c.name} exited: ${c.stderr.slice(-1000)}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Packets and execs the agent counted so far. */
function agentEvents(netnsPath: string, url: string): number {
  const families = parseExposition(scrapeIn(netnsPath, url).body);
  let n = 0;
  for (const family of ["tsbpf_flows_packets_total", "tsbpf_exec_total"])
    for (const s of families.get(family)?.samples ?? []) n += s.value;
  return n;
}

function spreadOf(values: number[]): [number, number] {
  return [Math.min(...values), Math.max(...values)];
}

export async function run(): Promise<Figures> {
  const minutes = Number(process.env.TSBPF_BENCH_AGENT_MINUTES ?? 10);
  if (!(minutes > 0)) throw new Error("TSBPF_BENCH_AGENT_MINUTES must be a positive number of minutes");
  const windowMs = (minutes * 60_000) / WINDOWS;
  const pair = VethPair.create();
  const dir = mkdtempSync(join(tmpdir(), "tsbpf-bench-agent-"));
  const children: Child[] = [];
  try {
    const config = join(dir, "agent.yaml");
    writeFileSync(
      config,
      `interfaces: [${pair.b.ifname}]\ninterval: 1s\nmetrics: 127.0.0.1:0\ncollectors: { packets: true, flows: { top: 10 }, tcp: true, exec: true }\n`,
    );
    const inB = ["nsenter", `--net=${pair.b.path}`, process.execPath, TSBPF];
    const agent = start("tsbpf agent", [...inB, "agent", "--config", config]);
    const peers = [
      start("tsbpf flows", [...inB, "flows", "-i", pair.b.ifname, "--top", "--json"]),
      start("tsbpf tcp", [...inB, "tcp", "--json"]),
      start("tsbpf exec", [...inB, "exec", "--json"]),
    ];
    children.push(agent, ...peers);
    const url = /serving Prometheus metrics on (\S+)/;
    await until("the agent's endpoint", children, () => url.test(agent.stderr));
    const metrics = url.exec(agent.stderr)![1]!;

    children.push(
      start("ping", ["nsenter", `--net=${pair.a.path}`, "ping", "-q", "-i", "0.01", pair.b.address]),
      start("exec loop", ["sh", "-c", "while :; do /bin/true; sleep 0.05; done"]),
    );
    await until("every tool's first output", children, () => [agent, ...peers].every((c) => c.stdoutSeen));
    await new Promise((r) => setTimeout(r, WARMUP_MS));

    const ours = { cpu: [] as number[], rss: [] as number[] };
    const theirs = { cpu: [] as number[], rss: [] as number[] };
    const peerTicks = (): number => peers.reduce((n, c) => n + processTicks(c.process.pid!), 0);
    let events = agentEvents(pair.b.path, metrics);
    let [agentTicks, toolsTicks] = [processTicks(agent.process.pid!), peerTicks()];
    for (let w = 0; w < WINDOWS; w++) {
      await new Promise((r) => setTimeout(r, windowMs));
      for (const c of children)
        if (c.process.exitCode !== null) throw new Error(`${c.name} exited: ${c.stderr.slice(-1000)}`);
      const [nowEvents, nowAgent, nowTools] = [
        agentEvents(pair.b.path, metrics),
        processTicks(agent.process.pid!),
        peerTicks(),
      ];
      const thousands = (nowEvents - events) / 1000;
      ours.cpu.push(((nowAgent - agentTicks) * TICK_MS) / thousands);
      theirs.cpu.push(((nowTools - toolsTicks) * TICK_MS) / thousands);
      ours.rss.push(rssMib(agent.process.pid!));
      theirs.rss.push(peers.reduce((n, c) => n + rssMib(c.process.pid!), 0));
      [events, agentTicks, toolsTicks] = [nowEvents, nowAgent, nowTools];
    }
    const figure = (unit: string, a: number[], b: number[]) => ({
      value: median(a),
      unit,
      peer: "tsbpf flows --top + tcp + exec (3 processes)",
      peer_value: median(b),
      ratio: median(a) / median(b),
      rounds: WINDOWS,
      spread: spreadOf(a),
      peer_spread: spreadOf(b),
    });
    return {
      rss_mib: figure("MiB", ours.rss, theirs.rss),
      cpu_per_1k_events_ms: figure("ms", ours.cpu, theirs.cpu),
    };
  } finally {
    for (const c of children) if (c.process.exitCode === null) c.process.kill("SIGKILL");
    await Promise.all(
      children.map((c) =>
        c.process.exitCode === null && c.process.signalCode === null
          ? new Promise((r) => c.process.once("close", r))
          : undefined,
      ),
    );
    pair.delete();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const figures = await run();
  console.log(JSON.stringify(figures, null, 2));
}
