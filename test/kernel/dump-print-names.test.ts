// The dump printer without -n against tcpdump: port names from the services table and MAC OUIs.
// tcpdump's name lookups run in a network namespace of their own with an empty hosts file, so
// neither the machine's hosts nor its DNS can change what it prints.

import { test } from "node:test";
import { execFileSync } from "node:child_process";
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
