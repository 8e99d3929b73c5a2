// IEEE 802.2 LLC headers after an 802.3 length field, for the payloads printed so far: spanning
// tree on its own SAP, and SNAP with Cisco's OUI carrying CDP, DTP, UDLD, PVST+ or VLAN-bridge BPDUs.
// Any other LLC payload is left to the caller (which marks it unsupported).

import { be16, has, u8, type PrintContext } from "./context.js";
import { hex4 } from "./addr.js";
import { cdpPrint } from "./cdp.js";
import { dtpPrint } from "./dtp.js";
import { ipxPrint } from "./ipx.js";
import { NLPID_ISIS, osiPrint } from "./isis.js";
import { stpPrint } from "./stp.js";
import { udldPrint } from "./udld.js";

const SAP_STP = 0x42;
const SAP_SNAP = 0xaa;
const SAP_OSI = 0xfe;
const SAP_IPX = 0xe0;
/** Novell's "raw 802.3": IPX straight after the length field, its checksum 0xffff where LLC would be. */
const SAP_GLOBAL = 0xff;
const CONTROL_UI = 0x03;
const LLC_HEADER_LENGTH = 3;
const SNAP_HEADER_LENGTH = 5;
const OUI_CISCO = 0x00000c;
const PID_CDP = 0x2000;
const PID_UDLD = 0x0111;
const PID_DTP = 0x2004;
const CISCO_PIDS = new Map([
  [PID_CDP, "CDP"],
  [PID_DTP, "DTP"],
  [PID_UDLD, "UDLD"],
  [0x010b, "PVST"],
  [0x010c, "VLAN Bridge"],
]);

/**
 * Prints the LLC payload at `at` when it is one of those above and returns the bytes of LLC (and
 * SNAP) header; undefined, with nothing printed, for any other.
 */
export function llcPrint(c: PrintContext, at: number, length: number, caplen: number): number | undefined {
  if (length < LLC_HEADER_LENGTH || caplen < LLC_HEADER_LENGTH || !has(c, at, LLC_HEADER_LENGTH)) return undefined;
  const dsap = c.bytes[at]!;
  const ssap = c.bytes[at + 1]!;
  const e = c.flags.linkHeader;
  if (dsap === SAP_GLOBAL && ssap === SAP_GLOBAL) {
    if (e) c.out += "IPX 802.3: ";
    ipxPrint(c, at, length);
    return 0;
  }
  if (c.bytes[at + 2] !== CONTROL_UI) return undefined;
  if (dsap === SAP_IPX && ssap === SAP_IPX) {
    if (e) c.out += "LLC, dsap IPX (0xe0) Individual, ssap IPX (0xe0) Command, ctrl 0x03: IPX 802.2: ";
    ipxPrint(c, at + LLC_HEADER_LENGTH, length - LLC_HEADER_LENGTH);
    return LLC_HEADER_LENGTH;
  }
  if (dsap === SAP_STP && ssap === SAP_STP) {
    if (e) c.out += "LLC, dsap STP (0x42) Individual, ssap STP (0x42) Command, ctrl 0x03: ";
    stpPrint(c, at + LLC_HEADER_LENGTH, length - LLC_HEADER_LENGTH);
    return LLC_HEADER_LENGTH;
  }
  if (dsap === SAP_OSI && ssap === SAP_OSI) {
    // Only IS-IS is decoded among the OSI protocols.
    if (!has(c, at + LLC_HEADER_LENGTH, 1) || u8(c, at + LLC_HEADER_LENGTH) !== NLPID_ISIS) return undefined;
    if (e) c.out += "LLC, dsap OSI (0xfe) Individual, ssap OSI (0xfe) Command, ctrl 0x03: ";
    osiPrint(c, at + LLC_HEADER_LENGTH, length - LLC_HEADER_LENGTH);
    return LLC_HEADER_LENGTH;
  }
  if (dsap === SAP_SNAP && ssap === SAP_SNAP) {
    const p = at + LLC_HEADER_LENGTH;
    if (length - LLC_HEADER_LENGTH < SNAP_HEADER_LENGTH || caplen - LLC_HEADER_LENGTH < SNAP_HEADER_LENGTH)
      return undefined;
    if (!has(c, p, SNAP_HEADER_LENGTH)) return undefined;
    const oui = (u8(c, p) << 16) | be16(c, p + 1);
    const pid = be16(c, p + 3);
    const pidName = CISCO_PIDS.get(pid);
    if (oui !== OUI_CISCO || pidName === undefined) return undefined;
    const payloadLength = length - LLC_HEADER_LENGTH - SNAP_HEADER_LENGTH;
    if (e) {
      c.out += "LLC, dsap SNAP (0xaa) Individual, ssap SNAP (0xaa) Command, ctrl 0x03: ";
      c.out += "oui Cisco (0x00000c), pid " + pidName + " (0x" + hex4(pid) + "), length " + payloadLength + ": ";
    }
    if (pid === PID_CDP) cdpPrint(c, p + SNAP_HEADER_LENGTH, payloadLength);
    else if (pid === PID_UDLD) udldPrint(c, p + SNAP_HEADER_LENGTH, payloadLength);
    else if (pid === PID_DTP) dtpPrint(c, p + SNAP_HEADER_LENGTH, payloadLength);
    else stpPrint(c, p + SNAP_HEADER_LENGTH, payloadLength);
    return LLC_HEADER_LENGTH + SNAP_HEADER_LENGTH;
  }
  return undefined;
}
