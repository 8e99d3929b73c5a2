// footprint.TOOL.rss_mib: the steady resident memory (RSS, MiB) of each tool doing a steady job,
// against tcpdump or bpftrace doing the same job. A monitoring agent is expected to be small.
//
// The job: in a veth pair, namespace a pings b every 5 ms, tries a TCP connection to a closed
// port of b every 50 ms (each one a SYN, a reset and socket state changes) and runs /bin/true as
// often (execs). Each tool watches it from namespace b (the packet tools on b's veth end) for
// WARMUP seconds, then its VmRSS is sampled every 250 ms for WINDOW seconds; the round's figure
// is the window's largest sample. The figure is the median of ROUNDS rounds; the spread of the
// rounds and the load average are printed on stderr.
//
// Peers, doing the same job the way a user would without tsbpf:
//   count, flows: bpftrace counting packets per interface and length (net:netif_receive_skb);
//   dump: tcpdump -nn on the same interface, output to /dev/null;
//   tcp: bpftrace counting inet_sock_set_state transitions per state, printed every second;
//   exec: bpftrace printing each execve's pid and file name;
//   top: one bpftrace with the three probes above.
// RSS counts shared pages: the node binary's text (~38 MiB, shared by every node process) and
// the BPF ring buffers the tool maps. docs/footprint.md says where the memory goes.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { VethPair } from "../test/helpers/netns.js";
import { ensureTracefs } from "../src/sys/mounts.js";
import type { Figures } from "./run.js";

const TSBPF = fileURLToPath(new URL("../src/cli/main.js", import.meta.url));
const ROUNDS = 3;
const WARMUP_S = 4;
const WINDOW_S = 4;

const PACKETS = "tracepoint:net:netif_receive_skb { @packets[str(args->name), args->len] = count(); }";
const STATES = "tracepoint:sock:inet_sock_set_state { @states[args->newstate] = count(); }";
const EXECS = 'tracepoint:syscalls:sys_enter_execve { printf("%d %s\\n", pid, str(args->filename)); }';
/** Prints `maps` every second, as the tools report. */
const everySecond = (...maps: string[]): string => `interval:s:1 { ${maps.map((m) => `print(${m});`).join(" ")} }`;

interface Job {
  tool: string[];
  peer: string[];
  peerName: string;
}

function jobs(pair: VethPair): Record<string, Job> {
  const bpftrace = (...probes: string[]): string[] => ["bpftrace", "-e", probes.join("\n")];
  return {
    count: {
      tool: ["count", "-i", pair.b.ifname],
      peer: bpftrace(PACKETS, everySecond("@packets")),
      peerName: "bpftrace 0.17, packets per interface",
    },
    dump: {
      tool: ["dump", "-i", pair.b.ifname, "-nn"],
      peer: ["tcpdump", "-i", pair.b.ifname, "-nn"],
      peerName: "tcpdump 4.99 -nn",
    },
    flows: {
      tool: ["flows", "-i", pair.b.ifname],
      peer: bpftrace(PACKETS, everySecond("@packets")),
      peerName: "bpftrace 0.17, packets per interface and length",
    },
    tcp: {
      tool: ["tcp"],
      peer: bpftrace(STATES, everySecond("@states")),
      peerName: "bpftrace 0.17, TCP state changes",
    },
    exec: { tool: ["exec"], peer: bpftrace(EXECS), peerName: "bpftrace 0.17, execve printf" },
    top: {
      tool: ["top", "-i", pair.b.ifname],
      peer: bpftrace(PACKETS, STATES, EXECS, everySecond("@packets", "@states")),
      peerName: "bpftrace 0.17, the three probes",
    },
  };
}

function rssMiB(pid: number): number | undefined {
  try {
    const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** One round: the largest RSS of `argv` (run in namespace b) over the window after the warm-up. */
async function round(pair: VethPair, argv: string[]): Promise<number> {
  const child: ChildProcess = spawn("nsenter", [`--net=${pair.b.path}`, ...argv], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d.slice(0, 4000)));
  const closed = new Promise<void>((resolve) => child.on("close", () => resolve()));
  try {
    await sleep(WARMUP_S * 1000);
    let peak = 0;
    for (let t = 0; t < WINDOW_S * 4; t++) {
      const rss = rssMiB(child.pid!);
      if (rss === undefined) throw new Error(`${argv.join(" ")} exited early: ${stderr}`);
      peak = Math.max(peak, rss);
      await sleep(250);
    }
    return peak;
  } finally {
    child.kill("SIGINT");
    const killer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await closed;
    clearTimeout(killer);
  }
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function measure(pair: VethPair, name: string, argv: string[]): Promise<number> {
  const rounds: number[] = [];
  for (let i = 0; i < ROUNDS; i++) rounds.push(await round(pair, argv));
  process.stderr.write(
    `footprint: ${name}: median ${median(rounds).toFixed(1)} MiB (rounds ${rounds.map((r) => r.toFixed(1)).join(", ")}; load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")})\n`,
  );
  return median(rounds);
}

/** The steady job: pings, TCP attempts to a closed port and execs, from namespace a. */
function startLoad(pair: VethPair): ChildProcess {
  const script = `
    ping -q -i 0.005 ${pair.b.address} >/dev/null 2>&1 &
    PING=$!
    trap 'kill $PING; exit 0' TERM INT
    while :; do
      (exec 3<>/dev/tcp/${pair.b.address}/9) 2>/dev/null
      /bin/true
      sleep 0.05
    done`;
  return spawn("nsenter", [`--net=${pair.a.path}`, "bash", "-c", script], { stdio: "ignore" });
}

export async function run(): Promise<Figures> {
  ensureTracefs();
  for (const [command, arg] of [
    ["bpftrace", "--version"],
    ["tcpdump", "--version"],
  ] as const)
    if (spawnSync(command, [arg], { stdio: "ignore" }).status !== 0) throw new Error(`${command} is not installed`);
  using pair = VethPair.create();
  const load = startLoad(pair);
  const figures: Figures = {};
  try {
    for (const [tool, job] of Object.entries(jobs(pair))) {
      const ours = await measure(pair, `tsbpf ${tool}`, [process.execPath, TSBPF, ...job.tool]);
      const theirs = await measure(pair, job.peerName, job.peer);
      figures[`${tool}.rss_mib`] = {
        value: Number(ours.toFixed(1)),
        unit: "MiB",
        peer: job.peerName,
        peer_value: Number(theirs.toFixed(1)),
        ratio: Number((ours / theirs).toFixed(3)),
      };
    }
  } finally {
    load.kill("SIGTERM");
  }
  return figures;
}
