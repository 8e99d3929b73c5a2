// `tsbpf top`, the live monitor, run for real: inside one end of a veth pair while the test pings
// from the other end, opens TCP connections and execs processes; the numbers of each panel are
// checked against that traffic, the live screen and the metrics endpoint are read, and what a
// SIGKILL leaves behind is checked.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { reopenProgram } from "../../src/programs/net-common.js";
import { xdpInfo } from "../../src/programs/xdp.js";
import { tcInfo } from "../../src/programs/tc.js";
import { closeFd } from "../../src/sys/bpf.js";
import { parseExposition } from "../../src/tools/common/metrics.js";
import { nonSnakeCaseKeys } from "../../src/tools/common/ndjson.js";
import { vethPairFor, type NetnsEnd, type VethPair } from "../helpers/netns.js";
import { ndjsonRecords, runTool, scrapeIn, ToolProcess } from "../helpers/tool-process.js";

type Rec = Record<string, unknown>;

const PINGS = 4;
/** An ICMP echo frame of ping's default 56-byte payload: Ethernet + IPv4 + ICMP header + payload. */
const PING_FRAME = 14 + 20 + 8 + 56;

function startIn(t: { after(fn: () => void): void }, end: NetnsEnd, args: string[]): ToolProcess {
  const tool = ToolProcess.start(["top", ...args], { netnsPath: end.path });
  t.after(() => {
    if (tool.running) tool.kill("SIGKILL");
  });
  return tool;
}

function programIdsOf(start: Rec): number[] {
  return Object.values(start.panels as Record<string, Rec>).flatMap(
    (p) => (p.program_ids as number[] | undefined) ?? [],
  );
}

async function assertNothingLeft(pair: VethPair, end: NetnsEnd, programIds: number[]): Promise<void> {
  const state = (): { xdp: string; tcx: number[]; alive: number[] } => {
    const alive = programIds.filter((id) => {
      const fd = reopenProgram(id);
      if (fd >= 0) closeFd(fd);
      return fd >= 0;
    });
    return pair.within(end, () => ({
      xdp: xdpInfo(end.ifname).attached,
      tcx: tcInfo(end.ifname, "egress").tcx,
      alive,
    }));
  };
  let s = state();
  for (let i = 0; i < 500 && (s.xdp !== "none" || s.tcx.length > 0 || s.alive.length > 0); i++) {
    // up to 10 s: a loaded machine frees late
    await new Promise((r) => setTimeout(r, 20));
    s = state();
  }
  assert.deepEqual(s, { xdp: "none", tcx: [], alive: [] });
}

/** Sums a per-interval field of the network panel's protocol rows matching `where`. */
function protocolSum(intervals: Rec[], where: (row: Rec) => boolean, field: string): number {
  let sum = 0;
  for (const r of intervals)
    for (const row of (r.network as Rec).protocols as Rec[]) if (where(row)) sum += Number(row[field]);
  return sum;
}

test("top --json: the network panel counts the exact pings per protocol and shows their flow; records are snake_case", async (t) => {
  const pair = vethPairFor(t);
  const tool = startIn(t, pair.b, ["-i", pair.b.ifname, "--json", "--interval", "0.5"]);
  const start = await tool.waitFor((p) => ndjsonRecords(p.stdout)[0], "the start record");
  assert.equal(start.type, "start");
  assert.deepEqual(start.interfaces, [{ name: "veth1", ifindex: (start.interfaces as Rec[])[0]!.ifindex }]);
  assert.equal((start.panels as Record<string, Rec>).network!.available, true);
  await tool.waitFor((p) => ndjsonRecords(p.stdout).some((r) => r.type === "interval"), "a first interval");
  pair.ping(pair.a, PINGS);
  await new Promise((r) => setTimeout(r, 700));
  tool.kill("SIGTERM");
  assert.equal((await tool.exit()).code, 0);

  const records = ndjsonRecords(tool.stdout);
  assert.deepEqual(
    records.flatMap((r) => nonSnakeCaseKeys(r)),
    [],
  );
  assert.equal(records.at(-1)!.type, "summary");
  const intervals = records.filter((r) => r.type === "interval");
  const icmp = (row: Rec): boolean => row.ip_version === 4 && row.protocol === 1;
  assert.equal(protocolSum(intervals, icmp, "in_packets"), PINGS, "echo requests received");
  assert.equal(protocolSum(intervals, icmp, "out_packets"), PINGS, "echo replies sent");
  assert.equal(protocolSum(intervals, icmp, "in_bytes"), PINGS * PING_FRAME);
  const lastIcmp = intervals.flatMap((r) => ((r.network as Rec).protocols as Rec[]).filter(icmp)).at(-1)!;
  assert.equal(lastIcmp.total_packets, 2 * PINGS);
  assert.equal(lastIcmp.protocol_name, "icmp");
  const flows = intervals.flatMap((r) => (r.network as Rec).flows as Rec[]);
  const requests = flows.filter(
    (f) => f.direction === "ingress" && f.protocol === 1 && f.saddr === pair.a.address && f.daddr === pair.b.address,
  );
  assert.equal(
    requests.reduce((n, f) => n + Number(f.packets), 0),
    PINGS,
  );
});

