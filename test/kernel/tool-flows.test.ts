// `tsbpf flows`, run for real: the built CLI inside one end of a veth pair while the test sends
// known UDP (IPv4 and IPv6), TCP and ICMP-provoking traffic from the other end with node sockets,
// checked against the exact packets and bytes of each flow in both directions; its per-packet
// lines and NDJSON, --top's intervals and summary, the metrics endpoint scraped and parsed, and
// what a SIGKILL leaves behind. The kernel program's parsing (VLAN tags, IPv6 extension headers,
// fragments, ICMP, cut-short frames) is checked with BPF_PROG_TEST_RUN on crafted frames.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { xdpInfo } from "../../src/programs/xdp.js";
import { tcInfo } from "../../src/programs/tc.js";
import { reopenProgram } from "../../src/programs/net-common.js";
import { closeFd } from "../../src/sys/bpf.js";
import { testRun } from "../../src/programs/test-run.js";
import { RingBuffer } from "../../src/events/ringbuf.js";
import { loadToolObject } from "../../src/tools/common/kernel-artifact.js";
import { parseExposition } from "../../src/tools/common/metrics.js";
import { nonSnakeCaseKeys } from "../../src/tools/common/ndjson.js";
import {
  KEY,
  RECORD,
  ipv6Text,
  decodeFlow,
  flowFromKey,
  flowId,
  protocolLabel,
  type Flow,
  type FlowKeyFields,
} from "../../src/tools/flows/flow.js";
import { PacketFormatter } from "../../src/tools/flows/report.js";
import type { LruPerCpuHashMap } from "../../src/maps/index.js";
import { FlowTracker } from "../../src/tools/flows/tracker.js";
import { readPerCpu, totalRows, type TotalRow } from "../../src/tools/flows/probe.js";
import type * as FlowsKernel from "../../src/tools/flows/flows.bpf.js";
import { FlowKey, PacketRecord } from "../../src/tools/flows/flows.bpf.js";
import { vethPairFor, vethPairWithV6For, type NetnsEnd, type PairAddresses, VethPair } from "../helpers/netns.js";
import { withNetns } from "../../src/sys/netns.js";
import {
  commandExists,
  ndjsonRecords,
  runTool,
  ToolProcess,
  TSBPF_MAIN,
  UNPRIVILEGED,
} from "../helpers/tool-process.js";

type Rec = Record<string, unknown>;

const UDP4_PAYLOAD = 100,
  UDP6_PAYLOAD = 50,
  ERROR_PAYLOAD = 10;
const UDP4_FRAME = 14 + 20 + 8 + UDP4_PAYLOAD;
const UDP6_FRAME = 14 + 40 + 8 + UDP6_PAYLOAD;
/** ICMP port unreachable quoting the IPv4 header, the UDP header and the payload. */
const ICMP4_ERROR_FRAME = 14 + 20 + 8 + 20 + 8 + ERROR_PAYLOAD;
const ICMP6_ERROR_FRAME = 14 + 40 + 8 + 40 + 8 + ERROR_PAYLOAD;
const UDP4_COUNT = 5,
  UDP6_COUNT = 3;
const CLIENT_PORT4 = 40000,
  CLIENT_PORT6 = 40001;

/** In `end`: UDP echo on 5000 (IPv4) and 5001 (IPv6), a TCP server on 5002 that reads to the end and answers "ok". */
async function startServer(t: { after(fn: () => void): void }, end: NetnsEnd): Promise<ChildProcess> {
  const script = `
    import dgram from "node:dgram"; import net from "node:net";
    const echo = (type, port) => new Promise((r) => { const s = dgram.createSocket(type); s.on("message", (m, from) => s.send(m, from.port, from.address)); s.bind(port, r); });
    await echo("udp4", 5000); await echo("udp6", 5001);
    await new Promise((r) => net.createServer((c) => { c.on("data", () => {}); c.on("end", () => c.end("ok")); }).listen(5002, "::", r));
    process.stdout.write("ready\\n");`;
  const child = spawn("nsenter", [`--net=${end.path}`, process.execPath, "--input-type=module", "-e", script], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  t.after(() => child.kill("SIGKILL"));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", (d: Buffer) => {
      if (d.toString().includes("ready")) resolve();
    });
    child.on("exit", (code) => reject(new Error(`the server exited (${code})`)));
  });
  return child;
}

/**
 * From `end`: UDP4_COUNT datagrams to b4:5000 from port 40000 and UDP6_COUNT to b6:5001 from
 * 40001, each waiting for its echo; one datagram to a closed port of each family (an ICMP error
 * comes back); and, with `tcp`, 3000 bytes over TCP to port 5002.
 */
function sendTraffic(pair: VethPair, end: NetnsEnd, addr: PairAddresses, options: { tcp?: boolean } = {}): void {
  const script = `
    import dgram from "node:dgram"; import net from "node:net";
    const exchange = async (type, local, host, port, size, count) => {
      const s = dgram.createSocket(type);
      await new Promise((r) => s.bind(local, r));
      for (let i = 0; i < count; i++) {
        const echoed = new Promise((r) => s.once("message", r));
        s.send(Buffer.alloc(size, 7), port, host);
        await echoed;
      }
      s.close();
    };
    await exchange("udp4", ${CLIENT_PORT4}, "${addr.b4}", 5000, ${UDP4_PAYLOAD}, ${UDP4_COUNT});
    await exchange("udp6", ${CLIENT_PORT6}, "${addr.b6}", 5001, ${UDP6_PAYLOAD}, ${UDP6_COUNT});
    const refused = async (type, host) => {
      const s = dgram.createSocket(type);
      const error = new Promise((r) => s.once("error", r));
      s.connect(5999, host);
      await new Promise((r) => s.once("connect", r));
      s.send(Buffer.alloc(${ERROR_PAYLOAD}));
      await Promise.race([error, new Promise((r) => setTimeout(r, 2000))]);
      s.close();
    };
    await refused("udp4", "${addr.b4}");
    await refused("udp6", "${addr.b6}");
    if (${options.tcp === true}) {
      await new Promise((resolve, reject) => {
        const c = net.connect(5002, "${addr.b4}", () => c.end(Buffer.alloc(3000, 1)));
        c.on("data", () => {}); c.on("close", resolve); c.on("error", reject);
      });
    }`;
  pair.run(end, process.execPath, ["--input-type=module", "-e", script], { timeoutMs: 20_000 });
}

