// `tsbpf filter`: tcpdump filter expressions compiled to eBPF. -d prints the program; -r FILE runs
// it over a capture and prints the numbers of the packets it matches.
import { compileFilter, type FilterContext } from "../../filter/compile.js";
import { FilterError } from "../../filter/errors.js";
import { replayCapture } from "../../filter/replay.js";
import { CaptureFormatError } from "../../pcap/errors.js";
import { readCapture, sniffCaptureFormat } from "../../pcap/reader.js";
import { parseCommandArgs, UsageError } from "../../cmdline/args.js";
import { LineWriter, type CommandIo } from "../../cmdline/io.js";
import { readInputFile } from "../../cmdline/files.js";

export const name = "filter";
export const summary = "compile a tcpdump filter expression to eBPF: print it (-d) or run it over a capture (-r)";
/** The most filter -r reads: it holds the whole capture to replay it (dump -r streams instead). */
const FILTER_CAPTURE_LIMIT = 256 * 1024 * 1024;

export const usage = `usage: tsbpf filter -d [--linktype N] [--context xdp|tc|socket] EXPRESSION...
       tsbpf filter -r FILE [--engine kernel|js] [--json] EXPRESSION...

  EXPRESSION is pcap-filter(7) syntax, as for tcpdump (words are joined with spaces; put "--"
  before an expression that starts with "-").
Options:
  -d                 print the compiled program in the verifier's syntax
  -r FILE            read a pcap or pcapng file and print the 1-based numbers of the packets the
                     filter matches (each packet runs in the kernel via BPF_PROG_TEST_RUN)
  --linktype N       link type to compile for with -d (LINKTYPE_ value; default 1, Ethernet;
                     also 0, 9, 101, 104, 113, 228, 229, 276)
  --context C        program to print with -d: xdp (default), tc or socket
  --engine E         with -r: kernel (default) or js (evaluate without loading programs)
  --json             with -r: one {"number", "timestamp_ns", "length", "captured"} object per match`;

export function run(argv: readonly string[], io: CommandIo): number {
  const { values, positionals } = parseCommandArgs(
    argv,
    {
      d: { type: "boolean", short: "d" },
      r: { type: "string", short: "r" },
      linktype: { type: "string" },
      context: { type: "string" },
      engine: { type: "string" },
    },
    usage,
  );
  if (values.help) {
    io.stdout(`${usage}\n`);
    return 0;
  }
  const expression = positionals.join(" ");
  if (!values.d && values.r === undefined)
    throw new UsageError("give -d (print the program) or -r FILE (run it over a capture)", usage);
  const context = (values.context ?? "xdp") as FilterContext;
  if (!["xdp", "tc", "socket"].includes(context))
    throw new UsageError(`--context must be xdp, tc or socket, not "${values.context}"`, usage);
  const engine = values.engine ?? "kernel";
  if (engine !== "kernel" && engine !== "js")
    throw new UsageError(`--engine must be kernel or js, not "${values.engine}"`, usage);
  let linkType: number | undefined;
  if (values.linktype !== undefined) {
    if (!/^\d+$/.test(values.linktype))
      throw new UsageError(
        `--linktype wants a LINKTYPE_ number (e.g. 1 for Ethernet), not "${values.linktype}"`,
        usage,
      );
    linkType = Number(values.linktype);
  }
  const out = new LineWriter(io.stdout);
  try {
    if (values.r === undefined) {
      const f = compileFilter(expression, { linkType: linkType ?? 1, context });
      for (const line of f.listing()) out.line(line);
      out.flush();
      return 0;
    }
    const bytes = readInputFile(values.r, {
      limit: FILTER_CAPTURE_LIMIT,
      purpose: "a capture (tsbpf dump -r reads any size)",
      checkStart: (start) => {
        if (start.length >= 4 && sniffCaptureFormat(start) === undefined)
          throw new CaptureFormatError(
            "unknown file format",
            0,
            `not pcap or pcapng: magic 0x${start.toString("hex", 0, 4)}`,
          );
      },
    });
    const capture = readCapture(bytes);
    if (values.d) {
      const f = compileFilter(expression, {
        linkType: linkType ?? (capture.linkType >= 0 ? capture.linkType : 1),
        context,
      });
      for (const line of f.listing()) out.line(line);
    }
    const result = replayCapture(expression, capture, { engine });
    for (const n of result.matches) {
      if (values.json) {
        const p = capture.packets[n - 1]!;
        out.json({
          number: n,
          timestamp_ns: p.timestampNs.toString(),
          length: p.originalLength,
          captured: p.data.length,
        });
      } else out.line(String(n));
    }
    out.flush();
    return 0;
  } catch (err) {
    if (err instanceof FilterError) {
      io.stderr(`tsbpf filter: ${err.pretty()}\n`);
      return 1;
    }
    if (err instanceof CaptureFormatError) {
      io.stderr(`tsbpf filter: ${values.r}: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}
