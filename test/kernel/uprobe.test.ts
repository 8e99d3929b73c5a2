import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { openSync, readSync, closeSync } from "node:fs";
import { once } from "node:events";
import { UprobeProgram } from "../../src/programs/uprobe.js";
import { ElfFile } from "../../src/elf/reader.js";
import { findSymbol, resolveBinaryPath, symbolFileOffset, symbolOffset } from "../../src/elf/symbols.js";
import { TsbpfError } from "../../src/errors.js";
import { TargetNotFoundError } from "../../src/sys/errors.js";
import { buildC, CounterMap, counterProgram, tempDir } from "../helpers/tracing-helpers.js";

// Two probe targets; -fcf-protection makes every function start with endbr64, which lets the
// test check that symbol offsets point at code.
const TARGETS = `
#include <stdlib.h>
__attribute__((noinline)) int tsbpf_target_a(int x) { __asm__ volatile(""); return x + 1; }
__attribute__((noinline)) int tsbpf_target_b(int x) { __asm__ volatile(""); return x * 2; }
int main(int argc, char **argv) {
  int a = argc > 1 ? atoi(argv[1]) : 0, b = argc > 2 ? atoi(argv[2]) : 0;
  volatile int sink = 0;
  for (int i = 0; i < a; i++) sink += tsbpf_target_a(i);
  for (int i = 0; i < b; i++) sink += tsbpf_target_b(i);
  return 0;
}`;

// Waits for a line on stdin (so the test can attach with the child's pid), then calls getpid.
const GETPID_AFTER_GO = `
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
int main(int argc, char **argv) {
  char line[8];
  int n = argc > 1 ? atoi(argv[1]) : 1;
  if (!fgets(line, sizeof line, stdin)) return 2;
  for (int i = 0; i < n; i++) getpid();
  return 0;
}`;

function build(dir: string): string {
  return buildC(dir, "targets", TARGETS, ["-fcf-protection=full"]);
}

function bytesAt(path: string, offset: number, length: number): Buffer {
  const fd = openSync(path, "r");
  try {
    const b = Buffer.alloc(length);
    readSync(fd, b, 0, length, offset);
    return b;
  } finally {
    closeSync(fd);
  }
}

test("ELF symbols resolve to file offsets that point at the function's code", () => {
  using dir = tempDir();
  const bin = build(dir.path);
  using elf = ElfFile.open(bin);
  const a = findSymbol(elf, "tsbpf_target_a");
  assert.ok(a && a.size > 0);
  const offsetA = symbolOffset(elf, "tsbpf_target_a");
  const offsetB = symbolFileOffset(bin, "tsbpf_target_b");
  assert.notEqual(offsetA, offsetB);
  const endbr64 = Buffer.from([0xf3, 0x0f, 0x1e, 0xfa]);
  assert.deepEqual(bytesAt(bin, offsetA, 4), endbr64);
  assert.deepEqual(bytesAt(bin, offsetB, 4), endbr64);

  const libc = resolveBinaryPath("libc");
  assert.match(libc, /libc\.so\.6$/);
  assert.ok(symbolFileOffset(libc, "getpid") > 0);
  assert.throws(
    () => symbolFileOffset(bin, "tsbpf_no_such_function"),
    (err: unknown) => {
      assert.ok(err instanceof TargetNotFoundError);
      assert.equal(err.kind, "symbol");
      assert.match(err.message, /tsbpf_no_such_function/);
      return true;
    },
  );
});

test("a uprobe counts every call of a function, and stops once detached", () => {
  using dir = tempDir();
  const bin = build(dir.path);
  using counters = new CounterMap();
  using prog = UprobeProgram.load({ name: "uprobe_a", code: counterProgram(counters.fd), maps: [counters] });
  const attachment = prog.attach({ binary: bin, symbol: "tsbpf_target_a" });
  try {
    assert.match(attachment.description, /perf link/);
    assert.equal(spawnSync(bin, ["7", "3"]).status, 0);
    assert.equal(counters.get(0), 7);
  } finally {
    attachment.detach();
  }
  assert.equal(spawnSync(bin, ["7", "3"]).status, 0);
  assert.equal(counters.get(0), 7, "no hits after detach");
});

