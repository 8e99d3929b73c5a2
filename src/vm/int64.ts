// Exact 64-bit arithmetic on pairs of int32 words (lo at index d, hi at d + 1 of an Int32Array),
// for the operations that do not fit in a few inline lines: multiplication, division, modulo.
// Doubles carry 53 bits, so everything here is built from 16- and 32-bit pieces; division by a
// divisor of 2^32 or more corrects a floating-point estimate of the quotient with exact words.

const TWO32 = 4294967296;

/** High word of the unsigned product of two u32 (given as int32 bit patterns). */
export function umulhi(a: number, b: number): number {
  const a0 = a & 0xffff,
    a1 = a >>> 16,
    b0 = b & 0xffff,
    b1 = b >>> 16;
  const lolo = a0 * b0,
    lohi = a0 * b1,
    hilo = a1 * b0;
  const mid = (lolo >>> 16) + (lohi & 0xffff) + (hilo & 0xffff);
  return (a1 * b1 + (lohi >>> 16) + (hilo >>> 16) + (mid >>> 16)) | 0;
}

/** R[d..d+1] *= (blo, bhi), modulo 2^64. */
export function mul64(R: Int32Array, d: number, blo: number, bhi: number): void {
  const alo = R[d]!,
    ahi = R[d + 1]!;
  R[d] = Math.imul(alo, blo);
  R[d + 1] = (umulhi(alo, blo) + Math.imul(alo, bhi) + Math.imul(ahi, blo)) | 0;
}

// Scratch for the division kernels (results before sign fix-ups).
// In an Int32Array, not module-level `let`s: those are context slots, where an int32 beyond the
// 31-bit small-integer range is boxed, an allocation per division.
// [0] quotient low, [1] quotient high, [2] remainder low, [3] remainder high.
const QR = new Int32Array(4);

/** Unsigned 64/64 division into QR (quotient and remainder words). The divisor is not zero. */
function udivmod(alo: number, ahi: number, blo: number, bhi: number): void {
  const au = ahi >>> 0,
    al = alo >>> 0,
    bl = blo >>> 0;
  if (bhi === 0) {
    if (au === 0) {
      const q = Math.floor(al / bl);
      QR[0] = q | 0;
      QR[1] = 0;
      QR[2] = (al - q * bl) | 0;
      QR[3] = 0;
      return;
    }
    // long division by a u32 in 32 + 16 + 16 bit steps: every partial dividend stays below 2^48
    const q2 = Math.floor(au / bl);
    let r = au - q2 * bl;
    let t = r * 65536 + (al >>> 16);
    const q1 = Math.floor(t / bl);
    r = t - q1 * bl;
    t = r * 65536 + (al & 0xffff);
    const q0 = Math.floor(t / bl);
    r = t - q0 * bl;
    QR[1] = q2 | 0;
    QR[0] = (q1 * 65536 + q0) | 0;
    QR[2] = r | 0;
    QR[3] = 0;
    return;
  }
  // a divisor of 2^32 or more: the quotient fits in 32 bits. Doubles estimate it within 2^-19
  // (both operands and the division round by at most 2^-53 each), so the estimate less one is
  // never above the true quotient; the exact remainder then corrects it upwards.
  const bu = bhi >>> 0;
  let q = Math.floor((au * TWO32 + al) / (bu * TWO32 + bl)) - 1;
  if (q < 0) q = 0;
  // r = a - q*b, exact: q*b <= a, so the difference is in [0, a]
  const plo = Math.imul(q, bl),
    phi = (umulhi(q, bl) + Math.imul(q, bu)) | 0;
  let lo = al - (plo >>> 0);
  let hi = (ahi - phi - (lo < 0 ? 1 : 0)) | 0;
  lo |= 0;
  // at most three steps: while r >= b, r -= b
  while (hi >>> 0 > bu || (hi >>> 0 === bu && lo >>> 0 >= bl)) {
    const l = (lo >>> 0) - bl;
    hi = (hi - bhi - (l < 0 ? 1 : 0)) | 0;
    lo = l | 0;
    q++;
  }
  QR[0] = q | 0;
  QR[1] = 0;
  QR[2] = lo;
  QR[3] = hi;
}

/** R[d..] = R[d..] / b (unsigned); division by zero gives 0. */
export function udiv64(R: Int32Array, d: number, blo: number, bhi: number): void {
  if (blo === 0 && bhi === 0) {
    R[d] = 0;
    R[d + 1] = 0;
    return;
  }
  udivmod(R[d]!, R[d + 1]!, blo, bhi);
  R[d] = QR[0]!;
  R[d + 1] = QR[1]!;
}

/** R[d..] = R[d..] % b (unsigned); modulo by zero leaves the dividend. */
export function umod64(R: Int32Array, d: number, blo: number, bhi: number): void {
  if (blo === 0 && bhi === 0) return;
  udivmod(R[d]!, R[d + 1]!, blo, bhi);
  R[d] = QR[2]!;
  R[d + 1] = QR[3]!;
}

/** Signed division: by zero gives 0, INT64_MIN / -1 gives INT64_MIN. */
export function sdiv64(R: Int32Array, d: number, blo: number, bhi: number): void {
  if (blo === 0 && bhi === 0) {
    R[d] = 0;
    R[d + 1] = 0;
    return;
  }
  let alo = R[d]!,
    ahi = R[d + 1]!;
  const negA = ahi < 0,
    negB = bhi < 0;
  if (negA) {
    alo = -alo | 0;
    ahi = (~ahi + (alo === 0 ? 1 : 0)) | 0;
  }
  if (negB) {
    blo = -blo | 0;
    bhi = (~bhi + (blo === 0 ? 1 : 0)) | 0;
  }
  udivmod(alo, ahi, blo, bhi);
  if (negA !== negB) {
    R[d] = -QR[0]! | 0;
    R[d + 1] = (~QR[1]! + (QR[0] === 0 ? 1 : 0)) | 0;
  } else {
    R[d] = QR[0]!;
    R[d + 1] = QR[1]!;
  }
}

/** Signed modulo (sign of the dividend): by zero leaves the dividend. */
export function smod64(R: Int32Array, d: number, blo: number, bhi: number): void {
  if (blo === 0 && bhi === 0) return;
  let alo = R[d]!,
    ahi = R[d + 1]!;
  const negA = ahi < 0;
  if (negA) {
    alo = -alo | 0;
    ahi = (~ahi + (alo === 0 ? 1 : 0)) | 0;
  }
  if (bhi < 0) {
    blo = -blo | 0;
    bhi = (~bhi + (blo === 0 ? 1 : 0)) | 0;
  }
  udivmod(alo, ahi, blo, bhi);
  if (negA) {
    R[d] = -QR[2]! | 0;
    R[d + 1] = (~QR[3]! + (QR[2] === 0 ? 1 : 0)) | 0;
  } else {
    R[d] = QR[2]!;
    R[d + 1] = QR[3]!;
  }
}

export function bswap16(x: number): number {
  return ((x & 0xff) << 8) | ((x >>> 8) & 0xff);
}

export function bswap32(x: number): number {
  return ((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24);
}

/** The words of a u64/i64 bigint. */
export function splitBig(v: bigint): [lo: number, hi: number] {
  const u = BigInt.asUintN(64, v);
  return [Number(u & 0xffffffffn) | 0, Number(u >> 32n) | 0];
}

export function joinBig(lo: number, hi: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

export { TWO32 };
