// A capture of SNMP messages for the dump printer's tests: SNMPv1, v2c and v3 with every PDU and
// value type, the error and trap fields, OIDs inside and outside tcpdump's compiled-in MIB, and the
// encodings tcpdump complains about (wrong types, short lengths, long tags, extra bytes), each
// also cut short by the snapshot length at several places and mutated at random (from a fixed
// seed). The corpus holds only four SNMP packets, all malformed.

import type { PacketRecord } from "../../src/pcap/index.js";
import { writeCaptureFile, type CaptureFile } from "./dump-oracle.js";
import { mutatedCopies, seededRandom } from "./mutated-frames.js";

/** Hostile variants of each message (bytes of its SNMP payload replaced). */
const MUTATED_COPIES = 5;

// BER encoding, just enough to build SNMP messages.
function berLength(n: number): number[] {
  if (n < 0x80) return [n];
  const bytes: number[] = [];
  for (; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff);
  return [0x80 | bytes.length, ...bytes];
}
const tlv = (tag: number, ...body: number[][]): number[] => {
  const flat = body.flat();
  return [tag, ...berLength(flat.length), ...flat];
};
function intBytes(v: number): number[] {
  const bytes = [v & 0xff];
  for (let x = v; x < -128 || x > 127; ) {
    x = Math.floor(x / 256);
    bytes.unshift(x & 0xff);
  }
  return bytes;
}
const int = (v: number): number[] => tlv(0x02, intBytes(v));
const str = (s: string | number[]): number[] => tlv(0x04, typeof s === "string" ? [...Buffer.from(s)] : s);
function oid(dotted: string): number[] {
  const parts = dotted.split(".").map(Number);
  const subids = [parts[0]! * 40 + parts[1]!, ...parts.slice(2)];
  const body: number[] = [];
  for (const s of subids) {
    const groups = [s & 0x7f];
    for (let x = Math.floor(s / 128); x > 0; x = Math.floor(x / 128)) groups.unshift(0x80 | (x & 0x7f));
    body.push(...groups);
  }
  return tlv(0x06, body);
}
const NULL = [0x05, 0x00];
const seq = (...items: number[][]): number[] => tlv(0x30, ...items);
const pdu = (type: number, ...items: number[][]): number[] => tlv(0xa0 | type, ...items);
const varbind = (name: string, value: number[] = NULL): number[] => seq(oid(name), value);
const varbinds = (...list: number[][]): number[] => seq(...list);
const request = (type: number, id: number, status: number, index: number, ...list: number[][]): number[] =>
  pdu(type, int(id), int(status), int(index), varbinds(...list));
const community = (version: number, name: string, body: number[]): number[] => seq(int(version), str(name), body);

const SYS_DESCR = "1.3.6.1.2.1.1.1.0";
const IF_IN_OCTETS = "1.3.6.1.2.1.2.2.1.10.3";
const ENTERPRISE = "1.3.6.1.4.1.9.1.516";

function v3(
  flags: number,
  model: number,
  user: string,
  contextName: string,
  body: number[],
  extra: number[] = [],
): number[] {
  const usm = seq(str([0x80, 0, 0x1f, 0x88, 4]), int(3), int(12345), str(user), str([1, 2, 3]), str([]));
  return seq(
    int(3),
    seq(int(77), int(65507), str([flags]), int(model), extra),
    str(usm),
    seq(str([0x80, 0, 0x1f, 0x88, 4]), str(contextName), body),
  );
}

