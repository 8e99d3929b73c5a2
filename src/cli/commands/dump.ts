// `tsbpf dump`: tcpdump on eBPF — packets received (XDP) and sent (TC) on interfaces, filtered in
// the kernel by a pcap-filter expression, printed as tcpdump prints them or written to pcap/pcapng.
import { parseCommandArgs, UsageError } from "../../cmdline/args.js";
import { type CommandIo } from "../../cmdline/io.js";
import type { XdpMode } from "../../programs/xdp.js";
import { parseMetricsFlag, parsePositiveInt } from "../../tools/common/flags.js";
import type { FormatOptions } from "../../tools/dump/format.js";
import type { Direction } from "../../tools/dump/probe.js";
import { readDumpFile } from "../../tools/dump/read.js";

export const name = "dump";
export const summary = "tcpdump on eBPF: print or record packets (XDP in, TC out) filtered in the kernel";
export const usage = `usage: tsbpf dump [-i IF]... [-D] [-c N] [-s SNAPLEN] [-w FILE|- [--pcapng] [--nano] [-C MB] [-G S] [-W N] [--print]]
                  [-r FILE|-] [-n] [-e] [-v]... [-x|-xx|-X|-XX|-A] [-q] [-t...] [-S] [-T rpc] [-Q in|out|inout]
                  [-B KIB] [--pid PID] [--comm NAME] [--json] [--metrics ADDR:PORT] [--mode MODE] [EXPRESSION]

Captures what interfaces receive (XDP, before the stack) and send (TC egress), keeps the packets
that match EXPRESSION (tcpdump's pcap-filter syntax, compiled to eBPF and run in the kernel: other
packets never reach user space) and prints them with tcpdump's text, or writes them to a file.
Ctrl-C or SIGTERM stops it and prints tcpdump's three statistics lines on stderr.
Options:
  -i, --interface IF  interface(s); repeat or comma list; "any" = all of this namespace
  -D                  list the interfaces (tcpdump -D format)
  -c N                stop after N packets
  -s SNAPLEN          bytes kept per packet (default 262144; 0 = the most; at most 65536 are captured)
  -w FILE             write packets to FILE ("-": stdout) instead of printing them
  --pcapng            write pcapng (interfaces, direction flags, drop counts) instead of pcap
  --nano              nanosecond timestamps (files and printed times)
  -C MB               -w: start a new file past MB millions of bytes (FILE, FILE1, …)
  -G S                -w: start a new file every S seconds (FILE may hold strftime conversions)
  -W N                -w: with -C, cycle through N files; with -G alone, stop after N files
  --print             print packets too when writing a file
  -r FILE             read FILE (pcap or pcapng; "-": stdin) instead of capturing
  -n, -nn             no name resolution (ports and protocols as numbers)
  -e                  print the link-level header
  -v, -vv, -vvv       more detail
  -x, -xx, -X, -XX, -A  hex (and ASCII) dumps; doubled: including the link-level header
  -q                  less protocol information
  -t, -tt, -ttt, -tttt, -ttttt  timestamp format as tcpdump
  -S                  absolute TCP sequence numbers
  -T rpc              decode every UDP payload as Sun RPC (calls to any program, replies)
  -Q DIR              in (received), out (sent) or inout (default)
  -B KIB              ring buffer size in KiB (default 4096)
  --pid PID           only packets sent by this process (egress only; see docs/tools/dump.md)
  --comm NAME         only packets sent by tasks named NAME (egress only)
  --json              NDJSON: one record per packet (see docs/tools/dump.md)
  --metrics ADDR:PORT serve Prometheus metrics on http://ADDR:PORT/metrics
  --mode MODE         XDP mode: auto (default), driver, skb`;

const DIRECTIONS: Record<string, Direction[]> = { in: ["ingress"], out: ["egress"], inout: ["ingress", "egress"] };

function count(v: boolean[] | undefined): number {
  return v?.length ?? 0;
}

/** tcpdump's bounds and words: 0 (the maximum) to 262144 bytes. */
const MAX_SNAPLEN = 262144;
function snapLength(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) > MAX_SNAPLEN)
    throw new UsageError(`invalid snaplen ${text} (must be >= 0 and <= ${MAX_SNAPLEN})`, usage);
  return Number(text);
}

