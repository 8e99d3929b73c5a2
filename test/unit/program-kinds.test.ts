// The program kinds table (src/programs/kinds.ts): the one place that decides which class a
// program of some section kind becomes, for object files and for compiled kernel TypeScript.
import { test } from "node:test";
import assert from "node:assert/strict";
import { KERNEL_PROGRAM_KINDS, programKind, programKinds } from "../../src/programs/kinds.js";
import { PROG_TYPES } from "../../src/compiler/contexts.js";
import { sectionDef } from "../../src/object/sections.js";
import * as programs from "../../src/index.js";

test("every program kind names a class tsbpf exports, and that class is the one loading makes", () => {
  const exported = programs as unknown as Record<string, unknown>;
  for (const kind of programKinds()) {
    assert.equal(kind.programClass.name, kind.className, `${kind.kind}: the class's own name`);
    assert.equal(exported[kind.className], kind.programClass, `${kind.kind}: ${kind.className} is exported by tsbpf`);
  }
  assert.equal(programKind("tracepoint").className, "TracepointProgram");
  assert.equal(programKind("lwt").className, "Program", "a kind without a class of its own is a plain Program");
  assert.equal(programKind(undefined).className, "Program");
});

test("kernel TypeScript's program kinds load as the section kinds their section names give", () => {
  for (const [kind, progType] of Object.entries(PROG_TYPES)) {
    const sectionKind = KERNEL_PROGRAM_KINDS[kind];
    assert.ok(sectionKind, `${kind} has a section kind`);
    const def = sectionDef(
      sectionKind === "socket"
        ? "socket"
        : sectionKind === "tracepoint"
          ? "tracepoint/a/b"
          : sectionKind === "sk_skb"
            ? "sk_skb/stream_verdict"
            : sectionKind,
    );
    assert.equal(def?.kind, sectionKind, `${kind}: libbpf's table agrees`);
    assert.equal(def?.progType, progType, `${kind}: same program type`);
  }
});
