// The kernel side: a socket filter that drops every datagram starting with a marker byte (by
// default "#", for comment lines) before the socket receives it, and counts what it keeps and
// drops. User space may change the marker before loading (`marker`, a read-only constant).
import { socketFilter, ArrayMap, u8, u64 } from "tsbpf/kernel";

/** First byte of the datagrams to drop. */
export const marker: u8 = 0x23; // "#"

export const KEPT = 0;
export const DROPPED = 1;

/** Index KEPT / DROPPED → datagrams. */
export const verdicts = new ArrayMap({ value: u64, maxEntries: 2 });

export const dropMarked = socketFilter((ctx) => {
  const first = ctx.load(u8, 0);
  if (first !== null && first === marker) {
    verdicts.increment(DROPPED);
    return 0; // keep 0 bytes: drop it
  }
  verdicts.increment(KEPT);
  return ctx.len; // keep all of it
});