export async function run(argv: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    argv,
    {
      interface: { type: "string", short: "i", multiple: true },
      list: { type: "boolean", short: "D" },
      count: { type: "string", short: "c" },
      snaplen: { type: "string", short: "s" },
      write: { type: "string", short: "w" },
      read: { type: "string", short: "r" },
      pcapng: { type: "boolean" },
      nano: { type: "boolean" },
      size: { type: "string", short: "C" },
      seconds: { type: "string", short: "G" },
      files: { type: "string", short: "W" },
      print: { type: "boolean" },
      numeric: { type: "boolean", short: "n", multiple: true },
      link: { type: "boolean", short: "e", multiple: true },
      verbose: { type: "boolean", short: "v", multiple: true },
      hex: { type: "boolean", short: "x", multiple: true },
      hexascii: { type: "boolean", short: "X", multiple: true },
      ascii: { type: "boolean", short: "A", multiple: true },
      quick: { type: "boolean", short: "q", multiple: true },
      time: { type: "boolean", short: "t", multiple: true },
      absolute: { type: "boolean", short: "S" },
      type: { type: "string", short: "T" },
      direction: { type: "string", short: "Q" },
      buffer: { type: "string", short: "B" },
      pid: { type: "string" },
      comm: { type: "string" },
      metrics: { type: "string" },
      mode: { type: "string" },
    },
    usage,
  );
  if (values.help) {
    io.stdout(`${usage}\n`);
    return 0;
  }
  // The live side (koffi, ring buffers, the capture programs) is loaded only when capturing: -r
  // reading a file keeps to what it needs.
  if (values.list) {
    const { listDevices } = await import("../../tools/dump/run.js");
    io.stdout(`${listDevices().join("\n")}\n`);
    return 0;
  }
  const directions = DIRECTIONS[values.direction ?? "inout"];
  if (!directions) throw new UsageError(`-Q wants in, out or inout, not "${values.direction}"`, usage);
  const listen = parseMetricsFlag(values.metrics, usage);
  const sizeMb = values.size === undefined ? undefined : Number(values.size);
  if (sizeMb !== undefined && !(sizeMb > 0))
    throw new UsageError(`-C wants a positive size in millions of bytes, not "${values.size}"`, usage);
  if (
    (values.size ?? values.seconds ?? values.files) !== undefined &&
    (values.write === undefined || values.write === "-")
  ) {
    throw new UsageError("-C, -G and -W need -w FILE", usage);
  }
  if (values.type !== undefined && values.type !== "rpc")
    throw new UsageError(`-T supports only rpc (Sun RPC over UDP), not "${values.type}"`, usage);
  const t = Math.min(count(values.time), 5);
  const format: FormatOptions = {
    timestamps: (t === 0 ? 0 : t) as FormatOptions["timestamps"],
    nano: values.nano === true,
    numeric: count(values.numeric) > 0,
    linkHeader: count(values.link) > 0,
    verbose: count(values.verbose),
    hex: count(values.hex),
    hexAscii: count(values.hexascii),
    ascii: count(values.ascii),
    quick: count(values.quick),
    absoluteSequence: values.absolute === true,
    packetType: values.type === "rpc" ? "rpc" : undefined,
  };
  const pid = values.pid === undefined ? undefined : parsePositiveInt(values.pid, "--pid", usage);
  if (values.comm !== undefined && (values.comm.length === 0 || Buffer.byteLength(values.comm) > 15))
    throw new UsageError("--comm wants a name of 1 to 15 bytes", usage);
  if (values.read !== undefined) {
    return readDumpFile(
      {
        read: values.read,
        write: values.write,
        nano: values.nano === true,
        count: parsePositiveInt(values.count, "-c", usage),
        format,
        expression: positionals.join(" "),
        json: values.json === true,
      },
      io,
    );
  }
  const { XDP_MODES } = await import("../../tools/common/xdp.js");
  const xdpMode = (values.mode ?? "auto") as XdpMode;
  if (!XDP_MODES.includes(xdpMode))
    throw new UsageError(`--mode must be one of ${XDP_MODES.join(", ")}, not "${values.mode}"`, usage);
  const { runDump } = await import("../../tools/dump/run.js");
  return runDump(
    {
      interfaces: values.interface,
      count: parsePositiveInt(values.count, "-c", usage),
      snapLength: snapLength(values.snaplen),
      write: values.write,
      read: values.read,
      pcapng: values.pcapng === true,
      nano: values.nano === true,
      fileSize: sizeMb === undefined ? undefined : Math.round(sizeMb * 1_000_000),
      rotateSeconds: parsePositiveInt(values.seconds, "-G", usage),
      maxFiles: parsePositiveInt(values.files, "-W", usage),
      print: values.print === true,
      format,
      directions,
      expression: positionals.join(" "),
      json: values.json === true,
      listen,
      pid,
      comm: values.comm,
      bufferKiB: parsePositiveInt(values.buffer, "-B", usage),
      xdpMode,
    },
    io,
  );
}
