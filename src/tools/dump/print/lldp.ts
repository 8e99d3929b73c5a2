// LLDP (IEEE 802.1AB) as tcpdump prints it: "LLDP, length 110: switch-name" without -v (the system
// name is the one TLV shown); with -v a line per TLV and its decoded value: chassis and port ids,
// TTL, descriptions, capabilities, management addresses, and the organisation-specific TLVs of
// IEEE 802.1 (VLANs, link aggregation, DCB: congestion notification, ETS, PFC, application
// priority, EVB, CDCP), IEEE 802.3, TIA LLDP-MED, IANA (MUD URL) and DCBX; what is not decoded
// gets a hex dump, and -vv adds a hex dump of every TLV.
//
// Where tcpdump ends the list with " [|lldp]" and returns normally (so -x still leaves the
// link-level header out) so does this printer; reads it does not guard unwind.

import { be16, be32, has, u8, type PrintContext } from "./context.js";
import { hex2, hex4, ipv4String, ipv6String, macString } from "./addr.js";
import { ADDRESS_FAMILY_NAMES, flagNames, ouiName } from "./names.js";
import { printCountedText, printPaddedText, printUnknownData } from "./unknown.js";

const TLV_NAMES = new Map([
  [0, "End"],
  [1, "Chassis ID"],
  [2, "Port ID"],
  [3, "Time to Live"],
  [4, "Port Description"],
  [5, "System Name"],
  [6, "System Description"],
  [7, "System Capabilities"],
  [8, "Management Address"],
  [127, "Organization specific"],
]);
const CHASSIS_ID = 1;
const PORT_ID = 2;
const TTL = 3;
const PORT_DESCRIPTION = 4;
const SYSTEM_NAME = 5;
const SYSTEM_DESCRIPTION = 6;
const SYSTEM_CAPABILITIES = 7;
const MANAGEMENT_ADDRESS = 8;
const ORGANIZATION_SPECIFIC = 127;

const CHASSIS_SUBTYPES = [
  "",
  "Chassis component",
  "Interface alias",
  "Port component",
  "MAC address",
  "Network address",
  "Interface name",
  "Local",
];
const CHASSIS_MAC = 4;
const CHASSIS_NETWORK = 5;
const PORT_SUBTYPES = [
  "",
  "Interface alias",
  "Port component",
  "MAC address",
  "Network Address",
  "Interface Name",
  "Agent circuit ID",
  "Local",
];
const PORT_MAC = 3;
const PORT_NETWORK = 4;

const CAPABILITIES: [number, string][] = [
  [1 << 0, "Other"],
  [1 << 1, "Repeater"],
  [1 << 2, "Bridge"],
  [1 << 3, "WLAN AP"],
  [1 << 4, "Router"],
  [1 << 5, "Telephone"],
  [1 << 6, "Docsis"],
  [1 << 7, "Station Only"],
];

const OUI_8021 = 0x0080c2;
const OUI_8023 = 0x00120f;
const OUI_IANA = 0x00005e;
const OUI_TIA = 0x0012bb;
const OUI_DCBX = 0x001b21;

const SUBTYPES_8021 = new Map([
  [1, "Port VLAN Id"],
  [2, "Port and Protocol VLAN ID"],
  [3, "VLAN name"],
  [4, "Protocol Identity"],
  [7, "Link aggregation"],
  [8, "Congestion Notification"],
  [9, "ETS Configuration"],
  [10, "ETS Recommendation"],
  [11, "Priority Flow Control Configuration"],
  [12, "Application Priority"],
  [13, "EVB"],
  [14, "CDCP"],
]);
const PROTOCOL_VLAN_FLAGS: [number, string][] = [
  [1 << 1, "supported"],
  [1 << 2, "enabled"],
];
const AGGREGATION_FLAGS: [number, string][] = [
  [1 << 0, "supported"],
  [1 << 1, "enabled"],
];
const EVB_MODES = ["Not Supported", "EVB Bridge", "EVB Station", "Reserved for future Standardization"];

