// The dump printer against its oracle: tcpdump itself, over the real captures in
// ../shared/data/pcaps. For every capture whose link types are Ethernet, Linux cooked, raw IP or
// null, every packet the printer fully decodes must print exactly tcpdump's text.
//
// "Fully decodes" is the printer's own verdict (FormatState.unsupported): a packet is left out of
// the comparison when tcpdump would hand some layer to a printer this one does not have — an
// EtherType other than IPv4/IPv6/ARP/VLAN that tcpdump decodes (LLDP, PTP, 802.3/LLC, …), an IP
// protocol other than TCP/UDP/ICMP/ICMPv6/IP-in-IP that tcpdump decodes (GRE, OSPF, SCTP, …), or a
// TCP/UDP payload on a port tcpdump assigns to an application printer this one lacks (BGP on 179,
// Kerberos on 88, …; the table is print/applications.ts), plus a few ICMPv6 extras (node information,
// RPL) and the -v details of the protocols decoded only without -v. Everything else — including
// unknown EtherTypes and IP protocols, truncated and malformed packets — is compared.
//
// tcpdump runs once per capture and flag set; its complete output (a run that failed is never
// kept) is cached inside the checkout (test/helpers/test-cache.ts), keyed by tcpdump's and
// libpcap's versions, tcpdump's arguments, the captures' contents and, without -n, the name tables
// it reads. Never committed.

import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { readCapture, writePcap, type PacketRecord } from "../../src/pcap/index.js";
import { FormatState, formatPacket, type FormatOptions } from "../../src/tools/dump/format.js";
import {
  PCAP_DIR,
  TCPDUMP,
  type CaptureFile,
  loadCorpus,
  compare,
  report,
  assertAllEqual,
  variantCorpus,
} from "../helpers/dump-oracle.js";

test("dump printer: tcpdump -nn text for every supported packet of every capture", {
  skip: TCPDUMP ? false : "tcpdump not installed",
}, async (t) => {
  const files = loadCorpus();
  assert.ok(files.length >= 500, `expected the capture corpus, found ${files.length} captures in ${PCAP_DIR}`);
  const r = await compare(files, ["-nn"], { numeric: true });
  report(t, "-nn", r);
  for (const [reason, count] of [...r.skipped].sort((a, b) => b[1] - a[1]).slice(0, 12))
    t.diagnostic(`  not compared: ${reason} (${count})`);
  assertAllEqual(r);
  // The comparison must cover the bulk of the corpus, the decoded application protocols included.
  assert.ok(r.compared >= 9145, `only ${r.compared} packets compared`);
});

const VARIANTS: [string, string[], FormatOptions][] = [
  ["-e", ["-nn", "-e"], { numeric: true, linkHeader: true }],
  ["-v", ["-nn", "-v"], { numeric: true, verbose: 1 }],
  ["-vv", ["-nn", "-vv"], { numeric: true, verbose: 2 }],
  ["-x", ["-nn", "-x"], { numeric: true, hex: 1 }],
  ["-xx", ["-nn", "-xx"], { numeric: true, hex: 2 }],
  ["-X", ["-nn", "-X"], { numeric: true, hexAscii: 1 }],
  ["-XX", ["-nn", "-XX"], { numeric: true, hexAscii: 2 }],
  ["-A", ["-nn", "-A"], { numeric: true, ascii: 1 }],
  ["-q", ["-nn", "-q"], { numeric: true, quick: 1 }],
  ["-S", ["-nn", "-S"], { numeric: true, absoluteSequence: true }],
  ["-e -vvv -X", ["-nn", "-e", "-vvv", "-X"], { numeric: true, linkHeader: true, verbose: 3, hexAscii: 1 }],
  ["-t", ["-nn", "-t"], { numeric: true, timestamps: 1 }],
  ["-tt", ["-nn", "-tt"], { numeric: true, timestamps: 2 }],
  ["-ttt", ["-nn", "-ttt"], { numeric: true, timestamps: 3 }],
  ["-tttt", ["-nn", "-tttt"], { numeric: true, timestamps: 4 }],
  ["-ttttt", ["-nn", "-ttttt"], { numeric: true, timestamps: 5 }],
];

for (const [label, flags, options] of VARIANTS) {
  test(`dump printer: tcpdump ${label} over every capture (one tcpdump -V process)`, {
    skip: TCPDUMP ? false : "tcpdump not installed",
  }, async (t) => {
    const r = await compare(variantCorpus(loadCorpus()), flags, options, false, true);
    report(t, label, r);
    assertAllEqual(r);
    // -v and -vv leave out the protocols still decoded only without -v.
    const minimum = options.verbose ? 9060 : 9090;
    assert.ok(r.compared >= minimum, `only ${r.compared} packets compared`);
  });
}

test("dump printer: tcpdump --nano (-tt, -ttt) on a sample of captures, one tcpdump per capture", {
  skip: TCPDUMP ? false : "tcpdump not installed",
}, async (t) => {
  // Not batched: tcpdump -V opens the second and later files at microsecond precision while still
  // printing nine digits.
  const files = variantCorpus(loadCorpus()).filter(
    (f, i) => i % 10 === 0 || f.capture.nanosecond || f.capture.packets.length >= 40,
  );
  for (const [flags, options] of [
    [["-nn", "--nano", "-tt"], { numeric: true, nano: true, timestamps: 2 }],
    [["-nn", "--nano", "-ttt"], { numeric: true, nano: true, timestamps: 3 }],
  ] as [string[], FormatOptions][]) {
    const r = await compare(files, flags, options);
    report(t, flags.join(" "), r);
    assertAllEqual(r);
    assert.ok(r.compared >= 300, `only ${r.compared} packets compared`);
  }
});

/**
 * Captures of link types the corpus lacks (Linux cooked v2, OpenBSD loopback, raw IPv4/IPv6),
 * made from the corpus' Ethernet packets by swapping the link-layer header.
 */
