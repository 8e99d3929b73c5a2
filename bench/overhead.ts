// overhead: the CPU a tool costs per packet (XDP / TC programs) and per event (tracepoints), side
// by side with the peer a user would run instead.
//
// Method. What a tool costs is attributed to the processes and programs that spend it, not
// inferred from the machine's load (on a shared 2-vCPU VM the same workload's total CPU varies
// by more than the tools cost). Each round runs the workload twice with no watcher (the
// baseline) and once per watcher, after a warm-up (WARM_UP_PACKETS, WARM_UP_EXECS) it is not measured on; the figures are medians over ROUNDS rounds, with their spread (lowest
// and highest round) and the load average before and after. /proc counts CPU time in 10 ms
// ticks, so the workloads are sized to take seconds.
//   packets: udp_flood sends PACKETS UDP datagrams at RATE per second over a veth pair between two
//     namespaces; the tool watches the receiving end. Peer: tcpdump -w /dev/null.
//   events:  a shell execs /bin/true EXECS times. Peer: bpftrace running execsnoop.bt's probe
//     (pid, comm and every argument of each exec), output to /dev/null.
//
// Packets: three figures per tool, each against tcpdump measured the same way.
//   - `TOOL.ns_per_packet`, the whole cost, both kernel sides counted alike: the watcher's
//     process (user + system time of all its threads, /proc/PID/stat) plus the CPU the sender
//     spends beyond the baseline's (the median of the rounds without a watcher). On veth the
//     receive path runs in softirq on the sending task (the kernel charges it to that task's
//     system time: tick accounting, no IRQ time accounting), so the sender's extra time holds
//     what each watcher adds to the receive path: our XDP / TC programs, or AF_PACKET's
//     tpacket_rcv copying each packet into tcpdump's ring. The sender's time is its own (the
//     children time of the shell that waits for it: once it has exited /proc no longer has it)
//     and that of ksoftirqd, to which softirq work is deferred under load. BPF run statistics stay
//     off in these runs: their clock reads would count. An XDP program on veth changes the
//     receive path itself (veth turns each skb into an xdp_buff, copying it into a new page when
//     its head cannot serve: less than XDP's headroom, or not page-backed), which physical
//     drivers do not; `xdp_pass.ns_per_packet`, a program that only returns XDP_PASS, shows
//     what that costs before any tool's work. The sender's own time is most of what it spends
//     (some 4 µs per packet), and on a loaded machine it varies from run to run by hundreds of
//     ns (3.5–4.9 µs at load 7), as much as a watcher adds: these figures need a quiet machine,
//     the two below do not.
//   - `TOOL.process_ns_per_packet`: the watcher's process alone, against tcpdump's process alone.
//   - `TOOL.process_programs_ns_per_packet`: the process plus the run time BPF_ENABLE_STATS counts
//     for the programs that appeared when it started (a run of its own, statistics on), against
//     tcpdump's process alone, whose kernel side is not a program (a lower bound for the peer).
// Events: the process plus its programs (BPF_ENABLE_STATS), bpftrace's too; the tracepoint
// programs run in the exec'ing task, which is the workload itself on both sides.
//
// Where tcpdump's cost is, and why dump stays above it. tcpdump -w reads a TPACKET_V3 ring that
// AF_PACKET fills in the receive softirq: tpacket_rcv runs for every packet, reads the clock for
// the timestamp, copies the snapshot into the current block and fills its tpacket3_hdr; the
// process only walks retired blocks and fwrite()s each record into stdio's buffer. Sampled with
// perf on the same flood (samples of the sender whose call chain holds tpacket_rcv, or dump's XDP
// program; 4999 Hz, load 9 to 12, two runs): tpacket_rcv costs 270–320 ns per packet and dump's
// program 130–145 ns (BPF_ENABLE_STATS says 170–190: its own clock reads count too); each spends
// about 30 ns reading the clock (rdtsc on this guest's tsc clocksource). Where dump is dearer is its process,
// Node reading each record and copying it into the file buffer (about 100 ns warm, 250–300 ns
// under the flood, the ring's cache lines arriving from the CPU that wrote them), against
// tcpdump's 90–130 ns.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { VethPair, type NetnsEnd } from "../test/helpers/netns.js";
import { enableRunStats, listPrograms } from "../src/introspect.js";
import { buildPeer, median } from "./c-peer.js";
import type { Figure, Figures } from "./run.js";

