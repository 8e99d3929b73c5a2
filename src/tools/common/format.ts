// Human-readable numbers for the tools' tables: SI prefixes for rates and sizes, exact integers
// for counts, clock times for headers.

const SI = ["", "k", "M", "G", "T", "P", "E"];

/** A number scaled to an SI prefix: 1234567 → [1.23, "M"]; below 1000 → [value, ""]. */
function siScale(value: number | bigint): [number, string] {
  let n = typeof value === "bigint" ? Number(value) : value;
  if (!Number.isFinite(n)) return [n, ""];
  let unit = 0;
  while (Math.abs(n) >= 999.995 && unit < SI.length - 1) {
    n /= 1000;
    unit++;
  }
  return [n, SI[unit]!];
}

function fixed(n: number, decimals: number, exactIntegers: boolean): string {
  if (!Number.isFinite(n)) return String(n);
  const a = Math.abs(n);
  const digits = exactIntegers && Number.isInteger(n) ? 0 : a >= 100 ? 0 : a >= 10 ? Math.min(1, decimals) : decimals;
  return n.toFixed(digits);
}

/** 1234567 → "1.23M"; values below 1000 print as they are (rounded to `decimals` when fractional). */
export function siNumber(value: number | bigint, decimals = 2): string {
  const [n, prefix] = siScale(value);
  return `${fixed(n, decimals, prefix === "")}${prefix}`;
}

/** Bytes in SI units: "512 B", "1.50 kB", "3.20 MB". */
export function formatBytes(bytes: number | bigint): string {
  const [n, prefix] = siScale(bytes);
  return `${fixed(n, 2, prefix === "")} ${prefix}B`;
}

/** A byte rate as bits per second: "7.84 kbit/s". */
export function formatBitRate(bytesPerSecond: number): string {
  const [n, prefix] = siScale(bytesPerSecond * 8);
  return `${fixed(n, 2, true)} ${prefix}bit/s`;
}

/** A packet (or event) rate: "12.5", "1.20k". */
export function formatRate(perSecond: number): string {
  return siNumber(perSecond, perSecond < 10 ? 1 : 2);
}

/** "HH:MM:SS" in local time. */
export function clockTime(date: Date = new Date()): string {
  const pad = (n: number): string => String(n).padStart(2, "0");
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/** Seconds as "42.0 s", "3 min 05 s", "2 h 01 min". */
export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const s = Math.floor(seconds);
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, "0")} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")} min`;
}
