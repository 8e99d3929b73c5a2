// Novell IPX as tcpdump prints it: "IPX net.node.socket > net.node.socket: " then the socket's
// protocol (NCP, SAP and RIP decoded, NetBIOS and NWLink datagrams by length). IPX carrying SMB
// (which tcpdump decodes after the NetBIOS line) and EIGRP over IPX are not decoded yet: such
// packets are marked unsupported.

import { hex4, macHex } from "./addr.js";
import { be16, be32, check, printInvalid, type PrintContext } from "./context.js";
import { printPaddedText } from "./unknown.js";

const IPX_HEADER_LENGTH = 30;
const SOCKET_NCP = 0x0451;
const SOCKET_SAP = 0x0452;
const SOCKET_RIP = 0x0453;
const SOCKET_NETBIOS = 0x0455;
const SOCKET_DIAGNOSTICS = 0x0456;
const SOCKET_NWLINK_DGM = 0x0553;
const SOCKET_EIGRP = 0x85be;
const SAP_NAME_LENGTH = 48;
const SAP_MAX_ENTRIES = 8;
const RIP_MAX_ENTRIES = 50;

const hex8 = (n: number): string => n.toString(16).padStart(8, "0");

/** "network.node" (the node as a MAC address, in hex even without -n, as tcpdump prints it). */
function ipxAddress(c: PrintContext, netAt: number, nodeAt: number): string {
  return hex8(be32(c, netAt)) + "." + macHex(c, nodeAt);
}

export function ipxPrint(c: PrintContext, at: number, length: number): void {
  c.protocol = "ipx";
  if (!c.flags.linkHeader) c.out += "IPX ";
  c.out += ipxAddress(c, at + 18, at + 22) + "." + hex4(be16(c, at + 28)) + " > ";
  c.out += ipxAddress(c, at + 6, at + 10) + "." + hex4(be16(c, at + 16)) + ": ";
  // The IPX header's own length, not the frame's.
  const ipxLength = be16(c, at + 2);
  if (ipxLength < IPX_HEADER_LENGTH) {
    c.out += "[length " + ipxLength + " < " + IPX_HEADER_LENGTH + "] (invalid)";
    return;
  }
  const dataAt = at + IPX_HEADER_LENGTH;
  const dataLength = ipxLength - IPX_HEADER_LENGTH;
  const socket = be16(c, at + 16);
  switch (socket) {
    case SOCKET_NCP:
      c.out += "ipx-ncp " + dataLength;
      break;
    case SOCKET_SAP:
      sapPrint(c, dataAt, dataLength);
      break;
    case SOCKET_RIP:
      ripPrint(c, dataAt, dataLength);
      break;
    case SOCKET_NETBIOS:
    case SOCKET_NWLINK_DGM:
      c.out += (socket === SOCKET_NETBIOS ? "ipx-netbios " : "ipx-nwlink-dgm ") + dataLength;
      if (carriesSmb(c, dataAt, dataLength)) c.markUnsupported("ipx smb");
      break;
    case SOCKET_DIAGNOSTICS:
      c.out += "ipx-diags " + dataLength;
      break;
    case SOCKET_EIGRP:
      c.markUnsupported("ipx eigrp");
      break;
    default:
      c.out += "ipx-#" + socket.toString(16) + " " + dataLength;
  }
}

/** Whether an SMB header ("\xffSMB") is in the captured datagram: tcpdump then decodes it. */
function carriesSmb(c: PrintContext, at: number, length: number): boolean {
  const end = Math.min(at + length, c.snapend);
  for (let i = at; i + 4 <= end; i++)
    if (c.bytes[i] === 0xff && c.bytes[i + 1] === 0x53 && c.bytes[i + 2] === 0x4d && c.bytes[i + 3] === 0x42)
      return true;
  return false;
}

/** A SAP server type: in hex with -n; tcpdump's names for them are not reproduced. */
function serverType(c: PrintContext, type: number): string {
  if (!c.flags.numeric) c.markUnsupported("ipx sap type names");
  return hex4(type);
}

function sapPrint(c: PrintContext, at: number, length: number): void {
  const command = be16(c, at);
  let p = at + 2;
  let rest = length - 2;
  switch (command) {
    case 1:
    case 3:
      c.out += (command === 1 ? "ipx-sap-req" : "ipx-sap-nearest-req") + " " + serverType(c, be16(c, p));
      return;
    case 2:
    case 4:
      c.out += command === 2 ? "ipx-sap-resp" : "ipx-sap-nearest-resp";
      for (let i = 0; i < SAP_MAX_ENTRIES && rest !== 0; i++) {
        check(c, p, 2);
        if (rest < 2) return printInvalid(c);
        c.out += " " + serverType(c, be16(c, p)) + " '";
        p += 2;
        rest -= 2;
        if (rest < SAP_NAME_LENGTH) return printInvalid(c);
        // The name, up to its first NUL; as much as was captured shows before a " [|ipx]".
        printPaddedText(c, p, SAP_NAME_LENGTH);
        c.out += "'";
        p += SAP_NAME_LENGTH;
        rest -= SAP_NAME_LENGTH;
        if (rest < 10) return printInvalid(c);
        c.out += " addr " + ipxAddress(c, p, p + 4);
        // The address, then its socket and the hop count (read, though not printed).
        p += 10;
        rest -= 10;
        if (rest < 4) return printInvalid(c);
        check(c, p, 4);
        p += 4;
        rest -= 4;
      }
      return;
    default:
      c.out += "ipx-sap-?" + command.toString(16);
  }
}

function ripPrint(c: PrintContext, at: number, length: number): void {
  const command = be16(c, at);
  let p = at + 2;
  let rest = length - 2;
  switch (command) {
    case 1:
      c.out += "ipx-rip-req";
      if (rest !== 0) {
        if (rest < 8) return printInvalid(c);
        c.out += " " + hex8(be32(c, p)) + "/" + be16(c, p + 4) + "." + be16(c, p + 6);
      }
      return;
    case 2:
      c.out += "ipx-rip-resp";
      for (let i = 0; i < RIP_MAX_ENTRIES && rest !== 0; i++) {
        if (rest < 8) return printInvalid(c);
        c.out += " " + hex8(be32(c, p)) + "/" + be16(c, p + 4) + "." + be16(c, p + 6);
        p += 8;
        rest -= 8;
      }
      return;
    default:
      c.out += "ipx-rip-?" + command.toString(16);
  }
}