const SUBTYPES_8023 = ["", "MAC/PHY configuration/status", "Power via MDI", "Link aggregation", "Max frame size"];
const AUTONEGOTIATION_FLAGS: [number, string][] = [
  [1 << 0, "supported"],
  [1 << 1, "enabled"],
];
const PMD_CAPABILITIES: [number, string][] = [
  [1 << 14, "10BASE-T hdx"],
  [1 << 13, "10BASE-T fdx"],
  [1 << 12, "100BASE-T4"],
  [1 << 11, "100BASE-TX hdx"],
  [1 << 10, "100BASE-TX fdx"],
  [1 << 9, "100BASE-T2 hdx"],
  [1 << 8, "100BASE-T2 fdx"],
  [1 << 7, "Pause for fdx links"],
  [1 << 6, "Asym PAUSE for fdx"],
  [1 << 5, "Sym PAUSE for fdx"],
  [1 << 4, "Asym and Sym PAUSE for fdx"],
  [1 << 3, "1000BASE-{X LX SX CX} hdx"],
  [1 << 2, "1000BASE-{X LX SX CX} fdx"],
  [1 << 1, "1000BASE-T hdx"],
  [1 << 0, "1000BASE-T fdx"],
];
/** dot3MauType (RFC 3636) names, by number. */
const MAU_TYPES = [
  "Unknown",
  "AUI",
  "10BASE_5",
  "FOIRL",
  "10BASE2",
  "10BASET duplex mode unknown",
  "10BASEFP",
  "10BASEFB",
  "10BASEFL duplex mode unknown",
  "10BROAD36",
  "10BASET hdx",
  "10BASET fdx",
  "10BASEFL hdx",
  "10BASEFL fdx",
  "100BASET4",
  "100BASETX hdx",
  "100BASETX fdx",
  "100BASEFX hdx",
  "100BASEFX fdx",
  "100BASET2 hdx",
  "100BASET2 fdx",
  "1000BASEX hdx",
  "1000BASEX fdx",
  "1000BASELX hdx",
  "1000BASELX fdx",
  "1000BASESX hdx",
  "1000BASESX fdx",
  "1000BASECX hdx",
  "1000BASECX fdx",
  "1000BASET hdx",
  "1000BASET fdx",
  "10GBASEX",
  "10GBASELX4",
  "10GBASER",
  "10GBASEER",
  "10GBASELR",
  "10GBASESR",
  "10GBASEW",
  "10GBASEEW",
  "10GBASELW",
  "10GBASESW",
];
const MDI_FLAGS: [number, string][] = [
  [1 << 0, "PSE"],
  [1 << 1, "supported"],
  [1 << 2, "enabled"],
  [1 << 3, "can be controlled"],
];
const MDI_POWER_PAIRS = ["", "signal", "spare"];
const MDI_POWER_CLASSES = ["", "class0", "class1", "class2", "class3", "class4"];

const TIA_SUBTYPES = [
  "",
  "LLDP-MED Capabilities",
  "Network policy",
  "Location identification",
  "Extended power-via-MDI",
  "Inventory - hardware revision",
  "Inventory - firmware revision",
  "Inventory - software revision",
  "Inventory - serial number",
  "Inventory - manufacturer name",
  "Inventory - model name",
  "Inventory - asset ID",
];
const TIA_INVENTORY = [
  "",
  "",
  "",
  "",
  "",
  "Hardware revision",
  "Firmware revision",
  "Software revision",
  "Serial number",
  "Manufacturer name",
  "Model name",
  "Asset ID",
];
const TIA_CAPABILITIES: [number, string][] = [
  [1 << 0, "LLDP-MED capabilities"],
  [1 << 1, "network policy"],
  [1 << 2, "location identification"],
  [1 << 3, "extended power via MDI-PSE"],
  [1 << 4, "extended power via MDI-PD"],
  [1 << 5, "Inventory"],
];
const TIA_DEVICE_TYPES = ["", "endpoint class 1", "endpoint class 2", "endpoint class 3", "network connectivity"];
const TIA_APPLICATION_TYPES = [
  "",
  "voice",
  "voice signaling",
  "guest voice",
  "guest voice signaling",
  "softphone voice",
  "video conferencing",
  "streaming video",
  "video signaling",
];
const TIA_POLICY_FLAGS: [number, string][] = [
  [1 << 7, "Unknown"],
  [1 << 6, "Tagged"],
  [1 << 5, "reserved"],
];
const TIA_LOCATION_FORMATS = ["", "coordinate-based LCI", "civic address LCI", "ECS ELIN"];
const TIA_ALTITUDE_TYPES = ["", "meters", "floors"];
const TIA_DATUMS = [
  "",
  "World Geodesic System 1984",
  "North American Datum 1983 (NAVD88)",
  "North American Datum 1983 (MLLW)",
];
const TIA_CA_TYPES = [
  "",
  "national subdivisions (state,canton,region,province,prefecture)",
  "county, parish, gun, district",
  "city, township, shi",
  "city division, borough, city district, ward chou",
  "neighborhood, block",
  "street",
];
const TIA_LCI_WHAT = [
  "location of DHCP server",
  "location of the network element believed to be closest to the client",
  "location of the client",
];
const TIA_POWER_SOURCES = ["", "PSE - primary power source", "local - backup power source", "PSE+local - reserved"];
const TIA_POWER_PRIORITIES = ["", "critical", "high", "low"];

