// Classic BPF, as tcpdump prints it with -ddd: a parser, an interpreter with libpcap's exact
// semantics (bpf_filter.c: an out-of-bounds load or a division by zero rejects the packet, a shift
// by 32 or more gives 0), and a translation to eBPF shaped like the kernel's own conversion of
// socket filters (A in r0, X in r7, scratch memory on the stack, a fast path for loads from the
// linear packet). The interpreter is the second oracle of the tests; the translation is the
// benchmark's peer.
import { Assembler, type AssembledProgram } from "../asm/assembler.js";
import { BPF_B, BPF_H, BPF_W } from "../asm/opcodes.js";

export interface CbpfInsn {
  code: number;
  jt: number;
  jf: number;
  k: number;
}

// Classic opcode fields.
const CLS = (c: number): number => c & 0x07;
const SZ = (c: number): number => c & 0x18;
const MODE = (c: number): number => c & 0xe0;
const OP = (c: number): number => c & 0xf0;
const SRC = (c: number): number => c & 0x08;
const LD = 0x00,
  LDX = 0x01,
  ST = 0x02,
  STX = 0x03,
  ALU = 0x04,
  JMP = 0x05,
  RET = 0x06,
  MISC = 0x07;
const W = 0x00,
  H = 0x08,
  B = 0x10;
const IMM = 0x00,
  ABS = 0x20,
  IND = 0x40,
  MEM = 0x60,
  LEN = 0x80,
  MSH = 0xa0;

/** Parses `tcpdump -ddd` output: a count line, then "code jt jf k" per instruction. */
export function parseCbpf(text: string): CbpfInsn[] {
  const lines = text
    .trim()
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  const count = Number(lines[0]);
  if (!Number.isInteger(count) || count !== lines.length - 1)
    throw new Error(`bad -ddd output: count ${lines[0]} for ${lines.length - 1} instructions`);
  return lines.slice(1).map((l) => {
    const [code, jt, jf, k] = l.split(/\s+/).map(Number);
    return { code: code!, jt: jt!, jf: jf!, k: k! >>> 0 };
  });
}

/** Runs a classic program on a packet; returns what libpcap's bpf_filter returns (0 = reject). */
export function runCbpf(prog: readonly CbpfInsn[], packet: Uint8Array, wireLength = packet.length): number {
  let A = 0,
    X = 0;
  const mem = new Uint32Array(16);
  const buflen = packet.length;
  const load = (k: number, size: number): number | undefined => {
    if (k > buflen || size > buflen - k) return undefined;
    if (size === 1) return packet[k]!;
    if (size === 2) return (packet[k]! << 8) | packet[k + 1]!;
    return ((packet[k]! << 24) | (packet[k + 1]! << 16) | (packet[k + 2]! << 8) | packet[k + 3]!) >>> 0;
  };
  for (let pc = 0; pc < prog.length; pc++) {
    const ins = prog[pc]!;
    const c = ins.code,
      k = ins.k;
    switch (CLS(c)) {
      case RET:
        return ((c & 0x18) === 0x10 ? A : k) >>> 0; // BPF_A is 0x10 in the rval field
      case LD: {
        const size = SZ(c) === W ? 4 : SZ(c) === H ? 2 : 1;
        if (MODE(c) === IMM) A = k;
        else if (MODE(c) === LEN) A = wireLength >>> 0;
        else if (MODE(c) === MEM) A = mem[k & 15]!;
        else if (MODE(c) === ABS) {
          const v = load(k, size);
          if (v === undefined) return 0;
          A = v;
        } else if (MODE(c) === IND) {
          // libpcap checks without wrapping: X + k must not overflow and must stay inside.
          if (X + k > 0xffffffff) return 0;
          const v = load(X + k, size);
          if (v === undefined) return 0;
          A = v;
        } else throw new Error(`bad cBPF load 0x${c.toString(16)} at ${pc}`);
        break;
      }
      case LDX:
        if (MODE(c) === IMM) X = k;
        else if (MODE(c) === LEN) X = wireLength >>> 0;
        else if (MODE(c) === MEM) X = mem[k & 15]!;
        else if (MODE(c) === MSH) {
          if (k >= buflen) return 0;
          X = (packet[k]! & 0xf) << 2;
        } else throw new Error(`bad cBPF ldx 0x${c.toString(16)} at ${pc}`);
        break;
      case ST:
        mem[k & 15] = A;
        break;
      case STX:
        mem[k & 15] = X;
        break;
      case ALU: {
        const v = SRC(c) ? X : k;
        switch (OP(c)) {
          case 0x00:
            A = (A + v) >>> 0;
            break;
          case 0x10:
            A = (A - v) >>> 0;
            break;
          case 0x20:
            A = Math.imul(A, v) >>> 0;
            break;
          case 0x30:
            if (v === 0) return 0;
            A = Math.floor(A / v) >>> 0;
            break;
          case 0x90:
            if (v === 0) return 0;
            A = (A % v) >>> 0;
            break;
          case 0x40:
            A = (A | v) >>> 0;
            break;
          case 0x50:
            A = (A & v) >>> 0;
            break;
          case 0xa0:
            A = (A ^ v) >>> 0;
            break;
          case 0x60:
            A = v < 32 ? (A << v) >>> 0 : 0;
            break;
          case 0x70:
            A = v < 32 ? A >>> v : 0;
            break;
          case 0x80:
            A = (0 - A) >>> 0;
            break;
          default:
            throw new Error(`bad cBPF alu 0x${c.toString(16)} at ${pc}`);
        }
        break;
      }
      case JMP: {
        const v = SRC(c) ? X : k;
        switch (OP(c)) {
          case 0x00:
            pc += k | 0;
            break;
          case 0x10:
            pc += A === v ? ins.jt : ins.jf;
            break;
          case 0x20:
            pc += A > v ? ins.jt : ins.jf;
            break;
          case 0x30:
            pc += A >= v ? ins.jt : ins.jf;
            break;
          case 0x40:
            pc += (A & v) !== 0 ? ins.jt : ins.jf;
            break;
          default:
            throw new Error(`bad cBPF jump 0x${c.toString(16)} at ${pc}`);
        }
        break;
      }
      case MISC:
        if ((c & 0xf8) === 0x00)
          X = A; // TAX
        else A = X; // TXA
        break;
      default:
        throw new Error(`bad cBPF opcode 0x${c.toString(16)} at ${pc}`);
    }
  }
  return 0;
}

