// overhead: the extra CPU a tool costs the machine per packet (XDP / TC programs) and per event
// (tracepoints), side by side with the peer a user would run instead.
//
// Method. The same workload runs with nothing watching and with the tool watching; the figure is
// the machine's extra busy CPU time (all CPUs, user + system + interrupts, from /proc/stat)
// divided by the packets or events. That counts everything the tool causes — its kernel programs,
// the ring buffer wake-ups, its process — in the same way for tsbpf and for the peer, whose
// kernel-side cost (AF_PACKET copies for tcpdump) no per-process counter would show.
//   packets: udp_flood sends PACKETS UDP datagrams at RATE per second over a veth pair between two
//     namespaces; the tool watches the receiving end. Peer: tcpdump -w /dev/null (libpcap's capture path, which
//     pcap-based monitors like iftop pay too).
//   events:  a shell execs /bin/true EXECS times. Peer: bpftrace running execsnoop.bt's probe
//     (pid, comm and every argument of each exec), output to /dev/null.
// Each measurement alternates baseline and tool runs ROUNDS times and takes the median of the
// differences; /proc/stat counts in 10 ms ticks, so the workloads are sized to take seconds.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { VethPair, type NetnsEnd } from "../test/helpers/netns.js";
import { Assembler } from "../src/asm/assembler.js";
import { XdpProgram, attachXdp } from "../src/programs/xdp.js";
import { buildPeer } from "./c-peer.js";
import type { Figures } from "./run.js";

const TSBPF = fileURLToPath(new URL("../src/cli/main.js", import.meta.url));
const PACKETS = 1_000_000;
/** Paced below what the veth path takes, so that no run drops packets (a dropped packet costs less CPU than a delivered one). */
const RATE = 200_000;
const PAYLOAD = 64;
const EXECS = 2_000;
const ROUNDS = 5;
const TICK_NS = 1e9 / 100; // USER_HZ

/** Busy ticks of all CPUs since boot: everything but idle and iowait. */
function busyTicks(): number {
  const fields = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
  return total - fields[3]! - fields[4]!;
}

interface Watcher {
  name: string;
  /** Whether it attaches XDP to the interface itself (otherwise a pass-through program stands in). */
  attachesXdp?: boolean;
  /** argv, run inside `end`'s namespace for packet tools. */
  argv: (end: NetnsEnd) => string[];
  /** When the watcher is ready, from its output so far. */
  ready: (stdout: string, stderr: string) => boolean;
}

