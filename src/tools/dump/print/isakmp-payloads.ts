// The payloads of an ISAKMP/IKE message as tcpdump prints them with -v: one "(name: …)" per
// payload on its own line, indented by depth (SA → proposal → transform), IKEv1's and IKEv2's
// payloads chosen by the payload type whatever the header's version, as tcpdump does.
//
// Functions return the offset after what they printed, or -1 when tcpdump stops there (a short
// payload prints " [|name]" first). The "captured end" several payloads measure their data
// against is the snapshot's end, not the payload's, as in tcpdump.

import { hex2, ipv4String, ipv6String } from "./addr.js";
import { be16, be32, has, u8, type PrintContext } from "./context.js";
import { netdbProtoName } from "./names.js";
import { printCountedText } from "./unknown.js";

const NP_SA = 1;
const NP_P = 2;
const NP_T = 3;
const NP_V2E = 46;

/** Look-up tables with holes: name or "#n". */
function table(entries: readonly (readonly [number, string])[]): (string | undefined)[] {
  const t: (string | undefined)[] = [];
  for (const [n, name] of entries) t[n] = name;
  return t;
}
const list = (...names: (string | undefined)[]): (string | undefined)[] => names;
function nameOr(t: readonly (string | undefined)[], n: number): string {
  return (n < t.length ? t[n] : undefined) ?? "#" + n;
}

const PROTOCOL_IDS = list(undefined, "isakmp", "ipsec-ah", "ipsec-esp", "ipcomp");
const IKEV1_TRANSFORMS = list(undefined, "ike");
const IKEV2_TRANSFORM_TYPES = list(undefined, "encr", "prf", "integ", "dh", "esn");
const AH_TRANSFORMS = list(undefined, "(reserved)", "md5", "sha", "1des", "sha2-256", "sha2-384", "sha2-512");
const PRF_TRANSFORMS = list(undefined, "hmac-md5", "hmac-sha", "hmac-tiger", "aes128_xcbc");
const INTEG_TRANSFORMS = list(undefined, "hmac-md5", "hmac-sha", "dec-mac", "kpdk-md5", "aes-xcbc");
const ESN_TRANSFORMS = list("no-esn", "esn");
const DH_GROUPS = list(
  undefined,
  "modp768",
  "modp1024",
  "EC2N 2^155",
  "EC2N 2^185",
  "modp1536",
  "iana-grp06",
  "iana-grp07",
  "iana-grp08",
  "iana-grp09",
  "iana-grp10",
  "iana-grp11",
  "iana-grp12",
  "iana-grp13",
  "modp2048",
  "modp3072",
  "modp4096",
  "modp6144",
  "modp8192",
);
const ESP_TRANSFORMS = list(
  undefined,
  "1des-iv64",
  "1des",
  "3des",
  "rc5",
  "idea",
  "cast",
  "blowfish",
  "3idea",
  "1des-iv32",
  "rc4",
  "null",
  "aes",
);
const IPCOMP_TRANSFORMS = list(undefined, "oui", "deflate", "lzs");

/** An attribute type's name and the names of its basic values (tcpdump's count bounds the lookup). */
interface AttributeType {
  readonly name: string | undefined;
  readonly values: readonly (string | undefined)[];
  readonly count: number;
}
const attr = (name: string | undefined, count = 0, values: (string | undefined)[] = []): AttributeType => ({
  name,
  values,
  count,
});
const NONE = attr(undefined);
const LIFE_TYPES = list(undefined, "sec", "kb");
const IPSEC_ATTRIBUTES: AttributeType[] = [
  NONE,
  attr("lifetype", 3, LIFE_TYPES),
  attr("life"),
  attr("group desc", 18, DH_GROUPS),
  attr("enc mode", 3, list(undefined, "tunnel", "transport")),
  attr("auth", 5, list(undefined, "hmac-md5", "hmac-sha1", "1des-mac", "keyed")),
  attr("keylen"),
  attr("rounds"),
  attr("dictsize"),
  attr("privalg"),
];
const ENCR_ATTRIBUTES: AttributeType[] = [...Array.from({ length: 14 }, () => NONE), attr("keylen", 14)];
const OAKLEY_ATTRIBUTES: AttributeType[] = [
  NONE,
  attr("enc", 8, list(undefined, "1des", "idea", "blowfish", "rc5", "3des", "cast", "aes")),
  attr("hash", 7, list(undefined, "md5", "sha1", "tiger", "sha2-256", "sha2-384", "sha2-512")),
  attr("auth", 6, list(undefined, "preshared", "dss", "rsa sig", "rsa enc", "rsa enc revised")),
  attr("group desc", 18, DH_GROUPS),
  attr("group type", 4, list(undefined, "MODP", "ECP", "EC2N")),
  attr("group prime"),
  attr("group gen1"),
  attr("group gen2"),
  attr("group curve A"),
  attr("group curve B"),
  attr("lifetype", 3, LIFE_TYPES),
  attr("lifeduration"),
  attr("prf"),
  attr("keylen"),
  attr("field"),
  attr("order"),
];