function rewrappedCaptures(dir: string, loIndex: number): CaptureFile[] {
  const frames: { type: number; payload: Uint8Array; mac: Uint8Array; ts: bigint; wire: number }[] = [];
  for (const f of loadCorpus()) {
    if (f.capture.linkType !== 1) continue;
    for (const p of f.capture.packets) {
      if (p.data.length < 14) continue;
      const type = (p.data[12]! << 8) | p.data[13]!;
      if (type !== 0x0800 && type !== 0x86dd && type !== 0x0806 && type !== 0x8100) continue;
      frames.push({
        type,
        payload: p.data.subarray(14),
        mac: p.data.subarray(6, 12),
        ts: p.timestampNs,
        wire: p.originalLength - 14,
      });
    }
  }
  const files: CaptureFile[] = [];
  const make = (name: string, linkType: number, records: PacketRecord[]): void => {
    const bytes = Buffer.from(writePcap(records, { linkType }));
    const file = path.join(dir, name);
    fs.writeFileSync(file, bytes);
    files.push({
      name,
      path: file,
      bytes,
      capture: readCapture(bytes),
      hash: createHash("sha1").update(bytes).digest("hex"),
    });
  };
  make(
    "sll2.pcap",
    276,
    frames.map((f, i) => {
      const h = new Uint8Array(20);
      const v = new DataView(h.buffer);
      v.setUint16(0, f.type);
      v.setUint32(4, i % 3 === 0 ? loIndex : 4_000_000 + i);
      v.setUint16(8, 1);
      h[10] = i % 6; // In, B, M, P, Out and an unknown packet type
      h[11] = i % 5 === 4 ? 4 : 6;
      h.set(f.mac, 12);
      return { data: concat(h, f.payload), timestampNs: f.ts, originalLength: f.wire + 20 };
    }),
  );
  const ip = frames.filter((f) => f.type === 0x0800 || f.type === 0x86dd);
  make(
    "loop.pcap",
    108,
    ip.map((f) => {
      const h = new Uint8Array(4);
      new DataView(h.buffer).setUint32(0, f.type === 0x0800 ? 2 : 24);
      return { data: concat(h, f.payload), timestampNs: f.ts, originalLength: f.wire + 4 };
    }),
  );
  make(
    "ipv4.pcap",
    228,
    ip.filter((f) => f.type === 0x0800).map((f) => ({ data: f.payload, timestampNs: f.ts, originalLength: f.wire })),
  );
  make(
    "ipv6.pcap",
    229,
    ip.filter((f) => f.type === 0x86dd).map((f) => ({ data: f.payload, timestampNs: f.ts, originalLength: f.wire })),
  );
  return files;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

test("dump printer: Linux cooked v2, loopback and raw IPv4/IPv6 link types, against tcpdump", {
  skip: TCPDUMP ? false : "tcpdump not installed",
}, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tsbpf-linktypes-"));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const loIndex = Number(fs.readFileSync("/sys/class/net/lo/ifindex", "utf8"));
  const files = rewrappedCaptures(dir, loIndex);
  const interfaceName = (index: number): string | undefined => (index === loIndex ? "lo" : undefined);
  for (const [flags, options] of [
    [["-nn"], { numeric: true, interfaceName }],
    [["-nn", "-e"], { numeric: true, linkHeader: true, interfaceName }],
    [["-nn", "-q", "-XX"], { numeric: true, quick: 1, hexAscii: 2, interfaceName }],
  ] as [string[], FormatOptions][]) {
    const r = await compare(files, flags, options);
    report(t, flags.join(" "), r);
    assertAllEqual(r);
    assert.ok(r.compared >= 2000, `only ${r.compared} packets compared`);
  }
});

/**
 * Every Ethernet packet of the corpus cut short by the snapshot length at a few places, so each
 * decoder meets its own data ending early, as hostile or clipped captures make it do.
 */
function clippedCaptures(dir: string): CaptureFile[] {
  const records: PacketRecord[] = [];
  for (const f of loadCorpus()) {
    if (f.capture.linkType !== 1) continue;
    for (const p of f.capture.packets) {
      const cuts = new Set([p.data.length - 1, Math.floor(p.data.length / 2), 14 + 20 + 8 + 3, 14 + 20 + 20 + 5]);
      for (const cut of cuts) {
        if (cut <= 0 || cut >= p.data.length) continue;
        records.push({ data: p.data.subarray(0, cut), timestampNs: p.timestampNs, originalLength: p.originalLength });
      }
    }
  }
  // Several files, so one tcpdump run stays small and a failure names a smaller set.
  const files: CaptureFile[] = [];
  const perFile = 4000;
  for (let i = 0; i * perFile < records.length; i++) {
    const bytes = Buffer.from(writePcap(records.slice(i * perFile, (i + 1) * perFile), { linkType: 1 }));
    const name = `clipped-${i}.pcap`;
    const file = path.join(dir, name);
    fs.writeFileSync(file, bytes);
    files.push({
      name,
      path: file,
      bytes,
      capture: readCapture(bytes),
      hash: createHash("sha1").update(bytes).digest("hex"),
    });
  }
  return files;
}

test("dump printer: the corpus' packets clipped at several lengths print tcpdump's text (truncation markers included)", {
  skip: TCPDUMP ? false : "tcpdump not installed",
}, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tsbpf-clipped-"));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const files = clippedCaptures(dir);
  for (const [flags, options] of [
    [["-nn"], { numeric: true }],
    [["-nn", "-vv", "-x"], { numeric: true, verbose: 2, hex: 1 }],
  ] as [string[], FormatOptions][]) {
    const r = await compare(files, flags, options);
    report(t, "clipped " + flags.join(" "), r);
    assertAllEqual(r);
    assert.ok(r.compared >= 5000, `only ${r.compared} packets compared`);
  }
});

// Synthetic packets: the formats the corpus shows, checked by construction.

function ipv4Tcp(opts: {
  src: number[];
  dst: number[];
  sport: number;
  dport: number;
  seq: number;
  ack: number;
  flags: number;
  payload?: number;
  options?: number[];
}): Uint8Array {
  const tcpOptions = opts.options ?? [];
  const tcpLen = 20 + tcpOptions.length;
  const payload = opts.payload ?? 0;
  const total = 20 + tcpLen + payload;
  const b = new Uint8Array(14 + total);
  const v = new DataView(b.buffer);
  b.set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 0);
  v.setUint16(12, 0x0800);
  b[14] = 0x45;
  v.setUint16(16, total);
  v.setUint16(18, 0x1234);
  v.setUint16(20, 0x4000);
  b[22] = 64;
  b[23] = 6;
  b.set(opts.src, 26);
  b.set(opts.dst, 30);
  const t = 34;
  v.setUint16(t, opts.sport);
  v.setUint16(t + 2, opts.dport);
  v.setUint32(t + 4, opts.seq);
  v.setUint32(t + 8, opts.ack);
  b[t + 12] = (tcpLen / 4) << 4;
  b[t + 13] = opts.flags;
  v.setUint16(t + 14, 502);
  b.set(tcpOptions, t + 20);
  return b;
}

test("dump printer: relative TCP sequence numbers per connection, options, timestamps", () => {
  const state = new FormatState();
  const options: FormatOptions = { numeric: true, timestamps: 2 };
  const a = [10, 0, 0, 1];
  const b = [10, 0, 0, 2];
  const syn = ipv4Tcp({
    src: a,
    dst: b,
    sport: 40000,
    dport: 80,
    seq: 1000,
    ack: 0,
    flags: 0x02,
    options: [2, 4, 5, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7],
  });
  const synAck = ipv4Tcp({ src: b, dst: a, sport: 80, dport: 40000, seq: 5000, ack: 1001, flags: 0x12 });
  const data = ipv4Tcp({ src: a, dst: b, sport: 40000, dport: 80, seq: 1001, ack: 5001, flags: 0x18, payload: 100 });
  const ts = 1_700_000_000_123_456_789n;
  assert.equal(
    formatPacket(syn, 1, ts, options, state),
    "1700000000.123456 IP 10.0.0.1.40000 > 10.0.0.2.80: Flags [S], seq 1000, win 502, " +
      "options [mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7], length 0",
  );
  assert.equal(
    formatPacket(synAck, 1, ts, options, state),
    "1700000000.123456 IP 10.0.0.2.80 > 10.0.0.1.40000: Flags [S.], seq 5000, ack 1001, win 502, length 0",
  );
  assert.equal(
    formatPacket(data, 1, ts, options, state),
    "1700000000.123456 IP 10.0.0.1.40000 > 10.0.0.2.80: Flags [P.], seq 1:101, ack 1, win 502, length 100: HTTP",
  );
  // Port 80 hands the payload to the HTTP printer; binary data is no request or status line.
  assert.equal(state.unsupported, undefined);
  assert.equal(state.tcp.size, 1);
  // Without -n the well-known port gets its name; -S keeps absolute numbers.
  assert.match(
    formatPacket(data, 1, ts, { timestamps: 1 }, new FormatState()),
    /^IP 10\.0\.0\.1\.40000 > 10\.0\.0\.2\.http: /,
  );
  assert.match(
    formatPacket(data, 1, ts, { numeric: true, timestamps: 1, absoluteSequence: true }, state),
    /seq 1001:1101, ack 5001,/,
  );
});