const TSBPF = fileURLToPath(new URL("../bin/tsbpf.js", import.meta.url));
/** Attaches an XDP program that only returns XDP_PASS to an interface and stays until killed. */
const XDP_PASS_CHILD = fileURLToPath(new URL("../test/helpers/xdp-attach-child.js", import.meta.url));
const PACKETS = 1_000_000;
/** Paced below what the veth path takes, so that no run drops packets (a dropped packet costs less CPU than a delivered one). */
const RATE = 200_000;
const PAYLOAD = 64;
const EXECS = 2_000;
/**
 * Sent (or exec'd) to each watcher before its measured run: the figures are a running tool's
 * steady state, not its first packets, which V8 runs unoptimised until it has compiled the hot
 * path (some 70 ns more per packet over the first million; start-up is the startup suite's).
 */
const WARM_UP_PACKETS = 200_000;
const WARM_UP_EXECS = 200;
const ROUNDS = 5;
const TICK_NS = 1e9 / 100; // USER_HZ

/** The fields of /proc/PID/stat after the command name (field 3 of the whole line is index 0). */
function statFields(stat: string): string[] {
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
}

/** User + system ticks of all the threads of process `pid`. */
function processTicks(pid: number): number {
  const fields = statFields(readFileSync(`/proc/${pid}/stat`, "utf8"));
  return Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of the whole line)
}

/** The ksoftirqd threads (one per CPU): softirq work deferred under load runs, and is charged, there. */
function ksoftirqdPids(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, "utf8").startsWith("ksoftirqd/")) pids.push(Number(entry));
    } catch {
      // the task exited while the list was read
    }
  }
  return pids;
}

/** Total run time of the programs `ids` (while run statistics are on). */
function programRunNs(ids: ReadonlySet<number>): bigint {
  let ns = 0n;
  for (const p of listPrograms()) if (ids.has(p.id)) ns += p.runTimeNs;
  return ns;
}

/** A workload; resolves with the CPU its sending side spent (ns) when it can tell. */
type Workload = () => Promise<number | undefined>;

export interface Watcher {
  name: string;
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
  let out = "",
    err = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${w.name} did not become ready: ${err.slice(-500)}`)), 30_000);
    const check = (): void => {
      if (w.ready(out, err)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on("data", (d: Buffer) => {
      if (out.length < 65536) out += d.toString();
      check();
    });
    child.stderr!.on("data", (d: Buffer) => {
      if (err.length < 65536) err += d.toString();
      check();
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${w.name} exited (${code}) before it was ready: ${err.slice(-500)}`));
    });
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

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** What one run of the workload cost, in ns. */
export interface RunCost {
  /** The watcher's process (0 without a watcher). */
  processNs: number;
  /** Its programs' run time; 0 unless run statistics were on. */
  programsNs: number;
  /** The sending side, when the workload tells. */
  senderNs: number | undefined;
}

