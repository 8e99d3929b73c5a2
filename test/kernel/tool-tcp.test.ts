// `tsbpf tcp`, run for real: a server process in one end of a veth pair and a client process in the
// other (both node, renamed with process.title so their comm is known) exchange known amounts of
// data over TCP/IPv4 and TCP/IPv6, and try a closed port; the tool must report each connection with
// the right process, addresses, ports, exact payload bytes and duration (--closed), the processes'
// bytes and connection counts (the table, --pid/--comm filters), a failed connect, SYN
// retransmissions to an address nobody answers, Prometheus metrics, and leave nothing attached
// after SIGKILL. TcpTracker is checked in process too.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { listLinks, listPrograms } from "../../src/introspect.js";
import { parseExposition } from "../../src/tools/common/metrics.js";
import { nonSnakeCaseKeys } from "../../src/tools/common/ndjson.js";
import { TcpTracker, addressText, type ClosedConnection } from "../../src/tools/tcp/tracker.js";
import { closedLine } from "../../src/tools/tcp/report.js";
import { run as runTcpCommand } from "../../src/cli/commands/tcp.js";
import { UsageError } from "../../src/cmdline/args.js";
import { vethPairFor, vethPairWithV6For, type NetnsEnd, type PairAddresses, type VethPair } from "../helpers/netns.js";
import { buildC, tempDir } from "../helpers/tracing-helpers.js";
import { ndjsonRecords, runTool, ToolProcess, UNPRIVILEGED } from "../helpers/tool-process.js";

type Rec = Record<string, unknown>;

const PORT4 = 6000,
  PORT6 = 6001,
  CLOSED_PORT = 6009;
const CLIENT4 = 100_000,
  SERVER4 = 12_345,
  CLIENT6 = 70_001,
  SERVER6 = 5_432;
const SERVER_COMM = "tcpt-server",
  CLIENT_COMM = "tcpt-client";

/**
 * In `end`, a process named tcpt-server: on PORT4 (IPv4) and PORT6 (IPv6 only) it reads each
 * connection to its end, then answers SERVER4 / SERVER6 bytes and closes. Resolves with its pid.
 */