function startIn(t: { after(fn: () => void): void }, end: NetnsEnd, args: string[]): ToolProcess {
  const tool = ToolProcess.start(["flows", ...args], { netnsPath: end.path });
  t.after(() => {
    if (tool.running) tool.kill("SIGKILL");
  });
  return tool;
}

const matches = (r: Rec, want: Rec): boolean => Object.entries(want).every(([k, v]) => r[k] === v);

/** The flows the traffic above makes, as seen on b's interface. */
function expectedFlows(addr: PairAddresses): { name: string; where: Rec; packets: number; bytes: number }[] {
  return [
    {
      name: "UDP/IPv4 in",
      where: {
        direction: "ingress",
        ip_version: 4,
        protocol: 17,
        saddr: addr.a4,
        sport: CLIENT_PORT4,
        daddr: addr.b4,
        dport: 5000,
      },
      packets: UDP4_COUNT,
      bytes: UDP4_COUNT * UDP4_FRAME,
    },
    {
      name: "UDP/IPv4 out",
      where: {
        direction: "egress",
        ip_version: 4,
        protocol: 17,
        saddr: addr.b4,
        sport: 5000,
        daddr: addr.a4,
        dport: CLIENT_PORT4,
      },
      packets: UDP4_COUNT,
      bytes: UDP4_COUNT * UDP4_FRAME,
    },
    {
      name: "UDP/IPv6 in",
      where: {
        direction: "ingress",
        ip_version: 6,
        protocol: 17,
        saddr: addr.a6,
        sport: CLIENT_PORT6,
        daddr: addr.b6,
        dport: 5001,
      },
      packets: UDP6_COUNT,
      bytes: UDP6_COUNT * UDP6_FRAME,
    },
    {
      name: "UDP/IPv6 out",
      where: {
        direction: "egress",
        ip_version: 6,
        protocol: 17,
        saddr: addr.b6,
        sport: 5001,
        daddr: addr.a6,
        dport: CLIENT_PORT6,
      },
      packets: UDP6_COUNT,
      bytes: UDP6_COUNT * UDP6_FRAME,
    },
    {
      name: "ICMP port unreachable out",
      where: {
        direction: "egress",
        ip_version: 4,
        protocol: 1,
        protocol_name: "icmp",
        saddr: addr.b4,
        daddr: addr.a4,
        sport: null,
        dport: null,
        icmp_type: 3,
        icmp_code: 3,
      },
      packets: 1,
      bytes: ICMP4_ERROR_FRAME,
    },
    {
      name: "ICMPv6 port unreachable out",
      where: {
        direction: "egress",
        ip_version: 6,
        protocol: 58,
        protocol_name: "icmpv6",
        saddr: addr.b6,
        daddr: addr.a6,
        sport: null,
        dport: null,
        icmp_type: 1,
        icmp_code: 4,
      },
      packets: 1,
      bytes: ICMP6_ERROR_FRAME,
    },
  ];
}

/** Waits (links are released asynchronously) until veth1 has no XDP or tcx program and both programs are freed. */
async function assertNothingAttached(pair: VethPair, end: NetnsEnd, programIds: number[]): Promise<void> {
  const state = (): { xdp: string; tcx: number[]; alive: number[] } => {
    const alive = programIds.filter((id) => {
      const fd = reopenProgram(id);
      if (fd >= 0) closeFd(fd);
      return fd >= 0;
    });
    return pair.within(end, () => ({
      xdp: xdpInfo(end.ifname).attached,
      tcx: [...tcInfo(end.ifname, "egress").tcx, ...tcInfo(end.ifname, "ingress").tcx],
      alive,
    }));
  };
  let s = state();
  for (let i = 0; i < 150 && (s.xdp !== "none" || s.tcx.length > 0 || s.alive.length > 0); i++) {
    await new Promise((r) => setTimeout(r, 20));
    s = state();
  }
  assert.deepEqual(s, { xdp: "none", tcx: [], alive: [] });
  assert.deepEqual(
    pair.within(end, () => tcInfo(end.ifname, "egress").clsact),
    [],
    "no clsact filter either",
  );
}

test("flows --json: one record per packet, exact per flow in both directions, IPv4, IPv6, ICMP errors; SIGTERM summary; nothing attached", async (t) => {
  const { pair, addr } = vethPairWithV6For(t);
  await startServer(t, pair.b);
  const tool = startIn(t, pair.b, ["-i", pair.b.ifname, "--json"]);
  const start = await tool.waitFor((p) => ndjsonRecords(p.stdout)[0], "the start record");
  assert.equal(start.type, "start");
  assert.equal(start.mode, "packets");
  assert.deepEqual(
    (start.attachments as Rec[]).map((a) => [a.interface, a.direction, a.link]),
    [
      ["veth1", "ingress", true],
      ["veth1", "egress", true],
    ],
  );
  assert.match(String((start.attachments as Rec[])[0]!.attachment), /^xdp on veth1 \((driver|skb) mode, link\)$/);
  assert.equal((start.attachments as Rec[])[1]!.attachment, "tc egress on veth1 (tcx link)");
  const ids = start.program_ids as { ingress: number; egress: number };
  assert.deepEqual(
    pair.within(pair.b, () => tcInfo("veth1", "egress").tcx),
    [ids.egress],
  );

  sendTraffic(pair, pair.a, addr);
  const expected = expectedFlows(addr);
  const last = expected.at(-1)!;
  await tool.waitFor((p) => ndjsonRecords(p.stdout).some((r) => matches(r, last.where)), "the ICMPv6 error's record");
  tool.kill("SIGTERM");
  assert.deepEqual(await tool.exit(), { code: 0, signal: null }, tool.stderr);

  const records = ndjsonRecords(tool.stdout);
  for (const r of records) assert.deepEqual(nonSnakeCaseKeys(r), [], `snake_case fields in ${JSON.stringify(r)}`);
  const packets = records.filter((r) => r.type === "packet");
  assert.deepEqual(
    records.map((r) => r.type),
    ["start", ...packets.map(() => "packet"), "summary"],
  );
  for (const e of expected) {
    const seen = packets.filter((r) => matches(r, e.where));
    assert.equal(seen.length, e.packets, `${e.name}: one record per packet`);
    assert.equal(
      seen.reduce((n, r) => n + (r.bytes as number), 0),
      e.bytes,
      `${e.name}: bytes`,
    );
    for (const r of seen) assert.equal(r.packets, 1);
  }
  const one = packets.find((r) => matches(r, expected[0]!.where))!;
  assert.deepEqual(Object.keys(one), [
    "type",
    "time",
    "interface",
    "direction",
    "ip_version",
    "protocol",
    "protocol_name",
    "vlan",
    "saddr",
    "sport",
    "daddr",
    "dport",
    "icmp_type",
    "icmp_code",
    "packets",
    "bytes",
  ]);
  assert.deepEqual(
    { ...one, time: undefined },
    {
      type: "packet",
      time: undefined,
      interface: "veth1",
      direction: "ingress",
      ip_version: 4,
      protocol: 17,
      protocol_name: "udp",
      vlan: null,
      saddr: addr.a4,
      sport: CLIENT_PORT4,
      daddr: addr.b4,
      dport: 5000,
      icmp_type: null,
      icmp_code: null,
      packets: 1,
      bytes: UDP4_FRAME,
    },
  );
  assert.ok(Math.abs(Date.parse(one.time as string) - Date.now()) < 60_000, `time ${String(one.time)} is now`);

  const summary = records.at(-1)!;
  assert.equal(summary.stopped_by, "SIGTERM");
  assert.equal(summary.packets_reported, packets.length);
  assert.equal(summary.ring_drops, 0);
  // The kernel's totals equal the sum of the records, per direction and protocol (IP frames).
  for (const row of (summary.totals as Rec[]).filter((r) => r.ip_version !== null)) {
    const mine = packets.filter(
      (p) => p.direction === row.direction && p.ip_version === row.ip_version && p.protocol === row.protocol,
    );
    assert.equal(row.packets, mine.length, JSON.stringify(row));
    assert.equal(
      row.bytes,
      mine.reduce((n, r) => n + (r.bytes as number), 0),
      JSON.stringify(row),
    );
  }
  await assertNothingAttached(pair, pair.b, [ids.ingress, ids.egress]);
});

