// The dump printer's SNMP against tcpdump, over a capture built for it (test/helpers/snmp-capture.ts):
// every packet must print exactly as tcpdump prints it, at -nn, -v, -vv and with -e -vvv -X. The
// OID names printed without -n are checked by test/kernel/dump-print-names.test.ts, where tcpdump's
// name lookups can be isolated.

import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { FormatOptions } from "../../src/tools/dump/format.js";
import { TCPDUMP, compare, report, assertAllEqual } from "../helpers/dump-oracle.js";
import { snmpCapture } from "../helpers/snmp-capture.js";

test("dump printer: SNMP v1, v2c and v3, malformed and cut short, against tcpdump", {
  skip: TCPDUMP ? false : "tcpdump not installed",
}, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tsbpf-snmp-"));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const files = [snmpCapture(dir)];
  for (const [flags, options] of [
    [["-nn"], { numeric: true }],
    [["-nn", "-v"], { numeric: true, verbose: 1 }],
    [["-nn", "-vv"], { numeric: true, verbose: 2 }],
    [["-nn", "-e", "-vvv", "-X"], { numeric: true, linkHeader: true, verbose: 3, hexAscii: 1 }],
  ] as [string[], FormatOptions][]) {
    const r = await compare(files, flags, options);
    report(t, "snmp " + flags.join(" "), r);
    assertAllEqual(r);
    assert.equal(r.compared, r.packets, "every SNMP packet is decoded");
    assert.ok(r.compared >= 500, `only ${r.compared} packets compared`);
  }
});
