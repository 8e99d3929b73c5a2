// The bundled bin (src/cli/bin.ts) runs the CLI from V8's code cache, one per command. A cache is
// only worth its file if the next run takes it: a V8 flag set after the bundle is compiled (dump's
// memory flags once were) makes V8 reject every cache taken afterwards, and the bin then compiles
// everything again and rewrites the file on each run. Each command with V8 flags, and one without,
// must store its cache once and then run from it; storing it removes the caches of earlier builds.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { COMMANDS } from "../../src/cli/main.js";
import { PcapWriter } from "../../src/pcap/writer.js";

const dist = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const bin = join(dist, "bin", "tsbpf.js");

test("a command's code cache is stored once, replaces earlier builds' and is taken by the next runs (dump's V8 flags included)", (t) => {
  const tmp = mkdtempSync(join(tmpdir(), "tsbpf-code-cache-test-"));
  t.after(() => rmSync(tmp, { recursive: true, force: true }));
  const capture = join(tmp, "one.pcap");
  const w = new PcapWriter(capture, { linkType: 1, snaplen: 65535 });
  w.writePacketAt(new Uint8Array(60), 1_700_000_000, 0);
  w.close();
  assert.ok(
    COMMANDS.some((c) => c.name === "dump" && c.v8Flags !== undefined),
    "dump runs with V8 flags (the case this test is for)",
  );
  const cacheDir = join(tmp, `tsbpf-code-cache-${process.getuid!()}`);
  // caches an earlier build left: dump's is superseded by the new one, another command's is not
  mkdirSync(cacheDir, { mode: 0o700 });
  const earlierDump = join(cacheDir, "tsbpf-0123456789abcdef-dump-42.v8");
  const earlierOther = join(cacheDir, "tsbpf-0123456789abcdef-gen-kernel-42.v8");
  writeFileSync(earlierDump, "old");
  writeFileSync(earlierOther, "old");
  for (const [command, args] of [
    ["dump", ["dump", "-nn", "-r", capture]],
    ["main", ["--version"]],
  ] as const) {
    const run = (): void => {
      const r = spawnSync(process.execPath, [bin, ...args], { env: { ...process.env, TMPDIR: tmp }, encoding: "utf8" });
      assert.equal(r.status, 0, r.stderr);
    };
    run();
    const name = readdirSync(cacheDir).find((n) => n.includes(`-${command}-`) && n.endsWith(".v8"));
    assert.ok(name, `${command}: a cache was stored (${readdirSync(cacheDir).join(", ")})`);
    const first = statSync(join(cacheDir, name));
    if (command === "dump") {
      assert.ok(!existsSync(earlierDump), "the earlier build's dump cache is removed when the new one is stored");
      assert.ok(existsSync(earlierOther), "another command's cache is kept");
    }
    run();
    run();
    const later = statSync(join(cacheDir, name));
    // a rejected cache is written again to a new file renamed over the old one
    assert.equal(later.ino, first.ino, `${command}: the cache was rewritten, so V8 rejected it`);
    assert.equal(later.mtimeMs, first.mtimeMs, `${command}: the cache was rewritten`);
  }
});