/** SNMP payloads: [port, bytes, bytes after the UDP length but inside the IP datagram]. */
function messages(): [number, number[], number[]?][] {
  const get = (type: number): number[] => request(type, 1234, 0, 0, varbind(SYS_DESCR), varbind("1.3.6.1.2.1.1.3.0"));
  const values = [
    varbind(SYS_DESCR, str("Linux box 6.1")),
    varbind("1.3.6.1.2.1.1.2.0", oid("1.3.6.1.4.1.8072.3.2.10")),
    varbind("1.3.6.1.2.1.1.3.0", tlv(0x43, [0x01, 0x2c, 0x4b, 0x3a])),
    varbind(IF_IN_OCTETS, tlv(0x41, [0xff, 0xff, 0xff, 0xfe])),
    varbind("1.3.6.1.2.1.2.2.1.5.3", tlv(0x42, [0x3b, 0x9a, 0xca, 0x00])),
    varbind("1.3.6.1.2.1.31.1.1.1.6.3", tlv(0x46, [0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08])),
    varbind("1.3.6.1.2.1.31.1.1.1.10.3", tlv(0x46, [0x00, 0x10])),
    varbind("1.3.6.1.2.1.4.20.1.1.10.0.0.1", tlv(0x40, [10, 0, 0, 1])),
    varbind("1.3.6.1.2.1.4.20.1.1.10.0.0.2", tlv(0x40, [10, 0, 0, 2, 9])),
    varbind("1.3.6.1.2.1.2.2.1.6.3", str([0x00, 0x1b, 0x21, 0x3c, 0x4d, 0x5e])),
    varbind("1.3.6.1.2.1.2.2.1.7.3", int(-2)),
    varbind("1.3.6.1.2.1.2.2.1.8.3", int(1)),
    varbind("1.3.6.1.2.1.2.2.1.9.3", int(-100000)),
    varbind("1.3.6.1.2.1.1.9.1.2.1", tlv(0x44, [0xde, 0xad])),
    varbind("1.3.6.1.2.1.1.9.1.2.2", [0x80, 0x00]),
    varbind("1.3.6.1.2.1.1.9.1.2.3", [0x81, 0x00]),
    varbind("1.3.6.1.2.1.1.9.1.2.4", [0x82, 0x00]),
    varbind("1.3.6.1.2.1.1.9.1.2.5", [0x83, 0x00]),
    varbind("1.3.6.1.2.1.1.9.1.2.6", tlv(0x30, int(5))),
    varbind("1.3.6.1.2.1.1.9.1.2.7", tlv(0x31, int(5))),
    varbind("1.3.6.1.2.1.1.9.1.2.8", tlv(0x01, [0xff])),
    varbind("1.3.6.1.2.1.1.9.1.2.9", tlv(0x03, [0x00, 0xf0])),
    varbind("1.3.6.1.2.1.1.9.1.2.10", tlv(0xc0, [0x01])),
    varbind("1.3.6.1.2.1.1.9.1.2.11", tlv(0x61, [0x01])),
    varbind("1.3.6.1.2.1.1.9.1.2.12", tlv(0x45, [0x01])),
    varbind("1.3.6.1.2.1.1.9.1.2.13", NULL),
    varbind("1.3.6.1.6.3.1.1.4.1.0", oid("1.3.6.1.6.3.1.1.5.3")),
    varbind("1.3.6.1.3.1.1", oid("2.999.1")),
    varbind("1.3.6.1.4.1.2021.4.5.0", int(0x7fffffff)),
    varbind("1.3.6.1.4.1.2021.4.6.0", tlv(0x02, [0x01, 0x00, 0x00, 0x00, 0x00, 0x05])),
  ];
  const trap = (generic: number, specific: number): number[] =>
    pdu(
      4,
      oid(ENTERPRISE),
      tlv(0x40, [192, 0, 2, 7]),
      int(generic),
      int(specific),
      tlv(0x43, [0x00, 0x01, 0xe2, 0x40]),
      varbinds(varbind("1.3.6.1.2.1.2.2.1.1.3", int(3))),
    );
  const list: [number, number[], number[]?][] = [
    // SNMPv1 and v2c, every PDU.
    [161, community(0, "public", get(0))],
    [161, community(0, "private", get(1))],
    [161, community(1, "public", get(0))],
    [161, community(1, "s3cr\x01t", get(1))],
    [161, community(1, "public", request(2, 1234, 0, 0, ...values))],
    [161, community(0, "public", request(2, 99, 0, 0, ...values.slice(0, 4)))],
    [161, community(1, "write", request(3, 7, 0, 0, varbind("1.3.6.1.2.1.1.5.0", str("router-1"))))],
    [161, community(1, "public", request(5, -1, 0, 10, varbind("1.3.6.1.2.1.2.2.1.2"), varbind(IF_IN_OCTETS)))],
    [162, community(1, "public", request(6, 5, 0, 0, varbind("1.3.6.1.2.1.1.3.0", tlv(0x43, [1]))))],
    [162, community(1, "traps", request(7, 6, 0, 0, varbind("1.3.6.1.6.3.1.1.4.1.0", oid("1.3.6.1.6.3.1.1.5.4"))))],
    [161, community(1, "public", request(8, 8, 0, 0, varbind("1.3.6.1.6.3.15.1.1.4.0", tlv(0x41, [3]))))],
    [162, community(0, "public", trap(6, 17))],
    [162, community(0, "public", trap(2, 0))],
    [162, community(0, "public", trap(3, 4))],
    [162, community(0, "public", trap(9, 0))],
    [162, community(0, "public", trap(-1, 0))],
    // Error status and index.
    [161, community(1, "public", request(2, 1, 1, 2, varbind(SYS_DESCR, NULL)))],
    [161, community(1, "public", request(2, 1, 25, 1, varbind(SYS_DESCR, NULL)))],
    [161, community(1, "public", request(2, 1, -3, 1, varbind(SYS_DESCR, NULL)))],
    [161, community(1, "public", request(2, 1, 0, 3, varbind(SYS_DESCR, NULL)))],
    [161, community(1, "public", request(2, 1, 5, 0, varbind(SYS_DESCR, NULL)))],
    [161, community(1, "public", request(0, 1, 2, 1, varbind(SYS_DESCR)))],
    [161, community(1, "public", request(3, 1, 99, 4, varbind(SYS_DESCR, int(1))))],
    [161, community(1, "public", request(0, 1, 0, 0, varbind(SYS_DESCR, int(1))))],
    [161, community(1, "public", request(0, 1, 0, 0))],
    // Versions and PDUs that do not belong together.
    [161, community(0, "public", request(5, 1, 0, 0, varbind(SYS_DESCR)))],
    [161, community(0, "public", request(8, 1, 0, 0, varbind(SYS_DESCR)))],
    [162, community(1, "public", trap(0, 0))],
    [161, community(2, "public", get(0))],
    [161, community(7, "public", get(0))],
    [161, community(-1, "public", get(0))],
    // SNMPv3 with the user-based security model.
    [161, v3(0x04, 3, "", "", get(0))],
    [161, v3(0x05, 3, "admin", "", get(1))],
    [161, v3(0x07, 3, "admin", "ctx", [0x04, 0x03, 1, 2, 3])],
    [161, v3(0x03, 3, "admin", "vlan-12", request(2, 9, 0, 0, ...values.slice(0, 3)))],
    [161, v3(0x01, 3, "op\x7f", "c\x00", request(8, 9, 0, 0, varbind("1.3.6.1.6.3.15.1.1.4.0", tlv(0x41, [7]))))],
    [161, v3(0x00, 3, "u", "", request(4, 9, 0, 0))],
    [161, v3(0x02, 3, "admin", "", get(0))],
    [161, v3(0x00, 2, "admin", "", get(0))],
    [161, v3(0x00, 3, "admin", "", get(0), int(5))],
    [161, seq(int(3), seq(int(1), int(2), str([0, 1]), int(3)), str(seq(str([]), int(0), int(0), str("u"))), NULL)],
    [161, seq(int(3), seq(int(1), int(2), str([0]), int(3)), int(3), NULL)],
    [161, seq(int(3), seq(int(1), int(2), str([0]), int(3)), str(NULL), NULL)],
    [
      161,
      seq(
        int(3),
        seq(int(1), int(2), str([0]), int(3)),
        str(seq(str([]), int(0), int(0), str("u"), str([]), str([]), int(9))),
        seq(str([]), str(""), int(0)),
      ),
    ],
    [
      161,
      seq(
        int(3),
        seq(int(1), int(2), str([0]), int(3)),
        str(seq(str([]), int(0), int(0), str("u"), str([]), str([]))),
        seq(str([]), str(""), pdu(0, int(1), int(0), int(0), varbinds()), int(1)),
      ),
    ],
    [161, seq(int(3), int(1))],
    [161, seq(int(3), seq(NULL))],
    [161, seq(int(3), seq(int(1), NULL))],
    [161, seq(int(3), seq(int(1), int(2), NULL))],
    [161, seq(int(3), seq(int(1), int(2), str([0]), NULL))],
    [161, seq(int(3), seq(int(1), int(2), str([0]), int(3)), str(int(1)))],
    [161, seq(int(3), seq(int(1), int(2), str([0]), int(3)), str(seq(NULL)))],
    [161, seq(int(3), seq(int(1), int(2), str([0]), int(3)), str(seq(str([]), NULL)))],
    [161, seq(int(3), seq(int(1), int(2), str([0]), int(3)), str(seq(str([]), int(0), NULL)))],
    [161, seq(int(3), seq(int(1), int(2), str([0]), int(3)), str(seq(str([]), int(0), int(0), NULL)))],
    [161, seq(int(3), seq(int(1), int(2), str([0]), int(3)), str(seq(str([]), int(0), int(0), str(""), NULL)))],
    [
      161,
      seq(int(3), seq(int(1), int(2), str([0]), int(3)), str(seq(str([]), int(0), int(0), str(""), str([]), NULL))),
    ],
    [161, seq(int(3), seq(int(1), int(2), str([0]), int(3)), str(seq()), seq(NULL))],
    [161, seq(int(3), seq(int(1), int(2), str([0]), int(3)), str(seq()), seq(str([]), NULL))],
    [161, seq(int(3), seq(int(1), int(2), str([0]), int(3)), str(seq()), seq(str([]), str(""), NULL))],
    // Encodings tcpdump complains about.
    [161, [...community(0, "public", get(0)), 0, 0]],
    [161, seq(int(0), str("public"), get(0), int(9))],
    [161, seq(int(0), str("public"), pdu(0, int(1), int(0), int(0), [...varbinds(varbind(SYS_DESCR)), 5, 0]))],
    [161, int(5)],
    [161, str("text")],
    [161, seq(str("1"))],
    [161, seq(int(0), int(1))],
    [161, seq(int(0), str("public"), int(1))],
    [161, seq(int(0), str("public"))],
    [161, seq(int(0), str("public"), pdu(0, str("x")))],
    [161, seq(int(0), str("public"), pdu(0, int(1), str("x")))],
    [161, seq(int(0), str("public"), pdu(0, int(1), int(0), str("x")))],
    [161, seq(int(0), str("public"), pdu(0, int(1), int(0), int(0), int(4)))],
    [161, seq(int(0), str("public"), pdu(0, int(1), int(0), int(0), varbinds(int(4))))],
    [161, seq(int(0), str("public"), pdu(0, int(1), int(0), int(0), varbinds(seq(int(4)))))],
    [161, seq(int(0), str("public"), pdu(0, int(1), int(0), int(0), varbinds(seq(oid(SYS_DESCR)))))],
    [161, seq(int(0), str("public"), pdu(2, int(1), int(0), int(0), varbinds(seq(oid(SYS_DESCR)))))],
    [162, seq(int(0), str("public"), pdu(4, int(1)))],
    [162, seq(int(0), str("public"), pdu(4, oid(ENTERPRISE), int(1)))],
    [162, seq(int(0), str("public"), pdu(4, oid(ENTERPRISE), tlv(0x40, [1, 2, 3, 4]), NULL))],
    [162, seq(int(0), str("public"), pdu(4, oid(ENTERPRISE), tlv(0x40, [1, 2, 3, 4]), int(6), NULL))],
    [162, seq(int(0), str("public"), pdu(4, oid(ENTERPRISE), tlv(0x40, [1, 2, 3, 4]), int(6), int(1), int(5)))],
    [
      162,
      seq(int(0), str("public"), pdu(4, oid(ENTERPRISE), tlv(0x40, [1, 2, 3, 4, 5]), int(6), int(1), tlv(0x43, [1]))),
    ],
    [161, seq(int(0), str("public"), pdu(0, int(1), int(0), int(0), varbinds(seq(oid(SYS_DESCR), tlv(0x1f, [])))))],
    [161, [0x30, 0x85, 1, 2, 3, 4, 5]],
    [161, [0x30, 0x82, 0x00]],
    [161, [0x30, 0x82, 0x00, 0x05, 2, 1, 0]],
    [161, [0x30]],
    [161, [0x3f]],
    [161, [0x3f, 0x81]],
    [161, [0x3f, 0x81, 0x82, 0x03, 0x00]],
    [161, [0x3f, 0x10, 0x00]],
    [161, [0x3f, 0x81, 0x00, 0x00]],
    [161, [0x1f, 0x81, 0x84, 0x05, 0x00]],
    [161, [0x30, 0x00]],
    [161, [0x30, 0x03, 0x02, 0x00, 0x00]],
    [161, [0x22, 0x00]],
    [161, [0x25, 0x00]],
    [161, [0x30, 0x03, 0x02, 0x01]],
    [161, [0x7f, 0x80, 0x01, 0x00]],
    [161, [0xbf, 0x20, 0x00]],
    [161, [0x30, 0x05, 0x02, 0x83, 0x00, 0x00, 0x01]],
    [
      161,
      seq(
        int(0),
        str("public"),
        pdu(0, int(1), int(0), int(0), varbinds(seq(tlv(0x06, [0x2b, 0x86, 0x01, 0x81]), NULL))),
      ),
    ],
    [
      161,
      seq(
        int(0),
        str("public"),
        pdu(0, int(1), int(0), int(0), varbinds(seq(tlv(0x06, [0xff, 0xff, 0xff, 0xff, 0x7f, 0x01]), NULL))),
      ),
    ],
    [161, seq(int(0), str("public"), pdu(0, int(1), int(0), int(0), varbinds(seq(tlv(0x06, []), NULL))))],
    [161, seq(int(0), str("public"), pdu(0, int(1), int(0), int(0), varbinds(seq(tlv(0x06, [0x78, 0x01]), NULL))))],
    [161, []],
    // Encodings that run past the UDP length into bytes still inside the IP datagram.
    [161, [0x3f], [0x81]],
    [161, [0x3f, 0x81], [0x81, 0x01]],
    [161, [0x3f, 0x81, 0x01], [0x00]],
    [161, [0x30], [0x01, 0x00]],
    [161, [0x30, 0x82], [0x00, 0x01]],
    [161, [0x30, 0x02], [0x02, 0x00]],
    [161, [0x30, 0x03, 0x02, 0x01], [0x00, 0x00]],
  ];
  return list;
}