test("dump printer: -ttt and -ttttt deltas, -tttt dates, nanoseconds, -# numbers", () => {
  const pkt = ipv4Tcp({ src: [1, 2, 3, 4], dst: [5, 6, 7, 8], sport: 1, dport: 2, seq: 1, ack: 0, flags: 0x02 });
  const first = 1_000_000_000_000_000_000n;
  const second = first + 1_500_250_000n;
  const third = second + 100n;
  let s = new FormatState();
  const ttt: FormatOptions = { numeric: true, timestamps: 3, packetNumbers: true };
  assert.match(formatPacket(pkt, 1, first, ttt, s), /^ {4}1 {3}00:00:00\.000000 IP /);
  assert.match(formatPacket(pkt, 1, second, ttt, s), /^ {4}2 {3}00:00:01\.500250 IP /);
  s = new FormatState();
  const nano: FormatOptions = { numeric: true, timestamps: 5, nano: true };
  formatPacket(pkt, 1, first, nano, s);
  formatPacket(pkt, 1, second, nano, s);
  assert.match(formatPacket(pkt, 1, third, nano, s), /^ 00:00:01\.500250100 IP /);
  assert.match(
    formatPacket(pkt, 1, first, { numeric: true, timestamps: 4 }, new FormatState()),
    /^2001-09-09 01:46:40\.000000 IP /,
  );
  assert.match(formatPacket(pkt, 1, first, { numeric: true }, new FormatState()), /^01:46:40\.000000 IP /);
});

test("dump printer: EIGRP AppleTalk cable setup and routes at -v (the corpus has none)", () => {
  // Cable setup 100-110; an internal route 200-210 from self; an external one 400-401 via 300.42,
  // learnt from BGP. Expected text as tcpdump 4.99 prints this packet.
  const tlvs = [
    2, 4, 0, 12, 0, 100, 0, 110, 10, 0, 0, 1, 2, 2, 0, 28, 0, 0, 0, 0, 0, 0, 10, 0, 0, 0, 39, 16, 0, 5, 220, 1, 255, 1,
    0, 0, 0, 200, 0, 210, 2, 3, 0, 44, 1, 44, 0, 42, 0, 0, 0, 7, 0, 0, 253, 232, 18, 52, 86, 120, 9, 64, 0, 3, 0, 0, 19,
    136, 0, 0, 0, 56, 0, 2, 64, 2, 200, 3, 0, 0, 1, 144, 1, 145,
  ];
  const eigrp = [2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 100, ...tlvs];
  const ip = [0x45, 0, 0, 20 + eigrp.length, 0, 0, 0, 0, 2, 88, 0, 0, 10, 0, 0, 1, 224, 0, 0, 10];
  const frame = new Uint8Array([1, 0, 0x5e, 0, 0, 10, 0, 1, 2, 3, 4, 5, 8, 0, ...ip, ...eigrp]);
  const state = new FormatState();
  assert.equal(
    formatPacket(frame, 1, 0n, { numeric: true, verbose: 1, timestamps: 1 }, state),
    "IP (tos 0x0, ttl 2, id 0, offset 0, flags [none], proto EIGRP (88), length 124, bad cksum 0 (->ce1f)!)" +
      "\n    10.0.0.1 > 224.0.0.10: \n\tEIGRP v2, opcode: Update (1), chksum: 0x0000, Flags: [none]" +
      "\n\tseq: 0x00000005, ack: 0x00000000, VRID: 0, AS: 100, length: 84" +
      "\n\t  AppleTalk Cable setup TLV (0x0204), length: 12" +
      "\n\t    Cable-range: 100-110, Router-ID 167772161" +
      "\n\t  AppleTalk Internal routes TLV (0x0202), length: 28" +
      "\n\t     Cable-Range: 200-210, nexthop: self" +
      "\n\t      delay 25 ms, bandwidth 10000 Kbps, mtu 1500, hop 1, reliability 255, load 1" +
      "\n\t  AppleTalk External routes TLV (0x0203), length: 44" +
      "\n\t     Cable-Range: 400-401, nexthop: 300.42" +
      "\n\t      origin-router 7, origin-as 65000, origin-proto BGP, flags [0x40], tag 0x12345678, metric 3" +
      "\n\t      delay 50 ms, bandwidth 56 Kbps, mtu 576, hop 2, reliability 200, load 3",
  );
  assert.equal(state.unsupported, undefined);
});

test("dump printer: OpenFlow 1.0 port status and port mod at -vv (the corpus has none)", () => {
  // A port status (port 3 modified: down, STP forwarding, bitmaps with a bogus bit) and a port mod,
  // in one segment; the expected text is tcpdump 4.99's for this packet.
  const frame = new Uint8Array([
    0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 6, 8, 0, 69, 0, 0, 136, 0, 0, 0, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2, 25, 253,
    156, 64, 0, 0, 3, 232, 0, 0, 7, 208, 80, 24, 3, 232, 0, 0, 0, 0, 1, 12, 0, 64, 0, 0, 0, 7, 2, 0, 0, 0, 0, 0, 0, 0,
    0, 3, 0, 17, 34, 51, 68, 85, 101, 116, 104, 51, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 2, 1, 0, 0, 0,
    32, 0, 0, 2, 32, 0, 0, 32, 0, 0, 0, 0, 0, 1, 15, 0, 32, 0, 0, 0, 8, 0, 1, 0, 17, 34, 51, 68, 85, 0, 0, 0, 1, 128, 0,
    0, 1, 0, 0, 0, 32, 0, 0, 0, 0,
  ]);
  const state = new FormatState();
  assert.equal(
    formatPacket(frame, 1, 0n, { numeric: true, verbose: 2, timestamps: 1 }, state),
    "IP (tos 0x0, ttl 64, id 0, offset 0, flags [none], proto TCP (6), length 136, bad cksum 0 (->666e)!)" +
      "\n    10.0.0.1.6653 > 10.0.0.2.40000: Flags [P.], cksum 0x0000 (incorrect -> 0x91bf), seq 1000:1096, ack 2000, win 1000, length 96: OpenFlow" +
      "\n\tversion 1.0, type PORT_STATUS, length 64, xid 0x00000007" +
      "\n\t reason MODIFY" +
      "\n\t  port_no 3, hw_addr 00:11:22:33:44:55, name 'eth3'" +
      "\n\t   config 0x00000001 (PORT_DOWN)" +
      "\n\t   state 0x00000201 (STP_FORWARD, LINK_DOWN)" +
      "\n\t   curr 0x00000020 (1GB_FD)" +
      "\n\t   advertised 0x00000220 (1GB_FD, AUTONEG)" +
      "\n\t   supported 0x00002000 (bogus)" +
      "\n\t   peer 0x00000000" +
      "\n\tversion 1.0, type PORT_MOD, length 32, xid 0x00000008" +
      "\n\t port_no 1, hw_addr 00:11:22:33:44:55" +
      "\n\t config 0x00000001 (PORT_DOWN)" +
      "\n\t mask 0x80000001 (PORT_DOWN) (bogus)" +
      "\n\t advertise 0x00000020 (1GB_FD)",
  );
  assert.equal(state.unsupported, undefined);
});

