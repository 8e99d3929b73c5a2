// Random valid eBPF programs for differential tests (VM tiers against each other, and the VM
// against the kernel). Seeded, so a failure reproduces from its seed.
//
// A program is an XDP program that reads its inputs from the packet and writes its results back:
//   packet[0..64)    initial r0..r5, r8, r9        packet[64..128)  initial stack fp-64..fp-8
//   packet[128..192) final r0..r5, r8, r9          packet[192..256) final stack
// The body between is straight-line ALU64/ALU32 (every operation, K and X forms), forward jumps
// (JMP and JMP32, ja and gotol), stack loads (also sign-extending), stores and atomics. Because
// the inputs come from the packet the verifier cannot fold anything, and one loaded program runs
// on many packets.
import { encode, insn, lddwInsn, type Instruction } from "../../src/asm/instruction.js";

export const PACKET_SIZE = 256;
export const SCRATCH = [0, 1, 2, 3, 4, 5, 8, 9] as const;

/** xorshift128+ (two 32-bit halves) — small, fast, seedable. */
export class Rng {
  #a: number;
  #b: number;
  constructor(seed: number) {
    this.#a = (seed * 0x9e3779b1) | 1;
    this.#b = (seed ^ 0x85ebca6b) | 2;
    for (let i = 0; i < 8; i++) this.u32();
  }
  u32(): number {
    let s1 = this.#a;
    const s0 = this.#b;
    this.#a = s0;
    s1 ^= s1 << 11;
    s1 ^= s1 >>> 8;
    this.#b = s1 ^ s0 ^ (s0 >>> 19);
    return (this.#b + s0) >>> 0;
  }
  int(n: number): number {
    return this.u32() % n;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  chance(p: number): boolean {
    return this.u32() / 4294967296 < p;
  }
}

const EDGE32 = [
  0, 1, 2, 3, 7, 8, 31, 32, 33, 63, 64, 255, 256, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, -0x80000000, -1, -2, -3,
  -7, -31, -32, -64,
];

/** An interesting 32-bit immediate. */
export function imm32(r: Rng): number {
  return r.chance(0.5) ? r.pick(EDGE32) : r.u32() | 0;
}

/** An interesting 64-bit value. */
export function value64(r: Rng): bigint {
  const edges = [
    0n,
    1n,
    2n,
    0xffffffffn,
    0x80000000n,
    0x7fffffffn,
    0x100000000n,
    1n << 63n,
    (1n << 63n) - 1n,
    (1n << 64n) - 1n,
    (1n << 64n) - 2n,
    0xffffffff00000000n,
    0x00000000ffffffffn,
    0x8000000000000001n,
    0x7fffffff80000000n,
  ];
  switch (r.int(5)) {
    case 0:
      return r.pick(edges);
    case 1:
      return BigInt.asUintN(64, BigInt(imm32(r))); // sign-extended 32-bit
    case 2:
      return BigInt(r.u32()); // zero-extended 32-bit
    case 3:
      return BigInt(r.int(1000));
    default:
      return (BigInt(r.u32()) << 32n) | BigInt(r.u32());
  }
}

export function randomPacket(r: Rng): Uint8Array {
  const p = new Uint8Array(PACKET_SIZE);
  const v = new DataView(p.buffer);
  for (let i = 0; i < 16; i++) v.setBigUint64(i * 8, value64(r), true);
  return p;
}

const ALU_OPS = [0x00, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x90, 0xa0, 0xb0, 0xc0]; // without neg, end
const JMP_OPS = [0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0xa0, 0xb0, 0xc0, 0xd0];
const ATOMIC_OPS = [0x00, 0x40, 0x50, 0xa0, 0x01, 0x41, 0x51, 0xa1, 0xe1, 0xf1];

/** One random body instruction; `left` is how many slots remain to the end of the body. */
function randomInsn(r: Rng, left: number, out: Instruction[]): void {
  const d = r.pick(SCRATCH),
    s = r.pick(SCRATCH);
  const kind = r.int(100);
  if (kind < 50) {
    // ALU
    const is64 = r.chance(0.5);
    const cls = is64 ? 0x07 : 0x04;
    const special = r.int(10);
    if (special === 0) {
      out.push(insn(cls | 0x80, d, 0, 0, 0));
      return;
    } // neg
    if (special === 1) {
      // byte order / bswap
      const width = r.pick([16, 32, 64]);
      if (is64) out.push(insn(0xd7, d, 0, 0, width));
      else out.push(insn(r.chance(0.5) ? 0xd4 : 0xdc, d, 0, 0, width));
      return;
    }
    if (special === 2) {
      // movsx
      const off = is64 ? r.pick([8, 16, 32]) : r.pick([8, 16]);
      out.push(insn(cls | 0xb0 | 0x08, d, s, off, 0));
      return;
    }
    const op = r.pick(ALU_OPS);
    const x = r.chance(0.5);
    let off = 0;
    if ((op === 0x30 || op === 0x90) && r.chance(0.5)) off = 1; // sdiv / smod
    if (x) {
      out.push(insn(cls | op | 0x08, d, s, off, 0));
      return;
    }
    let k = imm32(r);
    if (op === 0x60 || op === 0x70 || op === 0xc0) k = r.int(is64 ? 64 : 32); // the verifier wants in-range constant shifts
    if ((op === 0x30 || op === 0x90) && k === 0) k = 3; // and no constant division by zero
    out.push(insn(cls | op, d, 0, off, k));
    return;
  }
  if (kind < 65 && left > 2) {
    // forward jump
    const dist = r.int(Math.min(left - 1, 12));
    const j = r.int(12);
    // unconditional jumps skip nothing: skipped code would be unreachable, which the kernel refuses
    if (j === 0) {
      out.push(insn(0x05, 0, 0, 0, 0));
      return;
    } // ja +0
    if (j === 1) {
      out.push(insn(0x06, 0, 0, 0, 0));
      return;
    } // gotol +0
    const cls = r.chance(0.5) ? 0x05 : 0x06;
    const op = r.pick(JMP_OPS);
    if (r.chance(0.5)) out.push(insn(cls | op | 0x08, d, s, dist, 0));
    else out.push(insn(cls | op, d, 0, dist, imm32(r)));
    return;
  }
  if (kind < 75) {
    // stack load
    const size = r.pick([1, 2, 4, 8]);
    const sx = size < 8 && r.chance(0.3);
    const code = (sx ? 0x81 : 0x61) | { 1: 0x10, 2: 0x08, 4: 0x00, 8: 0x18 }[size]!;
    out.push(insn(code, d, 10, -size * (1 + r.int(64 / size)), 0));
    return;
  }
  if (kind < 85) {
    // stack store
    const size = r.pick([1, 2, 4, 8]);
    const sz = { 1: 0x10, 2: 0x08, 4: 0x00, 8: 0x18 }[size]!;
    const off = -size * (1 + r.int(64 / size));
    if (r.chance(0.5)) out.push(insn(0x63 | sz, 10, s, off, 0));
    else out.push(insn(0x62 | sz, 10, 0, off, imm32(r)));
    return;
  }
  if (kind < 92) {
    // atomic on the stack
    const dw = r.chance(0.5);
    const size = dw ? 8 : 4;
    out.push(insn(0xc3 | (dw ? 0x18 : 0), 10, s, -size * (1 + r.int(64 / size)), r.pick(ATOMIC_OPS)));
    return;
  }
  out.push(lddwInsn(d, 0, value64(r)));
}

export interface RandomProgram {
  insns: Instruction[];
  bytes: Uint8Array;
}

/** A random XDP program of about `bodyLength` body instructions. */
export function randomProgram(r: Rng, bodyLength: number): RandomProgram {
  const pro: Instruction[] = [
    insn(0x61, 6, 1, 0, 0), // r6 = data
    insn(0x61, 7, 1, 4, 0), // r7 = data_end
    insn(0xbf, 2, 6, 0, 0),
    insn(0x07, 2, 0, 0, PACKET_SIZE),
    insn(0x2d, 2, 7, 1, 0), // if r2 > r7 goto +1
    insn(0x05, 0, 0, 2, 0),
    insn(0xb7, 0, 0, 0, 1), // XDP_DROP: packet too short
    insn(0x95, 0, 0, 0, 0),
  ];
  for (let i = 0; i < 8; i++) {
    // stack from packet[64..128)
    pro.push(insn(0x79, 8, 6, 64 + 8 * i, 0), insn(0x7b, 10, 8, -64 + 8 * i, 0));
  }
  SCRATCH.forEach((reg, i) => pro.push(insn(0x79, reg, 6, 8 * i, 0)));
  // body: slot-exact forward jumps need the body's slot layout, so build it in slots
  const body: Instruction[] = [];
  let slots = 0;
  while (slots < bodyLength) {
    const before = body.length;
    randomInsn(r, bodyLength - slots, body);
    const added = body[before]!;
    const size = added.code === 0x18 ? 2 : 1;
    // a jump must land inside the body (at or before its end)
    if ((added.code & 7) === 5 || (added.code & 7) === 6) {
      const dist = added.code === 0x06 ? added.imm : added.off;
      if (slots + 1 + dist > bodyLength) {
        body.pop();
        continue;
      }
    }
    slots += size;
  }
  // jumps may target the slot right after the body: the epilogue starts there
  const fixed = fixJumpTargets(body);
  const epi: Instruction[] = [];
  SCRATCH.forEach((reg, i) => epi.push(insn(0x7b, 6, reg, 128 + 8 * i, 0)));
  for (let i = 0; i < 8; i++) epi.push(insn(0x79, 8, 10, -64 + 8 * i, 0), insn(0x7b, 6, 8, 192 + 8 * i, 0));
  epi.push(insn(0xb7, 0, 0, 0, 2), insn(0x95, 0, 0, 0, 0)); // XDP_PASS
  const insns = [...pro, ...fixed, ...epi];
  return { insns, bytes: encode(insns) };
}

/** Jumps must not land on the second slot of an lddw: retarget those one slot further. */
function fixJumpTargets(body: Instruction[]): Instruction[] {
  const start: number[] = [];
  const lddwSecond = new Set<number>();
  let slot = 0;
  for (const i of body) {
    start.push(slot);
    if (i.code === 0x18) lddwSecond.add(slot + 1);
    slot += i.code === 0x18 ? 2 : 1;
  }
  return body.map((i, n) => {
    const cls = i.code & 7;
    if ((cls !== 5 && cls !== 6) || i.code === 0x85 || i.code === 0x95) return i;
    const isGotol = i.code === 0x06;
    const dist = isGotol ? i.imm : i.off;
    let target = start[n]! + 1 + dist;
    if (lddwSecond.has(target)) target++;
    const newDist = target - start[n]! - 1;
    return isGotol ? { ...i, imm: newDist } : { ...i, off: newDist };
  });
}