/** Runs the workload once, watched by `watcher` (none: the baseline), with run statistics on or off. */
async function measure(
  workload: Workload,
  watcher: Watcher | undefined,
  end: NetnsEnd | undefined,
  runStats: boolean,
  warmUp?: Workload,
): Promise<RunCost> {
  using _stats = runStats ? enableRunStats() : undefined;
  const before = new Set(listPrograms().map((p) => p.id));
  const child = watcher ? await startWatcher(watcher, end) : undefined;
  try {
    if (child && warmUp) await warmUp();
    await sleep(300);
    // Listed once the watcher has run for a while: bpftrace prints "Attaching" before it loads
    // its programs, so programs listed at its ready line could miss them.
    const programs = new Set(
      listPrograms()
        .map((p) => p.id)
        .filter((id) => !before.has(id)),
    );
    const ticks0 = child ? processTicks(child.pid!) : 0,
      run0 = programRunNs(programs);
    const senderNs = await workload();
    await sleep(500); // let the watcher drain what it was sent
    const ticks1 = child ? processTicks(child.pid!) : 0,
      run1 = programRunNs(programs);
    return { processNs: (ticks1 - ticks0) * TICK_NS, programsNs: Number(run1 - run0), senderNs };
  } finally {
    if (child) await stopWatcher(child);
  }
}

/** One figure from per-round values (ours and the peer's, ns per unit), with their spread and the load. */
function figure(ours: number[], peer: string, theirs: number[], load: number[], extra: object = {}): Figure {
  const value = median(ours),
    peerValue = median(theirs);
  const round = (xs: number[]): [number, number] => [Math.round(Math.min(...xs)), Math.round(Math.max(...xs))];
  return {
    value: Math.round(value),
    unit: "ns",
    peer,
    peer_value: Math.round(peerValue),
    ratio: Number((value / Math.max(1, peerValue)).toFixed(3)),
    rounds: Math.min(ours.length, theirs.length),
    spread: round(ours),
    peer_spread: round(theirs),
    // extra fields go into results.json next to the standard ones
    ...{ runs: ours.map(Math.round), peer_runs: theirs.map(Math.round), load_average: load, ...extra },
  };
}

/** What the packet workload cost in each round, in ns per packet. */
export interface PacketRounds {
  /** The sender's ns per packet with no watcher, twice per round. */
  baseline: number[];
  /** Per watcher: its process, its process + programs (statistics on; empty unless asked for), the sender. */
  watchers: Map<string, { process: number[]; processPrograms: number[]; sender: number[] }>;
  load: number[];
}

/** A tsbpf tool as a watcher of the receiving interface; `cli` chooses the build. */
export function tsbpfWatcher(name: string, args: string[], ready: Watcher["ready"], cli = TSBPF): Watcher {
  return { name, argv: (end) => [process.execPath, cli, ...args, "-i", end.ifname], ready };
}

const started = (o: string): boolean => o.includes('"type":"start"'); // --json: the start record

/**
 * The watchers the packet figures compare: tsbpf's tools (from `cli`), an XDP program that only
 * passes packets (what any XDP program costs on veth: the receive path changes for it, see
 * packetFigures) and tcpdump (last).
 */
export function packetWatchers(cli = TSBPF): Watcher[] {
  return [
    tsbpfWatcher("count", ["count", "--json"], started, cli),
    tsbpfWatcher("flows", ["flows", "--top", "--json"], started, cli),
    tsbpfWatcher("dump", ["dump", "-w", "/dev/null"], (_o, e) => /listening on/.test(e), cli),
    {
      name: "xdp_pass",
      argv: (end) => [process.execPath, XDP_PASS_CHILD, end.ifname, "auto"],
      ready: (o) => o.includes("attached"),
    },
    {
      name: "tcpdump",
      argv: (end) => ["tcpdump", "-i", end.ifname, "-w", "/dev/null"],
      ready: (_o, e) => /listening on/.test(e),
    },
  ];
}

/**
 * Runs the flood ROUNDS times with no watcher and with each watcher (statistics off), and, for
 * the watchers in `withPrograms`, once more with run statistics on; interleaved by round.
 */
