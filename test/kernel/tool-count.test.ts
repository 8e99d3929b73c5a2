// `tsbpf count`, run for real: the built CLI inside a network namespace while the test pings
// across a veth pair, checked against the exact packets and bytes sent; its metrics endpoint
// scraped and parsed; its exits (SIGTERM, SIGKILL, errors) checked for what they leave behind.
// The kernel program's parsing (VLAN tags, IPv6 extension headers, short frames) is checked
// with BPF_PROG_TEST_RUN on crafted frames.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { xdpInfo } from "../../src/programs/xdp.js";
import { reopenProgram } from "../../src/programs/net-common.js";
import { closeFd } from "../../src/sys/bpf.js";
import type { PerCpuHashMap } from "../../src/maps/index.js";
import { testRun } from "../../src/programs/test-run.js";
import { loadCountObject } from "../../src/tools/count/counter.js";
import { runCount } from "../../src/tools/count/run.js";
import { parseExposition } from "../../src/tools/common/metrics.js";
import { nonSnakeCaseKeys } from "../../src/tools/common/ndjson.js";
import { vethPairFor, type NetnsEnd, type VethPair } from "../helpers/netns.js";
import {
  commandExists,
  ndjsonRecords,
  runTool,
  ToolProcess,
  TSBPF_MAIN,
  UNPRIVILEGED,
} from "../helpers/tool-process.js";

/** Ethernet + IPv4 + ICMP echo with ping's default 56 data bytes. */
const ECHO_FRAME_BYTES = 14 + 20 + 8 + 56;

function startIn(t: { after(fn: () => void): void }, end: NetnsEnd, args: string[], wrap?: string[]): ToolProcess {
  const tool = ToolProcess.start(["count", ...args], { netnsPath: end.path, wrap });
  t.after(() => {
    if (tool.running) tool.kill("SIGKILL");
  });
  return tool;
}

function ipLinkShowsXdp(pair: VethPair, end: NetnsEnd): boolean {
  const out = pair.run(end, "ip", ["-d", "link", "show", "dev", end.ifname]).stdout;
  return /\bxdp(generic|drv|offload)?\b|prog\/xdp/.test(out);
}

/** Waits (up to 3 s: links are released asynchronously) until the interface has no XDP program and `programId` is freed. */
async function assertNothingAttached(pair: VethPair, end: NetnsEnd, programId: number): Promise<void> {
  let state = pair.within(end, () => xdpInfo(end.ifname));
  let fd = reopenProgram(programId);
  for (let i = 0; i < 150 && (state.attached !== "none" || fd >= 0); i++) {
    if (fd >= 0) closeFd(fd);
    await new Promise((r) => setTimeout(r, 20));
    state = pair.within(end, () => xdpInfo(end.ifname));
    fd = reopenProgram(programId);
  }
  if (fd >= 0) closeFd(fd);
  assert.deepEqual(state, { attached: "none", progId: 0, driverProgId: 0, skbProgId: 0, hwProgId: 0 });
  assert.equal(ipLinkShowsXdp(pair, end), false, "ip -d link shows no XDP program");
  assert.equal(fd, -1, `program ${programId} was unloaded`);
}

interface Traffic {
  packets: number;
  bytes: number;
}

/** Sums `field` rows of interval records that match `where`. */
function sumRows(
  records: Record<string, unknown>[],
  field: "ether_types" | "ip_protocols",
  where: (row: Record<string, unknown>) => boolean,
): Traffic {
  let packets = 0,
    bytes = 0;
  for (const r of records) {
    for (const row of r[field] as Record<string, unknown>[]) {
      if (where(row)) {
        packets += row.packets as number;
        bytes += row.bytes as number;
      }
    }
  }
  return { packets, bytes };
}

const isIcmp4 = (row: Record<string, unknown>): boolean => row.ip_version === 4 && row.protocol === 1;
const isIpv4 = (row: Record<string, unknown>): boolean => row.ether_type === 0x0800;

