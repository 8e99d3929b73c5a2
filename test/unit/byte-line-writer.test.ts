// ByteLineWriter (cmdline/io.ts): lines encoded into one reused buffer must come out as the same
// bytes, in the same order, as writing each line's text would — across flushes, for lines longer
// than the buffer, for characters beyond ASCII, and through an io with or without stdoutBytes.

import { test } from "node:test";
import assert from "node:assert/strict";
import { ByteLineWriter, type CommandIo } from "../../src/cmdline/io.js";

function lines(): string[] {
  const out: string[] = [];
  for (let i = 0; i < 5000; i++) out.push(`line ${i} ` + "x".repeat(i % 97));
  out.push("é ñ 中文 😀 \u{10ffff}"); // two-, three- and four-byte UTF-8
  out.push("y".repeat(70000)); // more than the whole buffer
  out.push("中".repeat(30000)); // short in units, long in bytes
  out.push("");
  for (let i = 0; i < 100; i++) out.push("😀".repeat(i));
  return out;
}

function run(withBytes: boolean): { bytes: Buffer; writes: number } {
  const chunks: Buffer[] = [];
  const io: CommandIo = {
    stdout: (text) => void chunks.push(Buffer.from(text)),
    stderr: () => {},
    stdin: () => "",
  };
  // copies, as the contract asks of an implementation that keeps the bytes
  if (withBytes) io.stdoutBytes = (b) => void chunks.push(Buffer.from(b));
  const w = new ByteLineWriter(io);
  for (const l of lines()) w.line(l);
  w.flush();
  w.flush(); // nothing more to write
  return { bytes: Buffer.concat(chunks), writes: chunks.length };
}

test("ByteLineWriter writes each line's UTF-8 and a newline, in order", () => {
  const expected = Buffer.from(lines().join("\n") + "\n");
  for (const withBytes of [true, false]) {
    const { bytes, writes } = run(withBytes);
    assert.ok(bytes.equals(expected), `stdoutBytes ${withBytes}`);
    // batched: far fewer writes than lines
    assert.ok(writes < 100, `${writes} writes`);
  }
});

test("ByteLineWriter in latin1 writes each character as its one byte, in order", () => {
  const text: string[] = [];
  for (let i = 0; i < 3000; i++) text.push(`${i}: ${String.fromCharCode(i % 256)}`.repeat(1 + (i % 7)));
  text.push("z".repeat(70000)); // more than the whole buffer
  const expected = Buffer.from(`${text.join("\n")}\n`, "latin1");
  const bytes: Buffer[] = [];
  const texts: string[] = [];
  const withBytes = new ByteLineWriter(
    {
      stdout: () => assert.fail("text written while stdoutBytes is there"),
      stdoutBytes: (b) => void bytes.push(Buffer.from(b)),
      stderr: () => {},
      stdin: () => "",
    },
    "latin1",
  );
  const withText = new ByteLineWriter(
    { stdout: (t) => void texts.push(t), stderr: () => {}, stdin: () => "" },
    "latin1",
  );
  for (const l of text) {
    withBytes.line(l);
    withText.line(l);
  }
  withBytes.flush();
  withText.flush();
  assert.ok(Buffer.concat(bytes).equals(expected));
  assert.equal(texts.join(""), `${text.join("\n")}\n`);
  assert.ok(bytes.length < 100, `${bytes.length} writes`);
});
