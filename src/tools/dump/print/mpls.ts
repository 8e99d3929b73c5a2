// MPLS label stacks (RFC 3032) as tcpdump prints them: "MPLS (label 16, tc 0, [S], ttl 64)" per
// entry, then the packet under the stack. MPLS carries no protocol field: the reserved labels and
// the first byte after the stack (an IP version nibble or an OSI NLPID) say what follows.

import { be32, printInvalidRest, u8, type PrintContext } from "./context.js";
import { encapsulated } from "./encapsulated.js";
import { osiPrint } from "./isis.js";
import { defaultPrint } from "./unknown.js";

/** Names of the reserved labels 0-15, shown with -v. */
const RESERVED_LABEL_NAMES = [
  "IPv4 explicit NULL",
  "router alert",
  "IPv6 explicit NULL",
  "implicit NULL",
  ...Array<string>(12).fill("rsvd"),
];

const LABEL_IPV4_EXPLICIT_NULL = 0;
const LABEL_IPV6_EXPLICIT_NULL = 2;
const LABEL_IMPLICIT_NULL = 3;

const enum Payload {
  Unknown,
  IPv4,
  IPv6,
  OSI,
}

/** What the first payload byte says follows a stack ending in a label without a meaning of its own. */
function guessPayload(first: number): Payload {
  if (first >= 0x45 && first <= 0x4f) return Payload.IPv4;
  if (first >= 0x60 && first <= 0x6f) return Payload.IPv6;
  if (first >= 0x81 && first <= 0x83) return Payload.OSI;
  return Payload.Unknown;
}

export function mplsPrint(c: PrintContext, at: number, length: number): void {
  c.protocol = "mpls";
  c.out += "MPLS";
  const verbose = c.flags.verbose;
  let p = at;
  let entry = 0;
  let depth = 0;
  do {
    if (length < 4) {
      printInvalidRest(c, p, length);
      return;
    }
    entry = be32(c, p);
    const label = entry >>> 12;
    c.out += (depth > 0 && verbose ? "\n\t" : " ") + "(label " + label;
    depth++;
    if (verbose && label < RESERVED_LABEL_NAMES.length) c.out += " (" + RESERVED_LABEL_NAMES[label] + ")";
    c.out += ", tc " + ((entry >>> 9) & 7);
    if (entry & 0x100) c.out += ", [S]";
    c.out += ", ttl " + (entry & 0xff) + ")";
    p += 4;
    length -= 4;
  } while ((entry & 0x100) === 0);

  const label = entry >>> 12;
  let payload: Payload;
  if (label === LABEL_IPV4_EXPLICIT_NULL || label === LABEL_IMPLICIT_NULL) payload = Payload.IPv4;
  else if (label === LABEL_IPV6_EXPLICIT_NULL) payload = Payload.IPv6;
  else {
    if (length < 1) return;
    payload = guessPayload(u8(c, p));
  }
  if (payload === Payload.Unknown) {
    defaultPrint(c, p, length);
    return;
  }
  c.out += verbose ? "\n\t" : " ";
  if (payload === Payload.IPv4) encapsulated().ipv4(c, p, length);
  else if (payload === Payload.IPv6) encapsulated().ipv6(c, p, length);
  else if (!osiPrint(c, p, length)) c.markUnsupported("mpls osi");
}
