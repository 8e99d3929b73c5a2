// npm test's first step (scripts/test-setup.ts): what is missing decides what it installs or says.
// The decision is checked without root or apt-get; the lookups are checked on this machine.
import { test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  REQUIREMENTS,
  decideSetup,
  findOnPath,
  isPresent,
  requirementName,
  type Requirement,
} from "../../scripts/test-setup.js";

const named = (...names: string[]): Requirement[] =>
  names.map((n) => {
    const r = REQUIREMENTS.find((q) => requirementName(q) === n);
    assert.ok(r, `${n} is in the table`);
    return r;
  });

test("nothing missing: nothing to do, whoever runs it", () => {
  for (const root of [true, false])
    for (const aptGet of [true, false]) {
      assert.deepEqual(decideSetup({ missing: [], root, aptGet }), { action: "nothing" });
    }
});

test("root with apt-get: installs each package once, in the table's order, and says so in one line", () => {
  const d = decideSetup({
    missing: named("tcpdump", "tshark", "clang", "/etc/services", "/etc/protocols", "llvm-readelf", "llvm-mc"),
    root: true,
    aptGet: true,
  });
  assert.deepEqual(d, {
    action: "install",
    packages: ["tcpdump", "tshark", "clang", "netbase", "llvm"],
    line: "tsbpf tests: installing tcpdump, tshark, clang, netbase, llvm (Debian packages) with apt-get",
  });
});

test("not root: stops, naming what is missing and the apt-get command to run as root", () => {
  const d = decideSetup({
    missing: named("bpftool", "/usr/include/bpf/bpf_helpers.h", "ping"),
    root: false,
    aptGet: true,
  });
  assert.equal(d.action, "stop");
  assert.deepEqual(d.action === "stop" && d.packages, ["bpftool", "libbpf-dev", "iputils-ping"]);
  assert.equal(
    d.action === "stop" && d.line,
    "tsbpf tests: missing bpftool, /usr/include/bpf/bpf_helpers.h, ping; install as root: apt-get install bpftool libbpf-dev iputils-ping",
  );
});

test("root without apt-get: stops, naming the Debian packages", () => {
  const d = decideSetup({ missing: named("tshark"), root: true, aptGet: false });
  assert.deepEqual(d, {
    action: "stop",
    packages: ["tshark"],
    line: "tsbpf tests: missing tshark; install Debian packages tshark, or your system's equivalents",
  });
});

test("the table: one package per entry, each command or file named once", () => {
  const names = REQUIREMENTS.map(requirementName);
  assert.equal(new Set(names).size, names.length);
  for (const r of REQUIREMENTS) {
    assert.ok((r.command === undefined) !== (r.file === undefined), `${requirementName(r)}: a command or a file`);
    assert.match(r.debian, /^[a-z0-9][a-z0-9.+-]+$/);
    if (r.file !== undefined) assert.ok(r.file.startsWith("/"), r.file);
  }
});

test("findOnPath finds executable files only, in PATH order", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "tsbpf-setup-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const sub of ["a", "b"]) mkdirSync(join(dir, sub));
  writeFileSync(join(dir, "a", "tool"), "#!/bin/sh\n");
  chmodSync(join(dir, "a", "tool"), 0o644); // not executable: skipped
  writeFileSync(join(dir, "b", "tool"), "#!/bin/sh\n");
  chmodSync(join(dir, "b", "tool"), 0o755);
  mkdirSync(join(dir, "a", "subdir"));
  const path = [join(dir, "a"), "", join(dir, "b")].join(":");
  assert.equal(findOnPath("tool", path), join(dir, "b", "tool"));
  assert.equal(findOnPath("subdir", path), undefined);
  assert.equal(findOnPath("nosuchtool", path), undefined);
});

test("on this machine (npm test set it up first) everything in the table is present", () => {
  assert.deepEqual(REQUIREMENTS.filter((r) => !isPresent(r)).map(requirementName), []);
});
