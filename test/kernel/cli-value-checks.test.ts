// Values the CLI hands to the kernel, checked first in tsbpf's words: --set and --const integers
// against their variable's type (a u32 does not silently keep the low bits of 99999999999999999999),
// `run`'s --data against what a packet program needs, and -i "" for a tool.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { corpusObject } from "../helpers/bpf-corpus.js";
import { repoRoot } from "../helpers/compiler-helpers.js";
import { runTool } from "../helpers/tool-process.js";

const CAPTURE = join(repoRoot, "examples", "kernel", "capture.bpf.ts");

function packetFile(t: { after(fn: () => void): void }, size: number): string {
  const dir = mkdtempSync(join(tmpdir(), "tsbpf-values-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, `packet-${size}.bin`);
  writeFileSync(file, Buffer.alloc(size, 0x45));
  return file;
}

test("load --set: an integer that does not fit the variable is refused, one that fits loads", () => {
  const object = corpusObject("globals");
  const tooBig = runTool(["load", object, "--set", "verdict=99999999999999999999"]);
  assert.equal(tooBig.code, 1, tooBig.stderr);
  assert.match(
    tooBig.stderr,
    /^tsbpf load: cannot set verdict: 99999999999999999999 does not fit an unsigned 32-bit integer \(0 to 4294967295\)$/m,
  );
  const negative = runTool(["load", object, "--set", "magic_byte=-1"]);
  assert.equal(negative.code, 1, negative.stderr);
  assert.match(negative.stderr, /cannot set magic_byte: -1 does not fit an unsigned 8-bit integer \(0 to 255\)/);
  const fits = runTool(["load", object, "--set", "verdict=4294967295", "--json"]);
  assert.equal(fits.code, 0, fits.stderr);
});

test("run --const: checked against the constant's type, for kernel TypeScript and ELF objects", (t) => {
  const packet = packetFile(t, 64);
  const tooBig = runTool(["run", CAPTURE, "--const", "snapLength=4294967296", "--data", packet]);
  assert.equal(tooBig.code, 1, tooBig.stderr);
  assert.match(tooBig.stderr, /cannot set snapLength: 4294967296 does not fit an unsigned 32-bit integer/);
  const fits = runTool(["run", CAPTURE, "--const", "snapLength=4294967295", "--data", packet, "--json"]);
  assert.equal(fits.code, 0, fits.stderr);
  const elf = runTool(["run", corpusObject("globals"), "--const", "verdict=99999999999999999999", "--data", packet]);
  assert.equal(elf.code, 1, elf.stderr);
  assert.match(elf.stderr, /cannot set verdict: 99999999999999999999 does not fit an unsigned 32-bit integer/);
});

test("run says how much --data a packet program needs", (t) => {
  const none = runTool(["run", CAPTURE]);
  assert.equal(none.code, 2, none.stderr);
  assert.match(none.stderr, /is an XDP program: give the packet with --data FILE \(at least 14 bytes/);
  const short = runTool(["run", CAPTURE, "--data", packetFile(t, 5)]);
  assert.equal(short.code, 2, short.stderr);
  assert.match(short.stderr, /--data is 5 bytes; .* needs at least 14 \(an Ethernet header\)/);
  const enough = runTool(["run", CAPTURE, "--data", packetFile(t, 14), "--json"]);
  assert.equal(enough.code, 0, enough.stderr);
  assert.equal(JSON.parse(enough.stdout).retval, 2, "XDP_PASS on a minimal packet");
});

test('-i "" is an error naming the problem, not the default interface', () => {
  const r = runTool(["count", "-i", "", "--count", "1", "--interval", "0.1"]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /interface name cannot be empty/);
});
