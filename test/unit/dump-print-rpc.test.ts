// The dump printer's NFS/Sun RPC and MPLS decoders against tcpdump, on packets built here: the
// corpus holds only a few NFS packets (mostly hostile ones) and few label stacks, so every NFS
// procedure of versions 2 and 3 (calls and the replies matched to them by transaction ID, over
// UDP and TCP, IPv4 and IPv6, with the file handle layouts tcpdump guesses) and the MPLS payload
// kinds (after Arista's timestamp headers too) are written into a capture and compared line for
// line at -nn, -v, -vv, -e, -x and -q.

import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { PacketRecord } from "../../src/pcap/index.js";
import { FormatState, formatPacket, type FormatOptions } from "../../src/tools/dump/format.js";
import {
  TCPDUMP,
  type CaptureFile,
  compare,
  report,
  assertAllEqual,
  loadCorpus,
  variantCorpus,
  writeCaptureFile,
} from "../helpers/dump-oracle.js";

// --- XDR pieces

function words(...values: number[]): number[] {
  const out: number[] = [];
  for (const v of values) out.push((v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255);
  return out;
}
function opaque(bytes: number[]): number[] {
  const padded = [...bytes];
  while (padded.length % 4) padded.push(0);
  return [...words(bytes.length), ...padded];
}
function text(s: string): number[] {
  return opaque([...Buffer.from(s, "latin1")]);
}
function fill(n: number, f: (i: number) => number): number[] {
  return Array.from({ length: n }, (_, i) => f(i) & 255);
}

/** File handles of the layouts tcpdump tells apart. */
const HANDLES: number[][] = [
  [1, 8, 0, 0, 0, 0, 0, 0, 10, 0, 0, 0, 0x2a, 0, 0, 0, ...fill(16, (i) => i)], // BSD 4.4
  fill(32, () => 0), // Auspex
  [0, 0, 0, 7, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 9, ...fill(16, () => 0)], // SunOS 4
  [0, 0, 0, 7, 0, 8, 0, 0, 0, 0, 1, 5, 0, 0, 0, 9, ...fill(16, () => 0)], // IRIX 4
  [0, 0, 0, 7, 3, 0, 0, 0, 12, 0, 0, 0, 5, 1, 0, 0, ...fill(16, () => 0)], // OSF
  [0x80, 0x40, 0x00, 0x11, 0, 0, 0, 2, 0, 10, 0, 0, 0, 0, 1, 2, ...fill(16, () => 0)], // SunOS 5
  [0x05, 0x12, 0x34, 0x56, 0, 0, 0, 0, 0, 10, 0, 0, 0, 0, 3, 4, ...fill(16, () => 0)], // HP-UX 9
  [7, 3, 0, 0, 5, 0, 0, 0, ...fill(13, () => 1), 0, 1, 0, ...fill(8, () => 9)], // Ultrix
  [0x20, ...Buffer.from("DKA100 AB", "latin1"), 0, 0, 0, 0, ...fill(18, (i) => 0x30 + i)], // VMS UCX
  fill(32, (i) => 0x11 * i + 3), // unknown
];
const V3_SHORT_HANDLE = [1, 2, 3, 4, 5, 6, 7, 8];

function fattr3(type: number): number[] {
  return [
    ...words(type, 0o100644, 2, 1000, 0xfffffffe, 0, 5000, 0, 8192, 8, 1, 0x12, 0x345678, 0, 99),
    ...words(1_700_000_000, 123, 1_700_000_001, 456789, 1_700_000_002, 999_999_999),
  ];
}
function fattr2(type: number): number[] {
  return words(type, 0o40755, 3, 0, 0, 4096, 4096, 0x801, 8, 0x10, 0x20, 1, 2, 3, 4, 5, 6);
}
const POST_OP = [...words(1), ...fattr3(1)];
const NO_ATTR = words(0);
const WCC = [...words(1, 0, 100, 1_600_000_000, 5, 1_600_000_001, 6), ...POST_OP];
const SATTR3 = words(1, 0o755, 1, 1000, 1, 100, 0, 2, 1_600_000_000, 7, 1);

// --- RPC messages

const AUTH_UNIX = [...words(1), ...opaque([...words(0x5f00, 4), ...Buffer.from("host"), ...words(0, 0, 1, 0)])];
const NO_VERF = words(0, 0);

function call(xid: number, vers: number, proc: number, args: number[]): number[] {
  return [...words(xid, 0, 2, 100003, vers, proc), ...AUTH_UNIX, ...NO_VERF, ...args];
}
function reply(xid: number, results: number[]): number[] {
  return [...words(xid, 1, 0), ...NO_VERF, ...words(0), ...results];
}

/** [call arguments, reply results] per NFSv3 procedure, given a file handle. */
function v3Exchanges(fh: number[]): [number, number[], number[]][] {
  const h = opaque(fh);
  const ok = words(0);
  return [
    [0, [], []],
    [1, h, [...ok, ...fattr3(1)]],
    [2, [...h, ...SATTR3, ...words(0)], [...ok, ...WCC]],
    [3, [...h, ...text("hello.txt")], [...ok, ...h, ...POST_OP, ...POST_OP]],
    [3, [...h, ...text("missing\x01\xe9")], [...words(2), ...POST_OP]],
    [4, [...h, ...words(0x1f)], [...ok, ...POST_OP, ...words(0x0d)]],
    [4, [...h, ...words(0x3f)], [...words(13), ...NO_ATTR]],
    [4, [...h, ...words(0x140)], [...ok, ...NO_ATTR, ...words(0x3f)]],
    [5, h, [...ok, ...POST_OP, ...text("../target")]],
    [6, [...h, ...words(1, 0x10000, 4096)], [...ok, ...POST_OP, ...words(4096, 1), ...opaque(fill(8, (i) => i))]],
    [
      7,
      [...h, ...words(0, 8192, 512, 2), ...opaque(fill(12, (i) => i))],
      [...ok, ...WCC, ...words(512, 2, 0xdead, 0xbeef)],
    ],
    [7, [...h, ...words(0, 0, 16, 7), ...opaque(fill(16, (i) => i))], [...words(28), ...WCC]],
    [8, [...h, ...text("new"), ...words(0), ...SATTR3], [...ok, ...words(1), ...h, ...POST_OP, ...WCC]],
    [9, [...h, ...text("dir"), ...SATTR3], [...words(17), ...WCC]],
    [10, [...h, ...text("link"), ...SATTR3, ...text("/etc/passwd")], [...ok, ...words(0), ...POST_OP, ...WCC]],
    [
      11,
      [...h, ...text("dev"), ...words(4), ...SATTR3, ...words(8, 1)],
      [...ok, ...words(1), ...h, ...NO_ATTR, ...WCC],
    ],
    [11, [...h, ...text("fifo"), ...words(7), ...SATTR3], [...words(10004), ...WCC]],
    [12, [...h, ...text("old")], [...ok, ...WCC]],
    [13, [...h, ...text("olddir")], [...words(66), ...WCC]],
    [14, [...h, ...text("a"), ...h, ...text("b")], [...ok, ...WCC, ...WCC]],
    [15, [...h, ...h, ...text("hard")], [...ok, ...POST_OP, ...WCC]],
    [16, [...h, ...words(0xffffffff, 0xfffffffe, 1, 2, 8192)], [...ok, ...POST_OP, ...words(0xa, 0xb, 0)]],
    [17, [...h, ...words(0, 5, 3, 4, 4096, 32768)], [...ok, ...POST_OP, ...words(0xc, 0xd, 0)]],
    [18, h, [...ok, ...POST_OP, ...words(0, 1 << 30, 0, 1 << 29, 0, 1 << 28, 0, 1000, 0, 900, 0, 800, 60)]],
    [
      19,
      h,
      [...ok, ...POST_OP, ...words(65536, 32768, 4096, 65536, 32768, 4096, 8192, 0x7fffffff, 0xffffffff, 0, 1, 0x1b)],
    ],
    [20, h, [...ok, ...POST_OP, ...words(32000, 255, 1, 0, 0, 1)]],
    [21, [...h, ...words(0, 4096, 8192)], [...ok, ...WCC, ...words(0x01020304, 0x05060708)]],
    [22, h, []],
  ];
}

/** [procedure, call arguments, reply results] for NFSv2 (its own procedure numbers). */
function v2Exchanges(fh: number[]): [number, number[], number[]][] {
  const ok = words(0);
  return [
    [1, fh, [...ok, ...fattr2(2)]],
    [2, [...fh, ...words(0o644, -1, -1, -1, -1, -1, -1, -1)], [...ok, ...fattr2(1)]],
    [3, [], []],
    [4, [...fh, ...text("file")], [...ok, ...fh, ...fattr2(1)]],
    [4, [...fh, ...text("nothere")], words(2)],
    [5, fh, [...ok, ...text("target")]],
    [6, [...fh, ...words(1024, 512, 0)], [...ok, ...fattr2(1), ...opaque([1, 2, 3])]],
    [8, [...fh, ...words(0, 2048, 0, 3), 0, 0, 0, 3, 1, 2, 3, 0], [...ok, ...fattr2(1)]],
    [9, [...fh, ...text("created"), ...words(0o644, 0, 0, 0, 0, 0, 0, 0)], [...ok, ...fh, ...fattr2(1)]],
    [10, [...fh, ...text("gone")], words(0)],
    [11, [...fh, ...text("x"), ...fh, ...text("y")], words(18)],
    [12, [...fh, ...fh, ...text("l")], words(0)],
    [13, [...fh, ...text("s"), ...text("t"), ...words(0, 0, 0, 0, 0, 0, 0, 0)], words(0)],
    [16, [...fh, ...words(0, 4096)], [...ok, ...words(0x10, 0x20, 1)]],
    [17, fh, [...ok, ...words(8192, 4096, 1000, 500, 400)]],
    [17, fh, words(70)],
    [30, fh, []],
  ];
}

// --- frames

const MAC = [0, 0x11, 0x22, 0x33, 0x44, 0x55, 0, 0x66, 0x77, 0x88, 0x99, 0xaa];

function ipv4(protocol: number, src: number[], dst: number[], payload: number[]): number[] {
  const length = 20 + payload.length;
  return [0x45, 0, length >> 8, length & 255, 0, 1, 0x40, 0, 64, protocol, 0, 0, ...src, ...dst, ...payload];
}
function ipv6(next: number, last: number, payload: number[]): number[] {
  const a = [0x20, 1, 0xd, 0xb8, ...fill(11, () => 0), last];
  const b = [0x20, 1, 0xd, 0xb8, ...fill(11, () => 0), last + 1];
  return [0x60, 0, 0, 0, payload.length >> 8, payload.length & 255, next, 64, ...a, ...b, ...payload];
}
function udp(sport: number, dport: number, payload: number[]): number[] {
  const length = 8 + payload.length;
  return [sport >> 8, sport & 255, dport >> 8, dport & 255, length >> 8, length & 255, 0, 0, ...payload];
}
function tcp(sport: number, dport: number, seq: number, payload: number[]): number[] {
  return [
    sport >> 8,
    sport & 255,
    dport >> 8,
    dport & 255,
    ...words(seq, 1000),
    0x50,
    0x18,
    0x10,
    0,
    0,
    0,
    0,
    0,
    ...payload,
  ];
}
function ether(type: number, payload: number[]): number[] {
  return [...MAC, type >> 8, type & 255, ...payload];
}

const CLIENT = [10, 0, 0, 1];
const SERVER = [10, 0, 0, 2];

/** Every exchange as UDP over IPv4, then some over TCP (with a record mark) and over IPv6. */
function nfsFrames(): number[][] {
  const frames: number[][] = [];
  let xid = 0x1000;
  const exchange = (vers: number, proc: number, args: number[], results: number[], transport: number): void => {
    const id = xid++;
    const c = call(id, vers, proc, args);
    const r = reply(id, results);
    if (transport === 0) {
      frames.push(ether(0x0800, ipv4(17, CLIENT, SERVER, udp(800, 2049, c))));
      frames.push(ether(0x0800, ipv4(17, SERVER, CLIENT, udp(2049, 800, r))));
    } else if (transport === 1) {
      frames.push(ether(0x0800, ipv4(6, CLIENT, SERVER, tcp(900, 2049, id, [...words(0x80000000 | c.length), ...c]))));
      frames.push(ether(0x0800, ipv4(6, SERVER, CLIENT, tcp(2049, 900, id, [...words(0x80000000 | r.length), ...r]))));
    } else {
      frames.push(ether(0x86dd, ipv6(17, 1, udp(800, 2049, c))));
      const back = ipv6(17, 1, udp(2049, 800, r));
      // The reply goes from the second address back to the first.
      back.splice(8, 32, ...back.slice(24, 40), ...back.slice(8, 24));
      frames.push(ether(0x86dd, back));
    }
  };
  HANDLES.forEach((fh, i) => {
    for (const [proc, args, results] of v3Exchanges(fh)) exchange(3, proc, args, results, i % 3);
  });
  for (const [proc, args, results] of v3Exchanges(V3_SHORT_HANDLE)) exchange(3, proc, args, results, 0);
  for (const fh of HANDLES.slice(0, 3))
    for (const [proc, args, results] of v2Exchanges(fh)) exchange(2, proc, args, results, 0);
  // Replies without their call, denied and failed calls, odd message types.
  const denied = (id: number, rest: number[]): number[] =>
    ether(0x0800, ipv4(17, SERVER, CLIENT, udp(2049, 800, [...words(id, 1, 1), ...rest])));
  frames.push(ether(0x0800, ipv4(17, SERVER, CLIENT, udp(2049, 800, reply(0x9999, [...words(0), ...fattr3(1)])))));
  frames.push(denied(1, words(0, 2, 2)));
  frames.push(denied(2, words(1, 1)));
  frames.push(denied(3, words(1, 9)));
  frames.push(denied(4, words(7)));
  frames.push(ether(0x0800, ipv4(17, SERVER, CLIENT, udp(2049, 800, words(5, 1, 4)))));
  const id = xid++;
  frames.push(ether(0x0800, ipv4(17, CLIENT, SERVER, udp(800, 2049, call(id, 3, 1, opaque(HANDLES[0]!))))));
  frames.push(ether(0x0800, ipv4(17, SERVER, CLIENT, udp(2049, 800, [...words(id, 1, 0), ...NO_VERF, ...words(3)]))));
  // Credentials longer than the message, a verifier running to its end, a cut-off file name.
  frames.push(
    ether(
      0x0800,
      ipv4(17, CLIENT, SERVER, udp(800, 2049, [...words(7, 0, 2, 100003, 3, 1, 1, 400), ...fill(8, () => 0)])),
    ),
  );
  frames.push(
    ether(
      0x0800,
      ipv4(17, CLIENT, SERVER, udp(800, 2049, [...words(8, 0, 2, 100003, 3, 1), ...AUTH_UNIX, ...words(0, 0)])),
    ),
  );
  frames.push(
    ether(
      0x0800,
      ipv4(17, CLIENT, SERVER, udp(800, 2049, call(9, 3, 3, [...opaque(HANDLES[0]!), ...words(40), 0x41, 0x42]))),
    ),
  );
  frames.push(
    ether(
      0x0800,
      ipv4(17, CLIENT, SERVER, udp(800, 2049, call(10, 3, 3, [...opaque(HANDLES[0]!), ...words(0xfffffffe)]))),
    ),
  );
  // Not NFS: a reply sent to port 2049, a call from it.
  frames.push(ether(0x0800, ipv4(17, CLIENT, SERVER, udp(800, 2049, reply(11, words(0))))));
  frames.push(ether(0x0800, ipv4(6, SERVER, CLIENT, tcp(2049, 900, 5, [...words(0x80000020), ...call(12, 3, 0, [])]))));
  return frames;
}

/** Calls to other programs than NFS, on other ports, and their replies: what tcpdump -T rpc decodes. */
function otherRpcFrames(): number[][] {
  const rpc = (
    xid: number,
    version: number,
    program: number,
    programVersion: number,
    proc: number,
    rest: number[],
  ): number[] => [...words(xid, 0, version, program, programVersion, proc), ...AUTH_UNIX, ...NO_VERF, ...rest];
  const toPortmapper = (body: number[]): number[] => ether(0x0800, ipv4(17, CLIENT, SERVER, udp(1023, 111, body)));
  const fromPortmapper = (body: number[]): number[] => ether(0x0800, ipv4(17, SERVER, CLIENT, udp(111, 1023, body)));
  return [
    toPortmapper(rpc(0x51, 2, 100000, 2, 3, words(100003, 3, 17, 0))),
    fromPortmapper(reply(0x51, words(2049))),
    toPortmapper(rpc(0x52, 2, 100000, 2, 1, words(100005, 1, 6, 635))),
    toPortmapper(rpc(0x53, 2, 100000, 2, 2, words(100021, 4, 17, 0))),
    toPortmapper(rpc(0x54, 2, 100000, 2, 4, [])),
    toPortmapper(rpc(0x55, 2, 100000, 2, 5, words(100024, 1, 1, 0))),
    toPortmapper(rpc(0x56, 3, 100000, 2, 9, [])),
    toPortmapper(rpc(0x57, 2, 100000, 2, 3, words(424242, 1, 17, 0))),
    ether(
      0x0800,
      ipv4(
        17,
        CLIENT,
        SERVER,
        udp(
          700,
          4045,
          rpc(
            0x58,
            2,
            100021,
            4,
            7,
            fill(12, () => 0),
          ),
        ),
      ),
    ),
    ether(0x86dd, ipv6(17, 3, udp(700, 111, rpc(0x59, 2, 100000, 2, 3, words(100003, 3, 6, 0))))),
    fromPortmapper([...words(0x5a, 1, 1), ...words(1, 5)]),
    fromPortmapper(words(0x5b, 1, 0)),
    toPortmapper(words(0x5c, 0, 2, 100000)),
    ether(
      0x0800,
      ipv4(6, CLIENT, SERVER, tcp(1023, 111, 1, [...words(0x80000000 | 40), ...rpc(0x5d, 2, 100000, 2, 3, [])])),
    ),
  ];
}

/** Label stacks over Ethernet, UDP and GRE, with each kind of payload after them. */
function mplsFrames(): number[][] {
  const label = (value: number, tc: number, bottom: boolean, ttl: number): number[] =>
    words(((value << 12) | (tc << 9) | (bottom ? 0x100 : 0) | ttl) >>> 0);
  const inner = ipv4(
    17,
    [192, 168, 1, 1],
    [192, 168, 1, 2],
    udp(
      5000,
      5001,
      fill(8, (i) => i),
    ),
  );
  const inner6 = ipv6(58, 9, [128, 0, 0, 0, 0, 1, 0, 1]);
  const isis = [0x83, 27, 1, 0, 0x10, 1, 0, 0, ...fill(19, () => 0)];
  return [
    ether(0x8847, [...label(100, 1, false, 64), ...label(200, 7, true, 63), ...inner]),
    ether(0x8847, [...label(1, 0, false, 1), ...label(0, 0, true, 64), ...inner]),
    ether(0x8847, [...label(2, 0, true, 64), ...inner6]),
    ether(0x8848, [...label(3, 0, true, 64), ...inner]),
    ether(0x8847, [...label(5000, 0, true, 64), ...inner6]),
    ether(0x8847, [...label(5000, 0, true, 64), ...isis]),
    ether(0x8847, [...label(5000, 0, true, 64), 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17]),
    ether(0x8847, [...label(5000, 0, true, 64)]),
    ether(0x8847, [...label(5000, 0, false, 64), 1, 2]),
    ether(0x0800, ipv4(17, CLIENT, SERVER, udp(49153, 6635, [...label(21, 0, true, 63), ...inner]))),
    ether(
      0x0800,
      ipv4(47, CLIENT, SERVER, [0, 0, 0x88, 0x47, ...label(16, 0, false, 9), ...label(17, 0, true, 9), ...inner]),
    ),
  ];
}

/** LSP pings with each kind of TLV and target FEC sub-TLV, well formed and not. */
function lspPingFrames(): number[][] {
  const tlv = (type: number, value: number[]): number[] => {
    const padded = [...value];
    while (padded.length % 4) padded.push(0);
    return [type >> 8, type & 255, value.length >> 8, value.length & 255, ...padded];
  };
  const v4 = [10, 1, 2, 3];
  const v6 = [0x20, 1, 0xd, 0xb8, ...fill(11, () => 0), 7];
  // One sub-TLV a stack: tcpdump steps to the next sub-TLV 4 bytes short (one case keeps two).
  const fec = [
    [...v4, 32],
    [...v6, 128],
    [...v4, 0, 0, 0, 9, ...v4, 10, 0, 0, 9, 0, 0, 0, 5],
    [...v6, 0, 0, 0, 9, ...v6, ...v6, 0, 0, 0, 5],
    [...v4, 24],
    [...v6, 64],
    [...v4, 0, 0, 1, 0, 0, 5],
    [...v4, 10, 9, 9, 9, 0, 0, 2, 0, 0, 0x40],
    [1, 2, 3, 4, 5, 6],
    [1, 2, 3],
    [0, 0, 0xfd, 0xe8, 0, 0, 0, 7, ...v4, 24],
    [0, 1, ...v4, 0, 9, ...v6, 48],
    [0, 2, 0, 1, 0, 2, 0, 3, 0, 1, 0, 2, 0, 4],
    [0, 7, 0, 1, 0, 2, 0, 3, 0, 1, 0, 2, 0, 99],
    [0, 0, 0, 0, 0, 0, 0, 0, 1],
  ].flatMap((value, i) => tlv(1, tlv([1, 2, 3, 4, 12, 13, 9, 10, 14, 1, 6, 7, 8, 8, 6][i]!, value)));
  const header = (type: number, code: number, seq: number): number[] => [
    ...words(0x00010000),
    type,
    2,
    code,
    1,
    ...words(0x1234, seq, 3_700_000_000, 0x80000000, 0, 0),
  ];
  const ping = (type: number, code: number, tlvs: number[]): number[] =>
    ether(0x0800, ipv4(17, CLIENT, SERVER, udp(3503, 3503, [...header(type, code, 7), ...tlvs])));
  return [
    ping(1, 0, fec),
    ping(2, 3, [...tlv(2, [5, 220, 1, 0, ...v4, ...v4, 0, 0, 0, 0]), ...tlv(15, words(0xabcdef01))]),
    ping(2, 0, [...tlv(5, words(2636)), ...tlv(5, words(99999)), ...tlv(5, [1, 2])]),
    ping(2, 8, [...tlv(2, [5, 220, 2, 0, ...v4, ...words(17), 0, 0, 0, 0]), ...tlv(3, [1, 2, 3])]),
    ping(2, 13, [...tlv(2, [5, 220, 3, 0, ...v6, ...v6, 0, 0, 0, 0]), ...tlv(9, [1, 2, 3, 4])]),
    ping(2, 99, [...tlv(2, [5, 220, 4, 0, ...v6, ...words(3), 1, 1, 0, 0]), ...tlv(2, [5, 220, 9, 0, 0, 0, 0, 0])]),
    ping(9, 1, [...tlv(2, [5, 220, 1, 0, 1, 2]), ...tlv(15, [1]), ...tlv(200, [])]),
    ping(1, 0, [...tlv(1, [...tlv(1, [...v4, 32]), ...tlv(2, [...v6, 128])]), ...tlv(1, [0, 1])]),
    ping(1, 0, [...tlv(1, [0, 1, 0, 9, ...v4, 32]), ...tlv(1, [0, 3, 0, 20, ...v4])]),
    ping(1, 0, [
      ...tlv(
        0x7777,
        fill(20, (i) => i),
      ),
      0,
      1,
    ]),
    ether(0x0800, ipv4(17, CLIENT, SERVER, udp(3503, 3503, [0, 2, ...fill(30, () => 0)]))),
    ether(
      0x0800,
      ipv4(
        17,
        CLIENT,
        SERVER,
        udp(
          3503,
          3503,
          fill(20, () => 0),
        ),
      ),
    ),
  ];
}

/** Arista timestamp headers (what the corpus' MPLS lines come after): both formats, unknown ones, stacked. */
function aristaFrames(): number[][] {
  const inner = ipv4(
    17,
    [192, 168, 1, 1],
    [192, 168, 1, 2],
    udp(
      5000,
      5001,
      fill(8, (i) => i),
    ),
  );
  const mpls = [...words((1024 << 12) | 0x100 | 64), ...inner];
  const stamp64 = (timescale: number, hw: number): number[] => [
    0,
    1,
    timescale,
    0x10 | hw,
    ...words(1_559_162_199, 944_724_424),
  ];
  const stamp48 = [0, 1, 1, 0x21, 0xed, 0x95, ...words(2_404_038_772)];
  return [
    ether(0xd28b, [...stamp64(0, 0), 0x08, 0x00, ...inner]),
    ether(0xd28b, [...stamp64(1, 1), 0x88, 0x47, ...mpls]),
    ether(0xd28b, [...stamp48, 0x81, 0x00, 0, 100, 0x08, 0x00, ...inner]),
    ether(0xd28b, [...stamp64(7, 9), 0xd2, 0x8b, ...stamp48, 0x88, 0x47, ...mpls]),
    ether(0xd28b, [0, 1, 0, 0x30, ...words(1, 2, 3), ...inner]),
    ether(0xd28b, [0, 2, 0, 0x10, ...words(1, 2, 3), ...inner]),
    ether(0xd28b, [0]),
  ];
}

function captureFile(dir: string, name: string, frames: number[][]): CaptureFile {
  const records: PacketRecord[] = frames.map((f, i) => ({
    data: new Uint8Array(f),
    timestampNs: BigInt(1_700_000_000 + i) * 1_000_000_000n,
    originalLength: f.length,
  }));
  return writeCaptureFile(dir, name, records);
}

/** The same packets cut at every fourth length from the IP header on, for the truncation paths. */
function clipped(frames: number[][]): number[][] {
  const out: number[][] = [];
  for (const f of frames) for (let cut = 34; cut < f.length; cut += 4) out.push(f.slice(0, cut));
  return out;
}

const FLAGS: [string[], FormatOptions][] = [
  [["-nn"], { numeric: true }],
  [["-nn", "-v"], { numeric: true, verbose: 1 }],
  [["-nn", "-vv"], { numeric: true, verbose: 2 }],
  [["-nn", "-e"], { numeric: true, linkHeader: true }],
  [["-nn", "-x"], { numeric: true, hex: 1 }],
  [["-nn", "-q"], { numeric: true, quick: 1 }],
];

test("dump printer: NFS calls and replies of every procedure, and MPLS label stacks, print tcpdump's text", {
  skip: TCPDUMP ? false : "tcpdump not installed",
}, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tsbpf-rpc-"));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const nfs = nfsFrames();
  const mpls = [...mplsFrames(), ...aristaFrames(), ...lspPingFrames()];
  const files = [captureFile(dir, "nfs.pcap", nfs), captureFile(dir, "mpls.pcap", mpls)];
  // IS-IS under a label stack is left out of the clipped packets: a short IS-IS PDU is IS-IS's own case.
  const mplsToClip = mpls.filter((f) => f[12] !== 0x88 || f[18] !== 0x83);
  const cut = [
    captureFile(dir, "nfs-clipped.pcap", clipped(nfs)),
    captureFile(dir, "mpls-clipped.pcap", clipped(mplsToClip)),
  ];
  for (const [flags, options] of FLAGS) {
    const r = await compare(files, flags, options);
    report(t, flags.join(" "), r);
    assertAllEqual(r);
    // Only the IS-IS packet under a label stack may be left out: IS-IS is decoded without -v only.
    for (const reason of r.skipped.keys()) assert.equal(reason, "isis -v");
    assert.equal(r.compared + (r.skipped.get("isis -v") ?? 0), nfs.length + mpls.length);
  }
  for (const [flags, options] of FLAGS.slice(0, 3)) {
    const r = await compare(cut, flags, options);
    report(t, "clipped " + flags.join(" "), r);
    assertAllEqual(r);
    assert.ok(r.compared > 5000, `only ${r.compared} clipped packets compared`);
  }
});