const CERT_TYPES = list(
  "none",
  "pkcs7",
  "pgp",
  "dns",
  "x509sign",
  "x509ke",
  "kerberos",
  "crl",
  "arl",
  "spki",
  "x509attr",
);
const NOTIFY_ERRORS = list(
  undefined,
  "INVALID-PAYLOAD-TYPE",
  "DOI-NOT-SUPPORTED",
  "SITUATION-NOT-SUPPORTED",
  "INVALID-COOKIE",
  "INVALID-MAJOR-VERSION",
  "INVALID-MINOR-VERSION",
  "INVALID-EXCHANGE-TYPE",
  "INVALID-FLAGS",
  "INVALID-MESSAGE-ID",
  "INVALID-PROTOCOL-ID",
  "INVALID-SPI",
  "INVALID-TRANSFORM-ID",
  "ATTRIBUTES-NOT-SUPPORTED",
  "NO-PROPOSAL-CHOSEN",
  "BAD-PROPOSAL-SYNTAX",
  "PAYLOAD-MALFORMED",
  "INVALID-KEY-INFORMATION",
  "INVALID-ID-INFORMATION",
  "INVALID-CERT-ENCODING",
  "INVALID-CERTIFICATE",
  "CERT-TYPE-UNSUPPORTED",
  "INVALID-CERT-AUTHORITY",
  "INVALID-HASH-INFORMATION",
  "AUTHENTICATION-FAILED",
  "INVALID-SIGNATURE",
  "ADDRESS-NOTIFICATION",
  "NOTIFY-SA-LIFETIME",
  "CERTIFICATE-UNAVAILABLE",
  "UNSUPPORTED-EXCHANGE-TYPE",
  "UNEQUAL-PAYLOAD-LENGTHS",
);
const IPSEC_NOTIFY_ERRORS = list("RESERVED");
const NOTIFY_STATUS = list("CONNECTED");
const IPSEC_NOTIFY_STATUS = list("RESPONDER-LIFETIME", "REPLAY-STATUS", "INITIAL-CONTACT");
const RESPONDER_LIFETIME = 24576;
const REPLAY_STATUS = 24577;
const ID_TYPES = list("IPv4", "IPv4net", "IPv6", "IPv6net");
const IPSEC_ID_TYPES = list(
  undefined,
  "IPv4",
  "FQDN",
  "user FQDN",
  "IPv4net",
  "IPv6",
  "IPv6net",
  "IPv4range",
  "IPv6range",
  "ASN1 DN",
  "ASN1 GN",
  "keyid",
);
const V2_AUTH_METHODS = list("invalid", "rsasig", "shared-secret", "dsssig");
/** IKEv2 notify types: name, and whether the SPI is shown (the cookie's data is also shown). */
const V2_NOTIFY = new Map<number, readonly [string, boolean]>([
  [1, ["unsupported_critical_payload", false]],
  [4, ["invalid_ike_spi", true]],
  [5, ["invalid_major_version", false]],
  [7, ["invalid_syntax", true]],
  [9, ["invalid_message_id", true]],
  [11, ["invalid_spi", true]],
  [14, ["no_protocol_chosen", true]],
  [17, ["invalid_ke_payload", true]],
  [24, ["authentication_failed", true]],
  [34, ["single_pair_required", true]],
  [35, ["no_additional_sas", false]],
  [36, ["internal_address_failure", false]],
  [37, ["failed:cp_required", false]],
  [39, ["invalid_selectors", false]],
  [16384, ["initial_contact", false]],
  [16385, ["set_window_size", false]],
  [16386, ["additional_ts_possible", false]],
  [16387, ["ipcomp_supported", false]],
  [16388, ["nat_detection_source_ip", true]],
  [16389, ["nat_detection_destination_ip", true]],
  [16390, ["cookie", true]],
  [16391, ["use_transport_mode", false]],
  [16392, ["http_cert_lookup_supported", false]],
  [16393, ["rekey_sa", true]],
  [16394, ["tfc_padding_not_supported", false]],
  [16395, ["non_first_fragment_also", false]],
]);
const V2_NOTIFY_COOKIE = 16390;

/** Hex of `len` bytes when all are captured; false (nothing printed) otherwise. */
function rawPrint(c: PrintContext, at: number, len: number): boolean {
  if (!has(c, at, len)) return false;
  c.out += hexBytes(c, at, len);
  return true;
}

