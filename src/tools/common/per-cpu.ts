// Packet/byte counters kept per CPU in the kernel (no atomics on the hot path), summed here.
import type { KeyValueMap } from "../../maps/index.js";
import { NotSupportedError, SyscallError } from "../../sys/errors.js";

export interface Traffic {
  packets: bigint;
  bytes: bigint;
}

/** Sums a per-CPU map's values, reading it with one batch where the kernel can. */
export function readPerCpu<K>(map: KeyValueMap<K, Traffic[]>): [K, Traffic][] {
  let entries: [K, Traffic[]][];
  try {
    entries = map.lookupBatch();
  } catch (err) {
    if (!(err instanceof NotSupportedError) && !(err instanceof SyscallError)) throw err;
    entries = [...map.entries()];
  }
  return entries.map(([key, perCpu]) => {
    let packets = 0n,
      bytes = 0n;
    for (const c of perCpu) {
      packets += c.packets;
      bytes += c.bytes;
    }
    return [key, { packets, bytes }];
  });
}
