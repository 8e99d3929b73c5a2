// ARP and RARP (RFC 826, RFC 903), inverse ARP, and ATM ARP (RFC 2225): "who-has X tell Y",
// "X is-at MAC", with tcpdump's handling of odd hardware/protocol lengths.

import { be16, check, u8, type PrintContext } from "./context.js";
import { hex4, ipv4String, linkAddrString } from "./addr.js";
import { ethertypeName } from "./names.js";
import { hexAndAsciiPrint } from "./unknown.js";

const ARPHRD_FRELAY = 15;
const ARPHRD_ATM2225 = 19;

const OP_REQUEST = 1;
const OP_REPLY = 2;
const OP_REVREQUEST = 3;
const OP_REVREPLY = 4;
const OP_INVREQUEST = 8;
const OP_INVREPLY = 9;
const OP_NAK = 10;

const ETHERTYPE_IP = 0x0800;
const ETHERTYPE_TRAIL = 0x1000;

const OP_NAMES: ReadonlyMap<number, string> = new Map([
  [1, "Request"],
  [2, "Reply"],
  [3, "Reverse Request"],
  [4, "Reverse Reply"],
  [8, "Inverse Request"],
  [9, "Inverse Reply"],
  [10, "NACK Reply"],
]);

const HARDWARE_NAMES: ReadonlyMap<number, string> = new Map([
  [1, "Ethernet"],
  [6, "TokenRing"],
  [7, "ArcNet"],
  [15, "FrameRelay"],
  [23, "Strip"],
  [24, "IEEE 1394"],
  [19, "ATM"],
  [32, "InfiniBand"],
]);

function opName(op: number): string {
  return OP_NAMES.get(op) ?? "Unknown (" + op + ")";
}

function hardwareName(hrd: number): string {
  return HARDWARE_NAMES.get(hrd) ?? "Unknown Hardware (" + hrd + ")";
}

function protocolName(pro: number): string {
  return ethertypeName(pro) ?? "Unknown Protocol (0x" + hex4(pro) + ")";
}

function isIpProtocol(pro: number): boolean {
  return pro === ETHERTYPE_IP || pro === ETHERTYPE_TRAIL;
}

export function arpPrint(c: PrintContext, at: number, length: number, caplen: number): void {
  c.protocol = "arp";
  check(c, at, 8);
  const hrd = be16(c, at);
  const pro = be16(c, at + 2);
  const op = be16(c, at + 6);

  if (hrd === ARPHRD_ATM2225) {
    atmArpPrint(c, at, length, caplen);
    return;
  }
  if (hrd === ARPHRD_FRELAY) c.markUnsupported("frame relay ARP");

  const hln = u8(c, at + 4);
  const pln = u8(c, at + 5);
  const sha = at + 8;
  const spa = sha + hln;
  const tha = spa + pln;
  const tpa = tha + hln;
  check(c, tpa, pln);

  if (!c.flags.linkHeader) c.out += "ARP, ";
  const v = c.flags.verbose;
  if (!isIpProtocol(pro) || pln !== 4 || hln === 0 || v) {
    c.out += hardwareName(hrd) + " (len " + hln + "), " + protocolName(pro) + " (len " + pln + ")";
    if (!v) {
      c.out += ", length " + length;
      return;
    }
  }
  c.out += (v ? ", " : "") + opName(op) + " ";

  const paddr = (addrAt: number): string => {
    if (!isIpProtocol(pro)) return "<wrong proto type>";
    if (pln !== 4) return "<wrong len>";
    return ipv4String(c, addrAt);
  };

  switch (op) {
    case OP_REQUEST: {
      c.out += "who-has " + paddr(tpa);
      let nonzero = false;
      for (let i = 0; i < hln; i++)
        if (u8(c, tha + i) !== 0) {
          nonzero = true;
          break;
        }
      if (nonzero) c.out += " (" + linkAddrString(c, tha, hln) + ")";
      c.out += " tell " + paddr(spa);
      break;
    }
    case OP_REPLY:
      c.out += paddr(spa);
      c.out += " is-at " + linkAddrString(c, sha, hln);
      break;
    case OP_REVREQUEST:
    case OP_INVREQUEST:
      c.out += "who-is " + linkAddrString(c, tha, hln);
      c.out += " tell " + linkAddrString(c, sha, hln);
      break;
    case OP_REVREPLY:
      c.out += linkAddrString(c, tha, hln) + " at ";
      c.out += paddr(tpa);
      break;
    case OP_INVREPLY:
      c.out += linkAddrString(c, sha, hln) + " at ";
      c.out += paddr(spa);
      break;
    default:
      hexAndAsciiPrint(c, "\n\t", at, caplen);
      return;
  }
  c.out += ", length " + length;
}

function atmArpPrint(c: PrintContext, at: number, length: number, caplen: number): void {
  check(c, at, 12);
  const hrd = be16(c, at);
  const pro = be16(c, at + 2);
  const op = be16(c, at + 6);
  const shln = u8(c, at + 4) & 0x3f;
  const ssln = u8(c, at + 5) & 0x3f;
  const spln = u8(c, at + 8);
  const thln = u8(c, at + 9) & 0x3f;
  const tsln = u8(c, at + 10) & 0x3f;
  const tpln = u8(c, at + 11);
  const sha = at + 12;
  const ssa = sha + shln;
  const spa = ssa + ssln;
  const tha = spa + spln;
  const tsa = tha + thln;
  const tpa = tsa + tsln;
  check(c, tpa, tpln);

  if (!c.flags.linkHeader) c.out += "ARP, ";
  const v = c.flags.verbose;
  if (!isIpProtocol(pro) || spln !== 4 || tpln !== 4 || v) {
    c.out += hardwareName(hrd) + ", " + protocolName(pro) + " (len " + spln + "/" + tpln + ")";
    if (!v) {
      c.out += ", length " + length;
      return;
    }
  }
  c.out += (v ? ", " : "") + opName(op) + " ";

  const atmAddr = (ha: number, haLen: number, sa: number, saLen: number): string => {
    if (haLen === 0) return "<No address>";
    let s = linkAddrString(c, ha, haLen);
    if (saLen !== 0) s += "," + linkAddrString(c, sa, saLen);
    return s;
  };
  const tpaddr = (): string => {
    if (!isIpProtocol(pro)) return "<wrong proto type>";
    if (tpln !== 4) return "<wrong tplen>";
    return ipv4String(c, tpa);
  };
  const spaddr = (): string => {
    if (!isIpProtocol(pro)) return "<wrong proto type>";
    if (spln !== 4) return "<wrong splen>";
    return ipv4String(c, spa);
  };

  switch (op) {
    case OP_REQUEST:
      c.out += "who-has " + tpaddr();
      if (thln !== 0) c.out += " (" + atmAddr(tha, thln, tsa, tsln) + ")";
      c.out += " tell " + spaddr();
      break;
    case OP_REPLY:
      c.out += spaddr() + " is-at " + atmAddr(sha, shln, ssa, ssln);
      break;
    case OP_INVREQUEST:
      c.out += "who-is " + atmAddr(tha, thln, tsa, tsln) + " tell " + atmAddr(sha, shln, ssa, ssln);
      break;
    case OP_INVREPLY:
      c.out += atmAddr(sha, shln, ssa, ssln) + "at " + spaddr();
      break;
    case OP_NAK:
      c.out += "for " + spaddr();
      break;
    default:
      hexAndAsciiPrint(c, "\n\t", at, caplen);
      return;
  }
  c.out += ", length " + length;
}