test("dump printer: -T rpc decodes every UDP payload as Sun RPC, as tcpdump -T rpc", {
  skip: TCPDUMP ? false : "tcpdump not installed",
}, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tsbpf-sunrpc-"));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const frames = [...otherRpcFrames(), ...nfsFrames()];
  const files = [captureFile(dir, "rpc.pcap", frames), captureFile(dir, "rpc-clipped.pcap", clipped(otherRpcFrames()))];
  for (const [flags, options] of FLAGS.slice(0, 3)) {
    const r = await compare(files, [...flags, "-T", "rpc"], { ...options, packetType: "rpc" });
    report(t, flags.join(" ") + " -T rpc", r);
    assertAllEqual(r);
    assert.equal(r.skipped.size, 0);
  }
  // The whole corpus taken as RPC: every UDP datagram, hostile ones included, through the RPC decoders.
  const corpus = await compare(
    variantCorpus(loadCorpus()),
    ["-nn", "-T", "rpc"],
    { numeric: true, packetType: "rpc" },
    false,
    true,
  );
  report(t, "corpus -nn -T rpc", corpus);
  assertAllEqual(corpus);
  assert.ok(corpus.compared >= 8400, `only ${corpus.compared} packets compared`);
  // Without -n (as tcpdump -T rpc prints it outside a network): the portmapper's port by name.
  const state = new FormatState();
  const text = formatPacket(new Uint8Array(frames[0]!), 1, 0n, { timestamps: 1, packetType: "rpc" }, state);
  assert.equal(text, "IP 10.0.0.1.0x51 > 10.0.0.2.sunrpc: 84 getport #100000.2");
  const reply = formatPacket(new Uint8Array(frames[1]!), 1, 0n, { timestamps: 1, packetType: "rpc" }, state);
  assert.equal(reply, "IP 10.0.0.2.nfs > 10.0.0.1.81: reply ok 28");
});

