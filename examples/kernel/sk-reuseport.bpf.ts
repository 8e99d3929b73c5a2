// sk_reuseport in kernel TypeScript: a group of UDP sockets bound to one port with SO_REUSEPORT,
// and a program that sends each datagram to the socket whose index is the datagram's first byte
// (datagrams naming no socket of the group go where the kernel's hash sends them). Store the
// sockets with `sockets.set(i, fd)` and attach with SkReuseportProgram.attach(anySocketOfTheGroup).
import { skReuseport, ReuseportSockArray, ArrayMap, u8, u32, u64, IPPROTO_UDP, SK_PASS, SK_DROP } from "tsbpf/kernel";

/** Set before loading: how many sockets the group has (indexes 0 … groupSize-1). */
export const groupSize: u32 = 0;

export const sockets = new ReuseportSockArray({ maxEntries: 16 });

/** Datagrams sent to each socket by the program. */
export const selected = new ArrayMap({ value: u64, maxEntries: 16 });

const UDP_HEADER = 8;

export const byFirstByte = skReuseport((ctx) => {
  if (ctx.ipProtocol !== IPPROTO_UDP) return SK_PASS;
  const first = ctx.load(u8, UDP_HEADER); // the packet starts at the UDP header
  if (first === null) return SK_PASS; // an empty datagram: the kernel's choice
  const index: u32 = first;
  if (index >= groupSize) return SK_PASS;
  if (ctx.selectSocket(sockets, index) !== 0) return SK_DROP; // a slot left empty: refuse
  selected.increment(index);
  return SK_PASS;
});
