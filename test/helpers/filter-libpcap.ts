// libpcap's own filter compiler, called in-process through koffi: the fast oracle of the filter
// tests (tcpdump compiles with exactly this function). Needs the Debian package libpcap0.8, which
// tcpdump depends on.
import koffi from "koffi";
import type { CbpfInsn } from "../../src/filter/cbpf.js";

type Ptr = unknown;

interface Lib {
  openDead: (linktype: number, snaplen: number) => Ptr;
  openOffline: (path: string, errbuf: Buffer) => Ptr;
  compile: (p: Ptr, prog: Buffer, expr: string, optimize: number, netmask: number) => number;
  geterr: (p: Ptr) => string;
  freecode: (prog: Buffer) => void;
  close: (p: Ptr) => void;
}

let lib: Lib | null | undefined;

function load(): Lib | null {
  if (lib !== undefined) return lib;
  try {
    const l = koffi.load("libpcap.so.0.8");
    lib = {
      openDead: l.func("void *pcap_open_dead(int, int)") as Lib["openDead"],
      openOffline: l.func("void *pcap_open_offline(const char *, _Out_ uint8_t *errbuf)") as Lib["openOffline"],
      compile: l.func("int pcap_compile(void *, _Inout_ uint8_t *prog, const char *, int, uint32_t)") as Lib["compile"],
      geterr: l.func("const char *pcap_geterr(void *)") as Lib["geterr"],
      freecode: l.func("void pcap_freecode(_Inout_ uint8_t *prog)") as Lib["freecode"],
      close: l.func("void pcap_close(void *)") as Lib["close"],
    };
  } catch {
    lib = null;
  }
  return lib;
}

export function libpcapAvailable(): boolean {
  return load() !== null;
}

/** LINKTYPE_ value in files → DLT_ value libpcap uses (only RAW differs among ours). */
export function dltOf(linkType: number): number {
  return linkType === 101 ? 12 : linkType;
}

/** A libpcap handle whose compile() gives what tcpdump -r FILE would compile. */
export class LibpcapCompiler {
  private readonly handle: Ptr;
  private readonly l: Lib;
  constructor(source: { file: string } | { linkType: number }) {
    const l = load();
    if (!l) throw new Error("libpcap.so.0.8 is not installed");
    this.l = l;
    if ("file" in source) {
      const errbuf = Buffer.alloc(256);
      this.handle = l.openOffline(source.file, errbuf);
      if (!this.handle) throw new Error(`pcap_open_offline: ${errbuf.toString("utf8").replace(/\0.*$/s, "")}`);
    } else {
      this.handle = l.openDead(dltOf(source.linkType), 262144);
    }
  }

  /** The optimized classic program (netmask 0, as tcpdump uses for files), or libpcap's error. */
  compile(expression: string): { insns: CbpfInsn[] } | { error: string } {
    const prog = Buffer.alloc(16);
    if (this.l.compile(this.handle, prog, expression, 1, 0) < 0) return { error: this.l.geterr(this.handle) };
    const count = prog.readUInt32LE(0);
    const addr = prog.readBigUInt64LE(8);
    const raw = Buffer.from(koffi.view(addr as never, count * 8) as ArrayBuffer);
    const insns: CbpfInsn[] = [];
    for (let i = 0; i < count; i++) {
      insns.push({
        code: raw.readUInt16LE(i * 8),
        jt: raw[i * 8 + 2]!,
        jf: raw[i * 8 + 3]!,
        k: raw.readUInt32LE(i * 8 + 4),
      });
    }
    this.l.freecode(prog);
    return { insns };
  }

  close(): void {
    this.l.close(this.handle);
  }
}