test("count --json: the intervals add up to exactly the echo requests sent, packets and bytes", async (t) => {
  const pair = vethPairFor(t);
  const tool = startIn(t, pair.b, ["-i", pair.b.ifname, "--json", "--interval", "0.5", "--count", "8"]);
  const start = await tool.waitFor((p) => ndjsonRecords(p.stdout)[0], "the start record");
  assert.equal(start.type, "start");
  assert.deepEqual(
    (start.interfaces as Record<string, unknown>[]).map((i) => [i.name, i.link]),
    [[pair.b.ifname, true]],
  );
  assert.match(
    String((start.interfaces as Record<string, unknown>[])[0]!.attachment),
    /^xdp on veth1 \((driver|skb) mode, link\)$/,
  );

  pair.ping(pair.a, 5);
  const exit = await tool.exit();
  assert.deepEqual(exit, { code: 0, signal: null }, tool.stderr);

  const records = ndjsonRecords(tool.stdout);
  for (const r of records) assert.deepEqual(nonSnakeCaseKeys(r), [], `snake_case fields in ${JSON.stringify(r)}`);
  const intervals = records.filter((r) => r.type === "interval");
  const summary = records.at(-1)!;
  assert.deepEqual(
    records.map((r) => r.type),
    ["start", ...Array(8).fill("interval"), "summary"],
  );
  for (const i of intervals) {
    assert.ok(Math.abs((i.interval_s as number) - 0.5) < 0.2, `interval_s ${String(i.interval_s)}`);
    assert.equal(typeof i.packets_per_s, "number");
  }

  // XDP sees what veth1 receives: the five requests (not the replies), 98 bytes each.
  assert.deepEqual(sumRows(intervals, "ip_protocols", isIcmp4), { packets: 5, bytes: 5 * ECHO_FRAME_BYTES });
  assert.deepEqual(sumRows(intervals, "ether_types", isIpv4), { packets: 5, bytes: 5 * ECHO_FRAME_BYTES });
  const icmpRow = (summary.ip_protocols as Record<string, unknown>[]).find(isIcmp4);
  assert.deepEqual(icmpRow, {
    interface: "veth1",
    ip_version: 4,
    protocol: 1,
    name: "icmp",
    packets: 5,
    bytes: 5 * ECHO_FRAME_BYTES,
  });
  // The summary is the sum of the intervals, for every key.
  assert.equal(
    summary.packets,
    intervals.reduce((n, i) => n + (i.packets as number), 0),
  );
  assert.equal(
    summary.bytes,
    intervals.reduce((n, i) => n + (i.bytes as number), 0),
  );
  assert.equal(summary.stopped_by, "done");
  assert.equal(summary.intervals, 8);
  await assertNothingAttached(pair, pair.b, start.program_id as number);
});