/** " [|name]" after a payload that ran short; -1 for the caller. */
function short(c: PrintContext, np: number): number {
  c.out += " [|" + payloadName(np) + "]";
  return -1;
}

/** Too much data to show: its first ten and last twenty bytes up to the captured end. */
function someData(c: PrintContext, at: number): boolean {
  const ep = c.snapend;
  let len = ep - at;
  if (len < 0 || len > 10) len = 10;
  let end = ep - 20;
  let elen = 20;
  if (end < at + len) {
    end = at + len;
    elen = ep - end;
  }
  c.out += " data=(";
  if (!rawPrint(c, at, len)) return false;
  c.out += "...";
  if (elen !== 0 && !rawPrint(c, end, elen)) return false;
  c.out += ")";
  return true;
}

/** One data attribute, with names from `map` when it has any; returns the offset after it, or -1. */
function attributePrint(c: PrintContext, at: number, end: number, map: readonly AttributeType[] | undefined): number {
  const basic = (u8(c, at) & 0x80) !== 0;
  const total = basic ? 4 : 4 + be16(c, at + 2);
  if (end < at + total) {
    c.out += "[|attr]";
    return end + 1;
  }
  c.out += "(";
  const type = be16(c, at) & 0x7fff;
  const known = map !== undefined && type < map.length ? map[type] : undefined;
  c.out += known?.name !== undefined ? "type=" + known.name + " " : "type=#" + type + " ";
  if (basic) {
    c.out += "value=";
    const value = be16(c, at + 2);
    const name = known !== undefined && value < known.count ? known.values[value] : undefined;
    if (name !== undefined) c.out += name;
    else if (!rawPrint(c, at + 2, 2)) {
      c.out += ")";
      return -1;
    }
  } else {
    c.out += "len=" + (total - 4) + " value=";
    if (!rawPrint(c, at + 4, total - 4)) {
      c.out += ")";
      return -1;
    }
  }
  c.out += ")";
  return at + total;
}

/** The attributes after a transform's fixed part, up to its end or the captured end. */
function attributesPrint(c: PrintContext, at: number, end: number, map: readonly AttributeType[] | undefined): number {
  const ep = c.snapend;
  let cp = at;
  while (cp < ep && cp < end) {
    cp = attributePrint(c, cp, end, map);
    if (cp < 0) return -1;
  }
  if (ep < end) c.out += "...";
  return cp;
}

function newline(c: PrintContext, depth: number): void {
  c.out += "\n";
  for (let i = 0; i < depth; i++) c.out += "    ";
}

/** A chain of payloads starting with type `np` at `at` (tcpdump's ikev1_sub_print / ikev2_sub_print). */
function chainPrint(
  c: PrintContext,
  base: number,
  np: number,
  at: number,
  phase: number,
  doi: number,
  proto: number,
  depth: number,
  v2: boolean,
): number {
  let ext = at;
  let cp = at;
  while (np) {
    if (!has(c, ext, 4)) return short(c, np);
    const itemLen = be16(c, ext + 2);
    if (!has(c, ext, itemLen)) return short(c, np);
    newline(c, depth + 1);
    c.out += "(";
    cp = onePrint(c, base, np, ext, itemLen, phase, doi, proto, depth + 1, v2);
    c.out += ")";
    if (cp < 0) return -1;
    np = u8(c, ext);
    ext = cp;
  }
  return cp;
}

function onePrint(
  c: PrintContext,
  base: number,
  np: number,
  ext: number,
  itemLen: number,
  phase: number,
  doi: number,
  proto: number,
  depth: number,
  v2: boolean,
): number {
  if (itemLen <= 4) return -1;
  if (v2 && np === NP_V2E) return encryptedPrint(c, np, ext, itemLen);
  switch (np) {
    case 1:
      return saPrint(c, base, ext, phase, proto, depth);
    case 2:
      return proposalPrint(c, base, ext, phase, doi, depth);
    case 3:
      return transformPrint(c, ext, itemLen, proto);
    case 4:
      return lengthOnlyPrint(c, np, ext, itemLen, " key len=");
    case 5:
      return idPrint(c, ext, itemLen, phase);
    case 6:
    case 7:
      return certPrint(c, np, ext, itemLen);
    case 8:
    case 9:
    case 13:
      return lengthOnlyPrint(c, np, ext, itemLen, " len=");
    case 10:
      return noncePrint(c, ext, itemLen);
    case 11:
      return notifyPrint(c, ext, itemLen);
    case 12:
      return deletePrint(c, ext);
    case 33:
      return v2SaPrint(c, np, ext, depth);
    case 34:
      return v2KeyExchangePrint(c, np, ext, itemLen);
    case 35:
    case 36:
      return v2IdPrint(c, np, ext, itemLen);
    case 39:
      return v2AuthPrint(c, np, ext, itemLen);
    case 40:
      return v2NoncePrint(c, np, ext, itemLen);
    case 41:
      return v2NotifyPrint(c, ext, itemLen);
    case 43:
      return v2VendorPrint(c, np, ext, itemLen);
    case 37:
    case 38:
    case 42:
    case 44:
    case 45:
    case 47:
    case 48:
      return v2GenericPrint(c, np, ext, itemLen);
    default:
      c.out += payloadName(np);
      return ext + itemLen;
  }
}