test("dump printer: vsockmon (link type 271) at -nn, -v and -vv with a payload (pcapng only in the corpus)", () => {
  // A virtio stream read/write from cid 3 port 1024 to cid 2 port 1234 carrying 4 bytes; the
  // expected text is tcpdump 4.99's for this packet.
  const frame = new Uint8Array([
    3, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 210, 4, 0, 0, 4, 0, 2, 0, 44, 0, 0, 0, 3, 0, 0, 0, 0, 0,
    0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 210, 4, 0, 0, 4, 0, 0, 0, 1, 0, 5, 0, 0, 0, 0, 0, 0, 0, 4, 0, 7, 0, 0, 0,
    104, 105, 0, 1,
  ]);
  const state = new FormatState();
  const line = "3.1024 > 2.1234 PAYLOAD, length 80";
  const virtio = "VIRTIO (len 4, type STREAM, op RW, flags 0, buf_alloc 262144, fwd_cnt 7)\n\t" + line;
  assert.equal(formatPacket(frame, 271, 0n, { numeric: true, timestamps: 1 }, state), "VIRTIO " + line);
  assert.equal(formatPacket(frame, 271, 0n, { numeric: true, verbose: 1, timestamps: 1 }, state), virtio);
  assert.equal(
    formatPacket(frame, 271, 0n, { numeric: true, verbose: 2, timestamps: 1 }, state),
    virtio + "\n\t0x0000:  6869 0001",
  );
  assert.equal(state.unsupported, undefined);
});

test("dump printer: hex and ASCII dumps, truncation, unknown EtherTypes", () => {
  const pkt = ipv4Tcp({ src: [1, 2, 3, 4], dst: [5, 6, 7, 8], sport: 1, dport: 2, seq: 1, ack: 0, flags: 0x02 });
  const out = formatPacket(pkt, 1, 0n, { numeric: true, timestamps: 1, hexAscii: 2 }, new FormatState());
  assert.equal(out.split("\n")[1], "\t0x0000:  0001 0203 0405 0607 0809 0a0b 0800 4500  ..............E.");
  assert.equal(out.split("\n").length, 1 + Math.ceil(pkt.length / 16));
  const cut = pkt.subarray(0, 40);
  assert.equal(
    formatPacket(cut, 1, 0n, { numeric: true, timestamps: 1 }, new FormatState(), pkt.length),
    "IP 1.2.3.4.1 > 5.6.7.8.2:  [|tcp]",
  );
  const odd = new Uint8Array(20);
  odd.set([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 1, 2, 3, 4, 5, 0x12, 0x34, 0x41, 0x42]);
  assert.equal(
    formatPacket(odd, 1, 0n, { numeric: true, timestamps: 1 }, new FormatState()),
    "00:01:02:03:04:05 > ff:ff:ff:ff:ff:ff, ethertype Unknown (0x1234), length 20: \n\t0x0000:  4142 0000 0000                           AB....",
  );
});

test("dump printer: EIGRP IPv4 external routes at -v and -vv (the corpus has none)", () => {
  // An Update with one external route: 192.168.3.0/24 via 10.0.0.9, learnt from OSPF.
  const tlv = [
    0x01, 0x03, 0, 48, 10, 0, 0, 9, 10, 1, 1, 1, 0, 0, 0, 100, 0x12, 0x34, 0x56, 0x78, 0, 0, 0, 7, 0, 0, 6, 0x40, 0, 0,
    0x0a, 0x00, 0, 0, 0x27, 0x10, 0, 0x05, 0xdc, 1, 255, 1, 0, 0, 24, 192, 168, 3,
  ];
  const eigrp = [2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 100, ...tlv];
  const length = 20 + eigrp.length;
  const ip = [0x45, 0, 0, length, 0, 0, 0, 0, 2, 88, 0, 0, 10, 0, 0, 1, 224, 0, 0, 10];
  const frame = new Uint8Array([1, 0, 0x5e, 0, 0, 10, 0, 1, 2, 3, 4, 5, 8, 0, ...ip, ...eigrp]);
  const route =
    "\n\t  IP External routes TLV (0x0103), length: 48" +
    "\n\t    IPv4 prefix:     192.168.3.0/24, nexthop: 10.0.0.9" +
    "\n\t      origin-router 10.1.1.1, origin-as 100, origin-proto OSPF, flags [0x40], tag 0x12345678, metric 7" +
    "\n\t      delay 25 ms, bandwidth 10000 Kbps, mtu 1500, hop 1, reliability 255, load 1";
  const header =
    "IP (tos 0x0, ttl 2, id 0, offset 0, flags [none], proto EIGRP (88), length 88, bad cksum 0 (->ce43)!)" +
    "\n    10.0.0.1 > 224.0.0.10: \n\tEIGRP v2, opcode: Update (1), chksum: 0x0000, Flags: [none]" +
    "\n\tseq: 0x00000005, ack: 0x00000000, VRID: 0, AS: 100, length: 48";
  const state = new FormatState();
  assert.equal(formatPacket(frame, 1, 0n, { numeric: true, verbose: 1, timestamps: 1 }, state), header + route);
  assert.equal(state.unsupported, undefined);
  assert.equal(
    formatPacket(frame, 1, 0n, { numeric: true, verbose: 2, timestamps: 1 }, state),
    header +
      route +
      "\n\t    0x0000:  0a00 0009 0a01 0101 0000 0064 1234 5678" +
      "\n\t    0x0010:  0000 0007 0000 0640 0000 0a00 0000 2710" +
      "\n\t    0x0020:  0005 dc01 ff01 0000 18c0 a803",
  );
});

test("dump printer: RADIUS attributes the corpus lacks at -v and -vv (vendor-specific, tunnel tags, times)", () => {
  const attribute = (type: number, value: number[]): number[] => [type, value.length + 2, ...value];
  const u32 = (v: number): number[] => [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
  const attributes = [
    ...attribute(26, [...u32(311), 26, 5, 0x61, 0x62, 0x63]),
    ...attribute(64, [1, 0, 0, 13]),
    ...attribute(65, [1, 0, 0, 6]),
    ...attribute(81, [1, 0x31, 0x30, 0x30]),
    ...attribute(27, u32(3700)),
    ...attribute(28, u32(45)),
    ...attribute(55, u32(1600000000)),
    ...attribute(8, u32(0xfffffffe)),
    ...attribute(40, u32(99)),
    ...attribute(70, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]),
    ...attribute(101, u32(999)),
  ];
  const radius = [2, 7, 0, 20 + attributes.length, ...new Array<number>(16).fill(0xab), ...attributes];
  const udp = [0x07, 0x14, 0x9c, 0x40, 0, 8 + radius.length, 0, 0, ...radius];
  const ip = [0x45, 0, 0, 20 + udp.length, 0, 1, 0, 0, 64, 17, 0x66, 0x67, 10, 0, 0, 1, 10, 0, 0, 2];
  const frame = new Uint8Array([0, 1, 2, 3, 4, 5, 0, 6, 7, 8, 9, 10, 8, 0, ...ip, ...udp]);
  const values = [
    "Vendor-Specific Attribute (26), length: 11, Value: Vendor: Microsoft (311)\n\t    Vendor Attribute: 26, Length: 3, Value: abc",
    "Tunnel-Type Attribute (64), length: 6, Value: Tag[1] VLAN",
    "Tunnel-Medium-Type Attribute (65), length: 6, Value: Tag[1] 802",
    "Tunnel-Private-Group-ID Attribute (81), length: 6, Value: Tag[1] 100",
    "Session-Timeout Attribute (27), length: 6, Value: 01:01:40 hours",
    "Idle-Timeout Attribute (28), length: 6, Value: 45 secs",
    "Event-Timestamp Attribute (55), length: 6, Value: Sun Sep 13 12:26:40 2020",
    "Framed-IP-Address Attribute (8), length: 6, Value: NAS Select",
    "Acct-Status-Type Attribute (40), length: 6, Value: #99",
    "ARAP-Password Attribute (70), length: 18, Value: User_challenge (0102030405060708) User_resp(090A0B0C0D0E0F10)",
    "Error-Cause Attribute (101), length: 6, Value: Error cause 999: Error-Cause 999 not known",
  ];
  const dumps = [
    "0000 0137 1a05 6162 63",
    "0100 000d",
    "0100 0006",
    "0131 3030",
    "0000 0e74",
    "0000 002d",
    "5f5e 1000",
    "ffff fffe",
    "0000 0063",
    "0102 0304 0506 0708 090a 0b0c 0d0e 0f10",
    "0000 03e7",
  ];
  const ipLine =
    "IP (tos 0x0, ttl 64, id 1, offset 0, flags [none], proto UDP (17), length 131)\n    10.0.0.1.1812 > 10.0.0.2.40000: ";
  const head = "RADIUS, length: 103\n\tAccess-Accept (2), id: 0x07, Authenticator: " + "ab".repeat(16);
  const state = new FormatState();
  assert.equal(
    formatPacket(frame, 1, 0n, { numeric: true, verbose: 1, timestamps: 1 }, state),
    ipLine + head + values.map((v) => "\n\t  " + v).join(""),
  );
  assert.equal(state.unsupported, undefined);
  assert.equal(
    formatPacket(frame, 1, 0n, { numeric: true, verbose: 2, timestamps: 1 }, state),
    ipLine + "[no cksum] " + head + values.map((v, i) => "\n\t  " + v + "\n\t    0x0000:  " + dumps[i]).join(""),
  );
});

