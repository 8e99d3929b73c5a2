// The bpf_conformance suite in the VM: all 313 cases pass in both tiers, the 60 negative ones
// are rejected with their error, and the plugin protocol answers like the suite expects.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { run as conformanceCommand } from "../../src/cli/commands/conformance.js";
import { parseDataFile, runCase, runConformance, runPlugin } from "../../src/vm/conformance.js";
import { testData } from "../helpers/test-data.js";

const suite = testData("bpf_conformance");

for (const tier of ["compiled", "interpreter"] as const) {
  test(`all 313 conformance cases pass (${tier})`, () => {
    const report = runConformance(join(suite, "tests"), { tier });
    const failures = report.outcomes.filter((o) => !o.passed).map((o) => `${o.name}: ${o.message}`);
    assert.deepEqual(failures, []);
    assert.equal(report.passed, 313);
    // the full 64-bit r0 was compared, not just a truthy result
    const lddw = report.outcomes.find((o) => o.name === "lddw")!;
    assert.equal(lddw.r0, 0x1122334455667788n);
    assert.equal(report.outcomes.find((o) => o.name === "prime")!.instructions! > 100, true);
  });
}

test("the 60 negative cases are rejected, each at the right stage and with its error", () => {
  const report = runConformance(join(suite, "negative"));
  assert.equal(report.outcomes.length, 60);
  const failures = report.outcomes.filter((o) => !o.passed).map((o) => `${o.name}: ${o.message}`);
  assert.deepEqual(failures, []);
  const stage = (name: string): string => report.outcomes.find((o) => o.name === name)!.stage;
  const message = (name: string): string => report.outcomes.find((o) => o.name === name)!.message;
  assert.equal(stage("empty"), "parse");
  assert.equal(stage("invalid_unknown_directive"), "parse");
  assert.equal(stage("invalid_mnemonic"), "assemble");
  assert.match(message("invalid_register"), /invalid register/i);
  assert.match(message("invalid_lock"), /invalid number of operands for lock/i);
  // the VM's validator: unused fields must be zero, reads of unwritten registers are refused
  assert.equal(stage("unused-add64_imm-offset"), "validate");
  assert.match(message("unused-exit-imm"), /^instruction 0 \(exit\): reserved field imm must be zero/);
  assert.match(message("error"), /^instruction 0 .*invalid read of r0/);
  // a wrong expected value is a rejection at the result stage
  assert.equal(stage("incorrect_return_value_high_bits"), "result");
  assert.match(message("incorrect_return_value_high_bits"), /returned 0x8877665544332211/);
  for (const o of report.outcomes.filter((x) => x.name.startsWith("unused-")))
    assert.equal(o.stage, "validate", o.name);
});

test("a positive case with a wrong expected result fails; the suite's comment and section rules apply", () => {
  const t = parseDataFile("# header\n-- asm\nmov %r0, 3 # three\nexit\n-- result\n0x4 # wrong on purpose\n");
  assert.equal(t.result, 4n);
  const o = runCase("wrong", "wrong.data", t, false);
  assert.equal(o.passed, false);
  assert.equal(o.r0, 3n);
  assert.match(o.message, /returned 0x3, expected 0x4/);
  assert.equal(runCase("right", "right.data", { ...t, result: 3n }, false).passed, true);
  assert.equal(parseDataFile("-- asm\nexit\n-- Unknown directive\n").unknownSection, "Unknown directive");
});

test("plugin protocol: program hex on stdin, memory hex as argument, r0 hex on stdout", async () => {
  // ldxdw r0, [r1+2]; exit — with the suite's double-spaced byte format
  const program = "79  10  02  00  00  00  00  00  95  00  00  00  00  00  00  00";
  const mem = "aa  bb  11  22  33  44  55  66  77  88  cc  dd";
  assert.deepEqual(runPlugin(program, mem), { stdout: "8877665544332211\n", stderr: "", exitCode: 0 });
  // r2 is the memory length; r1 is 0 without memory
  assert.equal(runPlugin("bf 20 00 00 00 00 00 00 95 00 00 00 00 00 00 00", "01 02 03").stdout, "3\n");
  assert.equal(runPlugin("bf 10 00 00 00 00 00 00 95 00 00 00 00 00 00 00", undefined).stdout, "0\n");
  // an invalid program: exit code 1 and the reason on stderr
  const bad = runPlugin("07 00 01 00 01 00 00 00 95 00 00 00 00 00 00 00", undefined);
  assert.equal(bad.exitCode, 1);
  assert.match(bad.stderr, /instruction 0 .*reserved field offset/);
  assert.equal(bad.stdout, "");
  // through the command, with stdin
  let out = "";
  const code = await conformanceCommand(["--plugin", "01 02 03 04"], {
    stdout: (t) => {
      out += t;
    },
    stderr: () => {},
    stdin: () => "61 10 00 00 00 00 00 00 95 00 00 00 00 00 00 00",
  });
  assert.equal(code, 0);
  assert.equal(out, "4030201\n");
});

test("`tsbpf conformance DIR` prints the totals and the failures", async () => {
  let out = "";
  const io = {
    stdout: (t: string) => {
      out += t;
    },
    stderr: (t: string) => {
      out += t;
    },
    stdin: () => "",
  };
  assert.equal(await conformanceCommand([suite], io), 0);
  assert.match(out, /^373 passed, 0 failed$/m);
  out = "";
  const dir = mkdtempSync(join(tmpdir(), "tsbpf-conformance-"));
  try {
    writeFileSync(join(dir, "wrong.data"), "-- asm\nmov %r0, 1\nexit\n-- result\n0x2\n");
    writeFileSync(join(dir, "uninit.data"), "-- asm\nmov %r0, %r7\nexit\n-- result\n0x0\n");
    assert.equal(await conformanceCommand([dir], io), 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.match(out, /^FAIL wrong: returned 0x1, expected 0x2$/m);
  assert.match(out, /^FAIL uninit: instruction 0 \(r0 = r7\): invalid read of r7/m);
  assert.match(out, /^0 passed, 2 failed$/m);
});
