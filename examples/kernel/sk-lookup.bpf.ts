// sk_lookup in kernel TypeScript: every TCP connection to a port in firstPort … lastPort of the
// network namespace goes to the one listening socket stored in `listener`, whatever port that
// socket is bound to — one server for a whole port range. Attach it to a namespace
// (SkLookupProgram.attach(netns)) and store the listener with `listener.set(0, socketFd)`.
import { skLookup, SockMap, ArrayMap, u32, u64, IPPROTO_TCP, SK_PASS, SK_DROP } from "tsbpf/kernel";

/** Set before loading: the port range to steer. */
export const firstPort: u32 = 0;
export const lastPort: u32 = 0;

/** Slot 0: the listening socket that serves the range. */
export const listener = new SockMap({ maxEntries: 1 });

/** [0] connections steered, [1] refused because no listener was stored. */
export const counters = new ArrayMap({ value: u64, maxEntries: 2 });
const STEERED = 0;
const NO_LISTENER = 1;

export const steer = skLookup((ctx) => {
  if (ctx.protocol !== IPPROTO_TCP) return SK_PASS;
  const port = ctx.localPort;
  if (port < firstPort || port > lastPort) return SK_PASS; // the kernel looks the socket up as usual
  if (ctx.assign(listener, 0) === 0) {
    counters.increment(STEERED);
    return SK_PASS;
  }
  counters.increment(NO_LISTENER);
  return SK_DROP; // the client gets a connection refused
});
