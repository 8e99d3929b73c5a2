// One kernel TypeScript source with 64-bit constants beyond 2^53 in every spelling, shared by the
// VM test (test/unit) and the kernel test (test/kernel).
import { KERNEL_IMPORT } from "./compiler-helpers.js";

/** The source, and the u64 slot values it must store (as unsigned 64-bit). */
export const WIDE_SOURCE = `
import { xdp, ArrayMap, u32, u64, i64 } from "${KERNEL_IMPORT}";
export const out = new ArrayMap({ value: u64, maxEntries: 12 });
export const p = xdp(() => {
  out.update(0, 9007199254740993);                 // 2^53 + 1, decimal
  out.update(1, 0x20000000000001);                 // 2^53 + 1, hex
  const twoTo63: u64 = 0x8000_0000_0000_0000;
  out.update(2, twoTo63);
  const max: u64 = 18446744073709551615;            // 2^64 - 1, decimal
  out.update(3, max);
  const maxHex: u64 = 0xffff_ffff_ffff_ffffn;       // BigInt literal
  out.update(4, maxHex);
  const min: i64 = -0x8000_0000_0000_0000n;         // -2^63, negative BigInt
  out.update(5, min);
  out.update(6, 9007199254740993n);
  const sum: u64 = max - 0xfn;                      // BigInt operand in arithmetic
  out.update(7, sum);
  const flagged: u64 = 0xfffffffffffffff0;
  out.update(8, flagged === 0xfffffffffffffff0n ? 1 : 0);
  out.update(9, u64(0xffff_ffff_ffff_fff0n));       // the cast TypeScript's own checker accepts
  const r: u32 = 0xffff_fff0n;
  return r;
});`;

export const WIDE_EXPECTED = [
  (1n << 53n) + 1n,
  (1n << 53n) + 1n,
  1n << 63n,
  (1n << 64n) - 1n,
  (1n << 64n) - 1n,
  1n << 63n, // -2^63 stored as unsigned
  (1n << 53n) + 1n,
  (1n << 64n) - 16n,
  1n,
  (1n << 64n) - 16n,
];