const DCBX_SUBTYPES = ["", "DCB Capability Exchange Protocol Rev 1", "DCB Capability Exchange Protocol Rev 1.01"];
const INTERFACE_NUMBERING = ["", "", "Interface Index", "System Port Number"];

function trunc(c: PrintContext): void {
  c.out += " [|lldp]";
}

export function lldpPrint(c: PrintContext, at: number, length: number): void {
  c.protocol = "lldp";
  const verbose = c.flags.verbose;
  c.out += "LLDP, length " + length;
  let p = at;
  let left = length;
  while (left >= 2) {
    if (!has(c, p, 2)) return trunc(c);
    const tlv = be16(c, p);
    const type = tlv >> 9;
    const len = tlv & 0x1ff;
    let hexdump = false;
    left -= 2;
    p += 2;
    if (verbose) c.out += "\n\t" + (TLV_NAMES.get(type) ?? "Unknown") + " TLV (" + type + "), length " + len;
    // A zero type or length ends the list (and guards against looping).
    if (!type || !len) break;
    if (!has(c, p, len) || left < len) return trunc(c);
    switch (type) {
      case CHASSIS_ID:
      case PORT_ID:
        if (!verbose) break;
        {
          if (len < 2) return trunc(c);
          const subtype = u8(c, p);
          const names = type === CHASSIS_ID ? CHASSIS_SUBTYPES : PORT_SUBTYPES;
          c.out += "\n\t  Subtype " + (names[subtype] || "Unknown") + " (" + subtype + "): ";
          const mac = type === CHASSIS_ID ? CHASSIS_MAC : PORT_MAC;
          const network = type === CHASSIS_ID ? CHASSIS_NETWORK : PORT_NETWORK;
          if (subtype === mac) {
            if (len < 7) return trunc(c);
            c.out += macString(c, p + 1);
          } else if (subtype === network) {
            const address = networkAddress(c, p + 1, len - 1);
            if (address === undefined) return trunc(c);
            c.out += address;
          } else if (subtype >= 1 && subtype <= 7) printPaddedText(c, p + 1, len - 1);
          else hexdump = true;
        }
        break;
      case TTL:
        if (!verbose) break;
        if (len < 2) return trunc(c);
        c.out += ": TTL " + be16(c, p) + "s";
        break;
      case PORT_DESCRIPTION:
        if (!verbose) break;
        c.out += ": ";
        printPaddedText(c, p, len);
        break;
      case SYSTEM_NAME:
        // The one TLV shown without -v too.
        c.out += ": ";
        printPaddedText(c, p, len);
        break;
      case SYSTEM_DESCRIPTION:
        if (!verbose) break;
        c.out += "\n\t  ";
        printPaddedText(c, p, len);
        break;
      case SYSTEM_CAPABILITIES: {
        if (!verbose) break;
        if (len < 4) return trunc(c);
        const cap = be16(c, p);
        const enabled = be16(c, p + 2);
        c.out += "\n\t  System  Capabilities [" + flagNames(CAPABILITIES, cap) + "] (0x" + hex4(cap) + ")";
        c.out += "\n\t  Enabled Capabilities [" + flagNames(CAPABILITIES, enabled) + "] (0x" + hex4(enabled) + ")";
        break;
      }
      case MANAGEMENT_ADDRESS:
        if (!verbose) break;
        if (!managementAddressPrint(c, p, len)) return trunc(c);
        break;
      case ORGANIZATION_SPECIFIC: {
        if (!verbose) break;
        if (len < 3) return trunc(c);
        const oui = (u8(c, p) << 16) | be16(c, p + 1);
        c.out += ": OUI " + ouiName(oui) + " (0x" + oui.toString(16).padStart(6, "0") + ")";
        switch (oui) {
          case OUI_8021:
            hexdump = ieee8021Print(c, p, len);
            break;
          case OUI_8023:
            hexdump = ieee8023Print(c, p, len);
            break;
          case OUI_IANA:
            hexdump = ianaPrint(c, p, len);
            break;
          case OUI_TIA:
            hexdump = tiaPrint(c, p, len);
            break;
          case OUI_DCBX:
            hexdump = dcbxPrint(c, p, len);
            break;
          default:
            hexdump = true;
        }
        break;
      }
      default:
        hexdump = true;
    }
    if (verbose > 1 || (verbose && hexdump)) printUnknownData(c, p, "\n\t  ", len);
    left -= len;
    p += len;
  }
}

