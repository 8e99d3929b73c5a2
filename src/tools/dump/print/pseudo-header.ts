// The pseudo-headers of TCP, UDP and ICMPv6 checksums (RFC 793, RFC 8200 section 8.1): source,
// final destination (after source routes and routing headers), length and protocol.

import { check, has, u8, type PrintContext } from "./context.js";

const IPOPT_EOL = 0;
const IPOPT_NOP = 1;
const IPOPT_LSRR = 131;
const IPOPT_SSRR = 137;

const NH_HOPOPTS = 0;
const NH_ROUTING = 43;
const NH_FRAGMENT = 44;
const NH_DSTOPTS = 60;
const NH_MOBILITY_OLD = 62;
const NH_MOBILITY = 135;

/**
 * Offset of the destination address the transport checksum covers: the last hop of a source
 * route option when there is one, else the header's destination.
 */
function ipFinalDestination(c: PrintContext, ipAt: number): number {
  const hl = (u8(c, ipAt) & 0x0f) * 4;
  if (hl < 20) return ipAt + 16;
  let length = hl - 20;
  let at = ipAt + 20;
  while (length !== 0) {
    const tt = u8(c, at);
    let len: number;
    if (tt === IPOPT_EOL) break;
    else if (tt === IPOPT_NOP) len = 1;
    else {
      len = u8(c, at + 1);
      if (len < 2) break;
    }
    if (length < len) break;
    if (!has(c, at, len)) break;
    if ((tt === IPOPT_SSRR || tt === IPOPT_LSRR) && len >= 7) {
      check(c, at + len - 4, 4);
      return at + len - 4;
    }
    at += len;
    length -= len;
  }
  check(c, ipAt + 16, 4);
  return ipAt + 16;
}

/** Pseudo-header sum for a transport checksum over IPv4. */
export function ipv4PseudoSum(c: PrintContext, ipAt: number, length: number, proto: number): number {
  const hl = u8(c, ipAt) & 0x0f;
  const dst = hl === 5 ? ipAt + 16 : ipFinalDestination(c, ipAt);
  check(c, ipAt + 12, 4);
  check(c, dst, 4);
  const b = c.bytes;
  let sum = ((b[ipAt + 12]! << 8) | b[ipAt + 13]!) + ((b[ipAt + 14]! << 8) | b[ipAt + 15]!);
  sum += ((b[dst]! << 8) | b[dst + 1]!) + ((b[dst + 2]! << 8) | b[dst + 3]!);
  sum += proto + (length & 0xffff);
  return sum;
}

/** Offset of the final destination (last routing-header segment) for transport checksums. */
function finalDestination(c: PrintContext, ipAt: number): number {
  let cp = ipAt;
  let advance = 40;
  let nh = u8(c, ipAt + 6);
  let dst = ipAt + 24;
  loop: while (cp < c.snapend) {
    cp += advance;
    switch (nh) {
      case NH_HOPOPTS:
      case NH_DSTOPTS:
      case NH_MOBILITY_OLD:
      case NH_MOBILITY:
        advance = (u8(c, cp + 1) + 1) << 3;
        nh = u8(c, cp);
        break;
      case NH_FRAGMENT:
        advance = 8;
        nh = u8(c, cp);
        break;
      case NH_ROUTING: {
        if (!has(c, cp, 4)) break loop;
        let len = u8(c, cp + 1);
        const type = u8(c, cp + 2);
        if (type === 0 || type === 2) {
          if (len % 2 === 1) break loop;
          len >>= 1;
          let p = cp + 8;
          for (let i = 0; i < len; i++) {
            if (!has(c, p, 16)) break loop;
            dst = p;
            p += 16;
          }
        } else if (type === 4) {
          if (len % 2 === 1) break loop;
          if (!has(c, cp + 8, 16)) break loop;
          dst = cp + 8;
        }
        break loop;
      }
      default:
        break loop;
    }
  }
  check(c, dst, 16);
  return dst;
}

/** Pseudo-header sum for a transport checksum over IPv6. */
export function ipv6PseudoSum(c: PrintContext, ipAt: number, length: number, nextHeader: number): number {
  check(c, ipAt + 8, 16);
  const nh = u8(c, ipAt + 6);
  let dst = ipAt + 24;
  if (
    nh === NH_HOPOPTS ||
    nh === NH_DSTOPTS ||
    nh === NH_MOBILITY_OLD ||
    nh === NH_MOBILITY ||
    nh === NH_FRAGMENT ||
    nh === NH_ROUTING
  )
    dst = finalDestination(c, ipAt);
  else check(c, dst, 16);
  const b = c.bytes;
  let sum = 0;
  for (let i = 0; i < 16; i += 2) {
    sum += (b[ipAt + 8 + i]! << 8) | b[ipAt + 9 + i]!;
    sum += (b[dst + i]! << 8) | b[dst + i + 1]!;
  }
  sum += (length >>> 16) + (length & 0xffff) + nextHeader;
  return sum;
}
