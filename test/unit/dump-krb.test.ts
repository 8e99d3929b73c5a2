// The dump printer's Kerberos against tcpdump, over a capture built for it (test/helpers/krb-capture.ts):
// every packet must print exactly as tcpdump prints it, at -nn, -v, -vv and with -e -vvv -X.

import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { FormatOptions } from "../../src/tools/dump/format.js";
import { TCPDUMP, compare, report, assertAllEqual } from "../helpers/dump-oracle.js";
import { krbCapture } from "../helpers/krb-capture.js";

test("dump printer: Kerberos version 4 messages in both byte orders, other versions, malformed and cut short, against tcpdump", {
  skip: TCPDUMP ? false : "tcpdump not installed",
}, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tsbpf-krb-"));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const files = [krbCapture(dir)];
  for (const [flags, options] of [
    [["-nn"], { numeric: true }],
    [["-nn", "-v"], { numeric: true, verbose: 1 }],
    [["-nn", "-vv"], { numeric: true, verbose: 2 }],
    [["-nn", "-e", "-vvv", "-X"], { numeric: true, linkHeader: true, verbose: 3, hexAscii: 1 }],
  ] as [string[], FormatOptions][]) {
    const r = await compare(files, flags, options);
    report(t, "kerberos " + flags.join(" "), r);
    assertAllEqual(r);
    assert.equal(r.compared, r.packets, "every Kerberos packet is decoded");
    assert.ok(r.compared >= 300, `only ${r.compared} packets compared`);
  }
});