/** Starts a watcher and resolves once it says it is ready. */
async function startWatcher(w: Watcher, end: NetnsEnd | undefined): Promise<ChildProcess> {
  const argv = w.argv(end!);
  const full = end ? ["nsenter", `--net=${end.path}`, ...argv] : argv;
  const child = spawn(full[0]!, full.slice(1), { stdio: ["ignore", "pipe", "pipe"] });
  let out = "", err = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${w.name} did not become ready: ${err.slice(-500)}`)), 30_000);
    const check = (): void => { if (w.ready(out, err)) { clearTimeout(timer); resolve(); } };
    child.stdout!.on("data", (d: Buffer) => { if (out.length < 65536) out += d.toString(); check(); });
    child.stderr!.on("data", (d: Buffer) => { if (err.length < 65536) err += d.toString(); check(); });
    child.on("exit", (code) => { clearTimeout(timer); reject(new Error(`${w.name} exited (${code}) before it was ready: ${err.slice(-500)}`)); });
  });
  child.stdout!.removeAllListeners("data").resume();
  child.stderr!.removeAllListeners("data").resume();
  child.removeAllListeners("exit");
  return child;
}

async function stopWatcher(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGINT");
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}

/**
 * Busy ticks the workload costs, with `watcher` running (or nothing). `pathSetup` runs around
 * runs without an XDP tool: it keeps the receive path the same in every run (see packetFigures).
 */
async function measure(workload: () => void, watcher: Watcher | undefined, end: NetnsEnd | undefined, pathSetup?: () => Disposable): Promise<number> {
  using _path = watcher?.attachesXdp ? undefined : pathSetup?.();
  const child = watcher ? await startWatcher(watcher, end) : undefined;
  try {
    await new Promise((r) => setTimeout(r, 300));
    const before = busyTicks();
    workload();
    await new Promise((r) => setTimeout(r, 500)); // let the watcher drain what it was sent
    return busyTicks() - before;
  } finally {
    if (child) await stopWatcher(child);
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Median extra ns per unit of each watcher over the baseline, rounds alternating. */
async function extraCost(
  workload: () => void, units: number, watchers: readonly Watcher[], end: NetnsEnd | undefined, pathSetup?: () => Disposable,
): Promise<Map<string, number>> {
  const extras = new Map<string, number[]>(watchers.map((w) => [w.name, []]));
  for (let r = 0; r < ROUNDS; r++) {
    for (const w of watchers) {
      const base = await measure(workload, undefined, end, pathSetup);
      const withTool = await measure(workload, w, end, pathSetup);
      extras.get(w.name)!.push(((withTool - base) * TICK_NS) / units);
      process.stderr.write(`overhead: ${w.name}: baseline ${base} ticks, with it ${withTool} ticks\n`);
    }
  }
  return new Map([...extras].map(([name, xs]) => [name, Math.max(0, median(xs))]));
}

function figure(value: number, peer: string, peerValue: number): Figures[string] {
  return { value: Math.round(value), unit: "ns", peer, peer_value: Math.round(peerValue), ratio: Number((value / Math.max(1, peerValue)).toFixed(3)) };
}

async function packetFigures(): Promise<Figures> {
  const flood = buildPeer("udp_flood");
  using pair = VethPair.create();
  const send = (): void => {
    const r = spawnSync("nsenter", [`--net=${pair.a.path}`, flood, pair.b.address, "9", String(PACKETS), String(PAYLOAD), String(RATE)], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`udp_flood failed: ${r.stderr}`);
  };
  const started = (o: string): boolean => o.includes('"type":"start"'); // --json: the start record
  const tsbpf = (name: string, args: string[], ready: Watcher["ready"]): Watcher => ({
    name, attachesXdp: true, argv: (end) => [process.execPath, TSBPF, ...args, "-i", end.ifname], ready,
  });
  const watchers: Watcher[] = [
    tsbpf("count", ["count", "--json"], started),
    tsbpf("flows", ["flows", "--top", "--json"], started),
    tsbpf("dump", ["dump", "-w", "/dev/null"], (_o, e) => /listening on/.test(e)),
    { name: "tcpdump", argv: (end) => ["tcpdump", "-i", end.ifname, "-w", "/dev/null"], ready: (_o, e) => /listening on/.test(e) },
  ];
  // An XDP program switches a veth end to its NAPI receive path, which costs per packet far more
  // than any program (no GRO on this path). So the baseline and tcpdump's runs get a pass-through
  // XDP program: every run takes the same path, and the figure is what the tool adds to it.
  using pass = XdpProgram.load({ code: new Assembler().mov32("r0", 2).exit().assemble(), name: "bench_pass" });
  const pathSetup = (): Disposable => {
    const link = pair.within(pair.b, () => attachXdp(pass, pair.b.ifname, { via: "link" }));
    return { [Symbol.dispose]: () => link.detach() };
  };
  const extra = await extraCost(send, PACKETS, watchers, pair.b, pathSetup);
  const peer = "tcpdump -w /dev/null (libpcap)";
  const tcpdump = extra.get("tcpdump")!;
  return {
    "count.ns_per_packet": figure(extra.get("count")!, peer, tcpdump),
    "flows_top.ns_per_packet": figure(extra.get("flows")!, peer, tcpdump),
    "dump.ns_per_packet": figure(extra.get("dump")!, peer, tcpdump),
  };
}

const EXECSNOOP_BT = `tracepoint:syscalls:sys_enter_exec* { printf("%-10u %-5d ", elapsed / 1e6, pid); join(args->argv); }`;

async function eventFigures(): Promise<Figures> {
  const execs = (): void => {
    const r = spawnSync("sh", ["-c", `i=0; while [ $i -lt ${EXECS} ]; do /bin/true; i=$((i+1)); done`]);
    if (r.status !== 0) throw new Error("the exec loop failed");
  };
  const watchers: Watcher[] = [
    { name: "exec", argv: () => [process.execPath, TSBPF, "exec", "--json"], ready: (o) => o.includes('"type":"start"') },
    { name: "bpftrace", argv: () => ["bpftrace", "-e", EXECSNOOP_BT], ready: (o) => o.includes("Attaching") },
  ];
  const extra = await extraCost(execs, EXECS, watchers, undefined);
  return { "exec.ns_per_event": figure(extra.get("exec")!, "bpftrace (execsnoop.bt's probe)", extra.get("bpftrace")!) };
}

export async function run(): Promise<Figures> {
  return { ...await packetFigures(), ...await eventFigures() };
}