/** A node process that sends `bytes` to itself over TCP on loopback; resolves with its pid when it is done. */
function tcpTransfer(bytes: number): Promise<number> {
  const script = `
    import net from "node:net";
    const server = net.createServer((c) => { let n = 0; c.on("data", (d) => { n += d.length; }); c.on("end", () => { c.end(); server.close(); }); });
    server.listen(0, "127.0.0.1", () => {
      const c = net.connect(server.address().port, "127.0.0.1", () => c.end(Buffer.alloc(${bytes}, 1)));
      c.on("data", () => {}); c.on("close", () => process.stdout.write(String(process.pid)));
    });`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.on("exit", (code) =>
      code === 0 ? resolve(Number(out)) : reject(new Error(`the transfer exited with ${code}`)),
    );
  });
}

test("top --json: the TCP panel reports a process's exact bytes, the exec panel a program started with its arguments", async (t) => {
  const pair = vethPairFor(t);
  const tool = startIn(t, pair.b, ["-i", pair.b.ifname, "--json", "--interval", "0.5"]);
  const start = await tool.waitFor((p) => ndjsonRecords(p.stdout)[0], "the start record");
  const panels = start.panels as Record<string, Rec>;
  assert.equal(panels.tcp!.available, true, JSON.stringify(panels.tcp));
  assert.equal(panels.execs!.available, true, JSON.stringify(panels.execs));
  const marker = `tsbpf-top-${process.pid}-${Date.now()}`;
  const pid = await tcpTransfer(12_345);
  const sh = spawn("/bin/sh", ["-c", "exit 0", marker, "second argument"]);
  await new Promise((r) => sh.on("exit", r));
  const seen = (p: ToolProcess): boolean => {
    const intervals = ndjsonRecords(p.stdout).filter((r) => r.type === "interval");
    const rows = intervals
      .flatMap((r) => ((r.tcp as Rec).processes as Rec[] | undefined) ?? [])
      .filter((row) => row.pid === pid);
    const sent = rows.reduce((n, row) => n + Number(row.bytes_sent), 0);
    const execs = intervals.flatMap((r) => (r.execs as Rec).events as Rec[]).filter((e) => e.pid === sh.pid);
    return sent >= 12_345 && execs.length > 0;
  };
  await tool.waitFor(seen, "the transfer and the exec in the intervals", 10_000);
  tool.kill("SIGTERM");
  assert.equal((await tool.exit()).code, 0);

  const intervals = ndjsonRecords(tool.stdout).filter((r) => r.type === "interval");
  const rows = intervals.flatMap((r) => (r.tcp as Rec).processes as Rec[]).filter((row) => row.pid === pid);
  assert.equal(rows[0]!.comm, "node");
  assert.equal(
    rows.reduce((n, row) => n + Number(row.bytes_sent), 0),
    12_345,
    "payload sent by the client",
  );
  assert.equal(
    rows.reduce((n, row) => n + Number(row.bytes_received), 0),
    12_345,
    "payload received by the server",
  );
  assert.equal(
    rows.reduce((n, row) => n + Number(row.connects), 0),
    1,
  );
  assert.equal(
    rows.reduce((n, row) => n + Number(row.accepts), 0),
    1,
  );
  const exec = intervals.flatMap((r) => (r.execs as Rec).events as Rec[]).find((e) => e.pid === sh.pid)!;
  assert.deepEqual(exec.args, ["/bin/sh", "-c", "exit 0", marker, "second argument"]);
  assert.equal(exec.ret, 0);
  assert.equal(exec.ppid, process.pid);
});

