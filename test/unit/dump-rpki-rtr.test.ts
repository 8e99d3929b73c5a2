// The dump printer's RPKI-RTR against tcpdump, over a capture built for it (test/helpers/rpki-rtr-capture.ts):
// every packet must print exactly as tcpdump prints it, at -nn, -v, -vv and with -e -vvv -X.

import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { FormatOptions } from "../../src/tools/dump/format.js";
import { TCPDUMP, compare, report, assertAllEqual } from "../helpers/dump-oracle.js";
import { rpkiRtrCapture } from "../helpers/rpki-rtr-capture.js";

test("dump printer: RPKI-RTR PDUs of every type, malformed and cut short, against tcpdump", {
  skip: TCPDUMP ? false : "tcpdump not installed",
}, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tsbpf-rpki-rtr-"));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const files = [rpkiRtrCapture(dir)];
  for (const [flags, options] of [
    [["-nn"], { numeric: true }],
    [["-nn", "-v"], { numeric: true, verbose: 1 }],
    [["-nn", "-vv"], { numeric: true, verbose: 2 }],
    [["-nn", "-e", "-vvv", "-X"], { numeric: true, linkHeader: true, verbose: 3, hexAscii: 1 }],
  ] as [string[], FormatOptions][]) {
    const r = await compare(files, flags, options);
    report(t, "rpki-rtr " + flags.join(" "), r);
    assertAllEqual(r);
    assert.equal(r.compared, r.packets, "every RPKI-RTR segment is decoded");
    assert.ok(r.compared >= 150, `only ${r.compared} packets compared`);
  }
});
