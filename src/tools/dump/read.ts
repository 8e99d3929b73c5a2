// tsbpf dump -r: a capture file, pipe or stdin read as it comes (pcap/stream.ts), filtered in user
// space and printed with tcpdump's text or written to a file. Kept apart from the live capture so
// that reading a file loads none of the kernel side (koffi, ring buffers, the capture programs):
// what -r holds in memory is this, one read buffer and one output buffer.
import { fileError } from "../../cmdline/files.js";
import { ByteLineWriter, type CommandIo } from "../../cmdline/io.js";
import { evalDag, type Dag } from "../../filter/dag.js";
import { CaptureFormatError } from "../../pcap/errors.js";
import { linkTypeDescription, linkTypeName } from "../../pcap/linktype.js";
import type { PacketView } from "../../pcap/reader.js";
import { CaptureStream } from "../../pcap/stream.js";
import { PcapWriter } from "../../pcap/writer.js";
import { NdjsonWriter } from "../common/ndjson.js";
import { formatPacketAt, FormatState, type FormatOptions } from "./format.js";

const TOOL = "tsbpf dump";

/** What -r needs of tsbpf dump's options. */
export interface DumpReadOptions {
  /** -r FILE ("-": stdin). */
  read?: string;
  /** -w FILE ("-": stdout). */
  write?: string;
  nano?: boolean;
  count?: number;
  format: FormatOptions;
  expression?: string;
  json?: boolean;
  stdoutFd?: number;
  stdinFd?: number;
}

/** Reads options.read and prints (or writes) its packets; the exit status. */
export async function readDumpFile(options: DumpReadOptions, io: CommandIo): Promise<number> {
  const path = options.read!;
  let stream: CaptureStream;
  try {
    stream = await CaptureStream.open(path, { stdinFd: options.stdinFd });
  } catch (err) {
    if (err instanceof CaptureFormatError) return reportFormatError(path, err, options, io);
    throw fileError(path, err);
  }
  using _stream = stream;
  const { linkType, snaplen } = stream.decoder;
  io.stderr(
    `reading from file ${path}, link-type ${linkTypeName(linkType)} (${linkTypeDescription(linkType)}), snapshot length ${snaplen}\n`,
  );
  const dags = new Map<number, Dag | null>();
  const expression = (options.expression ?? "").trim();
  // The filter's front end (a few MB of code) is loaded only when there is an expression.
  const analyzeFilter = expression === "" ? undefined : (await import("../../filter/frontend.js")).analyzeFilter;
  const dagFor = (lt: number): Dag | null => {
    let d = dags.get(lt);
    if (d === undefined) {
      d = analyzeFilter === undefined ? null : analyzeFilter(expression, { linkType: lt }).dag;
      dags.set(lt, d);
    }
    return d;
  };
  const state = new FormatState();
  const ndjson = new NdjsonWriter(io.stdout);
  // Printed text goes out in ~64 KiB writes; a live stream's packets go out as each read ends.
  // tcpdump's text is bytes (printable ASCII, the rest escaped): copied, not encoded.
  const lines = new ByteLineWriter(io, "latin1");
  const flush = (): void => lines.flush();
  let writer: PcapWriter | undefined;
  if (options.write !== undefined) {
    try {
      writer = new PcapWriter(options.write === "-" ? (options.stdoutFd ?? 1) : options.write, {
        linkType,
        snaplen,
        nanosecond: options.nano,
      });
    } catch (err) {
      throw fileError(options.write, err);
    }
  }
  let n = 0;
  let writeFailure: unknown;
  const onPacket = (p: PacketView): boolean => {
    const dag = dagFor(p.linkType);
    const data = dag === null && writer !== undefined ? undefined : p.data; // -w copies from the buffer itself
    if (dag !== null && !evalDag(dag, data!, p.originalLength)) return true;
    const sec = p.seconds,
      ns = p.nanoseconds;
    if (writer) {
      try {
        writer.writePacketFrom(p.bytes, p.dataOffset, p.dataLength, sec, ns, p.originalLength);
      } catch (err) {
        writeFailure = err;
        return false;
      }
    } else {
      const text = formatPacketAt(data!, p.linkType, sec, ns, options.format, state, p.originalLength);
      if (options.json)
        ndjson.record({
          type: "packet",
          time: isoTime(sec, ns),
          interface: p.interface.name ?? null,
          length: p.originalLength,
          captured_length: p.dataLength,
          text,
        });
      else lines.line(text);
    }
    return options.count === undefined || ++n < options.count;
  };
  const flushWriter = (): void => {
    if (writer === undefined || writeFailure !== undefined) return;
    try {
      writer.flush();
    } catch (err) {
      writeFailure = err;
    }
  };
  let status = 0;
  try {
    await stream.forEach(onPacket, async () => {
      flush();
      flushWriter();
      // printed text a slow pipe has not taken yet is not let pile up: memory stays flat
      await io.stdoutDrained?.();
      return writeFailure === undefined;
    });
  } catch (err) {
    if (!(err instanceof CaptureFormatError)) {
      writer?.close();
      throw fileError(path, err);
    }
    // As tcpdump: every packet before the bad record is out, then the reason, and status 1.
    flush();
    flushWriter();
    status = reportFormatError(path, err, options, io);
  }
  flush();
  if (writer !== undefined) {
    try {
      writer.close();
    } catch (err) {
      writeFailure ??= err;
    }
  }
  return reportWriteFailure(writeFailure, options.write, io) ? 1 : status;
}

/** A capture that cannot be read (further): one line (and an NDJSON record with --json); status 1. */
function reportFormatError(path: string, err: CaptureFormatError, options: DumpReadOptions, io: CommandIo): number {
  const message = `${path}: ${err.message}`;
  io.stderr(`${TOOL}: ${message}\n`);
  if (options.json) new NdjsonWriter(io.stdout).record({ type: "error", message, code: err.name });
  return 1;
}

/**
 * Says once why writing the capture failed; a closed pipe on standard output is no failure (the
 * reader, e.g. `head -c 1000`, has all it wanted), as tcpdump treats it. True when it was one.
 */
export function reportWriteFailure(failure: unknown, write: string | undefined, io: CommandIo): boolean {
  if (failure === undefined) return false;
  if (write === "-" && (failure as NodeJS.ErrnoException).code === "EPIPE") return false;
  const err = fileError(write === "-" ? "standard output" : (write ?? "-"), failure);
  io.stderr(`${TOOL}: ${err instanceof Error ? err.message : String(err)}\n`);
  return true;
}

export function isoTime(sec: number, ns: number): string {
  const iso = new Date(sec * 1000).toISOString();
  return `${iso.slice(0, 19)}.${String(ns).padStart(9, "0")}Z`;
}
