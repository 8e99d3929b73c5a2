// ICMPv6 neighbor advertisements with every combination of the router, solicited and override
// flags (bits 31, 30 and 29 of the flags word) print as tcpdump prints them: bit 31 once never
// matched, JavaScript's `&` making it negative, so "router" was missing.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { PacketRecord } from "../../src/pcap/index.js";
import type { FormatOptions } from "../../src/tools/dump/format.js";
import { TCPDUMP, compare, report, assertAllEqual, writeCaptureFile } from "../helpers/dump-oracle.js";

/** Ethernet + IPv6 + ICMPv6 neighbor advertisement of fe80::1 with `flags` (top three bits). */
function neighborAdvertisement(flags: number): Uint8Array {
  const icmp = new Uint8Array(24);
  const v = new DataView(icmp.buffer);
  icmp[0] = 136; // neighbor advertisement
  v.setUint32(4, flags >>> 0);
  icmp[8] = 0xfe;
  icmp[9] = 0x80;
  icmp[23] = 1;
  const src = [0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
  const dst = [0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
  // checksum over the pseudo-header and the message
  let sum = 0;
  const words = (b: ArrayLike<number>): void => {
    for (let i = 0; i < b.length; i += 2) sum += (b[i]! << 8) | (b[i + 1] ?? 0);
  };
  words(src);
  words(dst);
  sum += icmp.length + 58;
  words(icmp);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  v.setUint16(2, ~sum & 0xffff);
  const ip = [0x60, 0, 0, 0, 0, icmp.length, 58, 255, ...src, ...dst];
  const eth = [0x33, 0x33, 0, 0, 0, 1, 2, 0, 0, 0, 0, 1, 0x86, 0xdd];
  return Uint8Array.from([...eth, ...ip, ...icmp]);
}

test("dump printer: neighbor advertisement flags (router, solicited, override) as tcpdump prints them", {
  skip: TCPDUMP ? false : "tcpdump not installed",
}, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tsbpf-na-"));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const records: PacketRecord[] = [];
  for (let combination = 0; combination < 8; combination++)
    records.push({
      data: neighborAdvertisement(combination << 29),
      timestampNs: BigInt(1_700_000_000 + combination) * 1_000_000_000n,
    });
  const capture = writeCaptureFile(dir, "na.pcap", records);
  for (const [flags, options] of [
    [["-nn", "-v"], { numeric: true, verbose: 1 }],
    [["-nn", "-vv"], { numeric: true, verbose: 2 }],
  ] as [string[], FormatOptions][]) {
    const r = await compare([capture], flags, options);
    report(t, "icmp6 na " + flags.join(" "), r);
    assertAllEqual(r);
    assert.equal(r.compared, 8, "every advertisement is compared");
  }
});