test("flows (piped): a header and one line per packet with S-Address S-Port D-Address D-Port Protocol; --count stops it", async (t) => {
  const { pair, addr } = vethPairWithV6For(t);
  await startServer(t, pair.b);
  // Only egress: the echoes and ICMP errors b sends; IPv6 neighbour discovery may add lines, so count generously.
  const tool = startIn(t, pair.b, ["-i", pair.b.ifname, "--direction", "out", "--count", "200"]);
  await tool.waitFor(
    (p) => p.stderr.includes("attached tc egress on veth1 (tcx link); Ctrl-C to stop"),
    "the attach message",
  );
  assert.doesNotMatch(tool.stderr, /xdp/, "--direction out attaches no XDP program");
  sendTraffic(pair, pair.a, addr);
  const icmp6 = new RegExp(
    `^\\d\\d:\\d\\d:\\d\\d\\.\\d{6} veth1 out ${addr.b6.replace(/\./g, "\\.")} +- +${addr.a6} +1/4 +ICMPv6 +${ICMP6_ERROR_FRAME}$`,
    "m",
  );
  await tool.waitFor((p) => icmp6.test(p.stdout), "the ICMPv6 error's line");
  tool.kill("SIGINT");
  assert.deepEqual(await tool.exit(), { code: 0, signal: null }, tool.stderr);
  const lines = tool.stdout.split("\n");
  assert.match(lines[0]!, /^TIME +IF +DIR S-Address +S-Port D-Address +D-Port Protocol Bytes$/);
  const udp4 = new RegExp(
    `^\\d\\d:\\d\\d:\\d\\d\\.\\d{6} veth1 out ${addr.b4.replace(/\./g, "\\.")} +5000 +${addr.a4.replace(/\./g, "\\.")} +${CLIENT_PORT4} +UDP +${UDP4_FRAME}$`,
  );
  assert.equal(lines.filter((l) => udp4.test(l)).length, UDP4_COUNT, tool.stdout);
  assert.match(
    tool.stdout,
    new RegExp(
      ` out ${addr.b4.replace(/\./g, "\\.")} +- +${addr.a4.replace(/\./g, "\\.")} +3/3 +ICMP +${ICMP4_ERROR_FRAME}$`,
      "m",
    ),
  );
  assert.equal(lines.filter((l) => /^\S+ veth1 in /.test(l)).length, 0, "no ingress lines");
  assert.match(tool.stdout, /^summary: \d+ packets reported on veth1 in .*stopped by SIGINT.*; detached$/m);
  assert.doesNotMatch(tool.stdout, /\x1b/);

  // --count N: exactly N packet records, then a clean exit.
  const counted = startIn(t, pair.b, ["-i", pair.b.ifname, "--json", "--count", "3"]);
  await counted.waitFor((p) => ndjsonRecords(p.stdout)[0], "the start record");
  sendTraffic(pair, pair.a, addr);
  assert.deepEqual(await counted.exit(), { code: 0, signal: null }, counted.stderr);
  const records = ndjsonRecords(counted.stdout);
  assert.deepEqual(
    records.map((r) => r.type),
    ["start", "packet", "packet", "packet", "summary"],
  );
  assert.equal(records.at(-1)!.stopped_by, "done");
  assert.equal(records.at(-1)!.packets_reported, 3);
});