/** The message's payloads after its header (`base`), -v. */
export function ikePayloadsPrint(
  c: PrintContext,
  base: number,
  np: number,
  at: number,
  phase: number,
  major: number,
): void {
  chainPrint(c, base, np, at, phase, 0, 0, 0, major === 2);
}

function saPrint(c: PrintContext, base: number, ext: number, phase: number, proto: number, depth: number): number {
  c.out += "sa:";
  if (!has(c, ext, 12)) return short(c, NP_SA);
  const doi = be32(c, ext + 4);
  const situation = be32(c, ext + 8);
  if (doi !== 1) {
    c.out += " doi=" + doi + " situation=" + situation;
    return ext + 12;
  }
  c.out += " doi=ipsec situation=";
  let any = false;
  if (situation & 0x01) {
    c.out += "identity";
    any = true;
  }
  if (situation & 0x02) {
    c.out += (any ? "+" : "") + "secrecy";
    any = true;
  }
  if (situation & 0x04) c.out += (any ? "+" : "") + "integrity";
  let next = ext + 12;
  if (situation !== 0x01) {
    // tcpdump reads this "ident" four bytes into the payload: the DOI again.
    c.out += " ident=" + be32(c, ext + 4);
    next += 4;
  }
  if (!has(c, next, 4)) return short(c, NP_SA);
  return chainPrint(c, base, NP_P, next, phase, doi, proto, depth, false);
}

function proposalPrint(c: PrintContext, base: number, ext: number, phase: number, doi: number, depth: number): number {
  c.out += "p:";
  if (!has(c, ext, 8)) return short(c, NP_P);
  const protoId = u8(c, ext + 5);
  c.out += " #" + u8(c, ext + 4) + " protoid=" + nameOr(PROTOCOL_IDS, protoId) + " transform=" + u8(c, ext + 7);
  const spiSize = u8(c, ext + 6);
  if (spiSize) {
    c.out += " spi=";
    if (!rawPrint(c, ext + 8, spiSize)) return short(c, NP_P);
  }
  const next = ext + 8 + spiSize;
  if (!has(c, next, 4)) return short(c, NP_P);
  return chainPrint(c, base, NP_T, next, phase, doi, protoId, depth, false);
}

function transformPrint(c: PrintContext, ext: number, itemLen: number, proto: number): number {
  c.out += "t:";
  if (!has(c, ext, 8)) return short(c, NP_T);
  const id = u8(c, ext + 5);
  let idName: string | undefined;
  let map: readonly AttributeType[] | undefined;
  if (proto === 1) {
    idName = nameOr(IKEV1_TRANSFORMS, id);
    map = OAKLEY_ATTRIBUTES;
  } else if (proto === 2) {
    idName = nameOr(AH_TRANSFORMS, id);
    map = IPSEC_ATTRIBUTES;
  } else if (proto === 3) {
    idName = nameOr(ESP_TRANSFORMS, id);
    map = IPSEC_ATTRIBUTES;
  } else if (proto === 4) {
    idName = nameOr(IPCOMP_TRANSFORMS, id);
    map = IPSEC_ATTRIBUTES;
  }
  c.out += " #" + u8(c, ext + 4) + " id=" + (idName ?? id) + " ";
  const cp = attributesPrint(c, ext + 8, ext + itemLen, map);
  return cp < 0 ? short(c, NP_T) : cp;
}

/** Payloads tcpdump shows by length (and, at -vvv, in hex): KE, hash, signature, vendor id. */
function lengthOnlyPrint(c: PrintContext, np: number, ext: number, itemLen: number, label: string): number {
  c.out += payloadName(np) + ":";
  if (!has(c, ext, 4)) return short(c, np);
  c.out += label + (itemLen - 4);
  if (c.flags.verbose > 2 && itemLen > 4) {
    c.out += " ";
    if (!rawPrint(c, ext + 4, itemLen - 4)) return short(c, np);
  }
  return ext + itemLen;
}

function certPrint(c: PrintContext, np: number, ext: number, itemLen: number): number {
  c.out += payloadName(np) + ":";
  if (!has(c, ext, 6)) return short(c, np);
  c.out += " len=" + (itemLen - 4) + " type=" + nameOr(CERT_TYPES, u8(c, ext + 4));
  if (c.flags.verbose > 2 && itemLen > 4) {
    c.out += " ";
    if (!rawPrint(c, ext + 4, itemLen - 4)) return short(c, np);
  }
  return ext + itemLen;
}

