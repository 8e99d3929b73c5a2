// Running `tsbpf dump` (also callable without the CLI: runDump(options, io, signal)): tcpdump on
// XDP (ingress) and TC (egress). Live: packets come from the kernel's ring buffer (probe.ts) and are
// printed with tcpdump's text (format.ts), written to pcap/pcapng files (with -C/-G/-W rotation),
// or both. -r: a capture file is read and printed (the filter then runs in user space).
//
// The per-packet path with -w allocates nothing: each ring record is read in place (RingRecord
// accessors) and its bytes copied straight into the writer's buffer (writePacketFrom), which lies
// in the ring's scratch area, so the copy is one copyWithin (a native memmove). Printing
// copies the packet into a reused frame for the printer; what it allocates is the line of text.
import { statSync } from "node:fs";
import { spawnSync } from "node:child_process";
import type { CommandIo } from "../../cmdline/io.js";
import { fileError } from "../../cmdline/files.js";
import type { XdpMode } from "../../programs/xdp.js";
import { RingBuffer } from "../../events/ringbuf.js";
import type { RingRecord } from "../../events/record.js";
import {
  PcapWriter,
  PcapngWriter,
  packetFlags,
  PacketDirection,
  PCAP_RECORD_HEADER_LENGTH,
} from "../../pcap/writer.js";
import { RotatingCaptureWriter } from "../../pcap/rotation.js";
import { linkTypeName, linkTypeDescription } from "../../pcap/linktype.js";
import { summaryHead, ToolRuntime } from "../common/lifecycle.js";
import { MetricsRegistry, MetricsServer, type ListenAddress } from "../common/metrics.js";
import { NdjsonWriter } from "../common/ndjson.js";
import { listInterfaces, selectInterfaces, type InterfaceTarget } from "../common/interfaces.js";
import { requireToolPrivileges } from "../common/privilege.js";
import { formatPacketAt, FormatState, type FormatOptions } from "./format.js";
import { isoTime, readDumpFile, reportWriteFailure } from "./read.js";
import { CaptureProbe, MAX_CAPTURE, REC, type Direction } from "./probe.js";

export interface DumpOptions {
  /** -i values (names, indexes, comma lists, "any"); default: the default route's interface. */
  interfaces?: readonly string[];
  /** -c: stop after this many packets. */
  count?: number;
  /** -s: bytes kept per packet (0 = the most, MAX_CAPTURE). Default 262144. */
  snapLength?: number;
  /** -w FILE ("-": stdout). */
  write?: string;
  /** --print: print packets also when writing a file. */
  print?: boolean;
  /** -r FILE ("-": stdin). */
  read?: string;
  /** Nanosecond timestamps in files and printed times (--nano). */
  nano?: boolean;
  pcapng?: boolean;
  /** -C: bytes per file (tcpdump's unit is 1,000,000 bytes: the CLI multiplies). */
  fileSize?: number;
  /** -G seconds per file. */
  rotateSeconds?: number;
  /** -W files. */
  maxFiles?: number;
  /** Printing flags (-n, -e, -v, -x, -X, -A, -q, -t…). */
  format: FormatOptions;
  /** -Q: which directions (default both). */
  directions?: readonly Direction[];
  /** The filter expression ("" = everything). */
  expression?: string;
  json?: boolean;
  listen?: ListenAddress;
  pid?: number;
  comm?: string;
  /** -B: ring buffer size in KiB (rounded up to a power of two; default 4096, tcpdump's order of size: the ring is mapped twice, so it counts double in RSS). */
  bufferKiB?: number;
  xdpMode?: XdpMode;
  /** Where -w - writes (default fd 1) and -r - reads (default fd 0): for tests. */
  stdoutFd?: number;
  stdinFd?: number;
}

const TOOL = "tsbpf dump";
const LINKTYPE_ETHERNET = 1;
const LINKTYPE_LINUX_SLL2 = 276;
const SLL2_HEADER = 20;
/** The capture file writer's buffer (the ring's scratch area). */
const WRITE_BUFFER_BYTES = 1 << 20;

