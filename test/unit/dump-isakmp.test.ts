// The dump printer's ISAKMP/IKE against tcpdump, over a capture built for it
// (test/helpers/isakmp-capture.ts): every packet must print exactly as tcpdump prints it, at -nn
// and at each verbosity (the payloads at -v, more data at -vv, hex at -vvv, notify data at -vvvv).
// Without -n (protocol names in IKEv1 identities) is checked by test/kernel/dump-print-names.test.ts.

import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { FormatOptions } from "../../src/tools/dump/format.js";
import { TCPDUMP, compare, report, assertAllEqual } from "../helpers/dump-oracle.js";
import { isakmpCapture } from "../helpers/isakmp-capture.js";

test("dump printer: ISAKMP/IKE v1 and v2 payloads, malformed and cut short, against tcpdump", {
  skip: TCPDUMP ? false : "tcpdump not installed",
}, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tsbpf-isakmp-"));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const files = [isakmpCapture(dir)];
  for (const [flags, options] of [
    [["-nn"], { numeric: true }],
    [["-nn", "-v"], { numeric: true, verbose: 1 }],
    [["-nn", "-vv"], { numeric: true, verbose: 2 }],
    [["-nn", "-vvv"], { numeric: true, verbose: 3 }],
    [["-nn", "-vvvv"], { numeric: true, verbose: 4 }],
    [["-nn", "-e", "-vvv", "-X"], { numeric: true, linkHeader: true, verbose: 3, hexAscii: 1 }],
  ] as [string[], FormatOptions][]) {
    const r = await compare(files, flags, options);
    report(t, "isakmp " + flags.join(" "), r);
    assertAllEqual(r);
    assert.equal(r.compared, r.packets, "every ISAKMP packet is decoded");
    assert.ok(r.compared >= 300, `only ${r.compared} packets compared`);
  }
});
