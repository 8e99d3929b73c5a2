// One kernel TypeScript program that exercises everything the target instruction set changes —
// signed division and modulo (32/64-bit, by registers and by immediates), sign extension of
// narrow values, 32-bit arithmetic shifts, 32- and 64-bit compares signed and unsigned — and
// the results eBPF defines for it, computed here with BigInt. Shared by the unit test (the VM)
// and the kernel test (BPF_PROG_TEST_RUN) of `--cpu`.
import { KERNEL_IMPORT } from "./compiler-helpers.js";

export const ISA_PROGRAM = `
import { xdp, struct, ArrayMap, i8, i16, i32, i64, u32, u64, XDP_PASS, XDP_ABORTED } from "${KERNEL_IMPORT}";
export class In extends struct({ a32: i32, b32: i32, a64: i64, b64: i64, c8: i8, c16: i16 }) {}
export const out = new ArrayMap({ value: i64, maxEntries: 32 });
function put(i: u32, v: i64): void { out.update(i, v); }
export const p = xdp((ctx) => {
  const v = ctx.load(In, 0);
  if (v === null) return XDP_ABORTED;
  const a32: i32 = v.a32, b32: i32 = v.b32, a64: i64 = v.a64, b64: i64 = v.b64;
  put(0, a32 / b32);
  put(1, a32 % b32);
  put(2, a64 / b64);
  put(3, a64 % b64);
  put(4, a32 / -3);
  put(5, a32 % -3);
  put(6, a64 / 7);
  put(7, a64 % -7);
  put(8, a64 / -2147483648);
  put(9, a32 / -2147483648);
  put(10, v.c8);
  put(11, v.c16);
  put(12, a32 >> (b32 & 31));
  put(13, a32 >> 5);
  put(14, a32 < b32 ? 1 : 0);
  put(15, a32 <= -5 ? 1 : 0);
  put(16, (a32 as u32) > (b32 as u32) ? 1 : 0);
  put(17, (a32 as u32) >= 0x80000000 ? 1 : 0);
  put(18, a64 < b64 ? 1 : 0);
  put(19, (a64 as u64) < (b64 as u64) ? 1 : 0);
  put(20, a32 === -1 ? 1 : 0);
  put(21, (a32 as u32) < 0xfffffff0 ? 1 : 0);
  put(22, a32 > b32 ? 1 : 0);
  put(23, a32 >= 3 ? 1 : 0);
  return XDP_PASS;
});
`;

export const ISA_SLOTS = 24;

export interface IsaInput {
  a32: number;
  b32: number;
  a64: bigint;
  b64: bigint;
  c8: number;
  c16: number;
}

/** The packet the program reads: In at offset 0, padded to a 64-byte frame. */
export function isaPacket(x: IsaInput): Buffer {
  const b = Buffer.alloc(64);
  b.writeInt32LE(x.a32, 0);
  b.writeInt32LE(x.b32, 4);
  b.writeBigInt64LE(x.a64, 8);
  b.writeBigInt64LE(x.b64, 16);
  b.writeInt8(x.c8, 24);
  b.writeInt16LE(x.c16, 26);
  return b;
}

/** eBPF's signed division at `bits`: truncating, x / 0 = 0, MIN / -1 = MIN. */
function sdiv(a: bigint, b: bigint, bits: number): bigint {
  if (b === 0n) return 0n;
  return BigInt.asIntN(bits, a / b);
}

/** eBPF's signed modulo at `bits`: the dividend's sign, x % 0 = x. */
function smod(a: bigint, b: bigint, bits: number): bigint {
  if (b === 0n) return a;
  return BigInt.asIntN(bits, a % b);
}

/** What each slot must hold (as the i64 the program stores). */
export function isaExpected(x: IsaInput): bigint[] {
  const a32 = BigInt(x.a32),
    b32 = BigInt(x.b32);
  const u = (v: bigint, bits: number) => BigInt.asUintN(bits, v);
  const flag = (c: boolean) => (c ? 1n : 0n);
  return [
    sdiv(a32, b32, 32),
    smod(a32, b32, 32),
    sdiv(x.a64, x.b64, 64),
    smod(x.a64, x.b64, 64),
    sdiv(a32, -3n, 32),
    smod(a32, -3n, 32),
    sdiv(x.a64, 7n, 64),
    smod(x.a64, -7n, 64),
    sdiv(x.a64, -2147483648n, 64),
    sdiv(a32, -2147483648n, 32),
    BigInt(x.c8),
    BigInt(x.c16),
    a32 >> (b32 & 31n),
    a32 >> 5n,
    flag(a32 < b32),
    flag(a32 <= -5n),
    flag(u(a32, 32) > u(b32, 32)),
    flag(u(a32, 32) >= 0x80000000n),
    flag(x.a64 < x.b64),
    flag(u(x.a64, 64) < u(x.b64, 64)),
    flag(a32 === -1n),
    flag(u(a32, 32) < 0xfffffff0n),
    flag(a32 > b32),
    flag(a32 >= 3n),
  ];
}

const I32 = [-0x80000000, -0x7fffffff, -7, -3, -1, 0, 1, 2, 3, 7, 100, 0x7fffffff];
const I64 = [-(1n << 63n), -(1n << 63n) + 1n, -(1n << 40n) - 3n, -7n, -1n, 0n, 1n, 6n, 7n, 1n << 33n, (1n << 63n) - 1n];

/** Edge cases crossed (INT_MIN, -1, 0, 1, mixed signs), then pseudo-random values of every width. */
export function isaInputs(): IsaInput[] {
  const out: IsaInput[] = [];
  let k = 0;
  for (const a32 of I32)
    for (const b32 of I32) {
      out.push({
        a32,
        b32,
        a64: I64[k % I64.length]!,
        b64: I64[(k * 7 + 3) % I64.length]!,
        c8: [-128, -1, 0, 1, 127][k % 5]!,
        c16: [-32768, -2, 0, 5, 32767][k % 5]!,
      });
      k++;
    }
  let seed = 0x2545f491;
  const next = () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return seed | 0;
  };
  for (let n = 0; n < 64; n++) {
    const hi = BigInt(next()),
      lo = BigInt(next() >>> 0);
    const hi2 = BigInt(next()),
      lo2 = BigInt(next() >>> 0);
    out.push({
      a32: next(),
      b32: n % 3 === 0 ? next() >> 20 : next(),
      a64: BigInt.asIntN(64, (hi << 32n) | lo),
      b64: n % 3 === 0 ? BigInt(next() >> 12) : BigInt.asIntN(64, (hi2 << 32n) | lo2),
      c8: next() >> 24,
      c16: next() >> 16,
    });
  }
  return out;
}
