// Two network namespaces joined by a veth pair, for tests that send real packets. Names carry
// this process's pid, so a later run can tell the leftovers of a killed run (dead pid) from the
// namespaces of a run still going, and remove only the former.
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { NETNS_RUN_DIR, withNetns } from "../../src/sys/netns.js";

export const NETNS_PREFIX = "tsbpf-";
const OURS = /^tsbpf-(\d+)-\d+[ab]$/;

let counter = 0;

/** One side of the pair: a namespace with one veth end and an address on it. */
export interface NetnsEnd {
  /** The namespace name (under /run/netns). */
  readonly name: string;
  /** /run/netns/NAME, for nsenter --net= and setns. */
  readonly path: string;
  /** The veth end inside this namespace. */
  readonly ifname: string;
  /** IPv4 address without prefix length. */
  readonly address: string;
}

export interface RunOptions {
  /** Do not throw when the command exits non-zero. */
  allowFailure?: boolean;
  timeoutMs?: number;
}

function run(cmd: string, args: string[], options: RunOptions = {}): SpawnSyncReturns<string> {
  const result = spawnSync(cmd, args, { encoding: "utf8", timeout: options.timeoutMs ?? 30_000 });
  if (result.error) throw result.error;
  if (result.status !== 0 && !options.allowFailure) {
    throw new Error(
      `${cmd} ${args.join(" ")} exited with ${result.status ?? result.signal}: ${result.stderr.trim() || result.stdout.trim()}`,
    );
  }
  return result;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Deletes namespaces with our prefix left behind by test processes that no longer run. */
export function cleanupStaleNamespaces(): string[] {
  if (!existsSync(NETNS_RUN_DIR)) return [];
  const removed: string[] = [];
  for (const name of readdirSync(NETNS_RUN_DIR)) {
    const match = OURS.exec(name);
    if (!match || pidAlive(Number(match[1]))) continue;
    run("ip", ["netns", "del", name], { allowFailure: true });
    removed.push(name);
  }
  return removed;
}

/** Runs a command inside a namespace (nsenter --net=…: unlike `ip netns exec`, /sys stays as it is). */
export function runIn(
  end: NetnsEnd | string,
  cmd: string,
  args: string[],
  options: RunOptions = {},
): SpawnSyncReturns<string> {
  const path = typeof end === "string" ? `${NETNS_RUN_DIR}/${end}` : end.path;
  return run("nsenter", [`--net=${path}`, cmd, ...args], options);
}

/**
 * Namespaces "a" and "b" with veth ends "veth0" (in a) and "veth1" (in b), addresses
 * 10.X.Y.1/24 and 10.X.Y.2/24 (unique per pair in this process), everything up.
 */
export class VethPair implements Disposable {
  readonly a: NetnsEnd;
  readonly b: NetnsEnd;
  #deleted = false;

  private constructor(a: NetnsEnd, b: NetnsEnd) {
    this.a = a;
    this.b = b;
  }

  static create(): VethPair {
    cleanupStaleNamespaces();
    const n = ++counter;
    const base = `${NETNS_PREFIX}${process.pid}-${n}`;
    const x = 100 + (process.pid % 100),
      y = n % 256;
    const a: NetnsEnd = {
      name: `${base}a`,
      path: `${NETNS_RUN_DIR}/${base}a`,
      ifname: "veth0",
      address: `10.${x}.${y}.1`,
    };
    const b: NetnsEnd = {
      name: `${base}b`,
      path: `${NETNS_RUN_DIR}/${base}b`,
      ifname: "veth1",
      address: `10.${x}.${y}.2`,
    };
    const pair = new VethPair(a, b);
    try {
      run("ip", ["netns", "add", a.name]);
      run("ip", ["netns", "add", b.name]);
      run("ip", ["link", "add", a.ifname, "netns", a.name, "type", "veth", "peer", "name", b.ifname, "netns", b.name]);
      for (const end of [a, b]) {
        runIn(end, "ip", ["addr", "add", `${end.address}/24`, "dev", end.ifname]);
        runIn(end, "ip", ["link", "set", end.ifname, "up"]);
        runIn(end, "ip", ["link", "set", "lo", "up"]);
      }
    } catch (err) {
      pair.delete();
      throw err;
    }
    return pair;
  }

  /** The other end of `end`. */
  peer(end: NetnsEnd): NetnsEnd {
    return end === this.a ? this.b : this.a;
  }

  run(end: NetnsEnd, cmd: string, args: string[], options?: RunOptions): SpawnSyncReturns<string> {
    return runIn(end, cmd, args, options);
  }

  /** Runs `fn` with this thread inside `end`'s namespace (setns), synchronously. */
  within<T>(end: NetnsEnd, fn: () => T): T {
    return withNetns(end.path, fn);
  }

  /** `ping -c count` from `from` to the other end; throws unless every echo was answered. */
  ping(from: NetnsEnd, count: number, options: RunOptions = {}): SpawnSyncReturns<string> {
    const to = this.peer(from);
    return this.run(from, "ping", ["-n", "-q", "-c", String(count), "-i", "0.2", "-W", "2", to.address], options);
  }

  delete(): void {
    if (this.#deleted) return;
    this.#deleted = true;
    for (const end of [this.a, this.b]) run("ip", ["netns", "del", end.name], { allowFailure: true });
  }

  [Symbol.dispose](): void {
    this.delete();
  }
}

/** A pair removed when the test ends, pass or fail. */
export function vethPairFor(t: { after(fn: () => void): void }): VethPair {
  const pair = VethPair.create();
  t.after(() => pair.delete());
  return pair;
}

/** IPv4 and IPv6 addresses of the two ends of a pair made by vethPairWithV6For. */
export interface PairAddresses {
  a4: string;
  b4: string;
  a6: string;
  b6: string;
}

/** A pair like vethPairFor's with IPv6 addresses too (no duplicate address detection, so they work at once). */
export function vethPairWithV6For(t: { after(fn: () => void): void }): { pair: VethPair; addr: PairAddresses } {
  const pair = vethPairFor(t);
  const prefix = `fd00:${(process.pid % 0xffff).toString(16)}:${pair.a.address.split(".")[2]}`;
  const addr = { a4: pair.a.address, b4: pair.b.address, a6: `${prefix}::1`, b6: `${prefix}::2` };
  pair.run(pair.a, "ip", ["-6", "addr", "add", `${addr.a6}/64`, "dev", pair.a.ifname, "nodad"]);
  pair.run(pair.b, "ip", ["-6", "addr", "add", `${addr.b6}/64`, "dev", pair.b.ifname, "nodad"]);
  return { pair, addr };
}