test("count --metrics: /metrics parses, counters are typed and named by the conventions, values equal the packets sent; SIGTERM exits 0 with a summary, nothing attached", async (t) => {
  const pair = vethPairFor(t);
  const tool = startIn(t, pair.b, ["-i", pair.b.ifname, "--metrics", "127.0.0.1:0", "--interval", "1"]);
  const url = await tool.waitFor(
    (p) => /serving Prometheus metrics on (http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(p.stderr)?.[1],
    "the metrics address",
  );
  await tool.waitFor((p) => p.stderr.includes("attached xdp on veth1"), "the attach message");
  const attached = pair.within(pair.b, () => xdpInfo(pair.b.ifname));
  assert.notEqual(attached.attached, "none");
  assert.ok(ipLinkShowsXdp(pair, pair.b), "ip -d link shows the program while the tool runs");

  pair.ping(pair.a, 4);
  // The endpoint listens on the namespace's loopback: scrape from inside it.
  const scrape = pair.run(pair.b, process.execPath, [
    "-e",
    `const r = await fetch(${JSON.stringify(url)}); process.stdout.write(JSON.stringify({ status: r.status, type: r.headers.get("content-type"), body: await r.text() }));`,
    "--input-type=module",
  ]);
  const response = JSON.parse(scrape.stdout) as { status: number; type: string; body: string };
  assert.equal(response.status, 200);
  assert.equal(response.type, "text/plain; version=0.0.4; charset=utf-8");
  const families = parseExposition(response.body);

  const counters = [
    "tsbpf_count_packets_total",
    "tsbpf_count_bytes_total",
    "tsbpf_count_ether_type_packets_total",
    "tsbpf_count_ether_type_bytes_total",
    "tsbpf_count_ip_protocol_packets_total",
    "tsbpf_count_ip_protocol_bytes_total",
  ];
  for (const name of counters) {
    const family = families.get(name);
    assert.ok(family, `family ${name}`);
    assert.equal(family.type, "counter");
    assert.ok(family.help && family.help.length > 10, `${name} has HELP`);
  }
  assert.equal(families.get("tsbpf_count_start_time_seconds")?.type, "gauge");
  for (const family of families.values()) {
    assert.equal(
      family.type === "counter",
      family.name.endsWith("_total"),
      `${family.name}: only counters end in _total`,
    );
    for (const s of family.samples) {
      for (const label of Object.keys(s.labels))
        assert.doesNotMatch(label, /pid|port/, `${family.name} has no ${label} label`);
    }
  }
  const value = (name: string, labels: Record<string, string>): number | undefined =>
    families.get(name)?.samples.find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
  const icmp = { interface: "veth1", ip_version: "4", protocol: "1", name: "icmp" };
  assert.equal(value("tsbpf_count_ip_protocol_packets_total", icmp), 4);
  assert.equal(value("tsbpf_count_ip_protocol_bytes_total", icmp), 4 * ECHO_FRAME_BYTES);
  const ipv4 = { interface: "veth1", ether_type: "0x0800", name: "ipv4" };
  assert.equal(value("tsbpf_count_ether_type_packets_total", ipv4), 4);
  assert.equal(value("tsbpf_count_ether_type_bytes_total", ipv4), 4 * ECHO_FRAME_BYTES);
  // All frames of the interface: the requests plus whatever ARP / IPv6 the peer sent.
  const allPackets = value("tsbpf_count_packets_total", { interface: "veth1" })!;
  const etherSum = families.get("tsbpf_count_ether_type_packets_total")!.samples.reduce((n, s) => n + s.value, 0);
  assert.equal(allPackets, etherSum);
  assert.ok(allPackets >= 4);

  tool.kill("SIGTERM");
  const exit = await tool.exit();
  assert.deepEqual(exit, { code: 0, signal: null }, tool.stderr);
  assert.match(tool.stdout, /^summary: \d+ packets, .* on veth1 in .*stopped by SIGTERM.*; detached$/m);
  assert.match(tool.stdout, /^v4 +icmp \(1\) +4 +392 B$/m);
  await assertNothingAttached(pair, pair.b, attached.progId);
});

test("count -i any watches every interface of the namespace, keyed by interface", async (t) => {
  const pair = vethPairFor(t);
  const tool = startIn(t, pair.b, ["-i", "any", "--json", "--interval", "0.5", "--count", "6"]);
  const start = await tool.waitFor((p) => ndjsonRecords(p.stdout)[0], "the start record");
  assert.deepEqual(
    (start.interfaces as Record<string, unknown>[]).map((i) => i.name),
    ["lo", "veth1"],
  );
  pair.ping(pair.a, 2);
  // A ping to the namespace's own address goes through lo: request and reply both arrive there.
  pair.run(pair.b, "ping", ["-n", "-q", "-c", "2", "-i", "0.2", pair.b.address]);
  assert.deepEqual(await tool.exit(), { code: 0, signal: null }, tool.stderr);
  const intervals = ndjsonRecords(tool.stdout).filter((r) => r.type === "interval");
  assert.deepEqual(
    sumRows(intervals, "ip_protocols", (r) => isIcmp4(r) && r.interface === "veth1"),
    { packets: 2, bytes: 2 * ECHO_FRAME_BYTES },
  );
  assert.deepEqual(
    sumRows(intervals, "ip_protocols", (r) => isIcmp4(r) && r.interface === "lo"),
    { packets: 4, bytes: 4 * ECHO_FRAME_BYTES },
  );
  await assertNothingAttached(pair, pair.b, start.program_id as number);
  assert.equal(pair.within(pair.b, () => xdpInfo("lo")).attached, "none");
});

test("runCount in-process stops when its AbortSignal aborts, reports the partial interval, and detaches", async (t) => {
  const pair = vethPairFor(t);
  const stdout: string[] = [];
  const stderr: string[] = [];
  const io = {
    stdout: (s: string) => {
      stdout.push(s);
    },
    stderr: (s: string) => {
      stderr.push(s);
    },
    stdin: () => "",
  };
  const abort = new AbortController();
  t.after(() => abort.abort());
  const signalListeners = process.listenerCount("SIGINT");
  // Everything up to the attach runs synchronously, so it happens inside the namespace.
  let running: Promise<number> | undefined;
  pair.within(pair.b, () => {
    running = runCount({ interfaces: ["veth1"], intervalSeconds: 60, json: true }, io, abort.signal);
  });
  const start = JSON.parse(stdout[0]!) as Record<string, unknown>;
  assert.equal(pair.within(pair.b, () => xdpInfo("veth1")).progId, start.program_id);
  pair.ping(pair.a, 3);
  abort.abort();
  assert.equal(await running, 0, stderr.join(""));
  const records = ndjsonRecords(stdout.join(""));
  assert.deepEqual(
    records.map((r) => r.type),
    ["start", "interval", "summary"],
  );
  assert.deepEqual(sumRows(records.slice(1, 2), "ip_protocols", isIcmp4), { packets: 3, bytes: 3 * ECHO_FRAME_BYTES });
  assert.equal(records[2]!.stopped_by, "aborted");
  assert.equal(process.listenerCount("SIGINT"), signalListeners, "signal handlers removed");
  await assertNothingAttached(pair, pair.b, start.program_id as number);
});

test("count killed with SIGKILL leaves nothing attached", async (t) => {
  const pair = vethPairFor(t);
  const tool = startIn(t, pair.b, ["-i", pair.b.ifname, "--json"]);
  const start = await tool.waitFor((p) => ndjsonRecords(p.stdout)[0], "the start record");
  const programId = start.program_id as number;
  const state = pair.within(pair.b, () => xdpInfo(pair.b.ifname));
  assert.equal(state.progId, programId);
  tool.kill("SIGKILL");
  assert.deepEqual(await tool.exit(), { code: null, signal: "SIGKILL" });
  await assertNothingAttached(pair, pair.b, programId);
});

test("count -i nosuchif: one clear line naming the interface and those that exist, exit 1, nothing loaded", (t) => {
  const pair = vethPairFor(t);
  const r = runTool(["count", "-i", "nosuchif", "--json"], { netnsPath: pair.b.path });
  assert.equal(r.code, 1);
  const message =
    'network interface "nosuchif" not found: no such interface in this network namespace (interfaces here: lo, veth1)';
  assert.equal(r.stderr, `tsbpf count: ${message}\n`);
  // With --json the error is also the one record on stdout, for NDJSON consumers.
  const record = JSON.parse(r.stdout) as { type: string; message: string; code: string };
  assert.equal(record.type, "error");
  assert.equal(record.message, message);
  assert.equal(typeof record.code, "string");
});

test("count without privileges says which capabilities are missing, exit 1", () => {
  const r = runTool(["count", "-i", "lo"], { wrap: UNPRIVILEGED });
  assert.equal(r.code, 1, r.stderr);
  assert.equal(
    r.stderr,
    "tsbpf count: missing privileges: count needs CAP_BPF, CAP_NET_ADMIN and CAP_PERFMON (run it as root, or with those capabilities)\n",
  );
});

test("count usage errors exit 2", () => {
  for (const args of [
    ["--interval", "x"],
    ["--interval", "0"],
    ["--count", "0"],
    ["--metrics", "1.2.3.4:70000"],
    ["--mode", "fast"],
    ["extra"],
  ]) {
    const r = runTool(["count", ...args]);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, /^tsbpf count: .+\nsee "tsbpf count --help"\n$/);
  }
});