test("a uretprobe counts returns", () => {
  using dir = tempDir();
  const bin = build(dir.path);
  using counters = new CounterMap();
  using prog = UprobeProgram.load({
    name: "uretprobe_b",
    code: counterProgram(counters.fd),
    maps: [counters],
    retprobe: true,
  });
  {
    using _probe = prog.attach({ binary: bin, symbol: "tsbpf_target_b" });
    assert.equal(spawnSync(bin, ["2", "9"]).status, 0);
  }
  assert.equal(counters.get(0), 9);
  assert.equal(spawnSync(bin, ["2", "9"]).status, 0);
  assert.equal(counters.get(0), 9);
});

test("a uprobe created through tracefs uprobe_events works too and is removed on detach", async () => {
  using dir = tempDir();
  const bin = build(dir.path);
  using counters = new CounterMap();
  using prog = UprobeProgram.load({ name: "uprobe_legacy", code: counterProgram(counters.fd), maps: [counters] });
  const attachment = prog.attach({ binary: bin, symbol: "tsbpf_target_a", mechanism: "tracefs" });
  const event = /\((tsbpf\/[^)]+)\)/.exec(attachment.description)?.[1];
  assert.ok(event, attachment.description);
  try {
    assert.equal(spawnSync(bin, ["4", "0"]).status, 0);
    assert.equal(counters.get(0), 4);
  } finally {
    attachment.detach();
  }
  const { readFileSync } = await import("node:fs");
  assert.ok(!readFileSync("/sys/kernel/tracing/uprobe_events", "utf8").includes(event), "the probe event is removed");
});

test("uprobe_multi attaches two symbols behind one link, with a cookie each", () => {
  using dir = tempDir();
  const bin = build(dir.path);
  using counters = new CounterMap();
  using prog = UprobeProgram.load({
    name: "uprobe_multi",
    code: counterProgram(counters.fd, { slotFromCookie: true }),
    maps: [counters],
    multi: true,
  });
  const link = prog.attachMulti({ binary: bin, symbols: ["tsbpf_target_a", "tsbpf_target_b"], cookies: [1n, 2n] });
  try {
    assert.equal(spawnSync(bin, ["3", "5"]).status, 0);
    assert.equal(counters.get(1), 3);
    assert.equal(counters.get(2), 5);
    assert.equal(counters.get(0), 0);
  } finally {
    link.detach();
  }
  assert.equal(spawnSync(bin, ["3", "5"]).status, 0);
  assert.equal(counters.get(1) + counters.get(2), 8);
  assert.throws(() => prog.attach({ binary: bin, symbol: "tsbpf_target_a" }), TsbpfError);
});

test("a uprobe on libc's getpid, limited to one process, counts that process's calls", async () => {
  using dir = tempDir();
  const bin = buildC(dir.path, "getpid_after_go", GETPID_AFTER_GO);
  using counters = new CounterMap();
  using prog = UprobeProgram.load({ name: "libc_getpid", code: counterProgram(counters.fd), maps: [counters] });
  const child = spawn(bin, ["25"], { stdio: ["pipe", "ignore", "ignore"] });
  try {
    assert.ok(child.pid);
    using _probe = prog.attach({ binary: "/lib/x86_64-linux-gnu/libc.so.6", symbol: "getpid", pid: child.pid });
    child.stdin!.write("go\n");
    const [code] = await once(child, "exit");
    assert.equal(code, 0);
    assert.equal(counters.get(0), 25);
  } finally {
    child.kill();
  }
});

test("unknown symbols and binaries are TargetNotFoundError naming them", () => {
  using dir = tempDir();
  const bin = build(dir.path);
  using counters = new CounterMap();
  using prog = UprobeProgram.load({ name: "nowhere", code: counterProgram(counters.fd), maps: [counters] });
  assert.throws(
    () => prog.attach({ binary: bin, symbol: "tsbpf_missing" }),
    (err: unknown) =>
      err instanceof TargetNotFoundError && err.kind === "symbol" && err.message.includes("tsbpf_missing"),
  );
  assert.throws(
    () => prog.attach({ binary: "/no/such/binary", symbol: "main" }),
    (err: unknown) => err instanceof TargetNotFoundError && err.message.includes("/no/such/binary"),
  );
});
