// The dump printer's L2TP against tcpdump, over a capture built for it (test/helpers/l2tp-capture.ts):
// every packet must print exactly as tcpdump prints it, at -nn, -v, -vv and with -e -vvv -X.

import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { FormatOptions } from "../../src/tools/dump/format.js";
import { TCPDUMP, compare, report, assertAllEqual } from "../helpers/dump-oracle.js";
import { l2tpCapture } from "../helpers/l2tp-capture.js";

test("dump printer: L2TP control messages with every AVP, data messages with PPP, L2F, malformed and cut short, against tcpdump", {
  skip: TCPDUMP ? false : "tcpdump not installed",
}, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tsbpf-l2tp-"));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const files = [l2tpCapture(dir)];
  for (const [flags, options] of [
    [["-nn"], { numeric: true }],
    [["-nn", "-v"], { numeric: true, verbose: 1 }],
    [["-nn", "-vv"], { numeric: true, verbose: 2 }],
    [["-nn", "-e", "-vvv", "-X"], { numeric: true, linkHeader: true, verbose: 3, hexAscii: 1 }],
  ] as [string[], FormatOptions][]) {
    const r = await compare(files, flags, options);
    report(t, "l2tp " + flags.join(" "), r);
    assertAllEqual(r);
    assert.equal(r.compared, r.packets, "every L2TP packet is decoded");
    assert.ok(r.compared >= 400, `only ${r.compared} packets compared`);
  }
});