export async function packetRounds(
  watchers: readonly Watcher[],
  withPrograms: ReadonlySet<string>,
  rounds = ROUNDS,
): Promise<PacketRounds> {
  const udpFlood = buildPeer("udp_flood");
  using pair = VethPair.create();
  const ksoftirqd = ksoftirqdPids();
  // The shell waits for the sender, then prints its own stat line, whose children times (cutime,
  // cstime) are the sender's whole CPU time: it has exited, so /proc no longer has it.
  const flood =
    (packets: number): Workload =>
    async () => {
      const soft0 = ksoftirqd.reduce((n, pid) => n + processTicks(pid), 0);
      const child = spawn(
        "sh",
        [
          "-c",
          '"$@" >&2 || exit $?; read -r stat < /proc/$$/stat; echo "$stat"',
          "sh",
          "nsenter",
          `--net=${pair.a.path}`,
          udpFlood,
          pair.b.address,
          "9",
          String(packets),
          String(PAYLOAD),
          String(RATE),
        ],
        { stdio: ["ignore", "pipe", "pipe"] },
      );
      let out = "",
        err = "";
      child.stdout.on("data", (d: Buffer) => (out += d.toString()));
      child.stderr.on("data", (d: Buffer) => (err += d.toString()));
      const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
      if (code !== 0) throw new Error(`udp_flood failed (${code}): ${err.slice(-500)}`);
      const sent = /"sent":(\d+)/.exec(err);
      if (!sent || Number(sent[1]) !== packets) throw new Error(`udp_flood sent ${sent?.[1] ?? "nothing"}: ${err}`);
      const fields = statFields(out.trim());
      const soft1 = ksoftirqd.reduce((n, pid) => n + processTicks(pid), 0);
      return (Number(fields[13]) + Number(fields[14]) + soft1 - soft0) * TICK_NS; // cutime, cstime
    };
  const send = flood(PACKETS),
    warmUp = flood(WARM_UP_PACKETS);
  const result: PacketRounds = { baseline: [], watchers: new Map(), load: [Number(loadavg()[0]!.toFixed(2))] };
  for (const w of watchers) result.watchers.set(w.name, { process: [], processPrograms: [], sender: [] });
  const perPacket = (ns: number): number => ns / PACKETS;
  const baseline = async (r: number): Promise<void> => {
    const base = await measure(send, undefined, pair.b, false);
    result.baseline.push(perPacket(base.senderNs!));
    process.stderr.write(
      `overhead: round ${r + 1}: no watcher: sender ${perPacket(base.senderNs!).toFixed(0)} ns/packet\n`,
    );
  };
  for (let r = 0; r < rounds; r++) {
    // Twice a round, before the watchers and halfway through them: the sender's time varies from
    // run to run by about as much as a watcher adds, so the baseline takes the most samples.
    await baseline(r);
    for (const [i, w] of watchers.entries()) {
      if (i === watchers.length >> 1) await baseline(r);
      const runs = result.watchers.get(w.name)!;
      const plain = await measure(send, w, pair.b, false, warmUp);
      runs.process.push(perPacket(plain.processNs));
      runs.sender.push(perPacket(plain.senderNs!));
      let note = "";
      if (withPrograms.has(w.name)) {
        const counted = await measure(send, w, pair.b, true, warmUp);
        runs.processPrograms.push(perPacket(counted.processNs + counted.programsNs));
        note = `; with run statistics: process ${perPacket(counted.processNs).toFixed(0)} + programs ${perPacket(counted.programsNs).toFixed(0)}`;
      }
      process.stderr.write(
        `overhead: round ${r + 1}: ${w.name}: process ${perPacket(plain.processNs).toFixed(0)}, sender ${perPacket(plain.senderNs!).toFixed(0)} ns/packet${note}\n`,
      );
    }
  }
  result.load.push(Number(loadavg()[0]!.toFixed(2)));
  return result;
}

/** Per round: the watcher's whole cost, its process plus the sender's time beyond the baseline's median. */
export function wholeCost(rounds: PacketRounds, name: string): number[] {
  const base = median(rounds.baseline);
  const w = rounds.watchers.get(name)!;
  return w.process.map((p, i) => p + w.sender[i]! - base);
}