function idPrint(c: PrintContext, ext: number, itemLen: number, phase: number): number {
  c.out += "id:";
  if (!has(c, ext, 8)) return short(c, 5);
  const hasData = itemLen > 8;
  const data = ext + 8;
  let len = hasData ? itemLen - 8 : 0;
  if (phase !== 1 && phase !== 2) {
    c.out += " idtype=" + nameOr(ID_TYPES, u8(c, ext + 4)) + " doi_data=" + (be32(c, ext + 4) & 0xffffff);
  } else {
    const type = u8(c, ext + 4);
    c.out += " idtype=" + nameOr(IPSEC_ID_TYPES, type);
    const protoId = u8(c, ext + 5);
    const protoName = !c.flags.numeric && protoId ? netdbProtoName(protoId) : undefined;
    c.out += " protoid=" + (protoName ?? protoId) + " port=" + be16(c, ext + 6);
    if (len) {
      if (!hasData) return short(c, 5);
      if (!has(c, data, len)) return short(c, 5);
      switch (type) {
        case 1:
          c.out += len < 4 ? " len=" + len + " [bad: < 4]" : " len=" + len + " " + ipv4String(c, data);
          len = 0;
          break;
        case 2:
        case 3:
          c.out += " len=" + len + " ";
          printCountedText(c, data, len);
          len = 0;
          break;
        case 4:
          if (len < 8) c.out += " len=" + len + " [bad: < 8]";
          else {
            c.out += " len=" + len + " " + ipv4String(c, data) + "/";
            c.out += u8(c, data + 4) + "." + u8(c, data + 5) + "." + u8(c, data + 6) + "." + u8(c, data + 7);
          }
          len = 0;
          break;
        case 5:
          c.out += len < 16 ? " len=" + len + " [bad: < 16]" : " len=" + len + " " + ipv6String(c, data);
          len = 0;
          break;
        case 6:
          if (len < 32) c.out += " len=" + len + " [bad: < 32]";
          else c.out += " len=" + len + " " + ipv6String(c, data) + "/0x" + hexBytes(c, data + 16, 16);
          len = 0;
          break;
        case 7:
          if (len < 8) c.out += " len=" + len + " [bad: < 8]";
          else c.out += " len=" + len + " " + ipv4String(c, data) + "-" + ipv4String(c, data + 4);
          len = 0;
          break;
        case 8:
          if (len < 32) c.out += " len=" + len + " [bad: < 32]";
          else c.out += " len=" + len + " " + ipv6String(c, data) + "-" + ipv6String(c, data + 16);
          len = 0;
          break;
      }
    }
  }
  if (hasData && len) {
    c.out += " len=" + len;
    if (c.flags.verbose > 2) {
      c.out += " ";
      if (!rawPrint(c, data, len)) return short(c, 5);
    }
  }
  return ext + itemLen;
}

function noncePrint(c: PrintContext, ext: number, itemLen: number): number {
  c.out += "nonce:";
  if (!has(c, ext, 4)) return short(c, 10);
  c.out += " n len=" + (itemLen - 4);
  if (itemLen > 4) {
    if (c.flags.verbose > 2) {
      c.out += " ";
      if (!rawPrint(c, ext + 4, itemLen - 4)) return short(c, 10);
    } else if (c.flags.verbose > 1) {
      c.out += " ";
      if (!someData(c, ext + 4)) return short(c, 10);
    }
  }
  return ext + itemLen;
}

function notifyTypeName(type: number, ipsec: boolean): string {
  if (type < 8192) return nameOr(NOTIFY_ERRORS, type);
  if (type < 16384) return ipsec ? nameOr(IPSEC_NOTIFY_ERRORS, type - 8192) : "#" + type;
  if (type < 24576) return nameOr(NOTIFY_STATUS, type - 16384);
  if (type < 32768 && ipsec) return nameOr(IPSEC_NOTIFY_STATUS, type - 24576);
  return "#" + type;
}

