// The program kinds table (src/programs/kinds.ts): the one place that decides which class a
// program of some section kind becomes, for object files and for compiled kernel TypeScript.
import { test } from "node:test";
import assert from "node:assert/strict";
import { KERNEL_PROGRAM_KINDS, programKind, programKinds } from "../../src/programs/kinds.js";
import {
  CGROUP_HOOKS,
  EXPECTED_ATTACH,
  expectedAttachType,
  PROG_TYPES,
  sectionName,
  type ProgramKind,
} from "../../src/compiler/contexts.js";
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
    const hooks = CGROUP_HOOKS[kind as ProgramKind];
    if (hooks) {
      // cgroup kinds: every hook's section, as the compiler writes it, is libbpf's with the same attach type.
      for (const hook of Object.keys(hooks)) {
        const section = sectionName(kind as ProgramKind, { hook });
        const hookDef = sectionDef(section);
        assert.equal(hookDef?.kind, sectionKind, `${kind} ${hook}: libbpf's table has ${section}`);
        assert.equal(hookDef?.progType, progType, `${kind} ${hook}: same program type`);
        assert.equal(hookDef?.expectedAttachType, expectedAttachType(kind as ProgramKind, { hook }));
      }
      continue;
    }
    // The section name the compiler writes for a program of this kind, with a sample target.
    const sample = { category: "a", name: "b", event: "e", binary: "/bin/true", symbol: "main" };
    const section = sectionName(kind as ProgramKind, {
      ...sample,
      function: "f",
      pattern: "f*",
      hook: "file_open",
      target: "task",
    });
    const def = sectionDef(section);
    assert.equal(def?.kind, sectionKind, `${kind}: libbpf's table agrees`);
    assert.equal(def?.progType, progType, `${kind}: same program type`);
    const attach = EXPECTED_ATTACH[kind as ProgramKind];
    if (attach !== undefined) assert.equal(def?.expectedAttachType, attach, `${kind}: same attach type`);
  }
});