/** "AFI IPv4 (1): 10.0.0.1", or undefined when the address is shorter than its family's. */
function networkAddress(c: PrintContext, at: number, len: number): string | undefined {
  if (len < 1) return undefined;
  len--;
  const family = u8(c, at);
  const prefix = "AFI " + (ADDRESS_FAMILY_NAMES.get(family) ?? "Unknown") + " (" + family + ")";
  switch (family) {
    case 1:
      return len < 4 ? undefined : prefix + ": " + ipv4String(c, at + 1);
    case 2:
      return len < 16 ? undefined : prefix + ": " + ipv6String(c, at + 1);
    case 6:
      return len < 6 ? undefined : prefix + ": " + macString(c, at + 1);
    default:
      return prefix + ", no AF printer !";
  }
}

/** The management address TLV; false when it is too short for what it says it holds. */
function managementAddressPrint(c: PrintContext, p: number, left: number): boolean {
  if (left < 1) return false;
  const addressLength = u8(c, p);
  p++;
  left--;
  if (left < addressLength) return false;
  const address = networkAddress(c, p, addressLength);
  if (address === undefined) return false;
  c.out += "\n\t  Management Address length " + addressLength + ", " + address;
  p += addressLength;
  left -= addressLength;
  if (left < 5) return false;
  const numbering = u8(c, p);
  c.out +=
    "\n\t  " +
    (INTERFACE_NUMBERING[numbering] || "Unknown") +
    " Interface Numbering (" +
    numbering +
    "): " +
    be32(c, p + 1);
  p += 5;
  left -= 5;
  // The OID is optional.
  if (left) {
    const oidLength = u8(c, p);
    if (left < 1 + oidLength) return false;
    if (oidLength) {
      c.out += "\n\t  OID length " + oidLength;
      printPaddedText(c, p + 1, oidLength);
    }
  }
  return true;
}

/** "%-3d": left-justified in three columns. */
function col3(n: number): string {
  return String(n).padEnd(3);
}

/** Eight one-bit values, lowest bit first, as tcpdump's priority tables show them. */
function bitRow(v: number): string {
  let s = "";
  for (let i = 0; i < 8; i++) s += String((v >> i) & 1).padEnd(2) + " ";
  return s;
}

function etsTables(c: PrintContext, p: number): void {
  c.out += "\n\t    Priority Assignment Table\n\t     Priority : 0   1   2   3   4   5   6   7";
  let row = "";
  for (let i = 0; i < 4; i++) {
    const b = u8(c, p + i);
    row += (i ? " " : "") + col3(b >> 4) + " " + col3(b & 0xf);
  }
  c.out += "\n\t     Value    : " + row;
  c.out += "\n\t    TC Bandwidth Table\n\t     TC%   : 0   1   2   3   4   5   6   7";
  row = "";
  for (let i = 0; i < 8; i++) row += (i ? " " : "") + col3(u8(c, p + 4 + i));
  c.out += "\n\t     Value : " + row;
  c.out += "\n\t    TSA Assignment Table\n\t     Traffic Class: 0   1   2   3   4   5   6   7";
  row = "";
  for (let i = 0; i < 8; i++) row += (i ? " " : "") + col3(u8(c, p + 12 + i));
  c.out += "\n\t     Value        : " + row;
}

/** The link aggregation TLV's body, which IEEE 802.1 and 802.3 both define (the 802.3 one is the older). */
function linkAggregationPrint(c: PrintContext, p: number): void {
  c.out +=
    "\n\t    aggregation status [" +
    flagNames(AGGREGATION_FLAGS, u8(c, p)) +
    "], aggregation port ID " +
    be32(c, p + 1);
}