test("dump printer: an NFS reply is decoded by the call with its transaction ID, between the same hosts", () => {
  const state = new FormatState();
  const options: FormatOptions = { numeric: true, timestamps: 1 };
  const fh = HANDLES[0]!;
  const callFrame = ether(
    0x0800,
    ipv4(17, CLIENT, SERVER, udp(800, 2049, call(77, 3, 4, [...opaque(fh), ...words(3)]))),
  );
  const replyBody = udp(2049, 800, reply(77, [...words(0), ...NO_ATTR, ...words(1)]));
  const replyFrame = new Uint8Array(ether(0x0800, ipv4(17, SERVER, CLIENT, replyBody)));
  const strangerReply = new Uint8Array(ether(0x0800, ipv4(17, [10, 0, 0, 3], CLIENT, replyBody)));
  // Before the call: the reply's procedure is unknown.
  assert.match(formatPacket(replyFrame, 1, 0n, options, state), /NFS reply xid 77 reply ok 36$/);
  assert.match(
    formatPacket(new Uint8Array(callFrame), 1, 0n, options, state),
    /NFS request xid 77 108 access fh 8,1\/42 NFS_ACCESS_READ\|NFS_ACCESS_LOOKUP$/,
  );
  assert.match(formatPacket(replyFrame, 1, 0n, options, state), /NFS reply xid 77 reply ok 36 access c 0001$/);
  assert.equal(state.unsupported, undefined);
  // Another server's reply with the same ID is not matched.
  assert.match(formatPacket(strangerReply, 1, 0n, options, state), /reply ok 36$/);
  // 64 later calls push it out of the table.
  for (let i = 0; i < 64; i++) {
    const other = ether(0x0800, ipv4(17, CLIENT, SERVER, udp(800, 2049, call(1000 + i, 3, 0, []))));
    formatPacket(new Uint8Array(other), 1, 0n, options, state);
  }
  assert.match(formatPacket(replyFrame, 1, 0n, options, state), /reply ok 36$/);
});