test("flows --top --json: interval records add up to the exact traffic of each flow, sorted by bytes, --limit rows; TCP flows too", async (t) => {
  const { pair, addr } = vethPairWithV6For(t);
  await startServer(t, pair.b);
  const tool = startIn(t, pair.b, ["-i", pair.b.ifname, "--top", "--json", "--interval", "0.3", "--limit", "50"]);
  const start = await tool.waitFor((p) => ndjsonRecords(p.stdout)[0], "the start record");
  assert.deepEqual([start.mode, start.interval_s, start.limit], ["top", 0.3, 50]);
  sendTraffic(pair, pair.a, addr, { tcp: true });
  await tool.waitFor((p) => ndjsonRecords(p.stdout).filter((r) => r.type === "interval").length >= 2, "two intervals");
  await new Promise((r) => setTimeout(r, 400));
  tool.kill("SIGTERM");
  assert.deepEqual(await tool.exit(), { code: 0, signal: null }, tool.stderr);
  const records = ndjsonRecords(tool.stdout);
  for (const r of records) assert.deepEqual(nonSnakeCaseKeys(r), [], `snake_case fields in ${JSON.stringify(r)}`);
  const intervals = records.filter((r) => r.type === "interval");
  const summary = records.at(-1)!;
  assert.equal(summary.type, "summary");
  assert.equal(summary.intervals, intervals.length);
  for (const i of intervals) {
    const flows = i.flows as Rec[];
    assert.ok(flows.length <= 50);
    for (let k = 1; k < flows.length; k++)
      assert.ok((flows[k - 1]!.bytes as number) >= (flows[k]!.bytes as number), "sorted by bytes");
    for (const f of flows) {
      assert.ok((f.packets as number) > 0, "only flows with traffic in the interval");
      assert.equal(typeof f.bytes_per_s, "number");
    }
  }
  const allRows = intervals.flatMap((i) => i.flows as Rec[]);
  for (const e of expectedFlows(addr)) {
    const rows = allRows.filter((r) => matches(r, e.where));
    assert.equal(
      rows.reduce((n, r) => n + (r.packets as number), 0),
      e.packets,
      `${e.name}: packets over the intervals`,
    );
    assert.equal(
      rows.reduce((n, r) => n + (r.bytes as number), 0),
      e.bytes,
      `${e.name}: bytes over the intervals`,
    );
    const last = rows.at(-1)!;
    assert.deepEqual([last.total_packets, last.total_bytes], [e.packets, e.bytes], `${e.name}: totals`);
    const inSummary = (summary.flows as Rec[]).find((r) => matches(r, e.where));
    assert.deepEqual([inSummary?.packets, inSummary?.bytes], [e.packets, e.bytes], `${e.name} in the summary`);
  }
  // TCP: the 3000 bytes (and handshake) from a to b's port 5002, b's answers back.
  const tcpIn = (summary.flows as Rec[]).find((r) =>
    matches(r, { direction: "ingress", protocol: 6, saddr: addr.a4, daddr: addr.b4, dport: 5002 }),
  );
  const tcpOut = (summary.flows as Rec[]).find((r) =>
    matches(r, { direction: "egress", protocol: 6, saddr: addr.b4, sport: 5002, daddr: addr.a4 }),
  );
  assert.ok(tcpIn && tcpOut, "both TCP flows");
  assert.equal(tcpOut.dport, tcpIn.sport);
  assert.ok(
    (tcpIn.bytes as number) >= 3000 + 4 * 54 && (tcpIn.packets as number) >= 4,
    `TCP in: ${JSON.stringify(tcpIn)}`,
  );
  assert.ok((tcpOut.packets as number) >= 3, `TCP out: ${JSON.stringify(tcpOut)}`);
  // Interface totals: every frame, so at least the flows' sum; the summary's totals equal the intervals' sums.
  for (const direction of ["ingress", "egress"]) {
    const fromIntervals = intervals
      .flatMap((i) => (i.interfaces as Rec[]).filter((r) => r.direction === direction))
      .reduce((n, r) => n + (r.bytes as number), 0);
    const fromTotals = (summary.totals as Rec[])
      .filter((r) => r.direction === direction)
      .reduce((n, r) => n + (r.bytes as number), 0);
    assert.equal(fromIntervals, fromTotals, `${direction}: intervals add up to the totals`);
  }
  await assertNothingAttached(pair, pair.b, [
    (start.program_ids as Rec).ingress as number,
    (start.program_ids as Rec).egress as number,
  ]);
});

