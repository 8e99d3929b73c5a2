// UDP (RFC 768): "src.port > dst.port: UDP, length N", length errors, checksums with -v.

import {
  be16,
  be32,
  checksumShouldBe,
  finishChecksum,
  has,
  onesComplementSum,
  u8,
  type PrintContext,
} from "./context.js";
import { hex4, ipv4String, ipv6String, udpPortString } from "./addr.js";
import { ipv4PseudoSum, ipv6PseudoSum } from "./pseudo-header.js";
import { nfsPrint } from "./nfs.js";
import { sunrpcPrint } from "./sunrpc.js";
import {
  applicationFor,
  UDP_APPLICATIONS,
  UDP_APPLICATIONS_AFTER_APPLETALK,
  type ApplicationEntry,
} from "./applications.js";

const NFS_PORT = 2049;
const RPC_CALL = 0;
const RPC_REPLY = 1;
const LAP_DDP = 2;

function isAppleTalkPort(p: number): boolean {
  return (p - 16512) >>> 0 < 128 || (p - 200) >>> 0 < 128 || (p - 768) >>> 0 < 128;
}

/** The "addresses and ports: " prefix; sport -1 means the ports were not captured. */
function printEndpoints(c: PrintContext, ipAt: number, sport: number, dport: number): void {
  if (u8(c, ipAt) >> 4 === 6) {
    if (u8(c, ipAt + 6) === 17) {
      if (sport === -1) c.out += ipv6String(c, ipAt + 8) + " > " + ipv6String(c, ipAt + 24) + ": ";
      else {
        c.out +=
          ipv6String(c, ipAt + 8) +
          "." +
          udpPortString(c, sport) +
          " > " +
          ipv6String(c, ipAt + 24) +
          "." +
          udpPortString(c, dport) +
          ": ";
      }
    } else if (sport !== -1) c.out += udpPortString(c, sport) + " > " + udpPortString(c, dport) + ": ";
  } else {
    if (u8(c, ipAt + 9) === 17) {
      if (sport === -1) c.out += ipv4String(c, ipAt + 12) + " > " + ipv4String(c, ipAt + 16) + ": ";
      else {
        c.out +=
          ipv4String(c, ipAt + 12) +
          "." +
          udpPortString(c, sport) +
          " > " +
          ipv4String(c, ipAt + 16) +
          "." +
          udpPortString(c, dport) +
          ": ";
      }
    } else if (sport !== -1) c.out += udpPortString(c, sport) + " > " + udpPortString(c, dport) + ": ";
  }
}

/**
 * The application entry tcpdump would pick for this datagram: the port table, with AppleTalk's
 * payload check in its place in tcpdump's order; "appletalk" stands for that check.
 */
function applicationOf(c: PrintContext, at: number, sport: number, dport: number): ApplicationEntry | undefined {
  const entry = applicationFor(UDP_APPLICATIONS, sport, dport);
  if (entry) return entry;
  if (has(c, at + 2, 1) && c.bytes[at + 2] === LAP_DDP && (isAppleTalkPort(sport) || isAppleTalkPort(dport))) {
    return APPLETALK;
  }
  return applicationFor(UDP_APPLICATIONS_AFTER_APPLETALK, sport, dport);
}
const APPLETALK: ApplicationEntry = { name: "appletalk", matches: () => false };

export function udpPrint(c: PrintContext, at: number, length: number, ipAt: number, fragmented: boolean): void {
  c.protocol = "udp";
  const v6 = u8(c, ipAt) >> 4 === 6;
  if (!has(c, at + 2, 2)) {
    printEndpoints(c, ipAt, -1, -1);
    c.out += " [|udp]";
    return;
  }
  const sport = be16(c, at);
  const dport = be16(c, at + 2);
  if (length < 8) {
    printEndpoints(c, ipAt, sport, dport);
    c.out += "truncated-udp " + length;
    return;
  }
  if (!has(c, at + 4, 2)) {
    printEndpoints(c, ipAt, sport, dport);
    c.out += " [|udp]";
    return;
  }
  let ulen = be16(c, at + 4);
  if (ulen === 0 && length > 65535) ulen = length;
  if (ulen < 8) {
    printEndpoints(c, ipAt, sport, dport);
    c.out += "truncated-udplength " + ulen;
    return;
  }
  ulen -= 8;
  length -= 8;
  if (ulen < length) length = ulen;
  const cp = at + 8;
  if (cp > c.snapend) {
    printEndpoints(c, ipAt, sport, dport);
    c.out += " [|udp]";
    return;
  }
  if (c.flags.rpc) {
    sunrpcPrint(c, cp, length, ipAt);
    return;
  }
  printEndpoints(c, ipAt, sport, dport);
  const quick = c.flags.quick > 0;
  if (!quick && has(c, cp + 4, 4)) {
    const direction = be32(c, cp + 4);
    if ((dport === NFS_PORT && direction === RPC_CALL) || (sport === NFS_PORT && direction === RPC_REPLY)) {
      nfsPrint(c, cp, length, ipAt, direction === RPC_CALL);
      return;
    }
  }

  const v = c.flags.verbose;
  if (v && !c.flags.noChecksums && !fragmented) {
    if (!v6 && v > 1) {
      const stored = be16(c, at + 6);
      if (stored === 0) c.out += "[no cksum] ";
      else if (has(c, cp, length)) {
        const sum = finishChecksum(onesComplementSum(c, at, length + 8, ipv4PseudoSum(c, ipAt, length + 8, 17)));
        if (sum !== 0)
          c.out += "[bad udp cksum 0x" + hex4(stored) + " -> 0x" + hex4(checksumShouldBe(stored, sum)) + "!] ";
        else c.out += "[udp sum ok] ";
      }
    } else if (v6) {
      if (has(c, cp, length)) {
        const sum = finishChecksum(onesComplementSum(c, at, length + 8, ipv6PseudoSum(c, ipAt, length + 8, 17)));
        const stored = be16(c, at + 6);
        if (sum !== 0)
          c.out += "[bad udp cksum 0x" + hex4(stored) + " -> 0x" + hex4(checksumShouldBe(stored, sum)) + "!] ";
        else c.out += "[udp sum ok] ";
      }
    }
  }

  if (!quick) {
    const app = applicationOf(c, cp, sport, dport);
    if (app?.print) {
      app.print(c, cp, length, sport, dport, ipAt);
      return;
    }
    if (app !== undefined) c.markUnsupported("udp " + app.name);
  }
  if (ulen > length && !fragmented) c.out += "UDP, bad length " + ulen + " > " + length;
  else c.out += "UDP, length " + ulen;
}