function ieee8021Print(c: PrintContext, p: number, len: number): boolean {
  if (len < 4) return false;
  const subtype = u8(c, p + 3);
  c.out += "\n\t  " + (SUBTYPES_8021.get(subtype) ?? "unknown") + " Subtype (" + subtype + ")";
  switch (subtype) {
    case 1:
      if (len < 6) return false;
      c.out += "\n\t    port vlan id (PVID): " + be16(c, p + 4);
      return false;
    case 2: {
      if (len < 7) return false;
      const flags = u8(c, p + 4);
      c.out +=
        "\n\t    port and protocol vlan id (PPVID): " +
        be16(c, p + 5) +
        ", flags [" +
        flagNames(PROTOCOL_VLAN_FLAGS, flags) +
        "] (0x" +
        hex2(flags) +
        ")";
      return false;
    }
    case 3: {
      if (len < 6) return false;
      c.out += "\n\t    vlan id (VID): " + be16(c, p + 4);
      if (len < 7) return false;
      const nameLength = u8(c, p + 6);
      if (len < 7 + nameLength) return false;
      c.out += "\n\t    vlan name: ";
      printPaddedText(c, p + 7, nameLength);
      return false;
    }
    case 4: {
      if (len < 5) return false;
      const idLength = u8(c, p + 4);
      if (len < 5 + idLength) return false;
      c.out += "\n\t    protocol identity: ";
      printPaddedText(c, p + 5, idLength);
      return false;
    }
    case 7:
      if (len >= 9) linkAggregationPrint(c, p + 4);
      return false;
    case 8:
      if (len < 6) return false;
      c.out += "\n\t    Pre-Priority CNPV Indicator\n\t     Priority : 0  1  2  3  4  5  6  7\n\t     Value    : ";
      c.out += bitRow(u8(c, p + 4));
      c.out += "\n\t    Pre-Priority Ready Indicator\n\t     Priority : 0  1  2  3  4  5  6  7\n\t     Value    : ";
      c.out += bitRow(u8(c, p + 5));
      return false;
    case 9: {
      if (len < 25) return false;
      const v = u8(c, p + 4);
      // tcpdump shows the CBS bit shifted by one less than its place.
      c.out +=
        "\n\t    Willing:" + (v >> 7) + ", CBS:" + ((v >> 6) & 2) + ", RES:" + ((v >> 3) & 7) + ", Max TCs:" + (v & 7);
      etsTables(c, p + 5);
      return false;
    }
    case 10:
      if (len < 25) return false;
      c.out += "\n\t    RES: " + u8(c, p + 4);
      etsTables(c, p + 5);
      return false;
    case 11: {
      if (len < 6) return false;
      const v = u8(c, p + 4);
      c.out +=
        "\n\t    Willing: " +
        (v >> 7) +
        ", MBC: " +
        ((v >> 6) & 1) +
        ", RES: " +
        ((v >> 4) & 3) +
        ", PFC cap:" +
        (v & 0xf) +
        " ";
      c.out += "\n\t    PFC Enable";
      const enabled = u8(c, p + 5);
      c.out += "\n\t     Priority : 0  1  2  3  4  5  6  7\n\t     Value    : " + bitRow(enabled);
      return false;
    }
    case 12: {
      if (len < 5) return false;
      c.out += "\n\t    RES: " + u8(c, p + 4);
      if (len <= 5) return false;
      const tableLength = len - 5;
      if (tableLength % 3 !== 0) return false;
      c.out += "\n\t    Application Priority Table";
      for (let i = 0; i < tableLength; i += 3) {
        const v = u8(c, p + i + 5);
        c.out +=
          "\n\t      Priority: " +
          (v >> 5) +
          ", RES: " +
          ((v >> 3) & 3) +
          ", Sel: " +
          (v & 7) +
          ", Protocol ID: " +
          be16(c, p + i + 6);
      }
      return false;
    }
    case 13: {
      if (len < 9) return false;
      c.out += "\n\t    EVB Bridge Status";
      let v = u8(c, p + 4);
      c.out +=
        "\n\t      RES: " +
        (v >> 3) +
        ", BGID: " +
        ((v >> 2) & 1) +
        ", RRCAP: " +
        ((v >> 1) & 1) +
        ", RRCTR: " +
        (v & 1);
      c.out += "\n\t    EVB Station Status";
      v = u8(c, p + 5);
      c.out +=
        "\n\t      RES: " +
        (v >> 4) +
        ", SGID: " +
        ((v >> 3) & 1) +
        ", RRREQ: " +
        ((v >> 2) & 1) +
        ",RRSTAT: " +
        (v & 3);
      v = u8(c, p + 6);
      c.out += "\n\t    R: " + (v >> 5) + ", RTE: " + (v & 0x1f) + ", ";
      v = u8(c, p + 7);
      c.out += "EVB Mode: " + EVB_MODES[v >> 6] + " [" + (v >> 6) + "]";
      c.out += "\n\t    ROL: " + ((v >> 5) & 1) + ", RWD: " + (v & 0x1f) + ", ";
      v = u8(c, p + 8);
      c.out += "RES: " + (v >> 6) + ", ROL: " + ((v >> 5) & 1) + ", RKA: " + (v & 0x1f);
      return false;
    }
    case 14: {
      if (len < 8) return false;
      const v = u8(c, p + 4);
      c.out += "\n\t    Role: " + (v >> 7) + ", RES: " + ((v >> 4) & 7) + ", Scomp: " + ((v >> 3) & 1) + " ";
      c.out += "ChnCap: " + (be16(c, p + 6) & 0xfff);
      const listLength = len - 8;
      if (listLength % 3 !== 0) return false;
      for (let i = 0; i < listLength; i += 3) {
        const entry = (u8(c, p + i + 8) << 16) | be16(c, p + i + 9);
        c.out += "\n\t    SCID: " + (entry >> 12) + ", SVID: " + (entry & 0xfff);
      }
      return false;
    }
    default:
      return true;
  }
}

