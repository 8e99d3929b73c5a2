// CPU sets from sysfs. Per-CPU maps hold one value per *possible* CPU (not online), in the order
// of the possible mask, so the value buffers are sized from this.
import { readFileSync } from "node:fs";

/** Parses a kernel CPU list such as "0-3", "0,2-3" or "" into ascending CPU numbers. */
export function parseCpuList(text: string): number[] {
  const cpus: number[] = [];
  for (const part of text.trim().split(",")) {
    if (part === "") continue;
    const [from, to] = part.split("-");
    const first = Number(from);
    const last = to === undefined ? first : Number(to);
    if (!Number.isInteger(first) || !Number.isInteger(last) || last < first) throw new Error(`bad CPU list: "${text}"`);
    for (let cpu = first; cpu <= last; cpu++) cpus.push(cpu);
  }
  return cpus;
}

let possible: readonly number[] | undefined;

/** CPUs that may ever exist on this machine (cached: the set cannot change while we run). */
export function possibleCpus(): readonly number[] {
  possible ??= Object.freeze(parseCpuList(readFileSync("/sys/devices/system/cpu/possible", "utf8")));
  return possible;
}

/** How many values a per-CPU map holds per key. */
export function possibleCpuCount(): number {
  return possibleCpus().length;
}

/** CPUs online now (not cached: CPUs can be hot-plugged). */
export function onlineCpus(): number[] {
  return parseCpuList(readFileSync("/sys/devices/system/cpu/online", "utf8"));
}
