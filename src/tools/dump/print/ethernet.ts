// Ethernet II and 802.3 framing with any number of VLAN tags, and the EtherType dispatch shared
// with the Linux cooked headers.

import { be16, printTrunc, printInvalid, pushSnaplen, type PrintContext } from "./context.js";
import { hex4, macString } from "./addr.js";
import { ethertypeName } from "./names.js";
import { isVlanTpid, vlanTciString } from "./vlan.js";
import { arpPrint } from "./arp.js";
import { ipPrint } from "./ipv4.js";
import { ip6Print } from "./ipv6.js";
import { defaultPrint } from "./unknown.js";
import { llcPrint } from "./llc.js";
import { ptpPrint } from "./ptp.js";
import { aoePrint } from "./aoe.js";
import { lldpPrint } from "./lldp.js";
import { slowPrint } from "./slow.js";
import { calmFastPrint, geonetPrint } from "./geonet.js";
import { decnetPrint } from "./decnet.js";
import { ipxPrint } from "./ipx.js";
import { eapolPrint } from "./eapol.js";
import { mplsPrint } from "./mpls.js";
import { aristaPrint } from "./arista.js";
import { cfmPrint } from "./cfm.js";
import { pppoePrint } from "./pppoe.js";
import { pppPrint } from "./ppp.js";
import { loopbackPrint } from "./loopback.js";
import { tipcPrint } from "./tipc.js";

export const ETHER_HDRLEN = 14;
const MAX_ETHERNET_LENGTH_VAL = 1500;
const ETHERTYPE_IP = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const ETHERTYPE_ARP = 0x0806;
const ETHERTYPE_REVARP = 0x8035;
const ETHERTYPE_MACSEC = 0x88e5;
const ETHERTYPE_JUMBO = 0x8870;
const ETHERTYPE_ARISTA = 0xd28b;
const ETHERTYPE_PTP = 0x88f7;
const ETHERTYPE_AOE = 0x88a2;
const ETHERTYPE_LLDP = 0x88cc;
const ETHERTYPE_CFM = 0x8902;
const ETHERTYPE_CFM_OLD = 0xabcd;
const ETHERTYPE_SLOW = 0x8809;
const ETHERTYPE_GEONET_OLD = 0x0707;
const ETHERTYPE_GEONET = 0x8947;
const ETHERTYPE_CALM_FAST = 0x1111;
const ETHERTYPE_DECNET = 0x6003;
const ETHERTYPE_IPX = 0x8137;
const ETHERTYPE_EAPOL = 0x888e;
const ETHERTYPE_MPLS = 0x8847;
const ETHERTYPE_MPLS_MULTICAST = 0x8848;
const ETHERTYPE_LOOPBACK = 0x9000;
const ETHERTYPE_TIPC = 0x88ca;
const ETHERTYPE_PPPOE_DISCOVERY = 0x8863;
const ETHERTYPE_PPPOE_SESSION = 0x8864;
const ETHERTYPE_PPP = 0x880b;
/** The pre-standard 3Com EtherTypes for the same two stages. */
const ETHERTYPE_PPPOE_DISCOVERY_OLD = 0x3c12;
const ETHERTYPE_PPPOE_SESSION_OLD = 0x3c13;

/**
 * EtherTypes tcpdump hands to a protocol printer this one does not have; their packets print the
 * generic "ethertype …" line here and count as unsupported.
 */
const DECODED_ELSEWHERE: ReadonlySet<number> = new Set([0x809b, 0x80f3, 0xfefe, 0x8899, 0x8808, 0x894f, 0x886f]);

/** "ethertype IPv4 (0x0800)", or with -q just "IPv4". */
export function etherTypeText(c: PrintContext, type: number): string {
  const name = ethertypeName(type);
  if (!c.flags.quick) return "ethertype " + (name ?? "Unknown") + " (0x" + hex4(type) + ")";
  return name ?? "Unknown Ethertype (0x" + hex4(type) + ")";
}

/**
 * Prints the payload of a frame with EtherType `type` starting at `at`. Returns false when the
 * type has no printer (the caller prints the generic form). `srcAt` is where the frame's 6-byte
 * source address is, for the protocols that print it (undefined when the link layer has none).
 */