function ieee8023Print(c: PrintContext, p: number, len: number): boolean {
  if (len < 4) return false;
  const subtype = u8(c, p + 3);
  c.out += "\n\t  " + (SUBTYPES_8023[subtype] || "unknown") + " Subtype (" + subtype + ")";
  switch (subtype) {
    case 1: {
      if (len < 9) return false;
      const autoneg = u8(c, p + 4);
      c.out += "\n\t    autonegotiation [" + flagNames(AUTONEGOTIATION_FLAGS, autoneg) + "] (0x" + hex2(autoneg) + ")";
      const pmd = be16(c, p + 5);
      c.out +=
        "\n\t    PMD autoneg capability [" + flagNames(PMD_CAPABILITIES, pmd, "unknown") + "] (0x" + hex4(pmd) + ")";
      const mau = be16(c, p + 7);
      c.out += "\n\t    MAU type " + (MAU_TYPES[mau] ?? "unknown") + " (0x" + hex4(mau) + ")";
      return false;
    }
    case 2:
      if (len < 7) return false;
      c.out +=
        "\n\t    MDI power support [" +
        flagNames(MDI_FLAGS, u8(c, p + 4)) +
        "], power pair " +
        (MDI_POWER_PAIRS[u8(c, p + 5)] || "unknown") +
        ", power class " +
        (MDI_POWER_CLASSES[u8(c, p + 6)] || "unknown");
      return false;
    case 3:
      if (len >= 9) linkAggregationPrint(c, p + 4);
      return false;
    case 4:
      if (len < 6) return false;
      c.out += "\n\t    MTU size " + be16(c, p + 4);
      return false;
    default:
      return true;
  }
}

function ianaPrint(c: PrintContext, p: number, len: number): boolean {
  if (len < 8) return false;
  const subtype = u8(c, p + 3);
  c.out += "\n\t  " + (subtype === 1 ? "MUD-URL" : "unknown") + " Subtype (" + subtype + ")";
  if (subtype !== 1) return true;
  c.out += "\n\t  MUD-URL=";
  printCountedText(c, p + 4, len - 4);
  return false;
}

/** A 34-bit latitude or longitude: the low two bits of the first byte, then four bytes. */
function latLon(c: PrintContext, p: number): number {
  return (u8(c, p) & 3) * 0x100000000 + be32(c, p + 1);
}