const ip4Checksum = (b: number[]): number => {
  let sum = 0;
  for (let i = 0; i < b.length; i += 2) sum += (b[i]! << 8) | b[i + 1]!;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
};

/** An Ethernet/IPv4/UDP frame from 10.0.0.1 to 10.0.0.2 (the SNMP port on the manager's side is 161 or 162). */
function frame(port: number, payload: number[], i: number, trailing: number[] = []): Uint8Array {
  const udpLength = 8 + payload.length;
  const total = 20 + udpLength + trailing.length;
  const sport = i % 2 === 0 ? 40000 + i : port;
  const dport = i % 2 === 0 ? port : 40000 + i;
  const ip = [0x45, 0, total >> 8, total & 0xff, 0, i & 0xff, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2];
  const sum = ip4Checksum(ip);
  ip[10] = sum >> 8;
  ip[11] = sum & 0xff;
  const udp = [sport >> 8, sport & 0xff, dport >> 8, dport & 0xff, udpLength >> 8, udpLength & 0xff, 0, 0];
  return new Uint8Array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 8, 0, ...ip, ...udp, ...payload, ...trailing]);
}

/** Every message whole, cut short at a few places inside its SNMP payload, and mutated. */
export function snmpCapture(dir: string): CaptureFile {
  const records: PacketRecord[] = [];
  const random = seededRandom(161);
  messages().forEach(([port, payload, trailing], i) => {
    const data = frame(port, payload, i, trailing);
    const timestampNs = BigInt(1_700_000_000 + i) * 1_000_000_000n;
    records.push({ data, timestampNs });
    const start = 42;
    const cuts = new Set([start, start + 1, start + 2, start + Math.floor(payload.length / 3), data.length - 1]);
    for (const cut of cuts) {
      if (cut < data.length) records.push({ data: data.subarray(0, cut), originalLength: data.length, timestampNs });
    }
    for (const copy of mutatedCopies(data, start, MUTATED_COPIES, random)) records.push({ data: copy, timestampNs });
  });
  return writeCaptureFile(dir, "snmp.pcap", records);
}