test("flows --metrics: /metrics parses, counters by interface, direction, IP version and protocol equal the traffic; no port labels", async (t) => {
  const { pair, addr } = vethPairWithV6For(t);
  await startServer(t, pair.b);
  const tool = startIn(t, pair.b, ["-i", pair.b.ifname, "--top", "--interval", "0.5", "--metrics", "127.0.0.1:0"]);
  const url = await tool.waitFor(
    (p) => /serving Prometheus metrics on (http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(p.stderr)?.[1],
    "the metrics address",
  );
  await tool.waitFor((p) => p.stderr.includes("attached xdp on veth1"), "the attach message");
  sendTraffic(pair, pair.a, addr);
  const scrape = pair.run(pair.b, process.execPath, [
    "--input-type=module",
    "-e",
    `const r = await fetch(${JSON.stringify(url)}); process.stdout.write(JSON.stringify({ status: r.status, type: r.headers.get("content-type"), body: await r.text() }));`,
  ]);
  const response = JSON.parse(scrape.stdout) as { status: number; type: string; body: string };
  assert.equal(response.status, 200);
  assert.equal(response.type, "text/plain; version=0.0.4; charset=utf-8");
  const families = parseExposition(response.body);
  for (const name of ["tsbpf_flows_packets_total", "tsbpf_flows_bytes_total"]) {
    assert.equal(families.get(name)?.type, "counter", name);
    assert.ok((families.get(name)?.help ?? "").length > 10);
  }
  assert.equal(families.get("tsbpf_flows_start_time_seconds")?.type, "gauge");
  assert.equal(families.get("tsbpf_flows_table_flows")?.type, "gauge");
  assert.ok(families.get("tsbpf_flows_table_flows")!.samples[0]!.value >= 6);
  for (const family of families.values()) {
    assert.equal(
      family.type === "counter",
      family.name.endsWith("_total"),
      `${family.name}: only counters end in _total`,
    );
    for (const s of family.samples)
      for (const label of Object.keys(s.labels))
        assert.doesNotMatch(label, /pid|port|addr/, `${family.name} has no ${label} label`);
  }
  const value = (name: string, labels: Record<string, string>): number | undefined =>
    families.get(name)?.samples.find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
  const udp4In = { interface: "veth1", direction: "ingress", ip_version: "4", protocol: "udp" };
  const udp6Out = { interface: "veth1", direction: "egress", ip_version: "6", protocol: "udp" };
  const icmpOut = { interface: "veth1", direction: "egress", ip_version: "4", protocol: "icmp" };
  // The ingress UDP/IPv4 frames also include the datagram to the closed port.
  assert.equal(value("tsbpf_flows_packets_total", udp4In), UDP4_COUNT + 1);
  assert.equal(value("tsbpf_flows_bytes_total", udp4In), UDP4_COUNT * UDP4_FRAME + 14 + 20 + 8 + ERROR_PAYLOAD);
  assert.equal(value("tsbpf_flows_packets_total", udp6Out), UDP6_COUNT);
  assert.equal(value("tsbpf_flows_bytes_total", udp6Out), UDP6_COUNT * UDP6_FRAME);
  assert.equal(value("tsbpf_flows_packets_total", icmpOut), 1);
  assert.equal(value("tsbpf_flows_bytes_total", icmpOut), ICMP4_ERROR_FRAME);
  tool.kill("SIGTERM");
  assert.deepEqual(await tool.exit(), { code: 0, signal: null }, tool.stderr);
  assert.match(tool.stdout, /^summary: \d+ packets, .* on veth1 in .*stopped by SIGTERM.*; \d+ flows; detached$/m);
  assert.match(
    tool.stdout,
    new RegExp(
      `^in +${addr.a4.replace(/\./g, "\\.")} +${CLIENT_PORT4} +${addr.b4.replace(/\./g, "\\.")} +5000 +UDP +${UDP4_COUNT} +${UDP4_COUNT * UDP4_FRAME} B$`,
      "m",
    ),
  );
});

test("flows killed with SIGKILL leaves nothing attached (XDP link, tcx link, programs)", async (t) => {
  const pair = vethPairFor(t);
  const tool = startIn(t, pair.b, ["-i", pair.b.ifname, "--json", "--top"]);
  const start = await tool.waitFor((p) => ndjsonRecords(p.stdout)[0], "the start record");
  const ids = start.program_ids as { ingress: number; egress: number };
  assert.equal(pair.within(pair.b, () => xdpInfo("veth1")).progId, ids.ingress);
  assert.deepEqual(
    pair.within(pair.b, () => tcInfo("veth1", "egress").tcx),
    [ids.egress],
  );
  tool.kill("SIGKILL");
  assert.deepEqual(await tool.exit(), { code: null, signal: "SIGKILL" });
  await assertNothingAttached(pair, pair.b, [ids.ingress, ids.egress]);
});

test("flows -i nosuchif: one clear line, exit 1; missing privileges named; usage errors exit 2", (t) => {
  const pair = vethPairFor(t);
  const r = runTool(["flows", "-i", "nosuchif", "--top"], { netnsPath: pair.b.path });
  assert.equal(r.code, 1);
  assert.equal(r.stdout, "");
  assert.equal(
    r.stderr,
    'tsbpf flows: network interface "nosuchif" not found: no such interface in this network namespace (interfaces here: lo, veth1)\n',
  );
  const p = runTool(["flows", "-i", "lo"], { wrap: UNPRIVILEGED });
  assert.equal(p.code, 1, p.stderr);
  assert.equal(
    p.stderr,
    "tsbpf flows: missing privileges: flows needs CAP_BPF, CAP_NET_ADMIN and CAP_PERFMON (run it as root, or with those capabilities)\n",
  );
  for (const args of [
    ["--interval", "1"],
    ["--top", "--interval", "x"],
    ["--top", "--limit", "0"],
    ["--count", "1.5"],
    ["--direction", "up"],
    ["--mode", "fast"],
    ["--metrics", "1.2.3.4:70000"],
    ["extra"],
  ]) {
    const u = runTool(["flows", ...args]);
    assert.equal(u.code, 2, `${args.join(" ")}: ${u.stderr}`);
    assert.match(u.stderr, /^tsbpf flows: .+\nsee "tsbpf flows --help"\n$/);
  }
});

test("FlowTracker in-process: snapshot() gives the interval's flows with rates, then only new traffic; close() detaches", async (t) => {
  const { pair, addr } = vethPairWithV6For(t);
  await startServer(t, pair.b);
  const tracker = pair.within(pair.b, () => FlowTracker.attach({ interfaces: ["veth1"] }));
  t.after(() => tracker.close());
  assert.deepEqual(
    tracker.attachments.map((a) => a.description.replace(/\((driver|skb) mode/, "(MODE mode")),
    ["xdp on veth1 (MODE mode, link)", "tc egress on veth1 (tcx link)"],
  );
  sendTraffic(pair, pair.a, addr);
  await new Promise((r) => setTimeout(r, 50));
  const first = tracker.snapshot({ limit: 100 });
  assert.ok(first.seconds > 0);
  const udp = first.flows.find(
    (f) => f.flow.direction === "ingress" && f.flow.protocol === 17 && f.flow.sport === CLIENT_PORT4,
  );
  assert.ok(udp, "the UDP/IPv4 flow");
  assert.deepEqual(udp.flow, {
    interface: "veth1",
    ifindex: udp.flow.ifindex,
    direction: "ingress",
    ipVersion: 4,
    protocol: 17,
    protocolName: "udp",
    vlan: null,
    saddr: addr.a4,
    daddr: addr.b4,
    sport: CLIENT_PORT4,
    dport: 5000,
    icmpType: null,
    icmpCode: null,
  } satisfies Flow);
  assert.deepEqual(
    [udp.packets, udp.bytes, udp.totalPackets, udp.totalBytes],
    [BigInt(UDP4_COUNT), BigInt(UDP4_COUNT * UDP4_FRAME), BigInt(UDP4_COUNT), BigInt(UDP4_COUNT * UDP4_FRAME)],
  );
  assert.ok(Math.abs(udp.bytesPerSecond - (UDP4_COUNT * UDP4_FRAME) / first.seconds) < 1e-6);
  const ingress = first.interfaces.find((i) => i.direction === "ingress")!;
  assert.ok(ingress.totalBytes >= BigInt(UDP4_COUNT * UDP4_FRAME + UDP6_COUNT * UDP6_FRAME));
  // Nothing new: the flow is not in the next snapshot.
  const second = tracker.snapshot();
  assert.equal(
    second.flows.find((f) => f.flow.sport === CLIENT_PORT4 && f.flow.protocol === 17),
    undefined,
  );
  const ids = tracker.programIds;
  tracker.close();
  await assertNothingAttached(pair, pair.b, [ids.ingress, ids.egress]);
});

test("flows --top on a terminal redraws its table in place; piped, plain frames", async (t) => {
  const { pair, addr } = vethPairWithV6For(t);
  await startServer(t, pair.b);
  if (commandExists("script")) {
    // script gives the tool a pseudo-terminal; stty sets its size (a fresh pty is 0x0).
    const shell = `stty cols 120 rows 40; exec "${process.execPath}" "${TSBPF_MAIN}" flows -i veth1 --top --interval 0.3 --count 8 --limit 3`;
    const tty = new ToolProcess("nsenter", [`--net=${pair.b.path}`, "script", "-qec", shell, "/dev/null"]);
    t.after(() => {
      if (tty.running) tty.kill("SIGKILL");
    });
    await tty.waitFor((p) => p.stdout.includes("attached xdp on veth1"), "the attach message");
    sendTraffic(pair, pair.a, addr);
    assert.deepEqual(await tty.exit(), { code: 0, signal: null }, tty.stdout);
    const out = tty.stdout;
    assert.equal(out.split("\x1b[?2026h").length - 1, 8, "one synchronized frame per interval");
    assert.ok(
      out.includes("\x1b[?25l") && out.includes("\x1b[?25h"),
      "cursor hidden while live, shown again at the end",
    );
    assert.match(out, /\r\x1b\[\d+A/, "later frames move the cursor up over the previous one");
    assert.match(out, /DIR +S-Address +S-Port +D-Address +D-Port +Protocol +PKT\/S +BIT\/S +PACKETS +BYTES/);
    assert.match(out, /summary: \d+ packets, .* on veth1 .*\(8 intervals, stopped by done/);
    for (const line of out.split(/\r?\n/)) {
      const visible = line.replace(/\x1b\[[?0-9;]*[A-Za-z]/g, "").replace(/\r/g, "");
      assert.ok(visible.length <= 119, `line fits the 120-column terminal: ${visible}`);
    }
  }
  const r = runTool(["flows", "-i", "veth1", "--top", "--interval", "0.1", "--count", "2"], { netnsPath: pair.b.path });
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stdout, /\x1b/);
  assert.equal(r.stdout.match(/^tsbpf flows on veth1 — top 10 by bytes — every 0\.1 s — /gm)?.length, 2);
  assert.match(r.stdout, /^summary: .*\(2 intervals, stopped by done/m);
});

// ---- the kernel program, on crafted frames ----------------------------------------------------------

const MAC = [0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2];
const be16 = (n: number): number[] => [n >> 8, n & 0xff];
const ether = (type: number): number[] => [...MAC, ...be16(type)];
const vlan = (tci: number, inner: number): number[] => [...be16(tci), ...be16(inner)];
const V4S = [192, 0, 2, 1],
  V4D = [198, 51, 100, 7];
/** IPv4 header of `ihl` words (options zero), with a fragment offset field. */
const ipv4 = (protocol: number, options: { ihl?: number; fragment?: number } = {}): number[] => {
  const ihl = options.ihl ?? 5;
  return [
    0x40 | ihl,
    0,
    0,
    40,
    0,
    0,
    ...be16(options.fragment ?? 0x4000),
    64,
    protocol,
    0,
    0,
    ...V4S,
    ...V4D,
    ...Array(4 * (ihl - 5)).fill(0),
  ];
};
const V6S = [0x20, 0x01, 0x0d, 0xb8, ...Array(11).fill(0), 1],
  V6D = [0x20, 0x01, 0x0d, 0xb8, 0, 1, ...Array(9).fill(0), 2];
const ipv6 = (next: number): number[] => [0x60, 0, 0, 0, 0, 16, next, 64, ...V6S, ...V6D];
const ext = (next: number, len: number): number[] => [next, len, ...Array(6 + 8 * len).fill(0)];
const frag = (next: number, offset: number): number[] => [next, 0, ...be16(offset << 3), 0, 0, 0, 1];
const ports = (s: number, d: number): number[] => [...be16(s), ...be16(d)];
const tcp = (s: number, d: number): number[] => [...ports(s, d), ...Array(8).fill(0), 0x50, 0x02, 0, 0, 0, 0, 0, 0];
const udp = (s: number, d: number): number[] => [...ports(s, d), 0, 8, 0, 0];
const icmp = (type: number, code: number): number[] => [type, code, 0, 0, 0, 0, 0, 0];
const pad = (bytes: number[], to = 60): number[] =>
  bytes.length >= to ? bytes : [...bytes, ...Array(to - bytes.length).fill(0)];

test("the flows program: addresses, ports, ICMP type/code, VLAN tags, IPv6 extension headers, fragments and cut-short frames", () => {
  using obj = loadToolObject<typeof FlowsKernel>("flows/flows.bpf.json", {
    constants: { packetEvents: 1, flowTable: 1 },
  });
  // The layout user space reads records with is the one the kernel side declares.
  assert.equal(FlowKey.size, KEY.size);
  for (const f of [
    "ifindex",
    "direction",
    "family",
    "protocol",
    "tagged",
    "vlan",
    "sport",
    "dport",
    "saddr",
    "daddr",
  ] as const)
    assert.equal(FlowKey.offsetOf(f), KEY[f], f);
  assert.deepEqual(
    [
      PacketRecord.size,
      PacketRecord.offsetOf("packets"),
      PacketRecord.offsetOf("bytes"),
      PacketRecord.offsetOf("timestamp"),
    ],
    [RECORD.size, RECORD.packets, RECORD.bytes, RECORD.timestamp],
  );

  const v4 = { ipVersion: 4, saddr: "192.0.2.1", daddr: "198.51.100.7" } as const;
  const v6 = { ipVersion: 6, saddr: "2001:db8::1", daddr: "2001:db8:1::2" } as const;
  const none = { sport: null, dport: null, icmpType: null, icmpCode: null };
  type Want = Partial<Flow> | null;
  // ipHeaderCutShort: the kernel refuses a TC test run of such a frame (EINVAL).
  const cases: { name: string; frame: number[]; want: Want; other?: boolean; ipHeaderCutShort?: boolean }[] = [
    {
      name: "IPv4/UDP",
      frame: pad([...ether(0x0800), ...ipv4(17), ...udp(53, 33000)]),
      want: { ...v4, protocol: 17, vlan: null, sport: 53, dport: 33000 },
    },
    {
      name: "IPv4 with options/TCP",
      frame: pad([...ether(0x0800), ...ipv4(6, { ihl: 7 }), ...tcp(443, 50000)]),
      want: { ...v4, protocol: 6, sport: 443, dport: 50000 },
    },
    {
      name: "802.1Q IPv4/TCP",
      frame: pad([...ether(0x8100), ...vlan(0x2000 | 10, 0x0800), ...ipv4(6), ...tcp(22, 2222)], 64),
      want: { ...v4, protocol: 6, vlan: 10, sport: 22, dport: 2222 },
    },
    {
      name: "IPv4/TCP",
      frame: pad([...ether(0x0800), ...ipv4(6), ...tcp(443, 50001)]),
      want: { ...v4, protocol: 6, vlan: null, sport: 443, dport: 50001 },
    },
    {
      name: "IPv4/SCTP",
      frame: pad([...ether(0x0800), ...ipv4(132), ...ports(2905, 2906), ...Array(8).fill(0)]),
      want: { ...v4, protocol: 132, sport: 2905, dport: 2906 },
    },
    {
      name: "IPv4/ICMP echo",
      frame: pad([...ether(0x0800), ...ipv4(1), ...icmp(8, 0)]),
      want: { ...v4, protocol: 1, protocolName: "icmp", ...none, icmpType: 8, icmpCode: 0 },
    },
    {
      name: "IPv4 non-first fragment: no ports",
      frame: pad([...ether(0x0800), ...ipv4(17, { fragment: 0x00b9 }), ...udp(53, 33000)]),
      want: { ...v4, protocol: 17, sport: 0, dport: 0 },
    },
    {
      name: "IPv4 cut short before the ports",
      frame: [...ether(0x0800), ...ipv4(17), 0, 53],
      want: { ...v4, protocol: 17, sport: 0, dport: 0 },
    },
    {
      name: "802.1ad+802.1Q IPv6/ICMPv6 echo",
      frame: [...ether(0x88a8), ...vlan(100, 0x8100), ...vlan(10, 0x86dd), ...ipv6(58), ...icmp(128, 0)],
      want: { ...v6, protocol: 58, protocolName: "icmpv6", vlan: 100, ...none, icmpType: 128, icmpCode: 0 },
    },
    {
      name: "IPv6 hop-by-hop, dest opts, first fragment → UDP",
      frame: [...ether(0x86dd), ...ipv6(0), ...ext(60, 0), ...ext(44, 1), ...frag(17, 0), ...udp(4500, 4501)],
      want: { ...v6, protocol: 17, sport: 4500, dport: 4501 },
    },
    {
      name: "IPv6 later fragment: no ports",
      frame: [...ether(0x86dd), ...ipv6(44), ...frag(17, 100), ...udp(4500, 4501)],
      want: { ...v6, protocol: 17, sport: 0, dport: 0 },
    },
    {
      name: "IPv6/TCP",
      frame: [...ether(0x86dd), ...ipv6(6), ...tcp(80, 61000)],
      want: { ...v6, protocol: 6, vlan: null, sport: 80, dport: 61000 },
    },
    {
      name: "IPv6/UDP",
      frame: [...ether(0x86dd), ...ipv6(17), ...udp(5353, 5354)],
      want: { ...v6, protocol: 17, vlan: null, sport: 5353, dport: 5354 },
    },
    {
      name: "IPv6 cut short",
      frame: [...ether(0x86dd), 0x60, 0, 0, 0, 0, 16, 17, 64, ...V6S],
      want: null,
      other: true,
      ipHeaderCutShort: true,
    },
    {
      name: "IPv4 cut short",
      frame: [...ether(0x0800), 0x45, 0, 0, 40],
      want: null,
      other: true,
      ipHeaderCutShort: true,
    },
    {
      name: "IPv4 bad header length",
      frame: pad([...ether(0x0800), 0x43, ...ipv4(17).slice(1)]),
      want: null,
      other: true,
    },
    { name: "802.1Q tag cut short", frame: [...ether(0x8100), 0, 10], want: null, other: true },
    { name: "ARP", frame: pad([...ether(0x0806), ...Array(28).fill(0)]), want: null, other: true },
    // XDP test runs need a whole Ethernet header: the shortest frame there is.
    {
      name: "an IPv6 EtherType and nothing more",
      frame: ether(0x86dd),
      want: null,
      other: true,
      ipHeaderCutShort: true,
    },
  ];
  using ring = new RingBuffer(obj.maps.packets);
  const names = new Map([[1, "lo"]]);
  const recorded: Flow[] = [];
  const seen = new Set<string>();
  const ingressFlows = new Map<string, Flow>();
  for (const c of cases) {
    assert.equal(testRun(obj.programs.ingress, { data: Uint8Array.from(c.frame) }).retval, 2, `${c.name}: XDP_PASS`);
    const got: Flow[] = [];
    const lengths: number[] = [];
    ring.consume((r) => {
      got.push(decodeFlow(r.view, r.bytes, r.offset, names));
      lengths.push(r.u32(RECORD.bytes));
    });
    if (c.want === null) {
      assert.deepEqual(got, [], `${c.name}: no packet record`);
      continue;
    }
    assert.equal(got.length, 1, `${c.name}: one packet record`);
    const flow = got[0]!;
    recorded.push(flow);
    ingressFlows.set(c.name, flow);
    seen.add(flowId(flow));
    const picked = Object.fromEntries(Object.keys(c.want).map((k) => [k, flow[k as keyof Flow]]));
    assert.deepEqual(picked, c.want, c.name);
    assert.equal(flow.direction, "ingress");
    assert.equal(lengths[0], c.frame.length, `${c.name}: frame length`);
  }
  // The same frames through the TC program count as egress, in the flow table too.
  const frame = cases[0]!.frame;
  assert.equal(
    testRun(obj.programs.egress, { data: Uint8Array.from(frame) }).retval | 0,
    -1,
    "TC_ACT_UNSPEC: the next program decides",
  );
  ring.consume(() => {});
  const flows = readPerCpu(
    obj.maps.flows as unknown as LruPerCpuHashMap<FlowKeyFields, { packets: bigint; bytes: bigint }>,
  ).map(([k, t]) => ({ flow: flowFromKey(k, names), ...t }));
  const udpFlows = flows.filter((f) => f.flow.protocol === 17 && f.flow.sport === 53);
  assert.deepEqual(udpFlows.map((f) => [f.flow.direction, f.packets, f.bytes]).sort(), [
    ["egress", 1n, BigInt(frame.length)],
    ["ingress", 1n, BigInt(frame.length)],
  ]);
  assert.deepEqual(
    new Set(flows.map((f) => flowId(f.flow))),
    new Set([...seen, flowId({ ...recorded[0]!, direction: "egress" })]),
    "the table holds the flows the records showed, and the egress one",
  );
  // Totals: every frame, by direction, IP version and protocol (the non-IP ones under family 0),
  // whether its total has a slot of its own in the kernel (not IP, TCP, UDP, ICMP) or not (SCTP).
  const totalsBy = (rows: TotalRow[]): Map<string, bigint> =>
    new Map(rows.map((r) => [`${r.ifindex} ${r.direction} ${r.family} ${r.protocol}`, r.packets]));
  const expected = new Map<string, bigint>();
  const expect = (id: string): void => {
    expected.set(id, (expected.get(id) ?? 0n) + 1n);
  };
  for (const c of cases) expect(c.want ? `1 ingress ${c.want.ipVersion} ${c.want.protocol}` : "1 ingress 0 0");
  expect("1 egress 4 17");
  assert.deepEqual(totalsBy(totalRows(obj)), expected);
  assert.ok([...expected.keys()].includes("1 ingress 4 132"), "a total without a slot is among them");

  // Every frame through the TC program gives the record XDP gave (the common frames are read in
  // place, the others copied and parsed: both ways must agree in either program).
  for (const c of cases) {
    if (c.ipHeaderCutShort) continue;
    testRun(obj.programs.egress, { data: Uint8Array.from(c.frame) });
    const got: Flow[] = [];
    ring.consume((r) => {
      got.push(decodeFlow(r.view, r.bytes, r.offset, names));
    });
    const ingress = ingressFlows.get(c.name);
    assert.deepEqual(got, ingress ? [{ ...ingress, direction: "egress" }] : [], `${c.name}: egress`);
  }

  // A GSO packet on egress (gso_segs set through the test run's __sk_buff) counts as its
  // segments, each with its own Ethernet + IPv4 + TCP headers; a VLAN tag in the frame is read there.
  const skb = new Uint8Array(192);
  new DataView(skb.buffer).setUint32(164, 3, true); // __sk_buff.gso_segs
  new DataView(skb.buffer).setUint32(176, 1448, true); // __sk_buff.gso_size
  const big = [...ether(0x8100), ...vlan(7, 0x0800), ...ipv4(6), ...tcp(5201, 40400), ...Array(3000).fill(0)];
  assert.equal(testRun(obj.programs.egress, { data: Uint8Array.from(big), ctx: skb }).retval | 0, -1);
  const gso: Flow[] = [];
  const gsoCounts: number[][] = [];
  ring.consume((r) => {
    gso.push(decodeFlow(r.view, r.bytes, r.offset, names));
    gsoCounts.push([r.u32(RECORD.packets), r.u32(RECORD.bytes)]);
  });
  assert.deepEqual(
    gso.map((f) => [f.direction, f.vlan, f.protocol, f.sport, f.dport]),
    [["egress", 7, 6, 5201, 40400]],
  );
  const headers = 18 + 20 + 20;
  assert.deepEqual(gsoCounts, [[3, big.length + 2 * headers]]);
  // Untagged too (the shape read in place when not GSO): TCP headers with options (32 bytes) count.
  const tcpWithOptions = [...tcp(5201, 40401).slice(0, 12), 0x80, 0x10, ...Array(18).fill(0)];
  const untagged = [...ether(0x0800), ...ipv4(6), ...tcpWithOptions, ...Array(3000).fill(0)];
  assert.equal(testRun(obj.programs.egress, { data: Uint8Array.from(untagged), ctx: skb }).retval | 0, -1);
  const untaggedCounts: number[][] = [];
  ring.consume((r) => {
    untaggedCounts.push([r.u32(RECORD.packets), r.u32(RECORD.bytes)]);
  });
  assert.deepEqual(untaggedCounts, [[3, untagged.length + 2 * (14 + 20 + 32)]]);
  assert.equal(ipv6Text(Uint8Array.from([...Array(10).fill(0), 0xff, 0xff, 10, 0, 0, 1]), 0), "::ffff:10.0.0.1");
});

test("flows totals: frames of an interface whose slot another took on the CPU count in the hash; user space adds both", () => {
  using obj = loadToolObject<typeof FlowsKernel>("flows/flows.bpf.json", {
    constants: { packetEvents: 0, flowTable: 1 },
  });
  using pair = VethPair.create();
  const ifindex = Number(pair.run(pair.b, "ip", ["-o", "link", "show", pair.b.ifname]).stdout.split(":")[0]);
  // The egress IPv4/UDP slot (egress slots follow the 8 ingress ones; UDP over IPv4 is the third)
  // taken by lo on every CPU, as if lo had sent first wherever the test runs.
  obj.maps.totalSlots.setAll(8 + 2, { ifindex: 1, pad: 0, packets: 0n, bytes: 0n });
  const frame = Uint8Array.from(pad([...ether(0x0800), ...ipv4(17), ...udp(53, 33000)]));
  const skb = new Uint8Array(192);
  new DataView(skb.buffer).setUint32(40, ifindex, true); // __sk_buff.ifindex: the frame leaves through veth1
  for (let i = 0; i < 3; i++) withNetns(pair.b.path, () => testRun(obj.programs.egress, { data: frame, ctx: skb }));
  testRun(obj.programs.egress, { data: frame });
  assert.deepEqual(
    readPerCpu(obj.maps.totals).map(([k, t]) => [k.ifindex, k.direction, k.family, k.protocol, t.packets]),
    [[ifindex, 1, 4, 17, 3n]],
    "veth1's frames in the hash",
  );
  assert.deepEqual(
    totalRows(obj)
      .map((r) => [r.ifindex, r.direction, r.family, r.protocol, r.packets, r.bytes])
      .sort((a, b) => Number(a[0]) - Number(b[0])),
    [
      [1, "egress", 4, 17, 1n, BigInt(frame.length)],
      [ifindex, "egress", 4, 17, 3n, BigInt(3 * frame.length)],
    ],
  );
});

test("flows formatting: IPv6 addresses in RFC 5952 form, ISO times without a Date per packet, protocol labels", () => {
  const v6 = (hex: string): string => ipv6Text(Uint8Array.from(Buffer.from(hex, "hex")), 0);
  assert.equal(v6("20010db8000000000000000000000001"), "2001:db8::1");
  assert.equal(v6("00000000000000000000000000000000"), "::");
  assert.equal(v6("fe800000000000000000000000000001"), "fe80::1");
  assert.equal(v6("20010db8000000010000000000000000"), "2001:db8:0:1::");
  assert.equal(
    v6("20010db8000100000001000000000001"),
    "2001:db8:1:0:1::1",
    "the longest zero run is the one shortened",
  );
  assert.equal(v6("20010db8000000000001000000000001"), "2001:db8::1:0:0:1", "of equal runs, the first");
  assert.equal(v6("20010db8000100010001000100010001"), "2001:db8:1:1:1:1:1:1");
  assert.equal(v6("20010db8000000010001000100010001"), "2001:db8:0:1:1:1:1:1", "a single zero group stays");
  assert.equal(v6("00000000000000000000ffff0a000001"), "::ffff:10.0.0.1");
  const formatter = new PacketFormatter(new Map());
  for (const ms of [0, 951_782_400_999, 1_764_000_000_123.7, Date.now()])
    assert.equal(formatter.isoTime(ms), new Date(Math.floor(ms)).toISOString());
  assert.deepEqual([6, 17, 1, 58, 47, 253].map(protocolLabel), ["TCP", "UDP", "ICMP", "ICMPv6", "GRE", "253"]);
});
