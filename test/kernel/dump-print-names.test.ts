// The dump printer without -n against tcpdump: port names from the services table and MAC OUIs.
// tcpdump's name lookups run in a network namespace of their own with an empty hosts file, so
// neither the machine's hosts nor its DNS can change what it prints.

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  TCPDUMP,
  loadCorpus,
  withoutTimestamp,
  type Comparison,
  compare,
  report,
  assertAllEqual,
  variantCorpus,
} from "../helpers/dump-oracle.js";
import { isakmpCapture } from "../helpers/isakmp-capture.js";
import { snmpCapture } from "../helpers/snmp-capture.js";

function canIsolate(): boolean {
  try {
    execFileSync("unshare", ["-mn", "true"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

test("dump printer: without -n, port names from the services table and MAC OUIs", {
  skip: !TCPDUMP
    ? "tcpdump not installed"
    : !canIsolate()
      ? "cannot create a network namespace for tcpdump's name lookups"
      : false,
}, async (t) => {
  const files = variantCorpus(loadCorpus());
  const r = await compare(files, [], {}, true, true);
  report(t, "names", r);
  assertAllEqual(r);
  const e = await compare(files, ["-e"], { linkHeader: true }, true, true);
  report(t, "names -e", e);
  assertAllEqual(e);
  // -T rpc names the portmapper's and NFS's ports and prints programs as "#N".
  const rpc = await compare(files, ["-T", "rpc"], { packetType: "rpc" }, true, true);
  report(t, "names -T rpc", rpc);
  assertAllEqual(rpc);
});

test("dump printer: without -n, SNMP OIDs by the names of tcpdump's compiled-in MIB", {
  skip: !TCPDUMP
    ? "tcpdump not installed"
    : !canIsolate()
      ? "cannot create a network namespace for tcpdump's name lookups"
      : false,
}, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tsbpf-snmp-names-"));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const files = [snmpCapture(dir)];
  for (const [flags, options] of [
    [[], {}],
    [["-v"], { verbose: 1 }],
  ] as const) {
    const r = await compare(files, [...flags], options, true);
    report(t, "snmp names " + flags.join(" "), r);
    assertAllEqual(r);
    assert.equal(r.compared, r.packets, "every SNMP packet is decoded");
  }
});

test("dump printer: without -n, ISAKMP identities' protocol names", {
  skip: !TCPDUMP
    ? "tcpdump not installed"
    : !canIsolate()
      ? "cannot create a network namespace for tcpdump's name lookups"
      : false,
}, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tsbpf-isakmp-names-"));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const files = [isakmpCapture(dir)];
  for (const [flags, options] of [
    [[], {}],
    [["-vv"], { verbose: 2 }],
  ] as const) {
    const r = await compare(files, [...flags], options, true);
    report(t, "isakmp names " + flags.join(" "), r);
    assertAllEqual(r);
    assert.equal(r.compared, r.packets, "every ISAKMP packet is decoded");
  }
});
