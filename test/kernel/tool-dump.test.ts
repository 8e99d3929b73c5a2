// `tsbpf dump` for real: live capture in a veth pair between two namespaces with known traffic
// (ping, UDP, TCP), checked against tcpdump running beside it on the same packets; files written
// with -w / --pcapng read back by tcpdump and tshark; the filter running in the kernel; -Q, -c,
// rotation, --json, --metrics; -r over real captures printing what `tcpdump -nn -r` prints;
// SIGKILL leaving nothing attached.
import { strict as assert } from "node:assert";
import { test } from "node:test";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { vethPairFor, type VethPair, type NetnsEnd } from "../helpers/netns.js";
import { ToolProcess, runTool, ndjsonRecords, commandExists, scrapeIn } from "../helpers/tool-process.js";
import { parseExposition } from "../../src/tools/common/metrics.js";
import { readCapture } from "../../src/pcap/reader.js";
import { FormatState, formatPacket } from "../../src/tools/dump/format.js";
import { run as runDumpCommand } from "../../src/cli/commands/dump.js";
import { testData } from "../helpers/test-data.js";

process.env.TZ = "UTC";
const PCAP_DIR = testData("pcaps");
const haveTools = commandExists("tcpdump") && commandExists("tshark");

function tmpDir(t: { after(fn: () => void): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tsbpf-dump-"));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function tcpdumpRead(file: string, flags: string[] = ["-nn"]): string[] {
  const r = spawnSync("tcpdump", [...flags, "-r", file], { encoding: "utf8", env: { ...process.env, TZ: "UTC" } });
  return r.stdout.split("\n").filter((l) => l.length > 0);
}

function tsharkCount(file: string): number {
  const r = spawnSync("tshark", ["-r", file, "-T", "fields", "-e", "frame.number"], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split("\n").filter((l) => l.length > 0).length;
}

/** Starts a command inside a namespace in the background (killed when the test ends). */
function background(t: { after(fn: () => void): void }, end: NetnsEnd, args: string[]): ChildProcess {
  const child = spawn("nsenter", [`--net=${end.path}`, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  t.after(() => {
    if (child.exitCode === null) child.kill("SIGKILL");
  });
  return child;
}

/** Node snippet run in a namespace (UDP and TCP traffic). */
function nodeIn(pair: VethPair, end: NetnsEnd, code: string): void {
  const r = pair.run(end, process.execPath, ["--input-type=module", "-e", code], { timeoutMs: 10_000 });
  assert.equal(r.status, 0, r.stderr);
}

const TCP_PORT = 9400,
  UDP_PORT = 9401;

/** 3 pings, 4 UDP datagrams to UDP_PORT, one TCP connection carrying "hello" both ways. */
async function sendTraffic(t: { after(fn: () => void): void }, pair: VethPair): Promise<void> {
  const server = background(t, pair.b, [
    process.execPath,
    "-e",
    `const s=require("net").createServer((c)=>{c.on("data",(d)=>{c.end(d)})}).listen(${TCP_PORT},()=>console.log("ready"));setTimeout(()=>s.close(),8000).unref()`,
  ]);
  await new Promise<void>((resolve) => server.stdout!.once("data", () => resolve()));
  pair.ping(pair.a, 3);
  nodeIn(
    pair,
    pair.a,
    `import dgram from "node:dgram"; const s = dgram.createSocket("udp4");
    for (let i = 0; i < 4; i++) await new Promise((r) => s.send("datagram " + i, ${UDP_PORT}, ${JSON.stringify(pair.b.address)}, r));
    s.close();`,
  );
  nodeIn(
    pair,
    pair.a,
    `import net from "node:net"; await new Promise((resolve, reject) => {
    const c = net.connect(${TCP_PORT}, ${JSON.stringify(pair.b.address)}, () => c.write("hello"));
    c.on("data", () => {}); c.on("end", () => { c.end(); resolve(); }); c.on("error", reject); });`,
  );
  await new Promise((r) => setTimeout(r, 300));
}

function statistics(stderr: string): { captured: number; received: number; dropped: number } {
  const num = (re: RegExp): number => Number(re.exec(stderr)?.[1] ?? NaN);
  return {
    captured: num(/(\d+) packets? captured/),
    received: num(/(\d+) packets? received by filter/),
    dropped: num(/(\d+) packets? dropped by kernel/),
  };
}

const listening = (p: ToolProcess): boolean => /listening on/.test(p.stderr) || /"type":"start"/.test(p.stdout);

test("live capture prints tcpdump's lines; -w, --pcapng read back by tcpdump and tshark; kernel filter, -Q, -c", {
  skip: !haveTools && "tcpdump/tshark missing",
}, async (t) => {
  const pair = vethPairFor(t);
  const dir = tmpDir(t);
  const ns = pair.b.path;
  const notIp6 = ["not", "ip6"];
  const pcap = path.join(dir, "live.pcap"),
    pcapng = path.join(dir, "live.pcapng"),
    peer = path.join(dir, "tcpdump.pcap");
  const printer = ToolProcess.start(["dump", "-i", "veth1", "-nn", "-t", ...notIp6], { netnsPath: ns });
  const writer = ToolProcess.start(["dump", "-i", "veth1", "-w", pcap, ...notIp6], { netnsPath: ns });
  const ng = ToolProcess.start(["dump", "-i", "veth1", "--pcapng", "-w", pcapng, ...notIp6], { netnsPath: ns });
  const udpOnly = ToolProcess.start(["dump", "-i", "veth1", "-nn", "-t", `udp port ${UDP_PORT}`], { netnsPath: ns });
  const inOnly = ToolProcess.start(["dump", "-i", "veth1", "-nn", "-t", "-Q", "in", "icmp"], { netnsPath: ns });
  const outTwo = ToolProcess.start(["dump", "-i", "veth1", "-nn", "-t", "-Q", "out", "-c", "2", "icmp"], {
    netnsPath: ns,
  });
  const all = [printer, writer, ng, udpOnly, inOnly, outTwo];
  t.after(() => {
    for (const p of all) if (p.running) p.kill("SIGKILL");
  });
  const tcpdump = background(t, pair.b, [
    "tcpdump",
    "-i",
    "veth1",
    "-nn",
    "-U",
    "--immediate-mode",
    "-w",
    peer,
    ...notIp6,
  ]);
  let tcpdumpErr = "";
  tcpdump.stderr!.setEncoding("utf8").on("data", (d: string) => {
    tcpdumpErr += d;
  });
  for (const p of all) await p.waitFor(listening, "listening", 20_000);
  for (let i = 0; i < 100 && !/listening on/.test(tcpdumpErr); i++) await new Promise((r) => setTimeout(r, 50));

  await sendTraffic(t, pair);

  // -c 2 stops by itself.
  const outExit = await outTwo.exit(10_000);
  assert.equal(outExit.code, 0, outTwo.stderr);
  for (const p of all) if (p.running) p.kill("SIGINT");
  tcpdump.kill("SIGINT");
  const exits = await Promise.all(all.map((p) => p.exit()));
  await new Promise<void>((resolve) => {
    if (tcpdump.exitCode !== null) resolve();
    else tcpdump.on("close", () => resolve());
  });
  exits.forEach((e, i) => assert.equal(e.code, 0, `tool ${i}: ${all[i]!.stderr}`));

  // tcpdump's view of the same traffic, without timestamps.
  const expected = tcpdumpRead(peer, ["-nn", "-t"]);
  if (process.env.DUMP_DEBUG) console.error(printer.stdout, printer.stderr, tcpdumpErr);
  assert.ok(
    expected.some((l) => /ICMP echo request/.test(l)) &&
      expected.some((l) => l.includes(`.${UDP_PORT}: UDP, length 10`)) &&
      expected.some((l) => l.includes(`.${TCP_PORT}: Flags [P.]`)),
    expected.join("\n"),
  );
  const printed = printer.stdout.split("\n").filter((l) => l.length > 0);
  // XDP sees a received frame before AF_PACKET does, so a reply may be interleaved differently: compare as multisets.
  assert.deepEqual([...printed].sort(), [...expected].sort());
  const stats = statistics(printer.stderr);
  assert.deepEqual(stats, { captured: printed.length, received: printed.length, dropped: 0 });

  // -w: tcpdump and tshark read every packet back, with the same decoding.
  assert.deepEqual([...tcpdumpRead(pcap, ["-nn", "-t"])].sort(), [...expected].sort());
  assert.equal(tsharkCount(pcap), expected.length);
  assert.deepEqual([...tcpdumpRead(pcapng, ["-nn", "-t"])].sort(), [...expected].sort());
  assert.equal(tsharkCount(pcapng), expected.length);
  // pcapng: interface block named veth1, direction flags, statistics block with drops.
  const ngCapture = readCapture(fs.readFileSync(pcapng));
  assert.equal(ngCapture.format, "pcapng");
  assert.equal(ngCapture.interfaces[0]!.name, "veth1");
  const inbound = ngCapture.packets.filter((p) => p.flags === 1).length,
    outbound = ngCapture.packets.filter((p) => p.flags === 2).length;
  assert.equal(inbound + outbound, expected.length);
  assert.equal(
    inbound,
    expected.filter((l) => l.startsWith(`IP ${pair.a.address}`) || l.includes(`tell ${pair.a.address}`)).length,
  );
  assert.equal(ngCapture.statistics.length, 1);
  assert.equal(ngCapture.statistics[0]!.values.osDrop, 0n);
  assert.equal(ngCapture.statistics[0]!.values.filterAccept, BigInt(expected.length));

  // The filter ran in the kernel: only the 4 datagrams reached the capture program at all.
  const udpLines = udpOnly.stdout.split("\n").filter((l) => l.length > 0);
  assert.equal(udpLines.length, 4, udpOnly.stdout);
  assert.deepEqual(statistics(udpOnly.stderr), { captured: 4, received: 4, dropped: 0 });
  // -Q in: the echo requests only; -Q out -c 2: the first two replies.
  const inLines = inOnly.stdout.split("\n").filter((l) => l.length > 0);
  assert.deepEqual(
    inLines,
    expected.filter((l) => /ICMP echo request/.test(l)),
  );
  const outLines = outTwo.stdout.split("\n").filter((l) => l.length > 0);
  assert.deepEqual(outLines, expected.filter((l) => /ICMP echo reply/.test(l)).slice(0, 2));
  assert.equal(statistics(outTwo.stderr).captured, 2);
});

test("--json records, --metrics scraped and parsed, egress packets carry their process", async (t) => {
  const pair = vethPairFor(t);
  const tool = ToolProcess.start(["dump", "-i", "veth1", "--json", "--metrics", "127.0.0.1:0", "icmp"], {
    netnsPath: pair.b.path,
  });
  t.after(() => {
    if (tool.running) tool.kill("SIGKILL");
  });
  const url = await tool.waitFor((p) => /serving Prometheus metrics on (\S+)/.exec(p.stderr)?.[1], "metrics URL");
  await tool.waitFor(listening, "start record");
  pair.ping(pair.a, 3);
  // A local process sending: ping from the capturing side, so its requests leave through TC egress.
  pair.ping(pair.b, 2);
  await tool.waitFor(
    (p) => ndjsonRecords(p.stdout).filter((r) => r.type === "packet").length >= 10 || undefined,
    "10 packets",
  );
  const scraped = scrapeIn(pair.b.path, url);
  assert.equal(scraped.status, 200);
  const families = parseExposition(scraped.body);
  const sample = (name: string): number =>
    families.get(name)?.samples.find((s) => s.labels.interface === "veth1")?.value ?? NaN;
  assert.equal(sample("tsbpf_dump_received_packets_total"), 10);
  assert.equal(sample("tsbpf_dump_received_bytes_total"), 10 * 98);
  assert.equal(sample("tsbpf_dump_dropped_packets_total"), 0);
  assert.equal(families.get("tsbpf_dump_captured_packets_total")?.type, "counter");
  tool.kill("SIGTERM");
  assert.equal((await tool.exit()).code, 0, tool.stderr);
  const records = ndjsonRecords(tool.stdout);
  assert.equal(records[0]!.type, "start");
  const packets = records.filter((r) => r.type === "packet");
  assert.equal(packets.length, 10);
  for (const p of packets) {
    assert.equal(p.interface, "veth1");
    assert.equal(p.length, 98);
    assert.match(String(p.time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
    assert.match(String(p.text), /ICMP echo (request|reply)/);
  }
  // Echo requests ping sent from this namespace: egress, from process "ping".
  const sent = packets.filter((p) => p.direction === "out" && /echo request/.test(String(p.text)));
  assert.equal(sent.length, 2);
  for (const p of sent) {
    assert.equal(p.comm, "ping");
    assert.ok(Number(p.pid) > 0);
  }
  assert.ok(packets.filter((p) => p.direction === "in").every((p) => p.pid === null));
  const summary = records[records.length - 1]!;
  assert.equal(summary.type, "summary");
  assert.equal(summary.packets_captured, 10);
  assert.equal(summary.packets_dropped_by_kernel, 0);
});

test("--comm keeps only the packets a named process sends", async (t) => {
  const pair = vethPairFor(t);
  const tool = ToolProcess.start(["dump", "-i", "veth1", "-nn", "-t", "--comm", "ping"], { netnsPath: pair.b.path });
  t.after(() => {
    if (tool.running) tool.kill("SIGKILL");
  });
  await tool.waitFor(listening, "listening");
  pair.ping(pair.a, 2); // replies are sent by the kernel in softirq: not ping's
  pair.ping(pair.b, 2);
  tool.kill("SIGINT");
  assert.equal((await tool.exit()).code, 0);
  const lines = tool.stdout.split("\n").filter((l) => l.length > 0);
  assert.equal(lines.length, 2, tool.stdout);
  for (const l of lines)
    assert.match(l, new RegExp(`^IP ${pair.b.address.replace(/\./g, "\\.")} > .*ICMP echo request`));
});

test("--pid keeps only the packets one process sends; --nano writes a nanosecond pcap that tcpdump reads", {
  skip: !commandExists("tcpdump") && "tcpdump missing",
}, async (t) => {
  const pair = vethPairFor(t);
  // A sender in b that prints its pid, then sends 3 datagrams when told to.
  const sender = spawn(
    "nsenter",
    [
      `--net=${pair.b.path}`,
      process.execPath,
      "--input-type=module",
      "-e",
      `
    import dgram from "node:dgram";
    const s = dgram.createSocket("udp4");
    process.stdout.write("pid " + process.pid + "\\n");
    process.stdin.once("data", async () => {
      for (let i = 0; i < 3; i++) await new Promise((r) => s.send(Buffer.alloc(20 + i), 9999, "${pair.a.address}", r));
      s.close(); process.exit(0);
    });`,
    ],
    { stdio: ["pipe", "pipe", "inherit"] },
  );
  t.after(() => sender.kill("SIGKILL"));
  const pid = await new Promise<number>((resolve) =>
    sender.stdout!.on("data", (d: Buffer) => {
      const m = /pid (\d+)/.exec(d.toString());
      if (m) resolve(Number(m[1]));
    }),
  );
  const dir = tmpDir(t);
  const file = path.join(dir, "nano.pcap");
  const byPid = ToolProcess.start(["dump", "-i", "veth1", "-nn", "-t", "--pid", String(pid)], {
    netnsPath: pair.b.path,
  });
  const nano = ToolProcess.start(["dump", "-i", "veth1", "--nano", "-w", file, "-c", "4", "icmp"], {
    netnsPath: pair.b.path,
  });
  t.after(() => {
    for (const p of [byPid, nano]) if (p.running) p.kill("SIGKILL");
  });
  await byPid.waitFor(listening, "listening");
  await nano.waitFor(listening, "listening");
  pair.ping(pair.b, 2); // another process's packets: not shown by --pid
  sender.stdin!.write("go\n");
  await new Promise((r) => sender.on("exit", r));
  await new Promise((r) => setTimeout(r, 300));
  byPid.kill("SIGINT");
  assert.equal((await byPid.exit()).code, 0, byPid.stderr);
  const lines = byPid.stdout.split("\n").filter((l) => l.length > 0);
  assert.deepEqual(
    lines.map((l) => l.replace(/\.\d+ > /, ".PORT > ")),
    [20, 21, 22].map((n) => `IP ${pair.b.address}.PORT > ${pair.a.address}.9999: UDP, length ${n}`),
  );

  assert.equal((await nano.exit()).code, 0, nano.stderr);
  const bytes = fs.readFileSync(file);
  assert.equal(bytes.readUInt32LE(0), 0xa1b23c4d, "the nanosecond pcap magic");
  const capture = readCapture(bytes);
  assert.equal(capture.packets.length, 4);
  assert.ok(
    capture.packets.some((p) => p.timestampNs % 1000n !== 0n),
    "timestamps carry nanoseconds",
  );
  const read = spawnSync("tcpdump", ["-nn", "--nano", "-tt", "-r", file], { encoding: "utf8" });
  assert.equal(read.status, 0, read.stderr);
  const stamps = read.stdout
    .trim()
    .split("\n")
    .map((l) => l.split(" ")[0]!);
  assert.equal(stamps.length, 4);
  for (const s of stamps) assert.match(s, /^\d+\.\d{9}$/);
});

test("rotation: -C/-W cycle through numbered files, -G/-W stop after N time slots", async (t) => {
  const pair = vethPairFor(t);
  const dir = tmpDir(t);
  const base = path.join(dir, "rot.pcap");
  const sized = ToolProcess.start(["dump", "-i", "veth1", "-w", base, "-C", "0.0005", "-W", "3", "icmp"], {
    netnsPath: pair.b.path,
  });
  const timed = ToolProcess.start(
    ["dump", "-i", "veth1", "-w", path.join(dir, "g-%H%M%S.pcap"), "-G", "1", "-W", "2", "icmp"],
    { netnsPath: pair.b.path },
  );
  t.after(() => {
    for (const p of [sized, timed]) if (p.running) p.kill("SIGKILL");
  });
  await sized.waitFor(listening, "listening");
  await timed.waitFor(listening, "listening");
  // 8 pings = 16 records of 114 bytes; 500-byte files hold 4 records after the 24-byte header.
  pair.run(pair.a, "ping", ["-n", "-q", "-c", "8", "-i", "0.05", pair.b.address]);
  // -G 1 -W 2 ends by itself after its second second.
  assert.equal((await timed.exit(8000)).code, 0, timed.stderr);
  sized.kill("SIGINT");
  assert.equal((await sized.exit()).code, 0, sized.stderr);
  const names = fs.readdirSync(dir).sort();
  const rot = names.filter((n) => n.startsWith("rot.pcap"));
  assert.deepEqual(rot, ["rot.pcap0", "rot.pcap1", "rot.pcap2"]);
  let total = 0;
  for (const n of rot) {
    const size = fs.statSync(path.join(dir, n)).size;
    assert.ok(size <= 500, `${n} is ${size} bytes`);
    total += readCapture(fs.readFileSync(path.join(dir, n))).packets.length;
  }
  // 16 records in 4-record files through 3 files: the last 4 files' worth wrapped over the first.
  assert.ok(total >= 9 && total <= 12, `records kept ${total}`);
  const timedFiles = names.filter((n) => n.startsWith("g-"));
  assert.equal(timedFiles.length, 2, names.join(" "));
});

/** Captures (deterministically chosen) whose every packet the printer decodes fully. */
function corpusSample(limit: number): string[] {
  const chosen: string[] = [];
  for (const name of fs.readdirSync(PCAP_DIR).sort()) {
    if (chosen.length >= limit) break;
    const file = path.join(PCAP_DIR, name);
    if (fs.statSync(file).size > 200_000) continue;
    try {
      const capture = readCapture(fs.readFileSync(file));
      if (capture.packets.length === 0 || !capture.interfaces.every((i) => i.linkType === 1)) continue;
      const state = new FormatState();
      let ok = true;
      for (const options of [{ numeric: true }, { numeric: true, verbose: 1 }]) {
        for (const p of capture.packets) {
          formatPacket(p.data, p.linkType, p.timestampNs, options, state, p.originalLength);
          if (state.unsupported !== undefined) {
            ok = false;
            break;
          }
        }
      }
      if (ok) chosen.push(file);
    } catch {
      /* not readable: not in the sample */
    }
  }
  return chosen;
}

async function dumpRead(args: string[]): Promise<{ code: number; out: string }> {
  let out = "";
  const code = await runDumpCommand(args, {
    stdout: (s) => {
      out += s;
    },
    stderr: () => {},
    stdin: () => "",
  });
  return { code, out };
}

test("-r prints what tcpdump -nn -r prints, line for line (40 captures; -e, -v, -x on some)", {
  skip: !commandExists("tcpdump") && "tcpdump missing",
}, async () => {
  const files = corpusSample(40);
  assert.equal(files.length, 40);
  const flagSets: string[][] = [["-nn"], ["-nn", "-e"], ["-nn", "-v"], ["-nn", "-x"]];
  let compared = 0;
  for (const [i, file] of files.entries()) {
    for (const flags of i % 5 === 0 ? flagSets : [flagSets[0]!]) {
      const ours = await dumpRead([...flags, "-r", file]);
      assert.equal(ours.code, 0);
      const theirs = tcpdumpRead(file, flags);
      assert.deepEqual(
        ours.out.split("\n").filter((l) => l.length > 0),
        theirs,
        `${path.basename(file)} ${flags.join(" ")}`,
      );
      compared += theirs.length;
    }
  }
  assert.ok(compared > 40);
  // -r - reads stdin (real CLI), with a filter applied in user space.
  const file = files[0]!;
  const r = spawnSync(
    "sh",
    [
      "-c",
      `node ${JSON.stringify(fileURLToPath(new URL("../../bin/tsbpf.js", import.meta.url)))} dump -nn -r - ip < ${JSON.stringify(file)}`,
    ],
    { encoding: "utf8", env: { ...process.env, TZ: "UTC" } },
  );
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(
    r.stdout.split("\n").filter((l) => l.length > 0),
    tcpdumpRead(file, ["-nn", "ip"]),
  );
});

test("SIGKILL leaves nothing attached; a missing interface is a one-line error", async (t) => {
  const pair = vethPairFor(t);
  const tool = ToolProcess.start(["dump", "-i", "veth1", "--json", "tcp or icmp"], { netnsPath: pair.b.path });
  t.after(() => {
    if (tool.running) tool.kill("SIGKILL");
  });
  const start = await tool.waitFor((p) => ndjsonRecords(p.stdout).find((r) => r.type === "start"), "start record");
  const ids = start.program_ids as number[];
  assert.equal(ids.length, 2);
  const linkedProgs = (): number[] => {
    const r = spawnSync("bpftool", ["-j", "link", "list"], { encoding: "utf8" });
    return (JSON.parse(r.stdout || "[]") as { prog_id: number }[]).map((l) => l.prog_id);
  };
  const progExists = (id: number): boolean => spawnSync("bpftool", ["prog", "show", "id", String(id)]).status === 0;
  for (const id of ids) {
    assert.ok(linkedProgs().includes(id), `program ${id} linked`);
    assert.ok(progExists(id));
  }
  tool.kill("SIGKILL");
  await tool.exit();
  for (let i = 0; i < 50 && ids.some(progExists); i++) await new Promise((r) => setTimeout(r, 100));
  for (const id of ids) {
    assert.ok(!linkedProgs().includes(id));
    assert.ok(!progExists(id), `program ${id} is gone`);
  }

  const missing = runTool(["dump", "-i", "nosuchif"], { netnsPath: pair.b.path });
  assert.equal(missing.code, 1);
  const lines = missing.stderr.trim().split("\n");
  assert.equal(lines.length, 1, missing.stderr);
  assert.match(lines[0]!, /^tsbpf dump: network interface "nosuchif" not found/);
  assert.match(
    runTool(["dump", "-D"], { netnsPath: pair.b.path }).stdout,
    /^1\.veth1 \[Up, Running, Connected\]\n2\.any \(Pseudo-device that captures on all interfaces\) \[Up, Running\]\n3\.lo \[Up, Running, Loopback\]\n$/,
  );
});

test("-i any prints what tcpdump -i any prints (Linux cooked v2, directions, loopback once)", {
  skip: !commandExists("tcpdump") && "tcpdump missing",
}, async (t) => {
  const pair = vethPairFor(t);
  const tool = ToolProcess.start(["dump", "-i", "any", "-nn", "-t", "icmp"], { netnsPath: pair.b.path });
  t.after(() => {
    if (tool.running) tool.kill("SIGKILL");
  });
  const peer = background(t, pair.b, ["tcpdump", "-i", "any", "-nn", "-t", "--immediate-mode", "icmp"]);
  let peerOut = "",
    peerErr = "";
  peer.stdout!.setEncoding("utf8").on("data", (d: string) => {
    peerOut += d;
  });
  peer.stderr!.setEncoding("utf8").on("data", (d: string) => {
    peerErr += d;
  });
  await tool.waitFor(listening, "listening");
  for (let i = 0; i < 100 && !/listening on/.test(peerErr); i++) await new Promise((r) => setTimeout(r, 50));
  assert.match(tool.stderr, /listening on any, link-type LINUX_SLL2 \(Linux cooked v2\)/);
  pair.ping(pair.a, 2);
  pair.run(pair.b, "ping", ["-n", "-q", "-c", "1", "127.0.0.1"]);
  await new Promise((r) => setTimeout(r, 300));
  tool.kill("SIGINT");
  peer.kill("SIGINT");
  await tool.exit();
  await new Promise<void>((resolve) => {
    if (peer.exitCode !== null) resolve();
    else peer.on("close", () => resolve());
  });
  const ours = tool.stdout.split("\n").filter((l) => l.length > 0),
    theirs = peerOut.split("\n").filter((l) => l.length > 0);
  assert.equal(theirs.length, 6, peerOut);
  assert.deepEqual([...ours].sort(), [...theirs].sort());
});