/** The context a translated classic program runs in (both give direct packet access to eBPF). */
export type CbpfHost = "sched_cls" | "xdp";

/**
 * Translates a classic program to eBPF the way the kernel converts a socket filter
 * (net/core/filter.c, bpf_convert_filter): A → r0, X → r7, M[] on the stack, one eBPF sequence per
 * classic instruction. The kernel gives each packet load a fast path (a length check against the
 * linear data, a direct load, a byte swap) and a helper call for the rest; a user program cannot
 * read struct sk_buff, so here the fast path checks against data_end and the slow path rejects —
 * the same instructions on the linear packets the benchmark feeds. `len` reads skb->len
 * (sched_cls) or data_end - data (xdp).
 */
export function cbpfToEbpf(prog: readonly CbpfInsn[], host: CbpfHost = "sched_cls"): AssembledProgram {
  const a = new Assembler();
  emitCbpf(a, prog, host, "c");
  return a.assemble();
}

/**
 * The same translation emitted into an assembler: as the program's main code, after `a.func(name)`
 * as a function (ctx in r1, the classic program's return value in r0), or, given `end`, inline:
 * each return sets r0 and jumps to `end` (a label the caller defines after it).
 */
export function emitCbpf(a: Assembler, prog: readonly CbpfInsn[], host: CbpfHost, prefix: string, end?: string): void {
  const label = (i: number): string => `${prefix}${i}`;
  let rejects = false; // the shared reject block is emitted only if something jumps to it
  const reject = (): string => {
    rejects = true;
    return `${prefix}reject`;
  };
  const ret = (): void => {
    if (end) a.ja(end);
    else a.exit();
  };
  a.mov64("r6", "r1");
  // A = 0, X = 0 (the kernel clears them with xor; the verifier wants them written first)
  a.mov32("r0", 0);
  a.mov32("r7", 0);
  if (host === "sched_cls") {
    a.ldx(BPF_W, "r8", "r6", 76); // skb->data
    a.ldx(BPF_W, "r9", "r6", 80); // skb->data_end
  } else {
    a.ldx(BPF_W, "r8", "r6", 0); // xdp->data
    a.ldx(BPF_W, "r9", "r6", 4); // xdp->data_end
  }
  const memSlot = (k: number): number => -64 + 4 * (k & 15);
  const sizeBytes = (c: number): number => (SZ(c) === W ? 4 : SZ(c) === H ? 2 : 1);
  const sizeCode = (c: number): typeof BPF_W | typeof BPF_H | typeof BPF_B =>
    SZ(c) === W ? BPF_W : SZ(c) === H ? BPF_H : BPF_B;
  const packetLoad = (c: number, offsetReg: "r7" | undefined, k: number): void => {
    const size = sizeBytes(c);
    // fast path: tmp = data + (X) + k; if tmp + size > data_end → reject; A = *(tmp); bswap
    a.mov64("r2", "r8");
    if (offsetReg) a.add64("r2", offsetReg);
    if (k) {
      if (k > 0x7fffffff) {
        a.mov32("r0", 0);
        ret();
        return;
      }
      a.add64("r2", k);
    }
    a.mov64("r3", "r2");
    a.add64("r3", size);
    a.jgt("r3", "r9", reject());
    a.ldx(sizeCode(c), "r0", "r2", 0);
    if (size === 2) a.be("r0", 16);
    else if (size === 4) a.be("r0", 32);
  };
  for (let i = 0; i < prog.length; i++) {
    const ins = prog[i]!;
    const c = ins.code,
      k = ins.k;
    a.label(label(i));
    switch (CLS(c)) {
      case RET:
        if ((c & 0x18) !== 0x10) a.mov32("r0", k);
        ret();
        break;
      case LD:
        if (MODE(c) === IMM) a.mov32("r0", k);
        else if (MODE(c) === LEN) lengthInto(a, "r0", host);
        else if (MODE(c) === MEM) a.ldx(BPF_W, "r0", "r10", memSlot(k));
        else if (MODE(c) === ABS) packetLoad(c, undefined, k);
        else if (MODE(c) === IND) {
          // X is 32-bit; bound it so the verifier accepts the packet pointer arithmetic (offsets
          // past 32 KiB are rejected: the benchmark's packets are smaller)
          a.jgt32("r7", 0x7fff, reject());
          packetLoad(c, "r7", k);
        } else throw new Error(`unsupported cBPF load 0x${c.toString(16)}`);
        break;
      case LDX:
        if (MODE(c) === IMM) a.mov32("r7", k);
        else if (MODE(c) === LEN) lengthInto(a, "r7", host);
        else if (MODE(c) === MEM) a.ldx(BPF_W, "r7", "r10", memSlot(k));
        else if (MODE(c) === MSH) {
          a.mov64("r2", "r8").add64("r2", k).mov64("r3", "r2").add64("r3", 1);
          a.jgt("r3", "r9", reject());
          a.ldx(BPF_B, "r7", "r2", 0).and32("r7", 0xf).lsh32("r7", 2);
        } else throw new Error(`unsupported cBPF ldx 0x${c.toString(16)}`);
        break;
      case ST:
        a.stx(BPF_W, "r10", "r0", memSlot(k));
        break;
      case STX:
        a.stx(BPF_W, "r10", "r7", memSlot(k));
        break;
      case ALU: {
        const op = OP(c);
        if (op === 0x80) {
          a.neg32("r0");
          break;
        }
        if (SRC(c)) {
          if (op === 0x30 || op === 0x90) a.jeq32("r7", 0, reject()); // the kernel's check for div/mod by X = 0
          a.alu32(op, "r0", "r7");
        } else {
          a.alu32(op, "r0", k);
        }
        break;
      }
      case JMP: {
        const op = OP(c);
        if (op === 0x00) {
          a.ja(label(i + 1 + (k | 0)));
          break;
        }
        const t = label(i + 1 + ins.jt),
          f = label(i + 1 + ins.jf);
        // the kernel compares A as a 64-bit register holding a zero-extended 32-bit value;
        // immediates with bit 31 set go through a register so they are not sign-extended
        let src: "r7" | "r2" | number = SRC(c) ? "r7" : k;
        if (typeof src === "number" && src > 0x7fffffff) {
          a.mov32("r2", src);
          src = "r2";
        }
        if (ins.jt === 0 && op !== 0x40) {
          a.jmp(0x05, invert(op), "r0", src, f);
        } else {
          a.jmp(0x05, op, "r0", src, t);
          if (ins.jf !== 0) a.ja(f);
        }
        break;
      }
      case MISC:
        if ((c & 0xf8) === 0x00) a.mov32("r7", "r0");
        else a.mov32("r0", "r7");
        break;
      default:
        throw new Error(`unsupported cBPF opcode 0x${c.toString(16)}`);
    }
  }
  if (rejects) {
    a.label(`${prefix}reject`).mov32("r0", 0);
    ret();
  }
}

/** For "jump if not": the opposite classic condition. JSET has no inverse opcode; JNE/JLE/JLT exist in eBPF. */
function invert(op: number): number {
  switch (op) {
    case 0x10:
      return 0x50; // jeq → jne
    case 0x20:
      return 0xb0; // jgt → jle
    case 0x30:
      return 0xa0; // jge → jlt
    default:
      throw new Error("no inverse");
  }
}

function lengthInto(a: Assembler, reg: "r0" | "r7", host: CbpfHost): void {
  if (host === "sched_cls") a.ldx(BPF_W, reg, "r6", 0);
  else a.mov64(reg, "r9").sub64(reg, "r8");
}
