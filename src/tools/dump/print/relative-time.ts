// Durations in seconds as tcpdump prints them in protocol fields (TTLs, hold times): "1d2h3m4s".

/** Seconds as tcpdump's "1d2h3m4s" (0 is "0s"). */
export function relativeTime(secs: number): string {
  if (secs === 0) return "0s";
  let s = "";
  for (const [unit, size] of TIME_UNITS) {
    if (secs >= size) {
      const n = Math.floor(secs / size);
      s += n + unit;
      secs -= n * size;
    }
  }
  return s;
}
const TIME_UNITS: [string, number][] = [
  ["y", 31536000],
  ["w", 604800],
  ["d", 86400],
  ["h", 3600],
  ["m", 60],
  ["s", 1],
];