function tiaPrint(c: PrintContext, p: number, len: number): boolean {
  if (len < 4) return false;
  const subtype = u8(c, p + 3);
  c.out += "\n\t  " + (TIA_SUBTYPES[subtype] || "unknown") + " Subtype (" + subtype + ")";
  switch (subtype) {
    case 1: {
      if (len < 7) return false;
      const caps = be16(c, p + 4);
      c.out += "\n\t    Media capabilities [" + flagNames(TIA_CAPABILITIES, caps) + "] (0x" + hex4(caps) + ")";
      const device = u8(c, p + 6);
      c.out += "\n\t    Device type [" + (TIA_DEVICE_TYPES[device] || "unknown") + "] (0x" + hex2(device) + ")";
      return false;
    }
    case 2: {
      if (len < 8) return false;
      const app = u8(c, p + 4);
      c.out += "\n\t    Application type [" + (TIA_APPLICATION_TYPES[app] || "none") + "] (0x" + hex2(app) + ")";
      c.out += ", Flags [" + flagNames(TIA_POLICY_FLAGS, u8(c, p + 5)) + "]";
      c.out += "\n\t    Vlan id " + ((be16(c, p + 5) & 0x1ffe) >> 1);
      c.out += ", L2 priority " + ((be16(c, p + 6) & 0x1ff) >> 6);
      c.out += ", DSCP value " + (be16(c, p + 6) & 0x3f);
      return false;
    }
    case 3:
      return tiaLocationPrint(c, p, len);
    case 4: {
      if (len < 7) return false;
      const v = u8(c, p + 4);
      // tcpdump tests the low two bits here (its mask and shift bind the other way round).
      c.out += "\n\t    Power type [" + (v & 3 ? "PD device" : "PSE device") + "]";
      c.out += ", Power source [" + (TIA_POWER_SOURCES[(v & 0x30) >> 4] || "none") + "]";
      c.out += "\n\t    Power priority [" + (TIA_POWER_PRIORITIES[v & 0xf] || "none") + "] (0x" + hex2(v & 0xf) + ")";
      const power = be16(c, p + 5);
      c.out += power < 1024 ? ", Power " + (power / 10).toFixed(1) + " Watts" : ", Power " + power + " (Reserved)";
      return false;
    }
    case 5:
    case 6:
    case 7:
    case 8:
    case 9:
    case 10:
    case 11:
      c.out += "\n\t  " + TIA_INVENTORY[subtype] + " ";
      printPaddedText(c, p + 4, len - 4);
      return false;
    default:
      return true;
  }
}

function tiaLocationPrint(c: PrintContext, p: number, len: number): boolean {
  if (len < 5) return false;
  const format = u8(c, p + 4);
  c.out += "\n\t    Location data format " + (TIA_LOCATION_FORMATS[format] || "unknown") + " (0x" + hex2(format) + ")";
  switch (format) {
    case 1: {
      if (len < 21) return false;
      c.out += "\n\t    Latitude resolution " + (u8(c, p + 5) >> 2) + ", latitude value " + latLon(c, p + 5);
      c.out += "\n\t    Longitude resolution " + (u8(c, p + 10) >> 2) + ", longitude value " + latLon(c, p + 10);
      const altitudeType = u8(c, p + 15) >> 4;
      c.out += "\n\t    Altitude type " + (TIA_ALTITUDE_TYPES[altitudeType] || "unknown") + " (" + altitudeType + ")";
      c.out +=
        "\n\t    Altitude resolution " +
        ((be16(c, p + 15) >> 6) & 0x3f) +
        ", altitude value 0x" +
        (be32(c, p + 16) & 0x3fffffff).toString(16);
      const datum = u8(c, p + 20);
      c.out += "\n\t    Datum " + (TIA_DATUMS[datum] || "unknown") + " (0x" + hex2(datum) + ")";
      return false;
    }
    case 2: {
      if (len < 6) return false;
      let lciLength = u8(c, p + 5);
      if (lciLength < 3) return false;
      if (len < 7 + lciLength) return false;
      const what = u8(c, p + 6);
      c.out +=
        "\n\t    LCI length " +
        lciLength +
        ", LCI what " +
        (TIA_LCI_WHAT[what] ?? "unknown") +
        " (0x" +
        hex2(what) +
        "), Country-code ";
      printPaddedText(c, p + 7, 2);
      lciLength -= 3;
      let q = p + 9;
      while (lciLength > 0) {
        if (lciLength < 2) return false;
        const caType = u8(c, q);
        const caLength = u8(c, q + 1);
        q += 2;
        lciLength -= 2;
        c.out +=
          "\n\t      CA type '" + (TIA_CA_TYPES[caType] || "unknown") + "' (" + caType + "), length " + caLength + ": ";
        if (caType === 0 || caLength === 0) return false;
        if (lciLength < caLength) return false;
        printPaddedText(c, q, caLength);
        q += caLength;
        lciLength -= caLength;
      }
      return false;
    }
    case 3:
      c.out += "\n\t    ECS ELIN id ";
      printPaddedText(c, p + 5, len - 5);
      return false;
    default:
      c.out += "\n\t    Location ID ";
      printUnknownData(c, p + 5, "\n\t      ", len - 5);
      return false;
  }
}

