// Shared by the compiler tests: compile kernel TypeScript given as text (as if it were a file in
// test/kernel/, so `../../src/kernel/index.js` resolves), load it, run it.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { compileModule, type CompiledModule } from "../../src/compiler/compile.js";
import { CompileError } from "../../src/compiler/diagnostics.js";
import { KernelObject, type KernelObjectOptions } from "../../src/loader/kernel-object.js";

/** The repository root (this file runs from dist/test/helpers). */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

let counter = 0;

/** A file name for source text: inside the repository, so relative imports of src/kernel work. */
export function virtualFile(name = `virtual${++counter}`): string {
  return join(repoRoot, "test", "kernel", `${name}.bpf.ts`);
}

export const KERNEL_IMPORT = `../../src/kernel/index.js`;

/** Compiles source text. */
export async function compileSource(source: string, name?: string): Promise<CompiledModule> {
  return compileModule(virtualFile(name), { source });
}

/** Compiles and expects a CompileError; returns its diagnostics as "line:col: message". */
export async function compileErrors(source: string): Promise<string[]> {
  try {
    await compileSource(source);
  } catch (err) {
    if (err instanceof CompileError) return err.diagnostics.map((d) => `${d.line}:${d.column}: ${d.message}`);
    throw err;
  }
  throw new Error("expected a compile error, the source compiled");
}

/** Compiles and loads source text; close the object when done. */
export async function loadSource<M = Record<string, unknown>>(
  source: string,
  options?: KernelObjectOptions,
): Promise<KernelObject<M>> {
  const m = await compileSource(source);
  return KernelObject.load<M>(m.artifact, options);
}

/** An Ethernet frame: EtherType, then `payload` bytes. */
export function frame(etherType: number, payload: number[] | Uint8Array = [], length = 64): Buffer {
  const b = Buffer.alloc(Math.max(length, 14 + payload.length));
  b.set([2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2]);
  b.writeUInt16BE(etherType, 12);
  b.set(payload, 14);
  return b;
}

/** An IPv4 header (20 bytes, no options) followed by `l4`. */
export function ipv4(protocol: number, saddr: string, daddr: string, l4: number[] | Uint8Array = []): number[] {
  const h = Buffer.alloc(20);
  h[0] = 0x45;
  h.writeUInt16BE(20 + l4.length, 2);
  h[8] = 64;
  h[9] = protocol;
  Buffer.from(saddr.split(".").map(Number)).copy(h, 12);
  Buffer.from(daddr.split(".").map(Number)).copy(h, 16);
  return [...h, ...l4];
}

/** An IPv6 header (40 bytes) followed by `l4`. */
export function ipv6(
  nextHeader: number,
  saddr: Uint8Array,
  daddr: Uint8Array,
  l4: number[] | Uint8Array = [],
): number[] {
  const h = Buffer.alloc(40);
  h.writeUInt32BE(0x6000_0000, 0);
  h.writeUInt16BE(l4.length, 4);
  h[6] = nextHeader;
  h[7] = 64;
  Buffer.from(saddr).copy(h, 8);
  Buffer.from(daddr).copy(h, 24);
  return [...h, ...l4];
}

/** TCP or UDP ports (4 bytes), padded to a header of `size` bytes. */
export function ports(sport: number, dport: number, size = 20): number[] {
  const h = Buffer.alloc(size);
  h.writeUInt16BE(sport, 0);
  h.writeUInt16BE(dport, 2);
  if (size >= 20) h[12] = 5 << 4;
  return [...h];
}

/**
 * Two packets for reads that may fall outside the packet: LONG, 64 bytes with the value 17 at
 * offset 40 whether read as u8, u16, u32 or u64 (little-endian host order), and SHORT, its first
 * 30 bytes, ending before offset 40.
 */
export function packetsAroundOffset40(): { LONG: Buffer; SHORT: Buffer } {
  const long = Buffer.from(Array.from({ length: 64 }, (_, i) => i));
  long.fill(0, 40, 48);
  long[40] = 17;
  return { LONG: long, SHORT: long.subarray(0, 30) };
}
