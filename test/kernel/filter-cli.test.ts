// `tsbpf filter`: -d prints the program, -r FILE prints the numbers of the matching packets (the
// packets tcpdump -r FILE EXPR writes, compared by their timestamps).
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { UsageError } from "../../src/cmdline/args.js";
import { type CommandIo } from "../../src/cmdline/io.js";
import { run } from "../../src/cli/commands/filter.js";
import { readCapture } from "../../src/pcap/reader.js";
import { PCAP_DIR, tcpdumpAvailable } from "../helpers/filter-fixtures.js";

function capture(argv: string[]): { code: number; out: string; err: string } {
  let out = "",
    err = "";
  const io: CommandIo = {
    stdout: (t) => {
      out += t;
    },
    stderr: (t) => {
      err += t;
    },
    stdin: () => "",
  };
  const code = run(argv, io) as number;
  return { code, out, err };
}

test("tsbpf filter -d prints the program in the verifier's syntax", () => {
  const r = capture(["-d", "tcp", "port", "80"]);
  assert.equal(r.code, 0);
  const lines = r.out.trim().split("\n");
  assert.match(lines[0]!, /^0: \(bf\) r6 = r1$/);
  assert.ok(
    lines.some((l) => /if w0 == 0x86dd goto/.test(l)),
    r.out,
  );
  assert.ok(
    lines.some((l) => /r0 = \*\(u16 \*\)\(r9 \+14\)/.test(l)),
    "the source port, after the IPv4 header",
  );
  const s = capture(["-d", "--context", "socket", "--", "ip[2:2] > 576"]);
  assert.match(s.out, /r0 = \*\(u16 \*\)skb\[16\]/);
  const raw = capture(["-d", "--linktype", "101", "ip"]);
  assert.match(raw.out, /w0 &= 240/);
});

test("tsbpf filter -r FILE prints the numbers of the packets tcpdump matches", (t) => {
  if (!tcpdumpAvailable()) {
    t.skip("tcpdump is not installed");
    return;
  }
  const cases: [string, string][] = [
    ["dhcp-rfc3004.pcap", "udp port 67"],
    ["ipv6-bad-version.pcap", "ip6"],
    ["802.1ad_QinQ.pcap", "vlan and vlan"],
    ["LINKTYPE_RAW_ipv4.pcap", "udp port 53"],
    ["OSPFv2_Capture_FINAL.pcapng", "ip proto 89 and len > 100"],
    ["quic_handshake.pcap", "ip6 and udp port 443"],
    ["mptcp-v1.pcap", "tcp[tcpflags] & tcp-syn != 0"],
    ["babel.pcap", "ip6 multicast"],
  ];
  for (const [file, expression] of cases) {
    const path = join(PCAP_DIR, file);
    const ref = spawnSync("tcpdump", ["-r", path, "-w", "-", "--", expression], { maxBuffer: 1 << 26 });
    const theirs = readCapture(ref.stdout).packets.map((p) => p.timestampNs / 1000n);
    const all = readCapture(readFileSync(path)).packets;
    assert.ok(theirs.length > 0, `${file}: ${expression} matches something`);
    for (const engine of ["kernel", "js"]) {
      const r = capture(["-r", path, "--engine", engine, "--", expression]);
      assert.equal(r.code, 0, r.err);
      const numbers = r.out.trim().split("\n").map(Number);
      assert.deepEqual(
        numbers.map((n) => all[n - 1]!.timestampNs / 1000n),
        theirs,
        `${file} ${expression} (${engine})`,
      );
    }
  }
  const json = capture(["-r", join(PCAP_DIR, "dhcp-rfc3004.pcap"), "--json", "udp"]);
  const first = JSON.parse(json.out.split("\n")[0]!) as Record<string, unknown>;
  assert.deepEqual(Object.keys(first), ["number", "timestamp_ns", "length", "captured"]);
});

test("tsbpf filter reports bad expressions and files, and bad usage", () => {
  const r = capture(["-d", "tcp", "port", "and", "80"]);
  assert.equal(r.code, 1);
  assert.equal(
    r.err,
    `tsbpf filter: syntax error: unexpected "and", expected a host, network, port or protocol\n  tcp port and 80\n           ^^^\n`,
  );
  const bad = capture(["-r", join(PCAP_DIR, "..", "README.md"), "ip"]);
  assert.equal(bad.code, 1);
  assert.match(bad.err, /unknown file format at byte offset 0/);
  assert.throws(() => capture(["ip"]), UsageError);
  assert.throws(() => capture(["-d", "--context", "kprobe", "ip"]), UsageError);
});
