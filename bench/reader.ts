// reader: `tsbpf dump -nn -r FILE > /dev/null` against `tcpdump -nn -r FILE > /dev/null` on a
// 200 MB capture: packets per second, peak RSS and peak private memory.
//
// The capture is what a flood recorded with `tsbpf dump -w` looks like, written by tsbpf's own
// PcapWriter into a temporary directory: Ethernet/IPv4 frames, per ten packets six 66-byte TCP
// ACKs, three 1514-byte TCP segments and one 86-byte UDP DNS query, over 1,000 connections,
// about 400,000 packets. Both print every packet (the text of these protocols is the same on both
// sides). Time is the wall time of the whole process (start-up included); peak RSS is
// /usr/bin/time's maximum resident set (for node some 40 MB of it are the binary's shared, clean
// pages); peak private memory is the most private pages seen, sampled every 20 ms. ROUNDS rounds,
// tsbpf and tcpdump alternating, after a warm-up of each (which also brings the file into the page
// cache); medians, with the runs, their spread and the 1-minute load average before and after.
// tcpdump runs as a user runs it, in this process's environment. Where TZ is unset (Debian's
// default) glibc's localtime() looks at /etc/localtime again for every packet's timestamp, a
// newfstatat per packet that is most of tcpdump's system time; the same tcpdump with TZ set is
// measured in the same rounds and recorded beside the figure (peer_tz_set_*), the faster peer.
// Run alone: npm run build && node dist/bench/reader.js
import { spawn, spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { PcapWriter } from "../src/pcap/writer.js";
import { median } from "./c-peer.js";
import type { Figure, Figures } from "./run.js";

// the bundled CLI, what `npx tsbpf` and the package's bin run (the unbundled modules cost ~4 MiB more)
const MAIN = fileURLToPath(new URL("../bin/tsbpf.js", import.meta.url));
const TARGET_BYTES = 200_000_000;
const ROUNDS = 5;

function ipv4Checksum(b: Uint8Array, at: number): void {
  let sum = 0;
  for (let i = 0; i < 20; i += 2) sum += (b[at + i]! << 8) | b[at + i + 1]!;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  const c = ~sum & 0xffff;
  b[at + 10] = c >> 8;
  b[at + 11] = c & 0xff;
}

/** One Ethernet/IPv4 frame: TCP (with `payload` bytes) or a UDP DNS query. */
function frame(kind: "ack" | "data" | "dns", n: number): Uint8Array {
  const payload = kind === "data" ? 1460 : kind === "dns" ? 44 : 0;
  const l4 = kind === "dns" ? 8 : 32;
  const b = new Uint8Array(14 + 20 + l4 + payload);
  const v = new DataView(b.buffer);
  b.set([2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2], 0);
  v.setUint16(12, 0x0800);
  b[14] = 0x45;
  v.setUint16(16, 20 + l4 + payload);
  v.setUint16(18, n & 0xffff);
  b[22] = 64;
  b[23] = kind === "dns" ? 17 : 6;
  v.setUint32(26, 0x0a000000 | ((n % 250) + 1));
  v.setUint32(30, 0x0a010001);
  ipv4Checksum(b, 14);
  const sport = 1024 + (n % 1000);
  if (kind === "dns") {
    v.setUint16(34, sport);
    v.setUint16(36, 53);
    v.setUint16(38, 8 + payload);
    v.setUint16(42, n & 0xffff); // DNS id
    v.setUint16(44, 0x0100); // recursion desired
    v.setUint16(46, 1); // one question
    const name = [7, ..."example".split("").map((c) => c.charCodeAt(0)), 3, 99, 111, 109, 0];
    b.set(name, 54);
    v.setUint16(54 + name.length, 1);
    v.setUint16(56 + name.length, 1);
  } else {
    v.setUint16(34, sport);
    v.setUint16(36, 80);
    v.setUint32(38, n * 1460);
    v.setUint32(42, 1000 + n);
    b[46] = 0x80; // 32-byte header (timestamps option)
    b[47] = kind === "data" ? 0x18 : 0x10;
    v.setUint16(48, 502);
    b.set([1, 1, 8, 10], 54);
    v.setUint32(58, n);
    v.setUint32(62, n - 1);
  }
  return b;
}

export function writeCapture(path: string): number {
  const w = new PcapWriter(path, { linkType: 1, snaplen: 262144 });
  const kinds = ["ack", "data", "ack", "ack", "data", "ack", "dns", "ack", "data", "ack"] as const;
  let n = 0;
  const t0 = 1_700_000_000;
  while (w.bytesWritten < TARGET_BYTES) {
    const data = frame(kinds[n % kinds.length]!, n);
    w.writePacketAt(data, t0 + Math.floor(n / 40000), (n % 40000) * 25000);
    n++;
  }
  w.close();
  return n;
}

interface Measure {
  ms: number;
  /** Peak resident set (KiB), /usr/bin/time's: includes the program's shared, clean file pages. */
  kib: number;
  /** Peak private memory (KiB: private dirty and clean pages, sampled every 20 ms): what this process alone costs. */
  privateKib: number;
}

function privateKib(pid: number): number {
  try {
    const text = readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
    let kib = 0;
    for (const m of text.matchAll(/^Private_(?:Dirty|Clean):\s+(\d+) kB/gm)) kib += Number(m[1]);
    return kib;
  } catch {
    return 0; // gone
  }
}

/** Wall milliseconds, peak RSS and peak private memory of `argv` printing into /dev/null. */
function measure(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<Measure> {
  const devNull = openSync("/dev/null", "w");
  const t0 = performance.now();
  const child = spawn("/usr/bin/time", ["-f", "maxrss %M", ...argv], { stdio: ["ignore", devNull, "pipe"], env });
  let stderr = "";
  child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  let peakPrivate = 0;
  const sampler = setInterval(() => {
    // the measured program is /usr/bin/time's child
    let children = "";
    try {
      children = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, "utf8").trim();
    } catch {
      return;
    }
    if (children !== "") peakPrivate = Math.max(peakPrivate, privateKib(Number(children.split(" ")[0])));
  }, 20);
  return new Promise((resolve, reject) => {
    child.on("close", (code) => {
      const ms = performance.now() - t0;
      clearInterval(sampler);
      closeSync(devNull);
      if (code !== 0) return reject(new Error(`${argv.join(" ")}: exit ${code}: ${stderr.slice(-500)}`));
      resolve({ ms, kib: Number(/maxrss (\d+)/.exec(stderr)?.[1]), privateKib: peakPrivate });
    });
  });
}

export async function run(): Promise<Figures> {
  if (spawnSync("tcpdump", ["--version"], { stdio: "ignore" }).status !== 0)
    throw new Error("tcpdump is not installed");
  const dir = mkdtempSync(join(tmpdir(), "tsbpf-bench-reader-"));
  try {
    const file = join(dir, "flood.pcap");
    const packets = writeCapture(file);
    const size = statSync(file).size;
    console.log(`capture: ${packets} packets, ${(size / 1e6).toFixed(1)} MB`);
    const ours = (): Promise<Measure> => measure([process.execPath, MAIN, "dump", "-nn", "-r", file]);
    const peer = (): Promise<Measure> => measure(["tcpdump", "-nn", "-r", file]);
    const peerTzSet = (): Promise<Measure> =>
      measure(["tcpdump", "-nn", "-r", file], { ...process.env, TZ: process.env.TZ || ":/etc/localtime" });
    await ours();
    await peer();
    const a: Measure[] = [],
      b: Measure[] = [],
      c: Measure[] = [];
    const loadBefore = loadavg()[0]!;
    for (let i = 0; i < ROUNDS; i++) {
      a.push(await ours());
      b.push(await peer());
      c.push(await peerTzSet());
    }
    const loadAfter = loadavg()[0]!;
    const rate = (runs: Measure[]): number[] => runs.map((r) => Math.round(packets / (r.ms / 1000)));
    const mib = (runs: Measure[], key: "kib" | "privateKib"): number[] =>
      runs.map((r) => Number((r[key] / 1024).toFixed(1)));
    const load_average = [Number(loadBefore.toFixed(2)), Number(loadAfter.toFixed(2))];
    const peerName = "tcpdump 4.99 -nn -r FILE > /dev/null";
    const figure = (value: number[], peerValue: number[], unit: string): Figure => ({
      value: median(value),
      unit,
      peer: peerName,
      peer_value: median(peerValue),
      ratio: Number((median(value) / median(peerValue)).toFixed(3)),
      rounds: value.length,
      spread: [Math.min(...value), Math.max(...value)],
      peer_spread: [Math.min(...peerValue), Math.max(...peerValue)],
      // extra fields go into results.json next to the standard ones
      ...{ runs: value, peer_runs: peerValue, load_average },
    });
    const tzSet = rate(c);
    const figures: Figures = {
      packets_per_s: {
        ...figure(rate(a), rate(b), "packets/s"),
        ...{
          peer_tz_set_value: median(tzSet),
          peer_tz_set_runs: tzSet,
          ratio_tz_set: Number((median(rate(a)) / median(tzSet)).toFixed(3)),
        },
      },
      rss_mib: figure(mib(a, "kib"), mib(b, "kib"), "MiB"),
      private_mib: figure(mib(a, "privateKib"), mib(b, "privateKib"), "MiB"),
    };
    console.log(`tsbpf packets/s:   ${rate(a).join(" ")}; RSS MiB ${mib(a, "kib").join(" ")}`);
    console.log(`tcpdump packets/s: ${rate(b).join(" ")}; RSS MiB ${mib(b, "kib").join(" ")}`);
    console.log(`tcpdump with TZ set packets/s: ${tzSet.join(" ")}`);
    for (const [k, f] of Object.entries(figures))
      console.log(`reader.${k}: ${f.value} ${f.unit} vs ${f.peer} ${f.peer_value} (${f.ratio}x)`);
    return figures;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await run();