async function packetFigures(): Promise<Figures> {
  const watchers = packetWatchers();
  const tools = new Map([
    ["count", "count"],
    ["flows", "flows_top"],
    ["dump", "dump"],
  ]);
  const rounds = await packetRounds(watchers, new Set(tools.keys()));
  const base = median(rounds.baseline);
  const tcpdump = rounds.watchers.get("tcpdump")!;
  const tcpdumpWhole = wholeCost(rounds, "tcpdump");
  const kernelSide = (name: string): number => Math.round(median(rounds.watchers.get(name)!.sender) - base);
  const figures: Figures = {};
  for (const [name, figureName] of tools) {
    const runs = rounds.watchers.get(name)!;
    figures[`${figureName}.ns_per_packet`] = figure(
      wholeCost(rounds, name),
      "tcpdump -w /dev/null (its process + the sender's extra CPU: AF_PACKET's copy in softirq)",
      tcpdumpWhole,
      rounds.load,
      // the kernel side of each (the sender's median extra ns per packet) and the sender's baseline
      { kernel_ns: kernelSide(name), peer_kernel_ns: kernelSide("tcpdump"), sender_baseline_ns: Math.round(base) },
    );
    figures[`${figureName}.process_ns_per_packet`] = figure(
      runs.process,
      "tcpdump -w /dev/null (its process)",
      tcpdump.process,
      rounds.load,
    );
    figures[`${figureName}.process_programs_ns_per_packet`] = figure(
      runs.processPrograms,
      "tcpdump -w /dev/null (its process; its kernel copy is no program, not counted)",
      tcpdump.process,
      rounds.load,
    );
  }
  figures["xdp_pass.ns_per_packet"] = figure(
    wholeCost(rounds, "xdp_pass"),
    "tcpdump -w /dev/null (its process + the sender's extra CPU: AF_PACKET's copy in softirq)",
    tcpdumpWhole,
    rounds.load,
    { kernel_ns: kernelSide("xdp_pass"), peer_kernel_ns: kernelSide("tcpdump"), sender_baseline_ns: Math.round(base) },
  );
  return figures;
}

const EXECSNOOP_BT = `tracepoint:syscalls:sys_enter_exec* { printf("%-10u %-5d ", elapsed / 1e6, pid); join(args->argv); }`;

async function eventFigures(): Promise<Figures> {
  const execLoop =
    (n: number): Workload =>
    async () => {
      const r = spawnSync("sh", ["-c", `i=0; while [ $i -lt ${n} ]; do /bin/true; i=$((i+1)); done`]);
      if (r.status !== 0) throw new Error("the exec loop failed");
      return undefined;
    };
  const execs = execLoop(EXECS),
    warmUp = execLoop(WARM_UP_EXECS);
  const watchers: Watcher[] = [
    {
      name: "exec",
      argv: () => [process.execPath, TSBPF, "exec", "--json"],
      ready: (o) => o.includes('"type":"start"'),
    },
    { name: "bpftrace", argv: () => ["bpftrace", "-e", EXECSNOOP_BT], ready: (o) => o.includes("Attaching") },
  ];
  const load = [Number(loadavg()[0]!.toFixed(2))];
  const runs = new Map<string, number[]>(watchers.map((w) => [w.name, []]));
  for (let r = 0; r < ROUNDS; r++) {
    for (const w of watchers) {
      const cost = await measure(execs, w, undefined, true, warmUp);
      const ns = (cost.processNs + cost.programsNs) / EXECS;
      runs.get(w.name)!.push(ns);
      process.stderr.write(`overhead: round ${r + 1}: ${w.name}: ${ns.toFixed(0)} ns per event\n`);
    }
  }
  load.push(Number(loadavg()[0]!.toFixed(2)));
  return {
    "exec.ns_per_event": figure(
      runs.get("exec")!,
      "bpftrace (execsnoop.bt's probe: process + its programs)",
      runs.get("bpftrace")!,
      load,
    ),
  };
}

export async function run(): Promise<Figures> {
  return { ...(await packetFigures()), ...(await eventFigures()) };
}