test("count on a terminal redraws its table in place; the summary follows it", async (t) => {
  if (!commandExists("script")) {
    t.skip("script (util-linux) is not installed");
    return;
  }
  const pair = vethPairFor(t);
  // script gives the tool a pseudo-terminal; stty sets its size (a fresh pty is 0x0).
  const shell = `stty cols 100 rows 40; exec "${process.execPath}" "${TSBPF_MAIN}" count -i veth1 --interval 0.3 --count 6`;
  const tty = new ToolProcess("nsenter", [`--net=${pair.b.path}`, "script", "-qec", shell, "/dev/null"]);
  t.after(() => {
    if (tty.running) tty.kill("SIGKILL");
  });
  await tty.waitFor((p) => p.stdout.includes("attached xdp on veth1"), "the attach message");
  pair.ping(pair.a, 3);
  assert.deepEqual(await tty.exit(), { code: 0, signal: null }, tty.stdout);
  const out = tty.stdout;
  const frames = out.split("\x1b[?2026h").length - 1;
  assert.equal(frames, 6, "one synchronized frame per interval");
  assert.equal(out.split("\x1b[?2026l").length - 1, 6);
  assert.ok(out.includes("\x1b[?25l") && out.includes("\x1b[?25h"), "cursor hidden while live, shown again at the end");
  assert.match(out, /\r\x1b\[\d+A/, "later frames move the cursor up over the previous one");
  assert.match(out, /ETHERTYPE +PACKETS +BYTES +PKT\/S +BIT\/S/);
  assert.match(out, /ipv4 \(0x0800\) +3 +294 B/);
  assert.match(out, /summary: \d+ packets, .* on veth1 .*\(6 intervals, stopped by done/);
  for (const line of out.split(/\r?\n/)) {
    const visible = line.replace(/\x1b\[[?0-9;]*[A-Za-z]/g, "").replace(/\r/g, "");
    assert.ok(visible.length <= 99, `line fits the 100-column terminal: ${visible}`);
  }
});

test("count piped: plain lines, no escape sequences", (t) => {
  const pair = vethPairFor(t);
  const r = runTool(["count", "-i", "veth1", "--interval", "0.1", "--count", "2"], { netnsPath: pair.b.path });
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stdout, /\x1b/);
  assert.equal(r.stdout.match(/^tsbpf count on veth1 — every 0\.1 s — /gm)?.length, 2);
  assert.match(r.stdout, /^summary: .*\(2 intervals, stopped by done/m);
});

// ---- the kernel program, on crafted frames ----------------------------------------------------------

const MAC = [0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2];
const be16 = (n: number): number[] => [n >> 8, n & 0xff];
const ether = (type: number): number[] => [...MAC, ...be16(type)];
const vlan = (tci: number, inner: number): number[] => [...be16(tci), ...be16(inner)];
const ipv4 = (protocol: number): number[] => [
  0x45,
  0,
  0,
  40,
  0,
  0,
  0x40,
  0,
  64,
  protocol,
  0,
  0,
  10,
  0,
  0,
  1,
  10,
  0,
  0,
  2,
];
const ipv6 = (next: number): number[] => [0x60, 0, 0, 0, 0, 16, next, 64, ...Array(32).fill(0)];
/** An extension header of 8·(1+len) bytes. */
const ext = (next: number, len: number): number[] => [next, len, ...Array(6 + 8 * len).fill(0)];
const frag = (next: number): number[] => [next, 0, 0, 0, 0, 0, 0, 1];
/** AH: 4·(len+2) bytes. */
const ah = (next: number, len: number): number[] => [next, len, ...Array(4 * (len + 2) - 2).fill(0)];
const pad = (bytes: number[], to = 60): number[] =>
  bytes.length >= to ? bytes : [...bytes, ...Array(to - bytes.length).fill(0)];

test("the count program: EtherType and IP protocol through VLAN tags, IPv6 extension headers and cut-short frames", () => {
  using object = loadCountObject();
  const program = object.programs.tsbpf_count;
  type Counts = { packets: bigint; bytes: bigint };
  const etherTypes = object.maps.count_ether as unknown as PerCpuHashMap<
    { ifindex: number; etherType: number; pad: number },
    Counts
  >;
  const ipProtocols = object.maps.count_ip as unknown as PerCpuHashMap<
    { ifindex: number; ipVersion: number; protocol: number; pad: number },
    Counts
  >;

  const cases: { name: string; frame: number[]; ether: number; ip?: [number, number] }[] = [
    { name: "IPv4/UDP", frame: pad([...ether(0x0800), ...ipv4(17)]), ether: 0x0800, ip: [4, 17] },
    {
      name: "802.1Q IPv4/TCP",
      frame: pad([...ether(0x8100), ...vlan(10, 0x0800), ...ipv4(6)], 64),
      ether: 0x8100,
      ip: [4, 6],
    },
    {
      name: "802.1ad+802.1Q IPv6/ICMPv6",
      frame: [...ether(0x88a8), ...vlan(100, 0x8100), ...vlan(10, 0x86dd), ...ipv6(58), ...Array(8).fill(0)],
      ether: 0x88a8,
      ip: [6, 58],
    },
    {
      name: "IPv6 hop-by-hop, dest opts, fragment → UDP",
      frame: [...ether(0x86dd), ...ipv6(0), ...ext(60, 0), ...ext(44, 1), ...frag(17), ...Array(8).fill(0)],
      ether: 0x86dd,
      ip: [6, 17],
    },
    {
      name: "IPv6 AH → TCP",
      frame: [...ether(0x86dd), ...ipv6(51), ...ah(6, 4), ...Array(20).fill(0)],
      ether: 0x86dd,
      ip: [6, 6],
    },
    // Four extension headers are walked; the fifth's type is what is counted.
    {
      name: "IPv6 with five extension headers",
      frame: [...ether(0x86dd), ...ipv6(0), ...ext(60, 0), ...ext(60, 0), ...ext(60, 0), ...ext(60, 0), ...ext(17, 0)],
      ether: 0x86dd,
      ip: [6, 60],
    },
    { name: "IPv6 hop-by-hop cut short", frame: [...ether(0x86dd), ...ipv6(0)], ether: 0x86dd, ip: [6, 0] },
    { name: "IPv4 cut short", frame: [...ether(0x0800), 0x45, 0, 0, 40], ether: 0x0800 },
    { name: "802.1Q tag cut short", frame: [...ether(0x8100), 0, 10], ether: 0x8100 },
    { name: "802.3 frame (length field)", frame: pad([...ether(0x0026), 0x42, 0x42, 0x03]), ether: 0 },
    { name: "ARP", frame: pad([...ether(0x0806), ...Array(28).fill(0)]), ether: 0x0806 },
  ];
  const expectEther = new Map<number, { packets: bigint; bytes: bigint }>();
  const expectIp = new Map<string, { packets: bigint; bytes: bigint }>();
  const add = <K>(m: Map<K, { packets: bigint; bytes: bigint }>, k: K, bytes: number): void => {
    const v = m.get(k) ?? { packets: 0n, bytes: 0n };
    m.set(k, { packets: v.packets + 1n, bytes: v.bytes + BigInt(bytes) });
  };
  for (const c of cases) {
    const result = testRun(program, { data: Uint8Array.from(c.frame) });
    assert.equal(result.retval, 2, `${c.name}: XDP_PASS`);
    add(expectEther, c.ether, c.frame.length);
    if (c.ip) add(expectIp, `${c.ip[0]}/${c.ip[1]}`, c.frame.length);
  }
  const sumCpus = (perCpu: { packets: bigint; bytes: bigint }[]): { packets: bigint; bytes: bigint } =>
    perCpu.reduce((a, v) => ({ packets: a.packets + v.packets, bytes: a.bytes + v.bytes }), { packets: 0n, bytes: 0n });

  const gotEther = new Map(
    [...etherTypes.entries()].map(([k, v]) => {
      assert.equal(k.ifindex, 1, "test_run frames arrive on loopback");
      return [k.etherType, sumCpus(v)] as const;
    }),
  );
  const gotIp = new Map(
    [...ipProtocols.entries()].map(([k, v]) => [`${k.ipVersion}/${k.protocol}`, sumCpus(v)] as const),
  );
  const sorted = <K>(m: Map<K, unknown>): [K, unknown][] =>
    [...m.entries()].sort((a, b) => String(a[0]).localeCompare(String(b[0])));
  assert.deepEqual(sorted(gotEther), sorted(expectEther));
  assert.deepEqual(sorted(gotIp), sorted(expectIp));
});
