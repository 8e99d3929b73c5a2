// How `tsbpf exec` shows an exec (tools/exec/report.ts): the NDJSON line written directly must be
// exactly JSON.stringify of the documented record, whatever the strings, times and flags; the
// command line keeps its markers.
import { test } from "node:test";
import assert from "node:assert/strict";
import { commandLine, eventJson, eventRecord } from "../../src/tools/exec/report.js";
import type { ExecEvent } from "../../src/tools/exec/tracer.js";

const START_NS = 5_000_000_000n;

function exec(fields: Partial<ExecEvent> = {}): ExecEvent {
  return {
    time: new Date(Date.UTC(2026, 11, 7, 23, 36, 11, 984)),
    timestampNs: START_NS + 23_456_789n,
    pid: 6103,
    tid: 6103,
    ppid: 3338,
    uid: 0,
    comm: "mkdir",
    ret: 0,
    filename: "/usr/bin/mkdir",
    args: ["mkdir", "-p", "-m", "700", "/tmp/x"],
    truncatedArgs: [],
    moreArgs: false,
    filenameTruncated: false,
    incomplete: false,
    ...fields,
  };
}

test("eventJson is JSON.stringify(eventRecord(...)): escapes, unicode, errno, flags, elapsed", () => {
  const cases: ExecEvent[] = [
    exec(),
    exec({ args: [] }),
    exec({ args: ['say "hi"', "back\\slash", "new\nline", "tab\there", "bell\x07", "del\x7f"] }),
    exec({ args: ["déjà vu", "日本語", "emoji 😀", "lone \ud800 surrogate", "\ufffd"], comm: "ça" }),
    exec({ comm: 'we"ird\\', filename: "/tmp/\x01odd" }),
    exec({ ret: -2, args: ["/nonexistent"] }),
    exec({ ret: -1234, args: ["x"] }),
    exec({ truncatedArgs: [1, 3], moreArgs: true, filenameTruncated: true }),
    exec({ incomplete: true, args: [], filename: "" }),
    exec({ incomplete: true, args: ["a"], moreArgs: true }),
    exec({ timestampNs: START_NS - 400_000n }), // before the start: -0.0004 s rounds to -0
    exec({ timestampNs: START_NS - 123_456_789_012n }),
    exec({ timestampNs: START_NS + 86_400_000_000_000n, pid: 4_194_304, uid: 4_294_967_294 }),
  ];
  for (const e of cases) assert.equal(eventJson(e, START_NS), JSON.stringify(eventRecord(e, START_NS)));
});

test("eventJson writes every time as toISOString does: minute and second boundaries, years beyond 9999", () => {
  const base = Date.UTC(2026, 11, 31, 23, 58, 59, 0);
  const times = [0, 1, 9, 10, 99, 100, 999, 1000, 59_999, 60_000, 60_001, 61_001, 120_000];
  // Out of order too: a cached minute must not leak into another one.
  const order = [...times, ...[...times].reverse()].map((dt) => base + dt);
  order.push(Date.UTC(1970, 0, 1), Date.UTC(9999, 11, 31, 23, 59, 59, 999), Date.UTC(10000, 0, 1), -1000);
  for (const ms of order) {
    const e = exec({ time: new Date(ms) });
    assert.equal(eventJson(e, START_NS), JSON.stringify(eventRecord(e, START_NS)), new Date(ms).toISOString());
  }
});

test("commandLine: spaces between arguments, ... after a cut one and after a cut list, quotes with -q", () => {
  assert.equal(commandLine(exec()), "mkdir -p -m 700 /tmp/x");
  assert.equal(commandLine(exec({ truncatedArgs: [0, 4], moreArgs: true })), "mkdir... -p -m 700 /tmp/x... ...");
  assert.equal(commandLine(exec({ args: [], moreArgs: true })), "...");
  assert.equal(commandLine(exec({ args: [] })), "");
  assert.equal(commandLine(exec({ args: [], incomplete: true })), "[arguments not seen]");
  assert.equal(commandLine(exec({ args: ["a\nb", "c\td", "e\x01"] })), "a\\nb c\\td e\\x01");
  assert.equal(
    commandLine(exec({ args: ['say "hi"', "x\\y"], truncatedArgs: [1] }), true),
    '"say \\"hi\\"" "x\\\\y"...',
  );
});
