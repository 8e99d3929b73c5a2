// The dump printer's PPP control protocols against tcpdump, over a capture built for it (test/helpers/ppp-control-capture.ts):
// every packet must print exactly as tcpdump prints it, at -nn, -v, -vv and with -e -vvv -X.

import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { FormatOptions } from "../../src/tools/dump/format.js";
import { TCPDUMP, compare, report, assertAllEqual } from "../helpers/dump-oracle.js";
import { pppControlCapture } from "../helpers/ppp-control-capture.js";

test("dump printer: PPP LCP, IPCP, IP6CP, CCP and BACP options and codes, OSICP, MPLSCP, CHAP, PAP and multilink, in PPPoE and on Ethernet, malformed and cut short, against tcpdump", {
  skip: TCPDUMP ? false : "tcpdump not installed",
}, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tsbpf-ppp-control-"));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const files = [pppControlCapture(dir)];
  for (const [flags, options] of [
    [["-nn"], { numeric: true }],
    [["-nn", "-v"], { numeric: true, verbose: 1 }],
    [["-nn", "-vv"], { numeric: true, verbose: 2 }],
    [["-nn", "-e", "-vvv", "-X"], { numeric: true, linkHeader: true, verbose: 3, hexAscii: 1 }],
  ] as [string[], FormatOptions][]) {
    const r = await compare(files, flags, options);
    report(t, "ppp control " + flags.join(" "), r);
    assertAllEqual(r);
    assert.equal(r.compared, r.packets, "every PPP control packet is decoded");
    assert.ok(r.compared >= 1000, `only ${r.compared} packets compared`);
  }
});
