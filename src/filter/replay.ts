// Running a filter over a capture file the way tcpdump -r does: one compiled program per link type
// (and, for BSD loopback, per byte order of the capturing host), each packet run in the kernel.
//
// Each packet goes through BPF_PROG_TEST_RUN as an XDP program that reads its original length from
// XDP metadata. Packets test_run cannot take (under 14 bytes, over a page) go through the socket
// filter form on a Unix socket pair, which sees the captured length as the packet's length; when
// that differs from the original length and the filter uses `len`, the packet is evaluated by the
// compiler's own JavaScript evaluation of the same decision graph instead.
import type { Capture, CapturedPacket } from "../pcap/reader.js";
import { compileFilter, loadFilterProgram, type CompiledFilter } from "./compile.js";
import { evalDag } from "./dag.js";
import type { Val } from "./ir.js";
import { PacketRunner, SocketPairRunner } from "./run.js";

export interface ReplayOptions {
  /** "kernel" (default) runs the compiled programs; "js" evaluates the decision graph in JavaScript (no privileges needed). */
  engine?: "kernel" | "js";
  netmask?: number;
}

export interface ReplayResult {
  /** 1-based numbers of the packets the filter matches. */
  matches: number[];
  /** Programs compiled, one per link type (and loopback byte order) met. */
  filters: CompiledFilter[];
  /** How packets were evaluated. */
  counts: { xdp: number; socket: number; js: number };
}

/** Whether the filter reads the packet's length on the wire (len, less, greater). */
export function filterUsesLength(f: CompiledFilter): boolean {
  const walk = (v: Val): boolean =>
    v.k === "len" ||
    (v.k === "loadi" && walk(v.index)) ||
    (v.k === "alu" && (walk(v.a) || walk(v.b))) ||
    (v.k === "neg" && walk(v.a));
  return f.graph.nodes.some((n) => walk(n.a) || walk(n.b)) || f.graph.preload.some(walk);
}

interface Engine {
  filter: CompiledFilter;
  close(): void;
  run(p: CapturedPacket): "xdp" | "socket" | "js";
  last: boolean;
}

function engineFor(expression: string, linkType: number, order: "little" | "big", options: ReplayOptions): Engine {
  const base = {
    linkType,
    loopbackByteOrder: order,
    ...(options.netmask !== undefined ? { netmask: options.netmask } : {}),
  };
  const filter = compileFilter(expression, { ...base, context: "xdp", wireLength: "meta" });
  if (options.engine === "js") {
    const e: Engine = {
      filter,
      last: false,
      close: () => {},
      run: (p) => {
        e.last = evalDag(filter.graph, p.data, p.originalLength);
        return "js";
      },
    };
    return e;
  }
  const xdp = loadFilterProgram(filter, "tsbpf_filter");
  const runner = new PacketRunner(xdp, "xdp-meta");
  let socket: { prog: { close(): void }; runner: SocketPairRunner } | undefined;
  const lengthMatters = filterUsesLength(filter);
  const e: Engine = {
    filter,
    last: false,
    close: () => {
      runner.close();
      xdp.close();
      if (socket) {
        socket.runner.close();
        socket.prog.close();
      }
    },
    run: (p) => {
      if (p.data.length >= 14 && p.data.length <= runner.capacity) {
        e.last = runner.run(p.data, p.originalLength) === 2;
        return "xdp";
      }
      if (lengthMatters && p.data.length !== p.originalLength) {
        e.last = evalDag(filter.graph, p.data, p.originalLength);
        return "js";
      }
      if (!socket) {
        const f = compileFilter(expression, { ...base, context: "socket" });
        const prog = loadFilterProgram(f, "tsbpf_filter");
        socket = { prog, runner: new SocketPairRunner(prog) };
      }
      e.last = socket.runner.run(p.data);
      return "socket";
    },
  };
  return e;
}

/** The numbers of the packets of `capture` that `expression` matches. Throws FilterError if it does not compile. */
export function replayCapture(expression: string, capture: Capture, options: ReplayOptions = {}): ReplayResult {
  const engines = new Map<string, Engine>();
  const counts = { xdp: 0, socket: 0, js: 0 };
  const matches: number[] = [];
  try {
    for (const p of capture.packets) {
      const order = p.linkType === 0 ? p.interface.byteOrder : "little";
      const key = `${p.linkType}/${order}`;
      let e = engines.get(key);
      if (!e) {
        e = engineFor(expression, p.linkType, order, options);
        engines.set(key, e);
      }
      counts[e.run(p)]++;
      if (e.last) matches.push(p.index + 1);
    }
  } finally {
    for (const e of engines.values()) e.close();
  }
  return { matches, filters: [...engines.values()].map((e) => e.filter), counts };
}