function notifyPrint(c: PrintContext, ext: number, itemLen: number): number {
  c.out += "n:";
  if (!has(c, ext, 12)) return short(c, 11);
  const doi = be32(c, ext + 4);
  const proto = u8(c, ext + 8);
  const ipsec = doi === 1;
  c.out += ipsec ? " doi=ipsec proto=" + nameOr(PROTOCOL_IDS, proto) : " doi=" + doi + " proto=" + proto;
  const type = be16(c, ext + 10);
  c.out += " type=" + notifyTypeName(type, ipsec);
  const spiSize = u8(c, ext + 9);
  if (spiSize) {
    c.out += " spi=";
    if (!rawPrint(c, ext + 12, spiSize)) return short(c, 11);
  }
  const cp = ext + 12 + spiSize;
  if (!ipsec) return cp;
  const ep = c.snapend;
  const end = ext + itemLen;
  if (cp < ep) {
    if (type === RESPONDER_LIFETIME) {
      c.out += " attrs=(";
      let p = cp;
      while (p < ep && p < end) {
        p = attributePrint(c, p, end, OAKLEY_ATTRIBUTES);
        if (p < 0) {
          c.out += ")";
          return short(c, 11);
        }
      }
      c.out += ")";
    } else if (type === REPLAY_STATUS) {
      c.out += " status=(";
      c.out += "replay detection " + (be32(c, cp) ? "en" : "dis") + "abled)";
    } else if (c.flags.verbose > 3) {
      c.out += " data=(";
      if (!rawPrint(c, cp, ep - cp)) return short(c, 11);
      c.out += ")";
    } else if (!someData(c, cp)) return short(c, 11);
  }
  return ext + itemLen;
}

function deletePrint(c: PrintContext, ext: number): number {
  c.out += "d:";
  if (!has(c, ext, 12)) return short(c, 12);
  const doi = be32(c, ext + 4);
  const proto = u8(c, ext + 8);
  c.out += doi !== 1 ? " doi=" + doi + " proto=" + proto : " doi=ipsec proto=" + nameOr(PROTOCOL_IDS, proto);
  const spiSize = u8(c, ext + 9);
  const count = be16(c, ext + 10);
  c.out += " spilen=" + spiSize + " nspi=" + count + " spi=";
  let q = ext + 12;
  for (let i = 0; i < count; i++) {
    if (i !== 0) c.out += ",";
    if (!rawPrint(c, q, spiSize)) return short(c, 12);
    q += spiSize;
  }
  return q;
}

// IKEv2 payloads.

function v2Name(c: PrintContext, name: string, ext: number): void {
  c.out += name + (u8(c, ext + 1) & 0x80 ? "[C]" : "") + ":";
}

function v2GenericPrint(c: PrintContext, np: number, ext: number, itemLen: number): number {
  if (!has(c, ext, 4)) return short(c, np);
  v2Name(c, payloadName(np), ext);
  c.out += " len=" + (itemLen - 4);
  if (c.flags.verbose > 2 && itemLen > 4) {
    c.out += " ";
    if (!rawPrint(c, ext + 4, itemLen - 4)) return short(c, np);
  }
  return ext + itemLen;
}

function v2TransformPrint(c: PrintContext, count: number, ext: number, itemLen: number): number {
  if (!has(c, ext, 8)) return short(c, NP_T);
  v2Name(c, "t", ext);
  const id = be16(c, ext + 6);
  const type = u8(c, ext + 4);
  let idName: string | undefined;
  let map: readonly AttributeType[] | undefined;
  if (type === 1) {
    idName = nameOr(ESP_TRANSFORMS, id);
    map = ENCR_ATTRIBUTES;
  } else if (type === 2) idName = nameOr(PRF_TRANSFORMS, id);
  else if (type === 3) idName = nameOr(INTEG_TRANSFORMS, id);
  else if (type === 4) idName = nameOr(DH_GROUPS, id);
  else if (type === 5) idName = nameOr(ESN_TRANSFORMS, id);
  c.out += " #" + count + " type=" + nameOr(IKEV2_TRANSFORM_TYPES, type) + " id=" + (idName ?? id) + " ";
  const cp = attributesPrint(c, ext + 8, ext + itemLen, map);
  return cp < 0 ? short(c, NP_T) : cp;
}

function v2ProposalPrint(c: PrintContext, ext: number, proposalLength: number, depth: number): number {
  if (!has(c, ext, 8)) return short(c, NP_P);
  v2Name(c, "p", ext);
  let remaining = proposalLength - 4;
  c.out +=
    " #" +
    u8(c, ext + 4) +
    " protoid=" +
    nameOr(PROTOCOL_IDS, u8(c, ext + 5)) +
    " transform=" +
    u8(c, ext + 7) +
    " len=" +
    proposalLength;
  let cp = ext + 8;
  const spiSize = u8(c, ext + 6);
  if (spiSize) {
    if (remaining < spiSize) return tooLong(c, NP_P, cp, remaining);
    c.out += " spi=";
    if (!rawPrint(c, cp, spiSize)) return short(c, NP_P);
    cp += spiSize;
    remaining -= spiSize;
  }
  let count = 0;
  let t = ext;
  for (let np = NP_T; np !== 0; np = u8(c, t)) {
    count++;
    t = cp;
    if (remaining < 4) return tooLong(c, NP_P, cp, remaining);
    if (!has(c, t, 4)) return short(c, NP_P);
    const itemLen = be16(c, t + 2);
    if (itemLen <= 4) return short(c, NP_P);
    if (remaining < itemLen) return tooLong(c, NP_P, cp, remaining);
    if (!has(c, cp, itemLen)) return short(c, NP_P);
    newline(c, depth + 1);
    c.out += "(";
    if (np === NP_T) {
      cp = v2TransformPrint(c, count, t, itemLen);
      if (cp < 0) return -1;
    } else {
      c.out += payloadName(np);
      cp += itemLen;
    }
    c.out += ")";
    remaining -= itemLen;
  }
  return cp;
}

