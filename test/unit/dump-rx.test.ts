// The dump printer's Rx and AFS against tcpdump, over a capture built for it (test/helpers/rx-capture.ts):
// every packet must print exactly as tcpdump prints it, at -nn, -v, -vv and with -e -vvv -X.

import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { FormatOptions } from "../../src/tools/dump/format.js";
import { TCPDUMP, compare, report, assertAllEqual } from "../helpers/dump-oracle.js";
import { rxCapture } from "../helpers/rx-capture.js";

test("dump printer: Rx calls and replies of every AFS service, acks, malformed and cut short, against tcpdump", {
  skip: TCPDUMP ? false : "tcpdump not installed",
}, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tsbpf-rx-"));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const files = [rxCapture(dir)];
  for (const [flags, options] of [
    [["-nn"], { numeric: true }],
    [["-nn", "-v"], { numeric: true, verbose: 1 }],
    [["-nn", "-vv"], { numeric: true, verbose: 2 }],
    [["-nn", "-e", "-vvv", "-X"], { numeric: true, linkHeader: true, verbose: 3, hexAscii: 1 }],
  ] as [string[], FormatOptions][]) {
    const r = await compare(files, flags, options);
    report(t, "rx " + flags.join(" "), r);
    assertAllEqual(r);
    assert.equal(r.compared, r.packets, "every Rx packet is decoded");
    assert.ok(r.compared >= 10000, `only ${r.compared} packets compared`);
  }
});