function ringSize(kib: number | undefined): number {
  let size = 4096;
  const want = Math.max(4096, (kib ?? 4096) * 1024);
  while (size < want) size *= 2;
  return size;
}

/** tcpdump -D: "1.eth0 [Up, Running, Connected]". */
export function listDevices(): string[] {
  const flags = new Map<string, string[]>();
  const r = spawnSync("ip", ["-j", "link", "show"], { encoding: "utf8" });
  if (r.status === 0) {
    try {
      for (const l of JSON.parse(r.stdout) as { ifname: string; flags?: string[]; operstate?: string }[])
        flags.set(l.ifname, l.flags ?? []);
    } catch {
      /* names only */
    }
  }
  const lines: string[] = [];
  let n = 0;
  const describe = (name: string): string => {
    const f = flags.get(name) ?? [];
    const parts: string[] = [];
    if (f.includes("UP")) parts.push("Up");
    if (f.includes("LOWER_UP") || f.includes("RUNNING")) parts.push("Running");
    if (f.includes("LOOPBACK")) parts.push("Loopback");
    else parts.push(f.includes("LOWER_UP") ? "Connected" : "Disconnected");
    return parts.join(", ");
  };
  const all = listInterfaces();
  const up = all.filter(
    (t) => (flags.get(t.name) ?? []).includes("UP") && !(flags.get(t.name) ?? []).includes("LOOPBACK"),
  );
  const lo = all.filter((t) => (flags.get(t.name) ?? []).includes("LOOPBACK"));
  const down = all.filter((t) => !up.includes(t) && !lo.includes(t));
  for (const t of up) lines.push(`${++n}.${t.name} [${describe(t.name)}]`);
  lines.push(`${++n}.any (Pseudo-device that captures on all interfaces) [Up, Running]`);
  for (const t of [...lo, ...down]) lines.push(`${++n}.${t.name} [${describe(t.name)}]`);
  return lines;
}

export async function runDump(options: DumpOptions, io: CommandIo, signal?: AbortSignal): Promise<number> {
  if (options.read !== undefined) return await readDumpFile(options, io);
  requireToolPrivileges("dump");
  const interfaces = selectInterfaces(options.interfaces);
  const runtime = new ToolRuntime({ signal });
  const exitStatus = { code: 0 };
  let summary: (() => void) | undefined;
  try {
    summary = await capture(options, io, runtime, interfaces, exitStatus);
  } finally {
    if (!(await runtime.closeReporting(TOOL, (text) => io.stderr(text)))) exitStatus.code = 1;
  }
  summary?.();
  return exitStatus.code;
}

// ---- live --------------------------------------------------------------------------------------

type FileWriter = PcapWriter | PcapngWriter;

