// Numbers as decimal text without V8's number-to-string cache. `"" + n` stores each new string in
// that cache, which lives in the old generation: a number seen once (a sequence number, a
// timestamp's fraction, a DNS id) is then kept alive through two scavenges and promoted, and
// reading a large capture promoted ~55 MB of such strings, growing the old generation by 8 MB
// between mark-compacts. Built from three-digit groups, the strings die young, and faster.

const GROUP: string[] = [];
const GROUP3: string[] = [];
for (let i = 0; i < 1000; i++) {
  const s = "" + i;
  GROUP.push(s);
  GROUP3.push("000".slice(s.length) + s);
}

/** An unsigned 32-bit integer in decimal (any other number as JavaScript prints it). */
export function decimal(n: number): string {
  if (!(n >= 0 && n <= 0xffffffff) || n !== Math.floor(n)) return "" + n;
  if (n < 1000) return GROUP[n]!;
  const a = Math.floor(n / 1000);
  const low = GROUP3[n - a * 1000]!;
  if (a < 1000) return GROUP[a]! + low;
  const b = Math.floor(a / 1000);
  const mid = GROUP3[a - b * 1000]!;
  if (b < 1000) return GROUP[b]! + mid + low;
  const c = Math.floor(b / 1000);
  return GROUP[c]! + GROUP3[b - c * 1000]! + mid + low;
}

/** A fraction of a second zero-padded to 6 or 9 digits (printf's %06u, %09u). */
export function fractionDigits(n: number, digits: 6 | 9): string {
  if (!(n >= 0 && n < (digits === 6 ? 1e6 : 1e9)) || n !== Math.floor(n)) {
    const s = "" + n;
    return s.length >= digits ? s : "000000000".slice(0, digits - s.length) + s;
  }
  const a = Math.floor(n / 1000);
  const low = GROUP3[n - a * 1000]!;
  const b = Math.floor(a / 1000);
  const six = GROUP3[a - b * 1000]! + low;
  return digits === 6 ? six : GROUP3[b]! + six;
}