test("dump printer: BGP NLRI and next hops the corpus lacks at -v (VPLS, CLNP, labeled VPN CLNP, layer2-info)", () => {
  const be16 = (v: number): number[] => [v >> 8, v & 255];
  const attribute = (flags: number, type: number, value: number[]): number[] => [flags, type, value.length, ...value];
  const mpReach = (afi: number, safi: number, nextHop: number[], nlri: number[]): number[] =>
    attribute(0x80, 14, [...be16(afi), safi, nextHop.length, ...nextHop, 0, ...nlri]);
  const rd = [0, 0, 0, 100, 0, 0, 0, 7];
  // A VPLS NLRI whose length (21) overstates it, then one of the 12-byte form: tcpdump's
  // decoder walks on, runs out, and its 164-byte buffer cuts one message short.
  const vpls = [...be16(21), ...rd, 0, 5, 0, 0, 0x01, 0x00, 0x01, 1, ...be16(16), 0xa5, 0x5a];
  const vplsShort = [...be16(12), ...rd, 10, 0, 0, 1];
  const updates = [
    [
      ...attribute(0x40, 1, [0]),
      ...mpReach(25, 65, [10, 0, 0, 1], [...vpls, ...vplsShort]),
      ...attribute(0xc0, 16, [0x80, 0x0a, 19, 0x01, ...be16(1500), 0, 0]),
    ],
    [
      ...attribute(0x40, 1, [2]),
      ...mpReach(3, 1, [0x49, 0x00, 0x01, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0x00], [24, 0, 0, 0, 0x49, 0x00, 0x01]),
    ],
    [
      ...attribute(0x40, 1, [1]),
      ...mpReach(
        3,
        128,
        [...rd, 0x47, 0x00, 0x06, 0x01, 10, 0, 0, 1],
        [112, 0x00, 0x01, 0x01, ...rd, 0x49, 0x00, 0x02],
      ),
    ],
  ];
  const messages = updates.flatMap((a) => [
    ...new Array<number>(16).fill(255),
    ...be16(19 + 4 + a.length),
    2,
    0,
    0,
    ...be16(a.length),
    ...a,
  ]);
  const tcp = [0xc0, 0x01, 0, 179, 0, 0, 0, 1, 0, 0, 0, 1, 0x50, 0x18, 0x10, 0, 0, 0, 0, 0, ...messages];
  const ip = [0x45, 0, ...be16(20 + tcp.length), 0, 1, 0, 0, 64, 6, 0x66, 0x01, 10, 0, 0, 1, 10, 0, 0, 2];
  const frame = new Uint8Array([0, 1, 2, 3, 4, 5, 0, 6, 7, 8, 9, 10, 8, 0, ...ip, ...tcp]);
  const expected = [
    "IP (tos 0x0, ttl 64, id 1, offset 0, flags [none], proto TCP (6), length 244)",
    "    10.0.0.1.49153 > 10.0.0.2.179: Flags [P.], cksum 0x0000 (incorrect -> 0xb3a0), seq 1:205, ack 1, win 4096, length 204: BGP",
    "\tUpdate Message (2), length: 86",
    "\t  Origin (1), length: 1, Flags [T]: IGP",
    "\t  Multi-Protocol Reach NLRI (14), length: 45, Flags [O]: ",
    "\t    AFI: VPLS (25), SAFI: VPLS (65)",
    "\t    nexthop: 10.0.0.1, nh-length: 4, no SNPA",
    "\t      RD: 100:7 (= 0.0.0.7), CE-ID: 5, Label-Block Offset: 0, Label Base 4096",
    "\t\tcircuit status vector (1) length: 16: 0xa55a",
    "\t\tunknown TLV #0, length: 3072 (ran past the",
    "\t      RD: 25600:1802 (= 0.0.7.10), CE-ID: 0, Label-Block Offset: 448, Label Base 65672",
    "\t\tunknown TLV #10, length: 4865",
    "\t\tunknown TLV #5, length: 56320 (ran past the end)",
    "\t  Extended Community (16), length: 8, Flags [OT]: ",
    "\t    layer2-info (0x800a), Flags [vendor-specific]: VPLS Control Flags [0x01]:MTU 1500",
    "\tUpdate Message (2), length: 52",
    "\t  Origin (1), length: 1, Flags [T]: Incomplete",
    "\t  Multi-Protocol Reach NLRI (14), length: 22, Flags [O]: ",
    "\t    AFI: NSAP (3), SAFI: Unicast (1)",
    "\t    nexthop: 49.0001.1234.5678.9abc.00, nh-length: 10, no SNPA",
    "\t      49.0001/24",
    "\t      ff.ffff.ffff.ffff.ffff.80/73",
    "\tUpdate Message (2), length: 66",
    "\t  Origin (1), length: 1, Flags [T]: EGP",
    "\t  Multi-Protocol Reach NLRI (14), length: 36, Flags [O]: ",
    "\t    AFI: NSAP (3), SAFI: labeled VPN Unicast (128)",
    "\t    nexthop: RD: 100:7 (= 0.0.0.7), 47.0006.010a.0000.01 = 10.0.0.1, nh-length: 16, no SNPA",
    "\t      RD: 100:7 (= 0.0.0.7), 49.0002/24, label:16 (bottom)",
  ].join("\n");
  const state = new FormatState();
  assert.equal(formatPacket(frame, 1, 0n, { numeric: true, verbose: 1, timestamps: 1 }, state), expected);
  assert.equal(state.unsupported, undefined);
});