async function capture(
  options: DumpOptions,
  io: CommandIo,
  runtime: ToolRuntime,
  interfaces: readonly InterfaceTarget[],
  exitStatus: { code: number },
): Promise<() => void> {
  const warn = (message: string): void => io.stderr(`${TOOL}: warning: ${message}\n`);
  const directions = options.directions ?? ["ingress", "egress"];
  const snap = options.snapLength === undefined ? 262144 : options.snapLength === 0 ? 262144 : options.snapLength;
  const probe = runtime.use(
    "capture programs",
    CaptureProbe.attach({
      interfaces,
      directions,
      snapLength: snap,
      expression: options.expression,
      ringBytes: ringSize(options.bufferKiB),
      pid: options.pid,
      comm: options.comm,
      xdpMode: options.xdpMode,
      warn,
    }),
  );
  // Writing files: the writer's buffer is mapped right after the ring (its scratch area), so each
  // packet moves from its record into the buffer with one native memmove.
  const ring = runtime.use(
    "ring buffer",
    new RingBuffer(probe.object.maps.packets, { scratchBytes: options.write !== undefined ? WRITE_BUFFER_BYTES : 0 }),
  );
  const multi = interfaces.length > 1;
  const linkType = multi && !options.pcapng ? LINKTYPE_LINUX_SLL2 : LINKTYPE_ETHERNET;
  const names = new Map(interfaces.map((t) => [t.ifindex, t.name]));
  const fileSnap = Math.min(snap, 262144);

  // Clock: the kernel stamps CLOCK_MONOTONIC; add the offset to the real-time clock once.
  const clock = new MonotonicToWall(
    BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6)) - process.hrtime.bigint(),
  );

  // Output files.
  let rotating: RotatingCaptureWriter<FileWriter> | undefined;
  let single: FileWriter | undefined;
  const openWriter = (path: string | number): FileWriter => {
    try {
      return openFileWriter(path);
    } catch (err) {
      throw typeof path === "string" ? fileError(path, err) : err;
    }
  };
  const openFileWriter = (path: string | number): FileWriter => {
    if (options.pcapng) {
      const w = new PcapngWriter(path, { application: "tsbpf dump", os: "Linux", buffer: ring.scratch });
      for (const t of interfaces) {
        w.addInterface({
          linkType: LINKTYPE_ETHERNET,
          snaplen: fileSnap,
          name: t.name,
          tsresol: options.nano ? 9 : 6,
          filter: options.expression || undefined,
        });
      }
      return w;
    }
    return new PcapWriter(path, { linkType, snaplen: fileSnap, nanosecond: options.nano, buffer: ring.scratch });
  };
  const toStdout = options.write === "-";
  if (options.write !== undefined) {
    if (toStdout) {
      single = openWriter(options.stdoutFd ?? 1);
      single.flush(); // the file header at once: a reader on the pipe can start
    } else if (options.fileSize || options.rotateSeconds || options.maxFiles) {
      rotating = runtime.defer(
        "capture file",
        new RotatingCaptureWriter<FileWriter>(
          {
            baseName: options.write,
            maxFileBytes: options.fileSize,
            secondsPerFile: options.rotateSeconds,
            maxFiles: options.maxFiles,
          },
          (path) => openWriter(path),
        ),
        (r) => r.close(),
      );
    } else single = openWriter(options.write);
    if (single)
      runtime.defer("capture file", single, (w) => {
        try {
          w.close();
        } catch (err) {
          // the write that failed first is reported once; a closed pipe on stdout is no failure
          if (writeFailure === undefined && !(toStdout && (err as NodeJS.ErrnoException).code === "EPIPE")) throw err;
        }
      });
  }
  const printing = options.write === undefined || (options.print === true && !toStdout);

  const slotCount = interfaces.length;
  let metricsUrl = "";
  if (options.listen) {
    const registry = new MetricsRegistry();
    const per = (field: "packets" | "bytes" | "drops") => () =>
      probe.counters(slotCount).map((c, i) => ({ labels: { interface: interfaces[i]!.name }, value: c[field] }));
    registry.counter(
      "tsbpf_dump_received_packets_total",
      'Packets that passed the filter in the kernel (tcpdump\'s "received by filter").',
      per("packets"),
    );
    registry.counter(
      "tsbpf_dump_received_bytes_total",
      "Bytes on the wire of the packets that passed the filter.",
      per("bytes"),
    );
    registry.counter(
      "tsbpf_dump_dropped_packets_total",
      'Packets lost because the ring buffer was full (tcpdump\'s "dropped by kernel").',
      per("drops"),
    );
    registry.counter(
      "tsbpf_dump_captured_packets_total",
      "Packets read from the ring buffer and printed or written.",
      () => [{ value: captured }],
    );
    registry.gauge("tsbpf_dump_ring_buffer_pending_bytes", "Bytes in the ring buffer not read yet.", () => [
      { value: ring.pendingBytes },
    ]);
    const server = runtime.use("metrics endpoint", await MetricsServer.start(registry, options.listen));
    metricsUrl = server.url;
    io.stderr(`${TOOL}: serving Prometheus metrics on ${server.url}\n`);
  }
  void metricsUrl;

  const ndjson = new NdjsonWriter(io.stdout);
  const json = options.json === true;
  const state = new FormatState();
  // Cooked v2 headers carry an ifindex: name it from the interfaces being captured.
  const format: FormatOptions =
    linkType === LINKTYPE_LINUX_SLL2
      ? { ...options.format, interfaceName: options.format.interfaceName ?? ((ifindex: number) => names.get(ifindex)) }
      : options.format;
  if (!json) {
    if (!(format.verbose ?? 0))
      io.stderr(`${TOOL}: verbose output suppressed, use -v[v]... for full protocol decode\n`);
    const where = (options.interfaces ?? []).some((i) => i.split(",").includes("any"))
      ? "any"
      : interfaces.map((t) => t.name).join(",");
    io.stderr(
      `${TOOL}: listening on ${where}, link-type ${linkTypeName(linkType)} (${linkTypeDescription(linkType)}), snapshot length ${snap} bytes\n`,
    );
  } else {
    ndjson.record({
      type: "start",
      time: runtime.startTime.toISOString(),
      interfaces: interfaces.map((t) => t.name),
      filter: options.expression ?? "",
      snapshot_length: snap,
      link_type: linkType,
      program_ids: probe.programIds,
      attachments: probe.attachments.map((a) => ({
        interface: a.target.name,
        direction: a.direction,
        attachment: a.description,
        link: a.link,
      })),
    });
  }

  // Reused per packet: a frame rebuilt with its VLAN tag or an SLL2 header.
  const frame = new Uint8Array(MAX_CAPTURE + 64);
  const frameView = new DataView(frame.buffer);
  const linkHeader = new Uint8Array(14);
  const count = options.count;
  let captured = 0;
  const batch: string[] = [];

  // A write that failed (a full disk, a closed pipe) ends the capture; it is reported once, at the end.
  let writeFailure: unknown;
  const onRecord = (r: RingRecord): boolean => {
    if (writeFailure !== undefined) return false;
    clock.convert(r.u32(REC.timestamp), r.u32(REC.timestamp + 4));
    const sec = clock.seconds,
      ns = clock.nanoseconds;
    let length = r.u32(REC.length);
    let caplen = r.u32(REC.captured);
    const egress = r.u8(REC.direction) === 1;
    let src: Uint8Array = r.bytes;
    let start = r.offset + REC.data;
    if (r.u8(REC.vlanPresent) !== 0 && caplen >= 12) {
      // TC sees an offloaded VLAN tag in skb metadata: put it back where tcpdump shows it.
      const b = r.bytes;
      for (let i = 0; i < 12; i++) frame[i] = b[start + i]!;
      const proto = r.u16(REC.vlanProto),
        tci = r.u16(REC.vlanTci);
      frame[12] = proto >> 8;
      frame[13] = proto & 255;
      frame[14] = tci >> 8;
      frame[15] = tci & 255;
      frame.set(b.subarray(start + 12, start + caplen), 16);
      src = frame;
      start = 0;
      caplen += 4;
      length += 4;
    }
    if (linkType === LINKTYPE_LINUX_SLL2 && caplen >= 14) {
      const ifindex = r.u32(REC.ifindex);
      const base = src === frame ? 0 : start;
      const body = caplen - 14;
      const h = linkHeader;
      for (let i = 0; i < 14; i++) h[i] = src[base + i]!;
      if (src === frame) frame.copyWithin(SLL2_HEADER, 14, 14 + body);
      else frame.set(src.subarray(base + 14, base + caplen), SLL2_HEADER);
      frame[0] = h[12]!;
      frame[1] = h[13]!;
      frame[2] = 0;
      frame[3] = 0;
      frame[4] = ifindex >>> 24;
      frame[5] = (ifindex >>> 16) & 255;
      frame[6] = (ifindex >>> 8) & 255;
      frame[7] = ifindex & 255;
      const loopback = names.get(ifindex) === "lo";
      frame[8] = 0;
      frame[9] = loopback ? 4 : 1; // ARPHRD_LOOPBACK 772 = 0x0304, ARPHRD_ETHER 1
      if (loopback) frame[8] = 3;
      frame[10] = egress
        ? 4
        : h[0]! & 1
          ? h[0] === 0xff && h[1] === 0xff && h[2] === 0xff && h[3] === 0xff && h[4] === 0xff && h[5] === 0xff
            ? 1
            : 2
          : 0;
      frame[11] = 6;
      for (let i = 0; i < 6; i++) frame[12 + i] = h[6 + i]!;
      frame[18] = 0;
      frame[19] = 0;
      src = frame;
      start = 0;
      caplen = body + SLL2_HEADER;
      length = length - 14 + SLL2_HEADER;
    }
    if (single !== undefined || rotating !== undefined) {
      let w = single;
      if (rotating) {
        const recordBytes = options.pcapng ? 32 + ((caplen + 3) & ~3) + 12 : 16 + caplen;
        w = rotating.writerFor(recordBytes, sec);
        if (w === undefined) {
          runtime.stop({ kind: "done" });
          return false;
        }
      }
      try {
        if (w instanceof PcapngWriter) {
          w.writePacketFrom(
            r.u16(REC.slot),
            src,
            start,
            caplen,
            sec,
            ns,
            length,
            packetFlags(egress ? PacketDirection.outbound : PacketDirection.inbound),
          );
        } else w!.writePacketFrom(src, start, caplen, sec, ns, length);
      } catch (err) {
        writeFailure = err;
        runtime.stop({ kind: "done" });
        return false;
      }
    }
    if (printing) {
      // The printer reads from index 0 and stops at caplen: the packet goes into the reused frame
      // (where a rebuilt one already is), which costs less than a view allocated per packet.
      if (src !== frame) copyBytes(src, r.view, start, frame, frameView, caplen);
      const text = formatPacketAt(frame, linkType, sec, ns, format, state, length, caplen);
      if (json) {
        const pid = r.u32(REC.pid);
        batch.push(
          JSON.stringify({
            type: "packet",
            time: isoTime(sec, ns),
            interface: names.get(r.u32(REC.ifindex)) ?? String(r.u32(REC.ifindex)),
            ifindex: r.u32(REC.ifindex),
            direction: egress ? "out" : "in",
            length,
            captured_length: caplen,
            pid: egress && pid !== 0 ? pid : null,
            comm: egress && pid !== 0 ? commText(r) : null,
            text,
          }),
        );
      } else batch.push(text);
    }
    captured++;
    if (count !== undefined && captured >= count) {
      runtime.stop({ kind: "done" });
      return false;
    }
    return true;
  };
  // Classic pcap of Ethernet frames, not printed: a record whose frame needs no rebuilding (no
  // VLAN tag to put back) goes from the ring to the file buffer with its header written from the
  // record's fields, and nothing else looked at. A function of its own, small, so that the
  // optimizing compiler inlines the clock and the writer into it (and compiles it quickly).
  const onPlainPcapRecord = (r: RingRecord): boolean => {
    if (writeFailure !== undefined) return false;
    if (r.u8(REC.vlanPresent) !== 0) return onRecord(r);
    clock.convert(r.u32(REC.timestamp), r.u32(REC.timestamp + 4));
    const caplen = r.u32(REC.captured);
    let w = single as PcapWriter | undefined;
    if (rotating !== undefined) {
      w = rotating.writerFor(PCAP_RECORD_HEADER_LENGTH + caplen, clock.seconds) as PcapWriter | undefined;
      if (w === undefined) {
        runtime.stop({ kind: "done" });
        return false;
      }
    }
    try {
      w!.writePacketFrom(r.bytes, r.offset + REC.data, caplen, clock.seconds, clock.nanoseconds, r.u32(REC.length));
    } catch (err) {
      writeFailure = err;
      runtime.stop({ kind: "done" });
      return false;
    }
    captured++;
    if (count !== undefined && captured >= count) {
      runtime.stop({ kind: "done" });
      return false;
    }
    return true;
  };
  const plainPcap = !printing && !options.pcapng && linkType === LINKTYPE_ETHERNET;
  const consumeRecord = plainPcap ? onPlainPcapRecord : onRecord;
  const flush = (): void => {
    // -w -: what a batch brought goes out with it, so a reader at the other end of the pipe
    // (tsbpf dump -r -, tcpdump -r -) sees packets as they come, as tcpdump -U writes them.
    if (toStdout && single !== undefined && writeFailure === undefined) {
      try {
        single.flush();
      } catch (err) {
        writeFailure = err;
        runtime.stop({ kind: "done" });
      }
    }
    if (batch.length === 0) return;
    io.stdout(batch.join("\n") + "\n");
    batch.length = 0;
  };

  // -G: rotate on the boundary even when no packet comes.
  let timer: NodeJS.Timeout | undefined;
  if (rotating && options.rotateSeconds) {
    const schedule = (): void => {
      const next = rotating!.plan.nextBoundary;
      if (next === undefined) return;
      timer = setTimeout(
        () => {
          if (!rotating!.tick(Math.floor(Date.now() / 1000))) {
            runtime.stop({ kind: "done" });
            return;
          }
          schedule();
        },
        Math.max(0, next * 1000 - Date.now() + 1),
      );
    };
    schedule();
    runtime.defer("rotation timer", timer, () => {
      if (timer) clearTimeout(timer);
    });
  }

  // Batching: a wake-up costs far more than a record (about a hundred µs of CPU here: the epoll
  // re-arm, Node's loop turning, code and ring memory gone cold), and the kernel wakes the reader
  // only when it writes into a ring the reader had emptied. So after a wake-up the loop lets
  // records gather, then drains everything; under a steady stream that is one wake-up per batch
  // instead of one per few packets (tcpdump's TPACKET_V3 blocks do the same). A full batch (more
  // pending) is followed at once. Printing, or writing to a pipe (-w -, read as it comes, as
  // tcpdump -U), gathers BATCH_MS. A file is read by no one until the capture ends, so there the
  // gather grows to what fills a quarter of the ring at the rate just seen (at most
  // FILE_GATHER_MS): at 200,000 packets/s into the default ring, some 30 ms, 15 times fewer
  // wake-ups than 2 ms. The rate is taken from the wake-up, not from the quiet spell before it,
  // so a burst after silence is overestimated, never under: the ring keeps its headroom.
  const BATCH_MS = 2;
  const FILE_GATHER_MS = 50;
  const adaptiveGather = !printing && !toStdout;
  const quarterRing = ring.size / 4;
  let gatherMs = BATCH_MS;
  let cycleStart = performance.now();
  while (!runtime.stopped) {
    const pending = ring.pendingBytes;
    const n = ring.consume(consumeRecord, 16384);
    flush();
    if (runtime.stopped) break;
    if (adaptiveGather && n > 0) {
      const bytesPerMs = pending / Math.max(performance.now() - cycleStart, 0.01);
      gatherMs = Math.min(FILE_GATHER_MS, Math.max(BATCH_MS, quarterRing / bytesPerMs));
    }
    if (n >= 16384) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      cycleStart = performance.now();
      continue;
    }
    if (!(await ring.wait(runtime.signal))) break;
    cycleStart = performance.now();
    if (!(await sleepUnlessStopped(gatherMs, runtime.signal))) break;
  }
  if (timer) clearTimeout(timer);
  // Stopped by a signal: what the ring holds was captured before the stop; take it too (within -c).
  if (count === undefined || captured < count) {
    ring.consume(consumeRecord);
    flush();
  }

  const counters = probe.counters(slotCount);
  const received = counters.reduce((s, c) => s + c.packets, 0n);
  const drops = counters.reduce((s, c) => s + c.drops, 0n);
  const endNs = BigInt(Date.now()) * 1_000_000n;
  if (writeFailure === undefined && (single instanceof PcapngWriter || rotating?.current instanceof PcapngWriter)) {
    const w = (single ?? rotating!.current) as PcapngWriter;
    counters.forEach((c, i) =>
      w.writeStatistics(i, {
        timestampNs: endNs,
        startTimeNs: BigInt(runtime.startTime.getTime()) * 1_000_000n,
        endTimeNs: endNs,
        filterAccepted: c.packets,
        osDropped: c.drops,
        dropped: c.drops,
        delivered: c.packets - c.drops,
      }),
    );
  }
  if (reportWriteFailure(writeFailure, options.write, io)) exitStatus.code = 1;
  const stop = runtime.stopReason;
  const elapsed = runtime.elapsedSeconds;
  return (): void => {
    if (json) {
      ndjson.record({
        ...summaryHead(elapsed, stop),
        packets_captured: captured,
        packets_received_by_filter: Number(received),
        packets_dropped_by_kernel: Number(drops),
        files: rotating ? [...new Set(rotating.opened)] : options.write !== undefined ? [options.write] : [],
      });
    }
    io.stderr(
      `\n${captured} packet${captured === 1 ? "" : "s"} captured\n${received} packet${received === 1n ? "" : "s"} received by filter\n` +
        `${drops} packet${drops === 1n ? "" : "s"} dropped by kernel\n`,
    );
  };
}