function infoBlock(c: PrintContext, p: number): void {
  c.out += "\n\t      Oper_Version: " + u8(c, p);
  c.out += "\n\t      Max_Version: " + u8(c, p + 1);
  const info = u8(c, p + 2);
  c.out += "\n\t      Info block(0x" + hex2(info).toUpperCase() + "): ";
  c.out +=
    "Enable bit: " +
    (info & 0x80 ? 1 : 0) +
    ", Willing bit: " +
    (info & 0x40 ? 1 : 0) +
    ", Error Bit: " +
    (info & 0x20 ? 1 : 0);
  c.out += "\n\t      SubType: " + u8(c, p + 3);
}

/** DCBX (version 1.01) TLVs inside the organisation-specific TLV; returns whether to hex-dump it all. */
function dcbxPrint(c: PrintContext, at: number, len: number): boolean {
  let hexdump = false;
  if (len < 4) return hexdump;
  const subtype = u8(c, at + 3);
  c.out += "\n\t  " + (DCBX_SUBTYPES[subtype] || "unknown") + " Subtype (" + subtype + ")";
  // The first revision is left to the hex dump.
  if (subtype === 1) return true;
  let p = at + 4;
  let left = len - 4;
  while (left >= 2) {
    if (!has(c, p, 2)) return hexdump;
    const tlv = be16(c, p);
    const type = tlv >> 9;
    const tlen = tlv & 0x1ff;
    hexdump = false;
    left -= 2;
    p += 2;
    if (!type || !tlen) break;
    if (!has(c, p, tlen) || left < tlen) return hexdump;
    switch (type) {
      case 1:
        if (tlen < 10) return hexdump;
        c.out += "\n\t    Control - Protocol Control (type 0x1, length " + tlen + ")";
        c.out += "\n\t      Oper_Version: " + u8(c, p);
        c.out += "\n\t      Max_Version: " + u8(c, p + 1);
        c.out += "\n\t      Sequence Number: " + be32(c, p + 2);
        c.out += "\n\t      Acknowledgement Number: " + be32(c, p + 6);
        break;
      case 2: {
        if (tlen < 17) return hexdump;
        c.out += "\n\t    Feature - Priority Group (type 0x2, length " + tlen + ")";
        infoBlock(c, p);
        c.out += "\n\t      Priority Allocation";
        const groups = be32(c, p + 4);
        for (let i = 0; i <= 7; i++) c.out += "\n\t          PgId_" + i + ": " + ((groups >>> (28 - 4 * i)) & 0xf);
        c.out += "\n\t      Priority Group Allocation";
        for (let i = 0; i <= 7; i++) c.out += "\n\t          Pg percentage[" + i + "]: " + u8(c, p + 8 + i);
        c.out += "\n\t      NumTCsSupported: " + u8(c, p + 16);
        break;
      }
      case 3: {
        if (tlen < 6) return hexdump;
        c.out += "\n\t    Feature - Priority Flow Control (type 0x3, length " + tlen + ")";
        infoBlock(c, p);
        const config = u8(c, p + 4);
        c.out += "\n\t      PFC Config (0x" + hex2(config).toUpperCase() + ")";
        for (let i = 0; i <= 7; i++)
          c.out += "\n\t          Priority Bit " + i + ": " + (config & (1 << i) ? "Enabled" : "Disabled");
        c.out += "\n\t      NumTCPFCSupported: " + u8(c, p + 5);
        break;
      }
      case 4: {
        if (tlen < 4) return hexdump;
        c.out += "\n\t    Feature - Application (type 0x4, length " + tlen + ")";
        infoBlock(c, p);
        let rest = tlen - 4;
        let q = p + 4;
        while (rest >= 6) {
          c.out += "\n\t      Application Value";
          c.out += "\n\t          Application Protocol ID: 0x" + hex4(be16(c, q));
          const v = (u8(c, q + 2) << 16) | be16(c, q + 3);
          c.out += "\n\t          SF (0x" + (v >> 22).toString(16) + ") Application Protocol ID is ";
          c.out += v >> 22 ? "Socket Number" : "L2 EtherType";
          c.out += "\n\t          OUI: 0x" + (v & 0x3fffff).toString(16).padStart(6, "0");
          c.out += "\n\t          User Priority Map: 0x" + hex2(u8(c, q + 5));
          rest -= 6;
          q += 6;
        }
        break;
      }
      default:
        hexdump = true;
    }
    if (c.flags.verbose > 1 || (c.flags.verbose && hexdump)) printUnknownData(c, p, "\n\t    ", tlen);
    left -= tlen;
    p += tlen;
  }
  return hexdump;
}