/** A length that overruns its container: skip the rest and say so. */
function tooLong(c: PrintContext, np: number, cp: number, remaining: number): number {
  c.out += " [|" + payloadName(np) + "]";
  return cp + remaining;
}

function v2SaPrint(c: PrintContext, np: number, ext: number, depth: number): number {
  if (!has(c, ext, 4)) return short(c, np);
  v2Name(c, "sa", ext);
  let remaining = be16(c, ext + 2) - 4;
  c.out += " len=" + remaining;
  let cp = ext + 4;
  let p = ext;
  for (let inner = NP_P; inner !== 0; inner = u8(c, p)) {
    p = cp;
    if (remaining < 4) return tooLong(c, np, cp, remaining);
    if (!has(c, p, 4)) return short(c, np);
    const itemLen = be16(c, p + 2);
    if (itemLen <= 4) return short(c, np);
    if (remaining < itemLen) return tooLong(c, np, cp, remaining);
    if (!has(c, cp, itemLen)) return short(c, np);
    newline(c, depth + 1);
    c.out += "(";
    if (inner === NP_P) {
      cp = v2ProposalPrint(c, p, itemLen, depth + 1);
      if (cp < 0) return -1;
    } else {
      c.out += payloadName(inner);
      cp += itemLen;
    }
    c.out += ")";
    remaining -= itemLen;
  }
  return cp;
}

function v2KeyExchangePrint(c: PrintContext, np: number, ext: number, itemLen: number): number {
  if (!has(c, ext, 8)) return short(c, np);
  v2Name(c, payloadName(np), ext);
  if (itemLen < 8) {
    c.out += " len=" + itemLen + " < 8";
    return ext + itemLen;
  }
  c.out += " len=" + (itemLen - 8) + " group=" + nameOr(DH_GROUPS, be16(c, ext + 4));
  if (c.flags.verbose > 2 && itemLen > 8) {
    c.out += " ";
    if (!rawPrint(c, ext + 8, itemLen - 8)) return short(c, np);
  }
  return ext + itemLen;
}

const V2_ID_KINDS = new Map<number, readonly [string, boolean]>([
  [1, [" ipv4:", false]],
  [2, [" fqdn:", true]],
  [3, [" rfc822:", true]],
  [5, [" ipv6:", false]],
  [9, [" dn:", false]],
  [10, [" gn:", false]],
  [11, [" keyid:", false]],
]);

function v2IdPrint(c: PrintContext, np: number, ext: number, itemLen: number): number {
  if (!has(c, ext, 8)) return short(c, np);
  v2Name(c, payloadName(np), ext);
  c.out += " len=" + (itemLen - 4);
  if (c.flags.verbose > 2 && itemLen > 4) {
    c.out += " ";
    if (!rawPrint(c, ext + 4, itemLen - 4)) return short(c, np);
  }
  // The identity's length as tcpdump's unsigned arithmetic makes it (huge when the payload is short).
  const len = (itemLen - 8) >>> 0;
  const data = ext + 8;
  const kind = V2_ID_KINDS.get(u8(c, ext + 4));
  if (kind !== undefined) {
    c.out += kind[0];
    if (kind[1]) {
      if (!has(c, data, len)) return short(c, np);
      for (let i = 0; i < len; i++) {
        const b = u8(c, data + i);
        c.out += b >= 0x20 && b <= 0x7e ? String.fromCharCode(b) : ".";
      }
    } else if (!rawPrint(c, data, len)) return short(c, np);
  }
  return ext + itemLen;
}

function v2AuthPrint(c: PrintContext, np: number, ext: number, itemLen: number): number {
  if (!has(c, ext, 8)) return short(c, np);
  v2Name(c, payloadName(np), ext);
  c.out += " len=" + (itemLen - 4) + " method=" + nameOr(V2_AUTH_METHODS, u8(c, ext + 4));
  if (itemLen > 4) {
    if (c.flags.verbose > 1) {
      c.out += " authdata=(";
      if (!rawPrint(c, ext + 8, (itemLen - 8) >>> 0)) return short(c, np);
      c.out += ") ";
    } else if (c.flags.verbose && !someData(c, ext + 8)) return short(c, np);
  }
  return ext + itemLen;
}