test("top (piped): plain frames with every panel's title, and a summary saying it detached", async (t) => {
  const pair = vethPairFor(t);
  const r = runTool(["top", "-i", pair.b.ifname, "--interval", "0.3", "--count", "2"], { netnsPath: pair.b.path });
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stdout, /\x1b\[/, "no escape sequences when piped");
  const frames = r.stdout.split(/\n(?=tsbpf top on )/);
  assert.equal(frames.filter((f) => f.startsWith("tsbpf top on ")).length, 2);
  assert.match(r.stdout, /^Network on veth1: in \S+ pkt\/s/m);
  assert.match(
    r.stdout,
    /^PROTOCOL +IN PKT\/S +IN BIT\/S +OUT PKT\/S +OUT BIT\/S +PACKETS +BYTES$|^\(no packets yet\)$/m,
  );
  assert.match(r.stdout, /^Top flows \(\d+ active, \d+ in the table\)$/m);
  assert.match(r.stdout, /^TCP by process: \d+ connects, \d+ accepts, \d+ failures, \d+ retransmits, sent /m);
  assert.match(r.stdout, /^Recent execs: \d+ in the interval, \d+ started, \d+ failed since start$/m);
  assert.match(r.stdout, /^TIME +PCOMM +PID +PPID +UID +RET ARGS$/m);
  assert.match(r.stdout, /\nsummary: 2 intervals in [\d.]+ s, stopped by done; detached\n/);
});

test("top --metrics: /metrics parses and counts the pings", async (t) => {
  const pair = vethPairFor(t);
  const tool = startIn(t, pair.b, ["-i", pair.b.ifname, "--interval", "0.5", "--metrics", "127.0.0.1:0", "--json"]);
  const url = await tool.waitFor(
    (p) => /serving Prometheus metrics on (http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(p.stderr)?.[1],
    "the metrics address",
  );
  pair.ping(pair.a, PINGS);
  const response = scrapeIn(pair.b.path, url);
  assert.equal(response.status, 200);
  const families = parseExposition(response.body);
  const packets = families.get("tsbpf_flows_packets_total")!;
  const icmpIn = packets.samples.filter((s) => s.labels.protocol === "icmp" && s.labels.direction === "ingress");
  assert.equal(
    icmpIn.reduce((n, s) => n + s.value, 0),
    PINGS,
  );
  for (const family of families.values())
    for (const s of family.samples) {
      assert.ok(
        !("pid" in s.labels) && !("sport" in s.labels) && !("dport" in s.labels),
        `${s.name} has no pid or port label`,
      );
    }
  tool.kill("SIGINT");
  assert.equal((await tool.exit()).code, 0);
});

test("top killed with SIGKILL leaves nothing attached or loaded", async (t) => {
  const pair = vethPairFor(t);
  const tool = startIn(t, pair.b, ["-i", pair.b.ifname, "--json"]);
  const start = await tool.waitFor((p) => ndjsonRecords(p.stdout)[0], "the start record");
  const ids = programIdsOf(start);
  assert.ok(ids.length >= 2 + 5 + 2, `programs listed in the start record: ${JSON.stringify(start.panels)}`);
  assert.notEqual(pair.within(pair.b, () => xdpInfo("veth1")).attached, "none");
  tool.kill("SIGKILL");
  assert.deepEqual(await tool.exit(), { code: null, signal: "SIGKILL" });
  await assertNothingLeft(pair, pair.b, ids);
});

test("top -i nosuchif: one clear line, exit 1; usage errors exit 2", (t) => {
  const pair = vethPairFor(t);
  const r = runTool(["top", "-i", "nosuchif"], { netnsPath: pair.b.path });
  assert.equal(r.code, 1);
  assert.equal(
    r.stderr,
    'tsbpf top: network interface "nosuchif" not found: no such interface in this network namespace (interfaces here: lo, veth1)\n',
  );
  for (const args of [["--interval", "x"], ["--limit", "0"], ["--mode", "fast"], ["extra"]]) {
    const u = runTool(["top", ...args]);
    assert.equal(u.code, 2, `${args.join(" ")}: ${u.stderr}`);
  }
});

test("top on a terminal draws its screen as soon as the programs are attached, before the first interval", async () => {
  const { runTop } = await import("../../src/tools/top/run.js");
  const writes: string[] = [];
  const terminal = {
    isTTY: true,
    columns: 160,
    rows: 60,
    write: (text: string) => {
      writes.push(text);
    },
  };
  const stderr: string[] = [];
  const io = {
    stdout: () => {},
    stderr: (text: string) => {
      stderr.push(text);
    },
    stdin: () => "",
  };
  const code = await runTop({ interfaces: ["lo"], intervalSeconds: 1, count: 1, limit: 5, out: terminal }, io);
  assert.equal(code, 0, stderr.join(""));
  // Two frames: the first says when figures come, the second (after one interval) has them.
  const frames = writes.filter((w) => w.includes("tsbpf top on"));
  assert.equal(frames.length, 2, writes.join("\n---\n"));
  assert.match(frames[0]!, /first figures in 1 s/);
  assert.doesNotMatch(frames[1]!, /first figures in/);
});