test("dump printer: OpenFlow 1.0 port status and port modification at -v and -vv (the corpus has none)", () => {
  const be16 = (v: number): number[] => [v >> 8, v & 255];
  const be32 = (v: number): number[] => [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
  const name = [0x65, 0x74, 0x68, 0x31, ...new Array<number>(12).fill(0)];
  const features = [0x11, 0x201, 0x2a0, 0x8000, 0x3f, 0].flatMap(be32);
  const phyPort = [...be16(3), 0, 1, 2, 3, 4, 5, ...name, ...features];
  const portStatus = [1, 12, ...be16(64), ...be32(7), 2, 0, 0, 0, 0, 0, 0, 0, ...phyPort];
  const portMod = [1, 15, ...be16(32), ...be32(8), ...be16(0xfffe), 6, 5, 4, 3, 2, 1];
  portMod.push(...be32(0x41), ...be32(0x80000001), ...be32(0x0c), 0, 0, 0, 0);
  const tcp = [
    0x19,
    0xfd,
    0xc0,
    0x01,
    0,
    0,
    0,
    1,
    0,
    0,
    0,
    1,
    0x50,
    0x18,
    0x10,
    0,
    0,
    0,
    0,
    0,
    ...portStatus,
    ...portMod,
  ];
  const ip = [0x45, 0, ...be16(20 + tcp.length), 0, 1, 0, 0, 64, 6, 0x66, 0x6d, 10, 0, 0, 1, 10, 0, 0, 2];
  const frame = new Uint8Array([0, 1, 2, 3, 4, 5, 0, 6, 7, 8, 9, 10, 8, 0, ...ip, ...tcp]);
  const head =
    "IP (tos 0x0, ttl 64, id 1, offset 0, flags [none], proto TCP (6), length 136)\n" +
    "    10.0.0.1.6653 > 10.0.0.2.49153: Flags [P.], cksum 0x0000 (incorrect -> 0xc7e5), seq 1:97, ack 1, win 4096, length 96: OpenFlow" +
    "\n\tversion 1.0, type PORT_STATUS, length 64, xid 0x00000007\n\t reason MODIFY" +
    "\n\t  port_no 3, hw_addr 00:01:02:03:04:05, name 'eth1'";
  const details =
    "\n\t   config 0x00000011 (PORT_DOWN, NO_FLOOD)\n\t   state 0x00000201 (STP_FORWARD, LINK_DOWN)" +
    "\n\t   curr 0x000002a0 (1GB_FD, COPPER, AUTONEG)\n\t   advertised 0x00008000 (bogus)" +
    "\n\t   supported 0x0000003f (10MB_HD, 10MB_FD, 100MB_HD, 100MB_FD, 1GB_HD, 1GB_FD)\n\t   peer 0x00000000";
  const mod =
    "\n\tversion 1.0, type PORT_MOD, length 32, xid 0x00000008\n\t port_no LOCAL, hw_addr 06:05:04:03:02:01" +
    "\n\t config 0x00000041 (PORT_DOWN, NO_PACKET_IN)\n\t mask 0x80000001 (PORT_DOWN) (bogus)" +
    "\n\t advertise 0x0000000c (100MB_HD, 100MB_FD)";
  const state = new FormatState();
  assert.equal(formatPacket(frame, 1, 0n, { numeric: true, verbose: 1, timestamps: 1 }, state), head + mod);
  assert.equal(state.unsupported, undefined);
  // A state of its own: TCP sequence numbers are relative to the first segment a state sees.
  assert.equal(
    formatPacket(frame, 1, 0n, { numeric: true, verbose: 2, timestamps: 1 }, new FormatState()),
    head + details + mod,
  );
});

test("dump printer: LLDP TLVs the corpus lacks at -v (management address, LLDP-MED, MDI power, DCBX)", () => {
  const tlv = (type: number, value: number[]): number[] => [
    (type << 1) | (value.length >> 8),
    value.length & 255,
    ...value,
  ];
  const text = (s: string): number[] => [...new TextEncoder().encode(s)];
  const tia = [0x00, 0x12, 0xbb];
  const coordinates = [0x51, 0x2c, 0x1a, 0x2b, 0x3c, 0x52, 0x2d, 0x1b, 0x2c, 0x3d, 0x12, 0x34, 0x56, 0x78, 0x9a, 1];
  const civic = [12, 2, ...text("US"), 1, 2, ...text("CA"), 3, 3, ...text("SJC"), 0];
  const dcbx = [
    ...tlv(1, [0, 0, 0, 0, 0, 5, 0, 0, 0, 4]),
    ...tlv(3, [0, 0, 0x80, 0, 0x21, 8]),
    ...tlv(4, [0, 0, 0xc0, 0, 0x89, 0x06, 0x00, 0x1b, 0x21, 0x08]),
  ];
  const tlvs = [
    ...tlv(1, [4, 0, 1, 2, 3, 4, 5]),
    ...tlv(2, [5, ...text("ge-0/0/1")]),
    ...tlv(3, [0, 120]),
    ...tlv(8, [5, 1, 192, 0, 2, 1, 2, 0, 0, 0, 7, 3, 1, 2, 3]),
    ...tlv(127, [...tia, 1, 0x00, 0x33, 3]),
    ...tlv(127, [...tia, 2, 1, 0x60, 0xc8, 0x6e]),
    ...tlv(127, [...tia, 3, 1, ...coordinates]),
    ...tlv(127, [...tia, 3, 2, ...civic]),
    ...tlv(127, [...tia, 3, 3, ...text("4085551212")]),
    ...tlv(127, [...tia, 4, 0x52, 0x00, 0x64]),
    ...tlv(127, [...tia, 8, ...text("SN1234")]),
    ...tlv(127, [0x00, 0x12, 0x0f, 2, 0x07, 1, 3]),
    ...tlv(127, [0x00, 0x1b, 0x21, 2, ...dcbx]),
    ...tlv(0, []),
  ];
  const frame = new Uint8Array([0x01, 0x80, 0xc2, 0, 0, 0x0e, 0, 1, 2, 3, 4, 5, 0x88, 0xcc, ...tlvs]);
  // tcpdump 4.99.3's text (its -vv output matches too, with a hex dump after each TLV).
  const expected = [
    "LLDP, length 191",
    "\tChassis ID TLV (1), length 7",
    "\t  Subtype MAC address (4): 00:01:02:03:04:05",
    "\tPort ID TLV (2), length 9",
    "\t  Subtype Interface Name (5): ge-0/0/1",
    "\tTime to Live TLV (3), length 2: TTL 120s",
    "\tManagement Address TLV (8), length 15",
    "\t  Management Address length 5, AFI IPv4 (1): 192.0.2.1",
    "\t  Interface Index Interface Numbering (2): 7",
    "\t  OID length 3^A^B^C",
    "\tOrganization specific TLV (127), length 7: OUI ANSI/TIA (0x0012bb)",
    "\t  LLDP-MED Capabilities Subtype (1)",
    "\t    Media capabilities [LLDP-MED capabilities, network policy, extended power via MDI-PD, Inventory] (0x0033)",
    "\t    Device type [endpoint class 3] (0x03)",
    "\tOrganization specific TLV (127), length 8: OUI ANSI/TIA (0x0012bb)",
    "\t  Network policy Subtype (2)",
    "\t    Application type [voice] (0x01), Flags [Tagged, reserved]",
    "\t    Vlan id 100, L2 priority 1, DSCP value 46",
    "\tOrganization specific TLV (127), length 21: OUI ANSI/TIA (0x0012bb)",
    "\t  Location identification Subtype (3)",
    "\t    Location data format coordinate-based LCI (0x01)",
    "\t    Latitude resolution 20, latitude value 5034879804",
    "\t    Longitude resolution 20, longitude value 9346690109",
    "\t    Altitude type meters (1)",
    "\t    Altitude resolution 8, altitude value 0x3456789a",
    "\t    Datum World Geodesic System 1984 (0x01)",
    "\tOrganization specific TLV (127), length 19: OUI ANSI/TIA (0x0012bb)",
    "\t  Location identification Subtype (3)",
    "\t    Location data format civic address LCI (0x02)",
    "\t    LCI length 12, LCI what location of the client (0x02), Country-code US",
    "\t      CA type 'national subdivisions (state,canton,region,province,prefecture)' (1), length 2: CA",
    "\t      CA type 'city, township, shi' (3), length 3: SJC",
    "\tOrganization specific TLV (127), length 15: OUI ANSI/TIA (0x0012bb)",
    "\t  Location identification Subtype (3)",
    "\t    Location data format ECS ELIN (0x03)",
    "\t    ECS ELIN id 4085551212",
    "\tOrganization specific TLV (127), length 7: OUI ANSI/TIA (0x0012bb)",
    "\t  Extended power-via-MDI Subtype (4)",
    "\t    Power type [PD device], Power source [PSE - primary power source]",
    "\t    Power priority [high] (0x02), Power 10.0 Watts",
    "\tOrganization specific TLV (127), length 10: OUI ANSI/TIA (0x0012bb)",
    "\t  Inventory - serial number Subtype (8)",
    "\t  Serial number SN1234",
    "\tOrganization specific TLV (127), length 7: OUI IEEE 802.3 Private (0x00120f)",
    "\t  Power via MDI Subtype (2)",
    "\t    MDI power support [PSE, supported, enabled], power pair signal, power class class2",
    "\tOrganization specific TLV (127), length 36: OUI DCBX (0x001b21)",
    "\t  DCB Capability Exchange Protocol Rev 1.01 Subtype (2)",
    "\t    Control - Protocol Control (type 0x1, length 10)",
    "\t      Oper_Version: 0",
    "\t      Max_Version: 0",
    "\t      Sequence Number: 5",
    "\t      Acknowledgement Number: 4",
    "\t    Feature - Priority Flow Control (type 0x3, length 6)",
    "\t      Oper_Version: 0",
    "\t      Max_Version: 0",
    "\t      Info block(0x80): Enable bit: 1, Willing bit: 0, Error Bit: 0",
    "\t      SubType: 0",
    "\t      PFC Config (0x21)",
    "\t          Priority Bit 0: Enabled",
    "\t          Priority Bit 1: Disabled",
    "\t          Priority Bit 2: Disabled",
    "\t          Priority Bit 3: Disabled",
    "\t          Priority Bit 4: Disabled",
    "\t          Priority Bit 5: Enabled",
    "\t          Priority Bit 6: Disabled",
    "\t          Priority Bit 7: Disabled",
    "\t      NumTCPFCSupported: 8",
    "\t    Feature - Application (type 0x4, length 10)",
    "\t      Oper_Version: 0",
    "\t      Max_Version: 0",
    "\t      Info block(0xC0): Enable bit: 1, Willing bit: 1, Error Bit: 0",
    "\t      SubType: 0",
    "\t      Application Value",
    "\t          Application Protocol ID: 0x8906",
    "\t          SF (0x0) Application Protocol ID is L2 EtherType",
    "\t          OUI: 0x001b21",
    "\t          User Priority Map: 0x08",
    "\tEnd TLV (0), length 0",
  ].join("\n");
  const state = new FormatState();
  assert.equal(formatPacket(frame, 1, 0n, { numeric: true, verbose: 1, timestamps: 1 }, state), expected);
  assert.equal(state.unsupported, undefined);
  const vv = formatPacket(frame, 1, 0n, { numeric: true, verbose: 2, timestamps: 1 }, state).split("\n");
  assert.equal(vv[3], "\t  0x0000:  0400 0102 0304 05");
  assert.equal(vv.length, 99);
});

test("dump printer: IS-IS TLVs and sub-TLVs the corpus lacks at -v and -vv (MT, GMPLS switching, SRLG, POI, IDRP, checksum)", () => {
  // A point-to-point hello built to carry them; tcpdump 4.99.3's text.
  const frame = Buffer.from(
    "09002b0000050001020304050105fefe03831401001101000003111111111111001e010201de44400211111111111101" +
      "00000a37152a010200004cee6b284d6e6b284db2d05e4dee6b284e1502f94e32d05e4e509dc34e6e6b284998968005dc" +
      "0304000000016303010203e506000040028fffe81020010db8000000000000000000000001eb0a800000000005180a01" +
      "02ed21000200000014204020010db8000000011001040000000702080000000000000009f10400000100fa0500000cde" +
      "ad05090a80808006490001010d0d02222222222222333333333333830302fde883030109098a1444444444444444010a" +
      "0000010a000002000000050a07017365637265740a05030007abcd0c0200000c021234",
    "hex",
  );
  const expected = [
    "IS-IS, length 258",
    "\tp2p IIH, hlen: 20, v: 1, pdu-v: 1, sys-id-len: 6 (0), max-area: 3 (0)",
    "\t  source-id: 1111.1111.1111, holding time: 30s, Flags: [Level 1, Level 2]",
    "\t  circuit-id: 0x01, PDU length: 258",
    "\t    Multi Topology IS Reachability TLV #222, length: 68",
    "\t      IPv6 unicast Topology (0x002), Flags: [ATT bit set]",
    "\t      IS Neighbor: 1111.1111.1111.01, Metric: 10, sub-TLVs present (55)",
    "\t        Interface Switching Capability subTLV #21, length: 42",
    "\t          Interface Switching Capability:Packet-Switch Capable-1, LSP Encoding: Ethernet V2/DIX",
    "\t          Max LSP Bandwidth:",
    "\t            priority level 0: 1000.000 Mbps",
    "\t            priority level 1: 2000.000 Mbps",
    "\t            priority level 2: 3000.000 Mbps",
    "\t            priority level 3: 4000.000 Mbps",
    "\t            priority level 4: 5000.000 Mbps",
    "\t            priority level 5: 6000.000 Mbps",
    "\t            priority level 6: 7000.000 Mbps",
    "\t            priority level 7: 8000.000 Mbps",
    "\t          Min LSP Bandwidth: 10.000 Mbps",
    "\t          Interface MTU: 1500",
    "\t        Administrative groups subTLV #3, length: 4, 0x00000001",
    "\t        unknown subTLV #99, length: 3",
    "\t\t    0x0000:  0102 03",
    "\t    Multi Topology TLV #229, length: 6",
    "\t      IPv4 unicast Topology (0x000), Flags: [none]",
    "\t      IPv6 unicast Topology (0x002), Flags: [ATT bit set]",
    "\t      Development, Experimental or Proprietary Topology (0xfff), Flags: [Overload bit set]",
    "\t    IPv6 Interface address(es) TLV #232, length: 16",
    "\t      IPv6 interface address: 2001:db8::1",
    "\t    Multi-Topology IPv4 Reachability TLV #235, length: 10",
    "\t      IPv4 unicast Topology (0x000), Flags: [Overload bit set]",
    "\t      IPv4 prefix:        10.1.2.0/24, Distribution: up, Metric: 5",
    "\t    Multi-Topology IP6 Reachability TLV #237, length: 33",
    "\t      IPv6 unicast Topology (0x002), Flags: [none]",
    "\t      IPv6 prefix: 2001:db8:0:1::/64, Distribution: up, Metric: 20, Internal, sub-TLVs present (16)",
    "\t        32-Bit Administrative tag subTLV #1, length: 4, 0x00000007 (=7)",
    "\t        64-Bit Administrative tag subTLV #2, length: 8, 0x0000000000000009",
    "\t    Hello PDU Sequence Number TLV #241, length: 4",
    "\t      Sequence number: 256",
    "\t    Vendor Private TLV #250, length: 5",
    "\t      Vendor: Cisco (12)",
    "\t\t0x0000:  dead",
    "\t    Prefix Neighbors TLV #5, length: 9",
    "\t      Metric Block, Default Metric: 10, Internal",
    "\t\tAddress: 49.0001/24",
    "\t\tAddress: prefix length 1 < 2",
    "\t    Purge Originator Identifier TLV #13, length: 13",
    "\t      Purge Originator System-ID: 2222.2222.2222",
    "\t      Received from System-ID: 3333.3333.3333",
    "\t    Inter-Domain Information Type TLV #131, length: 3",
    "\t      Inter-Domain Information Type: AS Number TagAS Number: 65000",
    "\t    Inter-Domain Information Type TLV #131, length: 3",
    "\t      Inter-Domain Information Type: Routing-Domain Specific",
    "\t      0x0000:  0909",
    "\t    Shared Risk Link Group TLV #138, length: 20",
    "\t      IS Neighbor: 4444.4444.4444.44, Flags: [numbered]",
    "\t      IPv4 interface address: 10.0.0.1",
    "\t      IPv4 neighbor address: 10.0.0.2",
    "\t      Link-ID: 0x00000005",
    "\t    Authentication TLV #10, length: 7",
    "\t      simple text password: secret",
    "\t    Authentication TLV #10, length: 5",
    "\t      Generic Crypto key-id: 7, password: abcd",
    "\t    Checksum TLV #12, length: 2",
    "\t      checksum: 0x0000  (unverified)",
    "\t    Checksum TLV #12, length: 2",
    "\t      checksum: 0x1234  (incorrect should be 0x8ec0)",
  ].join("\n");
  const state = new FormatState();
  assert.equal(formatPacket(frame, 1, 0n, { numeric: true, verbose: 1, timestamps: 1 }, state), expected);
  assert.equal(state.unsupported, undefined);
  // -vv: the same with a hex dump after the headers and after each TLV.
  const vv = formatPacket(frame, 1, 0n, { numeric: true, verbose: 2, timestamps: 1 }, state).split("\n");
  assert.equal(vv[2], "\t0x0000:  8314 0100 1101 0000");
  assert.equal(vv.at(-1), "\t      0x0000:  1234");
  assert.equal(vv.length, 92);
});

test("dump printer: IS-IS PDUs tcpdump rejects or decodes oddly, at -nn and -v (bad header, unknown type, float bandwidths, HMAC-MD5)", () => {
  // Built frames; tcpdump 4.99.3's text. A rejected PDU is followed by its hex dump; bandwidths are
  // single-precision floats printed as C's %.3f does (signed inf and nan, ties to even).
  const cases: [string, string, string][] = [
    [
      "09002b0000050001020304050017fefe038314010511010000000000000000000000000000",
      "IS-ISsystem ID length of 5 is not supported\n\t0x0000:  8314 0105 1101 0000 0000 0000 0000 0000\n\t0x0010:  0000 0000",
      "IS-ISsystem ID length of 5 is not supported\n\t0x0000:  8314 0105 1101 0000 0000 0000 0000 0000\n\t0x0010:  0000 0000",
    ],
    [
      "09002b0000050001020304050017fefe0383c8010011010000000000000000000000000000",
      "IS-ISfixed header length 200 > packet length 20\n\t0x0000:  83c8 0100 1101 0000 0000 0000 0000 0000\n\t0x0010:  0000 0000",
      "IS-ISfixed header length 200 > packet length 20\n\t0x0000:  83c8 0100 1101 0000 0000 0000 0000 0000\n\t0x0010:  0000 0000",
    ],
    [
      "09002b0000050001020304050017fefe03831401001a010000000000000000000000000000",
      "IS-IS, L1 PSNP- bogus fixed header length 20 should be 17\n\t0x0000:  8314 0100 1a01 0000 0000 0000 0000 0000\n\t0x0010:  0000 0000",
      "IS-IS, length 20\n\tL1 PSNP, hlen: 20, v: 1, pdu-v: 1, sys-id-len: 6 (0), max-area: 3 (0)- bogus fixed header length 20 should be 17\n\t0x0000:  8314 0100 1a01 0000 0000 0000 0000 0000\n\t0x0010:  0000 0000",
    ],
    [
      "09002b000005000102030405000ffefe03830801000501000001020304",
      "IS-IS, unknown PDU-Type 5, length 12",
      "IS-IS, length 12\n\tunknown, type 5, hlen: 8, v: 1, pdu-v: 1, sys-id-len: 6 (0), max-area: 3 (0)\n\t  0x0000:  0102 0304\n\t0x0000:  8308 0100 0501 0000 0102 0304",
    ],
    [
      "09002b0000050001020304050036fefe03831401001101000001111111111111001e003301161d22222222222222000001120904ff8000000a04ffc00000090445f42400",
      "IS-IS, p2p IIH, src-id 1111.1111.1111, length 51",
      "IS-IS, length 51\n\tp2p IIH, hlen: 20, v: 1, pdu-v: 1, sys-id-len: 6 (0), max-area: 3 (0)\n\t  source-id: 1111.1111.1111, holding time: 30s, Flags: [Level 1 only]\n\t  circuit-id: 0x01, PDU length: 51\n\t    Extended IS Reachability TLV #22, length: 29\n\t      IS Neighbor: 2222.2222.2222.22, Metric: 1, sub-TLVs present (18)\n\t        Maximum link bandwidth subTLV #9, length: 4, -inf Mbps\n\t        Reservable link bandwidth subTLV #10, length: 4, -nan Mbps\n\t        Maximum link bandwidth subTLV #9, length: 4, 0.062 Mbps",
    ],
    // HMAC-MD5: without a key tcpdump leaves the signature unchecked.
    [
      "09002b0000050001020304050035fefe03831401001101000001111111111111001e0032010a1136000102030405060708090a0b0c0d0e0f0a04360102030a03090102",
      "IS-IS, p2p IIH, src-id 1111.1111.1111, length 50",
      "IS-IS, length 50\n\tp2p IIH, hlen: 20, v: 1, pdu-v: 1, sys-id-len: 6 (0), max-area: 3 (0)\n\t  source-id: 1111.1111.1111, holding time: 30s, Flags: [Level 1 only]\n\t  circuit-id: 0x01, PDU length: 50\n\t    Authentication TLV #10, length: 17\n\t      HMAC-MD5 password: 000102030405060708090a0b0c0d0e0f (unchecked)\n\t    Authentication TLV #10, length: 4\n\t      HMAC-MD5 password: 010203, (invalid subTLV)  (unchecked)\n\t    Authentication TLV #10, length: 3\n\t      unknown Authentication type 0x09: \n\t\t  0x0000:  0102",
    ],
  ];
  const state = new FormatState();
  for (const [hex, nn, v] of cases) {
    const frame = Buffer.from(hex, "hex");
    assert.equal(formatPacket(frame, 1, 0n, { numeric: true, timestamps: 1 }, state), nn);
    assert.equal(formatPacket(frame, 1, 0n, { numeric: true, verbose: 1, timestamps: 1 }, state), v);
    assert.equal(state.unsupported, undefined);
  }
});