function v2NoncePrint(c: PrintContext, np: number, ext: number, itemLen: number): number {
  if (!has(c, ext, 4)) return short(c, np);
  v2Name(c, "nonce", ext);
  c.out += " len=" + (itemLen - 4);
  if (c.flags.verbose > 1 && itemLen > 4) {
    c.out += " nonce=(";
    if (!rawPrint(c, ext + 4, itemLen - 4)) return short(c, np);
    c.out += ") ";
  } else if (c.flags.verbose && itemLen > 4 && !someData(c, ext + 4)) return short(c, np);
  return ext + itemLen;
}

function v2NotifyPrint(c: PrintContext, ext: number, itemLen: number): number {
  if (!has(c, ext, 8)) return short(c, 11);
  v2Name(c, "n", ext);
  c.out += " prot_id=" + nameOr(PROTOCOL_IDS, u8(c, ext + 4));
  const type = be16(c, ext + 6);
  const known = V2_NOTIFY.get(type);
  let name: string;
  let showSpi = true;
  if (known !== undefined) {
    name = known[0];
    showSpi = known[1];
  } else if (type < 8192) name = "error";
  else if (type < 16384) name = "private-error";
  else if (type < 40960) name = "status";
  else name = "private-status";
  const showSomeData = type === V2_NOTIFY_COOKIE;
  c.out += " type=" + type + "(" + name + ")";
  const spiSize = u8(c, ext + 5);
  if (showSpi && spiSize) {
    c.out += " spi=";
    if (!rawPrint(c, ext + 8, spiSize)) return short(c, 11);
  }
  const cp = ext + 8 + spiSize;
  const ep = c.snapend;
  if (cp < ep) {
    if (c.flags.verbose > 3 || (showSomeData && ep - cp < 30)) {
      c.out += " data=(";
      if (!rawPrint(c, cp, ep - cp)) return short(c, 11);
      c.out += ")";
    } else if (showSomeData && !someData(c, cp)) return short(c, 11);
  }
  return ext + itemLen;
}

function v2VendorPrint(c: PrintContext, np: number, ext: number, itemLen: number): number {
  if (!has(c, ext, 4)) return short(c, np);
  v2Name(c, payloadName(np), ext);
  const len = itemLen - 4;
  c.out += " len=" + len + " vid=";
  if (!has(c, ext + 4, len)) return short(c, np);
  for (let i = 0; i < len; i++) {
    const b = u8(c, ext + 4 + i);
    c.out += b >= 0x20 && b <= 0x7e ? String.fromCharCode(b) : ".";
  }
  if (c.flags.verbose > 2 && len > 4) {
    c.out += " ";
    if (!rawPrint(c, ext + 4, len)) return short(c, np);
  }
  return ext + itemLen;
}

/** IKEv2's encrypted payload: its length (and data at -vvv); nothing follows it that can be read. */
function encryptedPrint(c: PrintContext, np: number, ext: number, itemLen: number): number {
  if (!has(c, ext, 4)) return short(c, np);
  v2Name(c, payloadName(np), ext);
  const len = itemLen - 4;
  c.out += " len=" + len;
  if (c.flags.verbose > 2 && len > 4) {
    c.out += " ";
    if (!rawPrint(c, ext + 4, len)) return short(c, np);
  }
  if (!has(c, ext + 4, len)) return short(c, np);
  return -1;
}

/** Bytes as lower-case hex, two digits each. */
export function hexBytes(c: PrintContext, at: number, len: number): string {
  let s = "";
  for (let i = 0; i < len; i++) s += hex2(u8(c, at + i));
  return s;
}

const PAYLOAD_NAMES = [
  "none",
  "sa",
  "p",
  "t",
  "ke",
  "id",
  "cert",
  "cr",
  "hash",
  "sig",
  "nonce",
  "n",
  "d",
  "vid",
  "pay14",
  "pay15",
  "pay16",
  "pay17",
  "pay18",
  "pay19",
  "pay20",
  "pay21",
  "pay22",
  "pay23",
  "pay24",
  "pay25",
  "pay26",
  "pay27",
  "pay28",
  "pay29",
  "pay30",
  "pay31",
  "pay32",
  "v2sa",
  "v2ke",
  "v2IDi",
  "v2IDr",
  "v2cert",
  "v2cr",
  "v2auth",
  "v2nonce",
  "v2n",
  "v2d",
  "v2vid",
  "v2TSi",
  "v2TSr",
  "v2e",
  "v2cp",
  "v2eap",
];

/** tcpdump's short name of a payload type ("sa", "v2ke", "#50"). */
export function payloadName(type: number): string {
  return PAYLOAD_NAMES[type] ?? "#" + type;
}