/**
 * Converts the kernel's CLOCK_MONOTONIC stamps to wall-clock time by adding a fixed offset,
 * without BigInt (per packet) and exactly: the stamp arrives as its two 32-bit halves, and since
 * 2^32 ns is 4 s + 294,967,296 ns, the part left to divide stays below 2^53 for the first 2^24
 * high words (2.2 years of uptime), where the whole stamp as one number would round after 104 days.
 * The result is read from `seconds` and `nanoseconds` (fields, so converting allocates nothing).
 */
export class MonotonicToWall {
  seconds = 0;
  nanoseconds = 0;
  readonly #offsetSeconds: number;
  /** In [0, 1e9). */
  readonly #offsetNanoseconds: number;

  /** @param offsetNs wall-clock time minus monotonic time, in nanoseconds */
  constructor(offsetNs: bigint) {
    let seconds = offsetNs / 1_000_000_000n;
    let nanoseconds = offsetNs % 1_000_000_000n;
    if (nanoseconds < 0n) {
      nanoseconds += 1_000_000_000n;
      seconds -= 1n;
    }
    this.#offsetSeconds = Number(seconds);
    this.#offsetNanoseconds = Number(nanoseconds);
  }

  /** Sets `seconds` and `nanoseconds` to the wall-clock time of the monotonic stamp high:low. */
  convert(low: number, high: number): void {
    const rest = high * 294_967_296 + low;
    const restSeconds = Math.floor(rest / 1e9);
    let seconds = high * 4 + restSeconds + this.#offsetSeconds;
    let nanoseconds = rest - restSeconds * 1e9 + this.#offsetNanoseconds;
    if (nanoseconds >= 1e9) {
      nanoseconds -= 1e9;
      seconds++;
    }
    this.seconds = seconds;
    this.nanoseconds = nanoseconds;
  }
}

/** Resolves true after `ms`, or false as soon as `signal` aborts (a stop does not wait out a gather). */
function sleepUnlessStopped(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise<boolean>((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** Copies from[start, start + length) to the start of `to`, eight bytes a step (no view allocated). */
function copyBytes(
  from: Uint8Array,
  fromView: DataView,
  start: number,
  to: Uint8Array,
  toView: DataView,
  length: number,
): void {
  let i = 0;
  for (; i + 8 <= length; i += 8) {
    toView.setUint32(i, fromView.getUint32(start + i, true), true);
    toView.setUint32(i + 4, fromView.getUint32(start + i + 4, true), true);
  }
  for (; i < length; i++) to[i] = from[start + i]!;
}

function commText(r: RingRecord): string {
  let s = "";
  for (let i = 0; i < 16; i++) {
    const c = r.u8(REC.comm + i);
    if (c === 0) break;
    s += String.fromCharCode(c);
  }
  return s;
}

/** Bytes in a file (for tests and the summary). */
export function fileBytes(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
