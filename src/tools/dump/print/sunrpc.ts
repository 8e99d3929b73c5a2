// Sun RPC (RFC 5531) as tcpdump prints it when told every UDP datagram is RPC (tcpdump -T rpc):
// a call to any program is "HOST.0xXID > HOST.0x6f: LEN getport 100000.2" (the portmapper's
// procedure names, and the called program and version), and a reply is printed as an NFS reply
// addressed by its transaction ID. Without -T rpc tcpdump decodes RPC only to and from NFS's port.

import { be32, check, type PrintContext } from "./context.js";
import { ipv4String, ipv6String } from "./addr.js";
import { nfsReplyBody } from "./nfs.js";

const RPC_MESSAGE_MINIMUM = 32;
const PORTMAPPER_PORT = 111;
const NFS_PORT = 2049;
const PORTMAPPER_PROCS = ["null", "set", "unset", "getport", "dump", "call"];
const SET = 1;
const UNSET = 2;
const GETPORT = 3;
const CALLIT = 5;

function addresses(c: PrintContext, ipAt: number, source: string, destination: string): string {
  const version = c.bytes[ipAt]! >> 4;
  if (version === 4)
    return ipv4String(c, ipAt + 12) + "." + source + " > " + ipv4String(c, ipAt + 16) + "." + destination;
  if (version === 6)
    return ipv6String(c, ipAt + 8) + "." + source + " > " + ipv6String(c, ipAt + 24) + "." + destination;
  return "?." + source + " > ?." + destination;
}

/** A UDP datagram taken as an RPC message (-T rpc): a call to any program, or a reply. */
export function sunrpcPrint(c: PrintContext, at: number, length: number, ipAt: number): void {
  if (be32(c, at + 4) === 0) callPrint(c, at, length, ipAt);
  else {
    c.protocol = "nfs";
    const xid = be32(c, at);
    c.out += addresses(c, ipAt, c.flags.numeric ? String(NFS_PORT) : "nfs", String(xid)) + ": ";
    nfsReplyBody(c, at, length, ipAt);
  }
}

function callPrint(c: PrintContext, at: number, length: number, ipAt: number): void {
  c.protocol = "sunrpc";
  check(c, at, RPC_MESSAGE_MINIMUM);
  const xid = "0x" + be32(c, at).toString(16);
  const port = c.flags.numeric ? "0x" + PORTMAPPER_PORT.toString(16) : "sunrpc";
  c.out += addresses(c, ipAt, xid, port) + ": " + length;
  const proc = be32(c, at + 20);
  c.out += " " + (PORTMAPPER_PROCS[proc] ?? " proc #" + proc);
  const version = be32(c, at + 8);
  if (version !== 2) c.out += " [rpcver " + version + "]";
  if (proc === SET || proc === UNSET || proc === GETPORT || proc === CALLIT) {
    const program = be32(c, at + 12);
    // tcpdump (as distributions build it, without the system's rpc table) names programs "#N".
    c.out += " " + (c.flags.numeric ? "" : "#") + program;
    c.out += "." + be32(c, at + 16);
  }
}
