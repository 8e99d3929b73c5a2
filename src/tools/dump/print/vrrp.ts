// VRRP (RFC 3768 version 2, RFC 5798 version 3): "VRRPv2, Advertisement, vrid 1, prio 100, authtype
// none, intvl 1s, length 20", with -v the checksum verdict, the virtual addresses and a simple
// password.

import { be16, finishChecksum, has, onesComplementSum, u8, type PrintContext } from "./context.js";
import { ipv4String, ipv6String } from "./addr.js";
import { ipv4PseudoSum, ipv6PseudoSum } from "./pseudo-header.js";
import { printableChar } from "./unknown.js";

const ADVERTISEMENT = 1;
const AUTH_SIMPLE = 1;
const AUTH_TYPES = ["none", "simple", "ah"];
const IPPROTO_VRRP = 112;
const PASSWORD_LENGTH = 8;

/** `ipAt` is the enclosing IPv4 or IPv6 header (version `ipVersion`), `ttl` its TTL or hop limit. */
export function vrrpPrint(
  c: PrintContext,
  at: number,
  length: number,
  ipAt: number,
  ipVersion: 4 | 6,
  ttl: number,
): void {
  c.protocol = "vrrp";
  c.out += "VRRP";
  const version = u8(c, at) >> 4;
  const type = u8(c, at) & 0xf;
  c.out += "v" + version + ", " + (type === ADVERTISEMENT ? "Advertisement" : "unknown type (" + type + ")");
  if (ttl !== 255) c.out += ", (ttl " + ttl + ")";
  if (version < 2 || version > 3 || type !== ADVERTISEMENT) return;
  c.out += ", vrid " + u8(c, at + 1) + ", prio " + u8(c, at + 2);
  let authType = 0;
  if (version === 2) {
    authType = u8(c, at + 4);
    c.out += ", authtype " + (AUTH_TYPES[authType] ?? "#" + authType);
    c.out += ", intvl " + u8(c, at + 5) + "s, length " + length;
  } else {
    const interval = ((u8(c, at + 4) & 0x0f) << 8) | u8(c, at + 5);
    c.out += ", intvl " + interval + "cs, length " + length;
  }
  if (!c.flags.verbose) return;

  const count = u8(c, at + 3);
  if (has(c, at, length)) {
    // Version 2 sums the message alone; version 3 adds the IP pseudo-header.
    const initial =
      version === 2
        ? 0
        : ipVersion === 4
          ? ipv4PseudoSum(c, ipAt, length, IPPROTO_VRRP)
          : ipv6PseudoSum(c, ipAt, length, IPPROTO_VRRP);
    if (finishChecksum(onesComplementSum(c, at, length, initial)) !== 0)
      c.out += ", (bad vrrp cksum " + be16(c, at + 6).toString(16) + ")";
  }
  c.out += ", addrs";
  if (count > 1) c.out += "(" + count + ")";
  c.out += ":";
  let p = at + 8;
  for (let i = 0; i < count; i++) {
    c.out += (i === 0 ? " " : ",") + (ipVersion === 4 ? ipv4String(c, p) : ipv6String(c, p));
    p += ipVersion === 4 ? 4 : 16;
  }
  if (version === 2 && authType === AUTH_SIMPLE) {
    // Zero-padded to eight bytes.
    c.out += ' auth "';
    for (let i = 0; i < PASSWORD_LENGTH; i++) {
      const ch = u8(c, p + i);
      if (ch === 0) break;
      c.out += printableChar(ch);
    }
    c.out += '"';
  }
}