async function startServer(
  t: { after(fn: () => void): void },
  end: NetnsEnd,
): Promise<{ child: ChildProcess; pid: number }> {
  const script = `
    import net from "node:net";
    process.title = "${SERVER_COMM}";
    const serve = (port, host, reply, ipv6Only) => new Promise((r) => net.createServer((c) => {
      c.on("data", () => {}); c.on("end", () => c.end(Buffer.alloc(reply, 3)));
    }).listen({ port, host, ipv6Only }, r));
    await serve(${PORT4}, "0.0.0.0", ${SERVER4}, false);
    await serve(${PORT6}, "::", ${SERVER6}, true);
    process.stdout.write("ready " + process.pid + "\\n");`;
  const child = spawn("nsenter", [`--net=${end.path}`, process.execPath, "--input-type=module", "-e", script], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  t.after(() => child.kill("SIGKILL"));
  const pid = await new Promise<number>((resolve, reject) => {
    child.stdout!.on("data", (d: Buffer) => {
      const m = /ready (\d+)/.exec(d.toString());
      if (m) resolve(Number(m[1]));
    });
    child.on("exit", (code) => reject(new Error(`the server exited (${code})`)));
  });
  return { child, pid };
}

interface ClientRun {
  pid: number;
  port4: number;
  port6: number;
  ms4: number;
  ms6: number;
  got4: number;
  got6: number;
  refused: string;
}

/** From `end`, as tcpt-client: CLIENT4 bytes to b4:PORT4, CLIENT6 to b6:PORT6 (reading the answers), then a connect to a closed port. */
function runClient(pair: VethPair, end: NetnsEnd, addr: PairAddresses): ClientRun {
  const script = `
    import net from "node:net";
    process.title = "${CLIENT_COMM}";
    const exchange = (host, port, size) => new Promise((resolve, reject) => {
      const t0 = performance.now();
      let got = 0, local = 0;
      const c = net.connect(port, host, () => { local = c.localPort; c.end(Buffer.alloc(size, 1)); });
      c.on("data", (d) => { got += d.length; });
      c.on("close", () => resolve({ local, got, ms: performance.now() - t0 }));
      c.on("error", reject);
    });
    const v4 = await exchange("${addr.b4}", ${PORT4}, ${CLIENT4});
    const v6 = await exchange("${addr.b6}", ${PORT6}, ${CLIENT6});
    const refused = await new Promise((r) => { const c = net.connect(${CLOSED_PORT}, "${addr.b4}"); c.on("error", (e) => r(e.code)); c.on("connect", () => r("connected")); });
    process.stdout.write(JSON.stringify({ pid: process.pid, port4: v4.local, port6: v6.local, ms4: v4.ms, ms6: v6.ms, got4: v4.got, got6: v6.got, refused }));`;
  const r = pair.run(end, process.execPath, ["--input-type=module", "-e", script], { timeoutMs: 20_000 });
  const out = JSON.parse(r.stdout) as ClientRun;
  assert.deepEqual([out.got4, out.got6, out.refused], [SERVER4, SERVER6, "ECONNREFUSED"]);
  return out;
}

function startTool(t: { after(fn: () => void): void }, args: string[]): ToolProcess {
  const tool = ToolProcess.start(["tcp", ...args]);
  t.after(() => {
    if (tool.running) tool.kill("SIGKILL");
  });
  return tool;
}

const matches = (r: Rec, want: Rec): boolean => Object.entries(want).every(([k, v]) => r[k] === v);

async function programsGone(ids: number[]): Promise<void> {
  const state = (): { programs: number[]; links: number[] } => ({
    programs: listPrograms()
      .filter((p) => ids.includes(p.id))
      .map((p) => p.id),
    links: listLinks()
      .filter((l) => ids.includes(l.progId))
      .map((l) => l.id),
  });
  let s = state();
  for (let i = 0; i < 150 && (s.programs.length > 0 || s.links.length > 0); i++) {
    await new Promise((r) => setTimeout(r, 20));
    s = state();
  }
  assert.deepEqual(s, { programs: [], links: [] });
}

test("tcp --closed --json / --closed --count: each connection with its process, addresses, ports, exact payload bytes and duration (IPv4, IPv6); a refused connect is a failure; SIGTERM summary", async (t) => {
  const { pair, addr } = vethPairWithV6For(t);
  const server = await startServer(t, pair.b);
  const tool = startTool(t, ["--closed", "--json"]);
  const human = startTool(t, ["--closed", "--wide", "--comm", CLIENT_COMM, "--count", "3"]);
  const start = await tool.waitFor((p) => ndjsonRecords(p.stdout)[0], "the start record");
  assert.equal(start.type, "start");
  assert.equal(start.mode, "closed");
  await human.waitFor((p) => p.stderr.includes("Ctrl-C to stop"), "the human tool's start");
  const client = runClient(pair, pair.a, addr);
  const mine = (r: Rec): boolean => r.type === "close" && (r.pid === client.pid || r.pid === server.pid);
  const records = await tool.waitFor((p) => {
    const rs = ndjsonRecords(p.stdout).filter(mine);
    return rs.length >= 5 && rs;
  }, "five close records");
  tool.kill("SIGTERM");
  assert.deepEqual(await tool.exit(), { code: 0, signal: null }, tool.stderr);
  const all = ndjsonRecords(tool.stdout);
  for (const r of all) assert.deepEqual(nonSnakeCaseKeys(r), [], JSON.stringify(r));

  const expect = [
    {
      what: "IPv4 connect",
      where: {
        pid: client.pid,
        comm: CLIENT_COMM,
        ip_version: 4,
        direction: "connect",
        laddr: addr.a4,
        lport: client.port4,
        raddr: addr.b4,
        rport: PORT4,
      },
      tx: CLIENT4,
      rx: SERVER4,
      ms: client.ms4,
    },
    {
      what: "IPv4 accept",
      where: {
        pid: server.pid,
        comm: SERVER_COMM,
        ip_version: 4,
        direction: "accept",
        laddr: addr.b4,
        lport: PORT4,
        raddr: addr.a4,
        rport: client.port4,
      },
      tx: SERVER4,
      rx: CLIENT4,
      ms: client.ms4,
    },
    {
      what: "IPv6 connect",
      where: {
        pid: client.pid,
        comm: CLIENT_COMM,
        ip_version: 6,
        direction: "connect",
        laddr: addr.a6,
        lport: client.port6,
        raddr: addr.b6,
        rport: PORT6,
      },
      tx: CLIENT6,
      rx: SERVER6,
      ms: client.ms6,
    },
    {
      what: "IPv6 accept",
      where: {
        pid: server.pid,
        comm: SERVER_COMM,
        ip_version: 6,
        direction: "accept",
        laddr: addr.b6,
        lport: PORT6,
        raddr: addr.a6,
        rport: client.port6,
      },
      tx: SERVER6,
      rx: CLIENT6,
      ms: client.ms6,
    },
  ];
  for (const e of expect) {
    const found = records.filter((r) => matches(r, e.where));
    assert.equal(found.length, 1, `${e.what}: ${JSON.stringify(records)}`);
    const r = found[0]!;
    assert.equal(r.established, true, e.what);
    assert.equal(r.tx_bytes, e.tx, `${e.what}: payload sent`);
    assert.equal(r.rx_bytes, e.rx, `${e.what}: payload received`);
    // The kernel's counters count sequence space: the SYN (connector) and FINs are one byte each.
    assert.ok(
      (r.kernel_bytes_acked as number) >= e.tx && (r.kernel_bytes_acked as number) <= e.tx + 2,
      `${e.what}: bytes_acked ${r.kernel_bytes_acked}`,
    );
    assert.ok(
      (r.kernel_bytes_received as number) >= e.rx && (r.kernel_bytes_received as number) <= e.rx + 1,
      `${e.what}: bytes_received ${r.kernel_bytes_received}`,
    );
    const ms = r.duration_ms as number;
    assert.ok(ms > 0 && ms <= e.ms + 5, `${e.what}: ${ms} ms, the client measured ${e.ms} ms`);
    assert.ok(Date.parse(r.start_time as string) <= Date.parse(r.time as string));
    assert.ok(Math.abs(Date.parse(r.time as string) - Date.now()) < 30_000, `${e.what}: time ${r.time as string}`);
  }
  const failed = records.filter((r) => matches(r, { pid: client.pid, direction: "connect", established: false }));
  assert.equal(failed.length, 1, JSON.stringify(records));
  assert.ok(
    matches(failed[0]!, {
      laddr: addr.a4,
      raddr: addr.b4,
      rport: CLOSED_PORT,
      tx_bytes: 0,
      rx_bytes: 0,
      closed_from: "SYN_SENT",
    }),
    JSON.stringify(failed[0]),
  );

  // The same connections as lines (only the client's: --comm), IPv6 addresses in full (--wide);
  // --count 3 ends it after the third.
  assert.deepEqual(await human.exit(), { code: 0, signal: null }, human.stderr);
  const lines = human.stdout.split("\n");
  assert.match(lines[0]!, /^ +PID COMM +LADDR +LPORT RADDR +RPORT +TX_KB +RX_KB +MS$/);
  const esc = (s: string): string => s.replace(/[.]/g, "\\.");
  assert.match(
    human.stdout,
    new RegExp(
      `^ *${client.pid} ${CLIENT_COMM} +${esc(addr.a4)} +${client.port4} ${esc(addr.b4)} +${PORT4} +97 +12 +\\d+\\.\\d\\d$`,
      "m",
    ),
  );
  assert.match(
    human.stdout,
    new RegExp(
      `^ *${client.pid} ${CLIENT_COMM} +${addr.a6} +${client.port6} ${addr.b6} +${PORT6} +68 +5 +\\d+\\.\\d\\d$`,
      "m",
    ),
  );
  assert.match(
    human.stdout,
    new RegExp(
      `^ *${client.pid} ${CLIENT_COMM} +${esc(addr.a4)} +\\d+ ${esc(addr.b4)} +${CLOSED_PORT} +0 +0 +\\d+\\.\\d\\d  \\(connect failed\\)$`,
      "m",
    ),
  );
  assert.match(
    human.stdout,
    /^summary: 3 connects, 0 accepts, 1 failures, \d+ retransmits, .* \(3 closed connections reported, stopped by done at .*; 1 processes; detached$/m,
  );

  const summary = all.at(-1)!;
  assert.equal(summary.type, "summary");
  assert.equal(summary.stopped_by, "SIGTERM");
  const processes = summary.processes as Rec[];
  const clientRow = processes.find((p) => p.pid === client.pid);
  const serverRow = processes.find((p) => p.pid === server.pid);
  assert.deepEqual(clientRow && { ...clientRow, total: undefined }, {
    pid: client.pid,
    comm: CLIENT_COMM,
    opened: 3,
    connects: 3,
    accepts: 0,
    failures: 1,
    retransmits: clientRow?.retransmits,
    bytes_sent: CLIENT4 + CLIENT6,
    bytes_received: SERVER4 + SERVER6,
    sent_bytes_per_s: 0,
    received_bytes_per_s: 0,
    total: undefined,
  });
  assert.ok(
    serverRow &&
      matches(serverRow, {
        comm: SERVER_COMM,
        accepts: 2,
        connects: 0,
        bytes_sent: SERVER4 + SERVER6,
        bytes_received: CLIENT4 + CLIENT6,
      }),
    JSON.stringify(serverRow),
  );
  const total = summary.total as Rec;
  assert.ok(
    (total.connects as number) >= 3 && (total.accepts as number) >= 2 && (total.failures as number) >= 1,
    JSON.stringify(total),
  );
});

test("tcp (table) --pid/--comm: the process's connections and exact bytes per interval, piped as plain frames and as --json", async (t) => {
  const { pair, addr } = vethPairWithV6For(t);
  const server = await startServer(t, pair.b);
  const json = startTool(t, ["--json", "--pid", String(server.pid), "--interval", "0.3"]);
  const plain = startTool(t, ["--comm", CLIENT_COMM, "--interval", "0.3", "--limit", "5"]);
  await json.waitFor((p) => ndjsonRecords(p.stdout)[0], "the start record");
  await plain.waitFor((p) => p.stderr.includes("Ctrl-C to stop"), "the plain tool's start");
  const client = runClient(pair, pair.a, addr);
  const sums = (): Rec => {
    const s: Record<string, number> = { accepts: 0, connects: 0, bytes_sent: 0, bytes_received: 0 };
    for (const r of ndjsonRecords(json.stdout).filter((r) => r.type === "interval")) {
      for (const p of r.processes as Rec[]) {
        assert.equal(p.pid, server.pid, "only the --pid process");
        for (const k of Object.keys(s)) s[k]! += p[k] as number;
      }
    }
    return s;
  };
  await json.waitFor(
    () => sums().bytes_received === CLIENT4 + CLIENT6 && sums().bytes_sent === SERVER4 + SERVER6,
    "the server's bytes",
  );
  assert.deepEqual(sums(), {
    accepts: 2,
    connects: 0,
    bytes_sent: SERVER4 + SERVER6,
    bytes_received: CLIENT4 + CLIENT6,
  });
  await plain.waitFor(
    (p) => new RegExp(`^ *${client.pid} +${CLIENT_COMM} +[123] +[01] +\\d+ +\\d+ +\\d+ `, "m").test(p.stdout),
    "the client's row",
  );
  json.kill("SIGINT");
  plain.kill("SIGINT");
  assert.equal((await json.exit()).code, 0);
  assert.equal((await plain.exit()).code, 0);
  assert.doesNotMatch(plain.stdout, /\x1b\[/, "no escape sequences when piped");
  assert.match(plain.stdout, /^tsbpf tcp — comm tcpt-client — top 5 by bytes — every 0\.3 s — /m);
  assert.match(plain.stdout, /^ *PID +COMM +CONN +FAIL +RETRANS +TX_KB +RX_KB /m);
  // The whole transfer may straddle two intervals: the summary has the totals.
  const summary = plain.stdout.slice(plain.stdout.indexOf("\nsummary: "));
  assert.match(
    summary,
    /^summary: 3 connects, 0 accepts, 1 failures, \d+ retransmits, sent \d+(\.\d+)? kB, received \d+(\.\d+)? kB in .*stopped by SIGINT.*; 1 processes; detached$/m,
  );
  assert.match(
    summary,
    new RegExp(`^ *${client.pid} +${CLIENT_COMM} +3 +0 +1 +\\d+ +${CLIENT4 + CLIENT6} +${SERVER4 + SERVER6}$`, "m"),
  );
  const last = ndjsonRecords(json.stdout).at(-1)!;
  assert.equal(last.type, "summary");
  assert.deepEqual(
    { ...(last.total as Rec), retransmits: 0 },
    {
      connects: 0,
      accepts: 2,
      failures: 0,
      retransmits: 0,
      bytes_sent: SERVER4 + SERVER6,
      bytes_received: CLIENT4 + CLIENT6,
    },
  );
});

test("tcp --metrics: SYN retransmissions to an address nobody answers and the failed connect, scraped and parsed; no pid or port labels", async (t) => {
  const { pair, addr } = vethPairWithV6For(t);
  const tool = startTool(t, ["--json", "--comm", CLIENT_COMM, "--interval", "0.5", "--metrics", "127.0.0.1:0"]);
  const url = await tool.waitFor(
    (p) => /serving Prometheus metrics on (http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(p.stderr)?.[1],
    "the metrics address",
  );
  const before = parseExposition(await (await fetch(url)).text());
  const value = (
    families: ReturnType<typeof parseExposition>,
    name: string,
    labels: Record<string, string> = {},
  ): number =>
    (families.get(name)?.samples ?? []).filter((s) => matches(s.labels, labels)).reduce((n, s) => n + s.value, 0);
  // Nobody has this address on the link: ARP gets no answer, the SYN is retransmitted after 1 s
  // (and 3 s: the client waits past both, so a slow start on a loaded machine still sees one).
  const silent = `${addr.a4.split(".").slice(0, 3).join(".")}.77`;
  const script = `
    import net from "node:net";
    process.title = "${CLIENT_COMM}";
    const c = net.connect(${PORT4}, "${silent}");
    c.on("error", () => {});
    setTimeout(() => { c.destroy(); process.stdout.write(String(process.pid)); }, 3500);`;
  const pid = Number(
    pair.run(pair.a, process.execPath, ["--input-type=module", "-e", script], { timeoutMs: 10_000 }).stdout,
  );
  const row = await tool.waitFor((p) => {
    for (const r of ndjsonRecords(p.stdout))
      for (const q of (r.processes as Rec[] | undefined) ?? [])
        if (q.pid === pid && (q.failures as number) > 0) return q;
    return undefined;
  }, "the client's failure");
  const total = await tool.waitFor((p) => {
    let retransmits = 0;
    for (const r of ndjsonRecords(p.stdout))
      for (const q of (r.processes as Rec[] | undefined) ?? [])
        if (q.pid === pid) retransmits += q.retransmits as number;
    return retransmits;
  }, "retransmits");
  assert.ok(total >= 1, `retransmits ${total}`);
  assert.ok(matches(row.total as Rec, { connects: 1, failures: 1, bytes_sent: 0 }), JSON.stringify(row));

  const res = await fetch(url);
  assert.equal(res.headers.get("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  const after = parseExposition(await res.text());
  for (const f of after.values()) {
    assert.ok(f.help && f.type, f.name);
    if (f.type === "counter") assert.match(f.name, /_total$/);
    for (const s of f.samples)
      for (const label of Object.keys(s.labels))
        assert.ok(["direction", "ip_version"].includes(label), `${f.name}: label ${label}`);
  }
  const grew = (name: string, labels: Record<string, string>, by: number): void =>
    assert.ok(
      value(after, name, labels) - value(before, name, labels) >= by,
      `${name} ${JSON.stringify(labels)}: ${value(before, name, labels)} → ${value(after, name, labels)}`,
    );
  grew("tsbpf_tcp_connections_opened_total", { direction: "connect", ip_version: "4" }, 1);
  grew("tsbpf_tcp_connect_failures_total", { ip_version: "4" }, 1);
  grew("tsbpf_tcp_retransmits_total", { ip_version: "4" }, 1);
  for (const name of [
    "tsbpf_tcp_connections_opened_total",
    "tsbpf_tcp_bytes_total",
    "tsbpf_tcp_connections_closed_total",
    "tsbpf_tcp_closed_records_dropped_total",
    "tsbpf_tcp_start_time_seconds",
  ]) {
    assert.ok(after.has(name), name);
  }
  assert.deepEqual(
    after
      .get("tsbpf_tcp_bytes_total")!
      .samples.map((s) => `${s.labels.direction}/${s.labels.ip_version}`)
      .sort(),
    ["received/4", "received/6", "sent/4", "sent/6"],
  );
  tool.kill("SIGTERM");
  assert.equal((await tool.exit()).code, 0);
});

test("tcp killed with SIGKILL leaves nothing attached (perf links, programs)", async (t) => {
  const tool = startTool(t, ["--json"]);
  const start = await tool.waitFor((p) => ndjsonRecords(p.stdout)[0], "the start record");
  const ids = Object.values(start.program_ids as Record<string, number>);
  assert.equal(ids.length, 6);
  const links = listLinks().filter((l) => ids.includes(l.progId));
  // one link per tracepoint: 7 (the accept program serves both accept and accept4)
  assert.deepEqual(
    links.map((l) => l.type),
    Array(7).fill("perf_event"),
  );
  tool.kill("SIGKILL");
  assert.deepEqual(await tool.exit(), { code: null, signal: "SIGKILL" });
  await programsGone(ids);
});

test("tcp usage errors exit 2 with a pointer to --help; missing privileges named in one line", async () => {
  const io = { stdout: (_text: string): void => {}, stderr: (_text: string): void => {}, stdin: (): string => "" };
  for (const args of [
    ["--closed", "--interval", "1"],
    ["--wide"],
    ["--pid", "abc"],
    ["--pid", "0"],
    ["--limit", "0"],
    ["--count", "1.5"],
    ["--comm", "a-name-longer-than-15"],
    ["--metrics", "1.2.3.4:70000"],
    ["-i", "eth0"],
    ["extra"],
  ]) {
    await assert.rejects(runTcpCommand(args, io), (err: unknown) => err instanceof UsageError, args.join(" "));
  }
  const u = runTool(["tcp", "--pid", "abc"]);
  assert.equal(u.code, 2, u.stderr);
  assert.match(u.stderr, /^tsbpf tcp: --pid wants a positive integer, not "abc"\nsee "tsbpf tcp --help"\n$/);
  let help = "";
  assert.equal(
    await runTcpCommand(["--help"], {
      ...io,
      stdout: (text: string) => {
        help += text;
      },
    }),
    0,
  );
  assert.match(help, /^usage: tsbpf tcp /);
  const p = runTool(["tcp"], { wrap: UNPRIVILEGED });
  assert.equal(p.code, 1, p.stderr);
  assert.equal(
    p.stderr,
    "tsbpf tcp: missing privileges: tcp needs CAP_BPF, CAP_PERFMON and read access to tracefs (/sys/kernel/tracing: root, or CAP_DAC_READ_SEARCH); missing here: CAP_BPF and CAP_PERFMON (run it as root, or with those capabilities)\n",
  );
});

test("TcpTracker in-process: snapshot() rows with exact bytes for the client, drainClosed() its connections; close() detaches", async (t) => {
  const { pair, addr } = vethPairWithV6For(t);
  await startServer(t, pair.b);
  const tracker = TcpTracker.open({ comm: CLIENT_COMM });
  t.after(() => tracker.close());
  const ids = Object.values(tracker.programIds);
  tracker.snapshot();
  const client = runClient(pair, pair.a, addr);
  const s = tracker.snapshot({ limit: 10 });
  assert.ok(s.processes.every((p) => p.comm === CLIENT_COMM));
  const row = s.processes.find((p) => p.pid === client.pid)!;
  assert.ok(row, JSON.stringify(s.processes));
  assert.deepEqual(
    {
      connects: row.connects,
      accepts: row.accepts,
      opened: row.opened,
      failures: row.failures,
      sent: row.sent,
      received: row.received,
    },
    { connects: 3, accepts: 0, opened: 3, failures: 1, sent: CLIENT4 + CLIENT6, received: SERVER4 + SERVER6 },
  );
  assert.ok(row.sentPerSecond > 0 && s.seconds > 0);
  assert.ok(s.interval.connects >= 3 && s.total.sent >= CLIENT4 + CLIENT6);
  assert.equal(
    tracker.snapshot().processes.find((p) => p.pid === client.pid),
    undefined,
    "no activity in the next interval",
  );
  const closed: ClosedConnection[] = [];
  for (let i = 0; i < 50 && closed.length < 3; i++) {
    closed.push(...tracker.drainClosed());
    if (closed.length < 3) await new Promise((r) => setTimeout(r, 20));
  }
  assert.deepEqual(closed.map((c) => [c.ipVersion, c.direction, c.established, c.txBytes, c.rxBytes, c.dport]).sort(), [
    [4, "connect", false, 0, 0, CLOSED_PORT],
    [4, "connect", true, CLIENT4, SERVER4, PORT4],
    [6, "connect", true, CLIENT6, SERVER6, PORT6],
  ]);
  assert.match(
    closedLine(closed.find((c) => c.ipVersion === 4 && c.established)!, false),
    new RegExp(
      `^ *${client.pid} ${CLIENT_COMM} +${addr.a4.replace(/\./g, "\\.")} +${client.port4} ${addr.b4.replace(/\./g, "\\.")} +${PORT4} +97 +12 +\\d+\\.\\d\\d$`,
    ),
  );
  tracker.close();
  assert.equal(tracker.closed, true);
  await programsGone(ids);
});

/**
 * Waits for `holder` (a server in b that prints "ready PID") and connects to it from a; returns
 * its pid and a way to wait for its next output.
 */
async function serveAndConnect(
  t: { after(fn: () => void): void },
  pair: VethPair,
  holder: ChildProcess,
): Promise<{ pid: number; waitFor: (what: RegExp) => Promise<RegExpExecArray> }> {
  t.after(() => holder.kill("SIGKILL"));
  let out = "";
  const waitFor = (what: RegExp): Promise<RegExpExecArray> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const m = what.exec(out);
        if (m) resolve(m);
      };
      holder.stdout!.on("data", (d: Buffer) => {
        out += d.toString();
        check();
      });
      holder.on("exit", (code) => reject(new Error(`the server exited (${code})`)));
      check();
    });
  const pid = Number((await waitFor(/ready (\d+)/))[1]);
  const client = spawn(
    "nsenter",
    [
      `--net=${pair.a.path}`,
      process.execPath,
      "-e",
      `require("node:net").connect(${PORT4}, "${pair.b.address}"); setTimeout(() => {}, 10000)`,
    ],
    { stdio: "ignore" },
  );
  t.after(() => client.kill("SIGKILL"));
  return { pid, waitFor };
}

test("TcpTracker: an accepted connection belongs to the process that accept()ed it, before any data moves", async (t) => {
  const pair = vethPairFor(t);
  const tracker = TcpTracker.open({ comm: "tcpt-holder" });
  t.after(() => tracker.close());
  const holder = spawn(
    "nsenter",
    [
      `--net=${pair.b.path}`,
      process.execPath,
      "--input-type=module",
      "-e",
      `
    import net from "node:net";
    process.title = "tcpt-holder";
    net.createServer((c) => { process.stdout.write("accepted\\n"); }).listen(${PORT4}, "0.0.0.0", () => process.stdout.write("ready " + process.pid + "\\n"));`,
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const { pid, waitFor } = await serveAndConnect(t, pair, holder);
  await waitFor(/accepted/);
  const row = tracker.snapshot().processes.find((p) => p.pid === pid);
  assert.ok(row, "the holder has a row");
  assert.deepEqual([row.comm, row.accepts, row.opened, row.sent, row.received], ["tcpt-holder", 1, 1, 0, 0]);
});

test("TcpTracker: a connection taken with the plain accept() system call belongs to that process too", async (t) => {
  const pair = vethPairFor(t);
  using dir = tempDir("tsbpf-accept-");
  // A server that calls accept(2) itself (libc's accept() is the accept system call on x86-64).
  const server = buildC(
    dir.path,
    "tcpt-plain",
    `
    #include <arpa/inet.h>
    #include <stdio.h>
    #include <sys/socket.h>
    #include <unistd.h>
    int main(void) {
      int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;
      setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
      struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(${PORT4}) };
      if (bind(s, (struct sockaddr *)&a, sizeof a) || listen(s, 4)) return 1;
      printf("ready %d\\n", getpid()); fflush(stdout);
      int c = accept(s, 0, 0);
      printf("accepted %d\\n", c); fflush(stdout);
      pause();
    }`,
  );
  const tracker = TcpTracker.open({ comm: "tcpt-plain" });
  t.after(() => tracker.close());
  const holder = spawn("nsenter", [`--net=${pair.b.path}`, server], { stdio: ["ignore", "pipe", "inherit"] });
  const { pid, waitFor } = await serveAndConnect(t, pair, holder);
  await waitFor(/accepted \d+/);
  const row = tracker.snapshot().processes.find((p) => p.pid === pid);
  assert.ok(row, "the server has a row");
  assert.deepEqual([row.comm, row.accepts, row.opened], ["tcpt-plain", 1, 1]);
});

test("addressText: IPv4, IPv6 in RFC 5952 form, IPv4-mapped", () => {
  const v6 = (text: string): Uint8Array => {
    const [head, tail] = text.split("::") as [string, string | undefined];
    const h = head ? head.split(":") : [],
      tl = tail ? tail.split(":") : [];
    const groups = [...h, ...Array(8 - h.length - tl.length).fill("0"), ...tl].map((g) => parseInt(g, 16));
    return Uint8Array.from(groups.flatMap((g) => [g >> 8, g & 0xff]));
  };
  assert.equal(addressText(Uint8Array.from([10, 1, 2, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), 4), "10.1.2.3");
  for (const a of ["::1", "fd00:1:2::1", "2001:db8::1:0:0:1", "2001:db8:0:1:1:1:1:1", "::", "fe80::"])
    assert.equal(addressText(v6(a), 6), a);
  assert.equal(addressText(v6("::ffff:a01:203"), 6), "::ffff:10.1.2.3");
});
