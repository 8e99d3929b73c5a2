// Shared by the tracing tests: a counter map, hand-encoded counting programs (so these tests do
// not depend on the assembler), and tiny C programs built with gcc to trigger probes.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bpf, closeFd, Cmd, mapCreate, mapElemAttr } from "../../src/sys/bpf.js";
import { NativeMemory } from "../../src/sys/libc.js";
import { MapType } from "../../src/uapi.js";
import { Assembler, R0, R1, R2, R6, R10, Size } from "../../src/asm/index.js";

/** An array map of u64 counters, read from JavaScript. */
export class CounterMap implements Disposable {
  readonly fd: number;
  #key = new NativeMemory(4);
  #value = new NativeMemory(8);
  constructor(readonly slots = 4) {
    this.fd = mapCreate({ mapType: MapType.ARRAY, keySize: 4, valueSize: 8, maxEntries: slots, name: "tsbpf_counter" });
  }
  get(slot = 0): number {
    this.#key.view.setUint32(0, slot, true);
    bpf(Cmd.MAP_LOOKUP_ELEM, mapElemAttr(this.fd, this.#key.address, this.#value.address, 0));
    return Number(this.#value.view.getBigUint64(0, true));
  }
  [Symbol.dispose](): void {
    closeFd(this.fd);
    this.#key.free();
    this.#value.free();
  }
}

export interface CounterOptions {
  /** Count in the slot named by bpf_get_attach_cookie(ctx) instead of slot 0. */
  slotFromCookie?: boolean;
  /** Count only events of this process (tgid). */
  tgid?: number;
}

/** counters[slot] += 1, then return 0: works as tracepoint, raw_tp, tp_btf, kprobe/uprobe or perf_event. */
export function counterProgram(mapFd: number, options: CounterOptions = {}): Buffer {
  const a = new Assembler();
  a.mov64(R6, R1); // keep ctx
  if (options.tgid !== undefined) {
    a.call("get_current_pid_tgid").rsh64(R0, 32).jeq(R0, options.tgid, "count");
    a.mov64(R0, 0).exit();
    a.label("count");
  }
  if (options.slotFromCookie) a.mov64(R1, R6).call("get_attach_cookie").stx(Size.W, R10, R0, -4);
  else a.st(Size.W, R10, -4, 0);
  a.ldMapFd(R1, mapFd).mov64(R2, R10).add64(R2, -4).call("map_lookup_elem");
  a.jeq(R0, 0, "out");
  a.mov64(R1, 1).lockAdd(Size.DW, R0, R1, 0);
  a.label("out").mov64(R0, 0).exit();
  // Plain bytes: this program needs no func_info/line_info.
  return a.assemble().bytes;
}

/** A directory of its own, removed by the returned dispose. */
export function tempDir(prefix = "tsbpf-"): { path: string } & Disposable {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, [Symbol.dispose]: () => rmSync(path, { recursive: true, force: true }) };
}

/** Compiles one C file into an executable in `dir` and returns its path. */
export function buildC(dir: string, name: string, source: string, flags: string[] = []): string {
  const src = join(dir, `${name}.c`);
  const out = join(dir, name);
  writeFileSync(src, source);
  execFileSync("gcc", ["-O0", "-g", "-o", out, src, ...flags], { stdio: "pipe" });
  return out;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