export function ethertypePrint(
  c: PrintContext,
  type: number,
  at: number,
  length: number,
  caplen: number,
  srcAt?: number,
): boolean {
  switch (type) {
    case ETHERTYPE_EAPOL:
      eapolPrint(c, at);
      return true;
    case ETHERTYPE_LOOPBACK:
      loopbackPrint(c, at, length);
      return true;
    case ETHERTYPE_TIPC:
      tipcPrint(c, at);
      return true;
    case ETHERTYPE_PPPOE_DISCOVERY:
    case ETHERTYPE_PPPOE_SESSION:
    case ETHERTYPE_PPPOE_DISCOVERY_OLD:
    case ETHERTYPE_PPPOE_SESSION_OLD:
      pppoePrint(c, at, length);
      return true;
    case ETHERTYPE_PPP:
      if (length) {
        c.out += ": ";
        pppPrint(c, at, length);
      }
      return true;
    case ETHERTYPE_IPX:
      ipxPrint(c, at, length);
      return true;
    case ETHERTYPE_DECNET:
      return decnetPrint(c, at, length, caplen);
    case ETHERTYPE_GEONET_OLD:
    case ETHERTYPE_GEONET:
    case ETHERTYPE_CALM_FAST:
      if (srcAt === undefined) {
        c.markUnsupported("ethertype 0x" + hex4(type) + " without a source address");
        return false;
      }
      if (type === ETHERTYPE_CALM_FAST) calmFastPrint(c, at, length, srcAt);
      else geonetPrint(c, at, length, srcAt);
      return true;
    case ETHERTYPE_IP:
      ipPrint(c, at, length);
      return true;
    case ETHERTYPE_IPV6:
      ip6Print(c, at, length);
      return true;
    case ETHERTYPE_ARP:
    case ETHERTYPE_REVARP:
      arpPrint(c, at, length, caplen);
      return true;
    case ETHERTYPE_PTP:
      ptpPrint(c, at, length);
      return true;
    case ETHERTYPE_AOE:
      aoePrint(c, at, length);
      return true;
    case ETHERTYPE_LLDP:
      lldpPrint(c, at, length);
      return true;
    case ETHERTYPE_CFM:
    case ETHERTYPE_CFM_OLD:
      cfmPrint(c, at, length);
      return true;
    case ETHERTYPE_SLOW:
      slowPrint(c, at, length);
      return true;
    case ETHERTYPE_MPLS:
    case ETHERTYPE_MPLS_MULTICAST:
      mplsPrint(c, at, length);
      return true;
    default:
      if (DECODED_ELSEWHERE.has(type)) c.markUnsupported("ethertype 0x" + hex4(type));
      return false;
  }
}

