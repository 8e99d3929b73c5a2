// What the kernel side of a tool writes and what its user side reads are one layout: the user side
// derives its offsets from the `.bpf.ts` structs, and the few sizes the kernel side must write as
// literal constants (its compiler takes no `offsetOf`) are held equal to those structs here.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as capture from "../../src/tools/dump/capture.bpf.js";
import { MAX_CAPTURE, REC } from "../../src/tools/dump/probe.js";

/** The value of `const NAME = N;` in a kernel source (the checkout's `src/`, next to `dist/`). */
function literalConstant(source: string, name: string): number {
  const text = readFileSync(fileURLToPath(new URL(`../../../${source}`, import.meta.url)), "utf8");
  const match = new RegExp(`^const ${name} = (\\d+);`, "m").exec(text);
  assert.ok(match, `${source} declares const ${name}`);
  return Number(match[1]);
}

test("dump: every size class is the record header followed by its data, reserved for the packets that fit it", () => {
  const { Head } = capture;
  assert.equal(REC.data, Head.size);
  assert.equal(Head.size % 8, 0, "the packet bytes start 8-byte aligned");
  // The kernel picks a class by `captured <= N` and reserves RecordN: each threshold names its class.
  const text = readFileSync(fileURLToPath(new URL("../../../src/tools/dump/capture.bpf.ts", import.meta.url)), "utf8");
  const classes = Object.entries(capture)
    .filter(([name]) => /^Record\d+$/.test(name))
    .map(([name, type]) => ({ size: Number(name.slice(6)), type: type as typeof capture.Record128 }))
    .sort((a, b) => a.size - b.size);
  assert.ok(classes.length >= 2);
  for (const { size, type } of classes) {
    assert.equal(type.offsetOf("head"), 0);
    assert.equal(type.offsetOf("data"), Head.size);
    assert.equal(type.size, Head.size + size);
  }
  const reserved = [...text.matchAll(/(?:if \(captured <= (\d+)\) )?\{\s*const r = packets\.reserve\(Record(\d+)\)/g)];
  assert.equal(reserved.length, 2 * classes.length, "sendXdp and sendTc reserve every class");
  for (const [, limit, size] of reserved) if (limit !== undefined) assert.equal(limit, size);
  const largest = classes[classes.length - 1]!.size;
  assert.equal(MAX_CAPTURE, largest);
  assert.equal(literalConstant("src/tools/dump/capture.bpf.ts", "MAX_SNAP"), largest);
});

test("exec: the record kinds, flags and limits user space decodes are the kernel side's", async () => {
  const tracer = await import("../../src/tools/exec/tracer.js");
  const source = "src/tools/exec/exec.bpf.ts";
  const shared = {
    KIND_PATH: tracer.KIND_PATH,
    KIND_ARG: tracer.KIND_ARG,
    KIND_ARGS_END: tracer.KIND_ARGS_END,
    KIND_RENAME: tracer.KIND_RENAME,
    KIND_RESULT: tracer.KIND_RESULT,
    FLAG_CUT: tracer.FLAG_CUT,
    FLAG_UNREADABLE: tracer.FLAG_UNREADABLE,
    FLAG_MORE_ARGS: tracer.FLAG_MORE_ARGS,
    MAX_ARGS: tracer.MAX_ARGS,
  };
  for (const [name, value] of Object.entries(shared)) assert.equal(literalConstant(source, name), value, name);
  assert.equal(
    literalConstant(source, "ARG_BYTES") - 1,
    tracer.MAX_ARG_BYTES,
    "MAX_ARG_BYTES is ARG_BYTES less the NUL",
  );
  assert.equal(literalConstant(source, "HEADER_BYTES"), tracer.RECORD_OFFSETS.string.data);
});