/** Prints an Ethernet frame at `at`; returns the length of the link-level header. */
export function etherPrint(c: PrintContext, at: number, length: number, caplen: number): number {
  c.protocol = "ether";
  if (length < caplen) {
    c.out += "[length " + length + " < caplen " + caplen + "]";
    printInvalid(c);
    return length;
  }
  if (caplen < ETHER_HDRLEN) {
    printTrunc(c);
    return caplen;
  }
  const origLength = length;
  const srcAt = at + 6;
  const dstAt = at;
  const e = c.flags.linkHeader;
  if (e) c.out += macString(c, srcAt) + " > " + macString(c, dstAt) + ", ";
  let p = at + 12;
  length -= 12;
  caplen -= 12;
  let hdrlen = 12;

  // An Arista timestamp header is followed by another EtherType: the loop decodes from there.
  for (;;) {
    let lengthType = be16(c, p);
    p += 2;
    length -= 2;
    caplen -= 2;
    hdrlen += 2;

    let printedLength = false;
    if (lengthType === ETHERTYPE_MACSEC) {
      c.markUnsupported("macsec");
      if (e) {
        c.out += etherTypeText(c, lengthType) + ", length " + origLength + ": ";
      }
      defaultPrint(c, p, caplen);
      return hdrlen;
    }

    while (isVlanTpid(lengthType)) {
      if (caplen < 4) {
        c.protocol = "vlan";
        printTrunc(c);
        return hdrlen + caplen;
      }
      if (length < 4) {
        c.protocol = "vlan";
        printTrunc(c);
        return hdrlen + length;
      }
      if (e) {
        const tag = be16(c, p);
        c.out += etherTypeText(c, lengthType);
        if (!printedLength) {
          c.out += ", length " + origLength + ": ";
          printedLength = true;
        } else c.out += ", ";
        c.out += vlanTciString(tag) + ", ";
      }
      lengthType = be16(c, p + 2);
      p += 4;
      length -= 4;
      caplen -= 4;
      hdrlen += 4;
    }

    if (lengthType <= MAX_ETHERNET_LENGTH_VAL) {
      const llcLength = lengthType < length ? lengthType : length;
      const llcCaplen = caplen > llcLength ? llcLength : caplen;
      // The frame's length field ends what the layers above may read.
      const saved = pushSnaplen(c, p, llcLength);
      const mark = c.out.length;
      if (e) c.out += "802.3" + (printedLength ? "" : ", length " + llcLength + ": ");
      const llcHeader = llcPrint(c, p, llcLength, llcCaplen);
      c.snapend = saved;
      if (llcHeader !== undefined) return hdrlen + llcHeader;
      c.out = c.out.slice(0, mark);
    }

    if (lengthType === ETHERTYPE_ARISTA) {
      if (caplen < 2 || length < 2) {
        c.out += "[|arista]";
        return hdrlen + (caplen < 2 ? caplen : length);
      }
      c.out += etherTypeText(c, lengthType) + ", length " + origLength + ": ";
      const consumed = aristaPrint(c, p);
      if (consumed > 0) {
        // The original EtherType follows: decode the frame again from there.
        p += consumed;
        length -= consumed;
        caplen -= consumed;
        hdrlen += consumed;
        continue;
      }
      if (!e) {
        c.out +=
          macString(c, srcAt) +
          " > " +
          macString(c, dstAt) +
          ", " +
          etherTypeText(c, lengthType) +
          ", length " +
          origLength +
          ": ";
      }
      defaultPrint(c, p, caplen);
      return hdrlen;
    }

    if (lengthType <= MAX_ETHERNET_LENGTH_VAL || lengthType === ETHERTYPE_JUMBO) {
      // 802.3 with an LLC header (or a type carrying one): tcpdump decodes LLC/SNAP and above.
      c.markUnsupported(lengthType <= MAX_ETHERNET_LENGTH_VAL ? "802.3 LLC" : "ethertype 0x" + hex4(lengthType));
      if (lengthType <= MAX_ETHERNET_LENGTH_VAL) {
        if (lengthType < length) {
          length = lengthType;
          if (caplen > length) caplen = length;
        }
        if (e) {
          c.out += "802.3";
          if (!printedLength) c.out += ", length " + length + ": ";
        } else {
          c.out += macString(c, srcAt) + " > " + macString(c, dstAt) + ", 802.3, length " + length + ": ";
        }
      } else if (!e) {
        c.out +=
          macString(c, srcAt) +
          " > " +
          macString(c, dstAt) +
          ", " +
          etherTypeText(c, lengthType) +
          ", length " +
          origLength +
          ": ";
      } else {
        c.out += etherTypeText(c, lengthType) + (printedLength ? ", " : ", length " + origLength + ": ");
      }
      defaultPrint(c, p, caplen);
      return hdrlen;
    }

    if (e) {
      c.out += etherTypeText(c, lengthType);
      c.out += printedLength ? ", " : ", length " + origLength + ": ";
    }
    if (!ethertypePrint(c, lengthType, p, length, caplen, srcAt)) {
      if (!e) {
        c.out +=
          macString(c, srcAt) +
          " > " +
          macString(c, dstAt) +
          ", " +
          etherTypeText(c, lengthType) +
          ", length " +
          origLength +
          ": ";
      }
      defaultPrint(c, p, caplen);
    }
    return hdrlen;
  }
}
