// `tsbpf dump -w -` as a live stream: a second tsbpf dump reading it from the pipe prints each
// packet while the capture still runs, and a reader that closes the pipe early ends the capture
// quietly (status 0, no EPIPE), as tcpdump does.
import { strict as assert } from "node:assert";
import { spawn, type ChildProcess } from "node:child_process";
import { test } from "node:test";
import { vethPairFor } from "../helpers/netns.js";
import { TSBPF_MAIN } from "../helpers/tool-process.js";

process.env.TZ = "UTC";

interface Spawned {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

function start(command: string, args: string[], stdin: "ignore" | NodeJS.ReadableStream = "ignore"): Spawned {
  const child = spawn(command, args, { stdio: [stdin === "ignore" ? "ignore" : "pipe", "pipe", "pipe"] });
  if (stdin !== "ignore") stdin.pipe(child.stdin!);
  let stdout = "",
    stderr = "";
  child.stdout!.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

/** `tsbpf dump -i veth1 -w - icmp` capturing in `netnsPath`, its stdout a pipe to this process. */
function captureToStdout(netnsPath: string): Spawned {
  return start("nsenter", [
    `--net=${netnsPath}`,
    process.execPath,
    TSBPF_MAIN,
    "dump",
    "-i",
    "veth1",
    "-w",
    "-",
    "icmp",
  ]);
}

async function until(what: string, check: () => boolean, detail: () => string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${detail()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const packetLines = (text: string): string[] => text.split("\n").filter((l) => /^\d\d:\d\d:\d\d\.\d{6} /.test(l));

test("dump -w - | dump -r -: packets are printed while the capture still runs", async (t) => {
  const pair = vethPairFor(t);
  const writer = spawn(
    "nsenter",
    [`--net=${pair.b.path}`, process.execPath, TSBPF_MAIN, "dump", "-i", "veth1", "-w", "-", "icmp"],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let writerErr = "";
  writer.stderr!.setEncoding("utf8").on("data", (d: string) => (writerErr += d));
  const writerExit = new Promise<number | null>((resolve) => writer.on("close", (code) => resolve(code)));
  const reader = start(process.execPath, [TSBPF_MAIN, "dump", "-nn", "-r", "-"], writer.stdout!);
  t.after(() => {
    for (const c of [writer, reader.child]) if (c.exitCode === null) c.kill("SIGKILL");
  });
  await until(
    "the capture to start",
    () => /listening on veth1/.test(writerErr),
    () => writerErr,
  );
  pair.ping(pair.a, 3);
  await until(
    "6 packets printed by the reader",
    () => packetLines(reader.stdout()).length >= 6,
    () => `reader: ${reader.stdout()} ${reader.stderr()} writer: ${writerErr}`,
  );
  assert.equal(writer.exitCode, null, "the writer is still capturing");
  assert.match(reader.stderr(), /^reading from file -, link-type EN10MB/);
  assert.equal(packetLines(reader.stdout()).filter((l) => /ICMP echo request/.test(l)).length, 3);
  writer.kill("SIGTERM");
  assert.equal(await writerExit, 0, writerErr);
  assert.equal(await reader.exited, 0, reader.stderr());
  assert.equal(packetLines(reader.stdout()).length, 6);
});

test("dump -w - into a pipe its reader closes ends quietly with status 0", async (t) => {
  const pair = vethPairFor(t);
  const capture = captureToStdout(pair.b.path);
  const writer = capture.child;
  t.after(() => {
    if (writer.exitCode === null) writer.kill("SIGKILL");
  });
  // like `| head -c 1000`: take 1000 bytes, then close the pipe
  let taken = 0;
  writer.stdout!.on("data", (d: string) => {
    taken += d.length;
    if (taken >= 1000) writer.stdout!.destroy();
  });
  await until("the capture to start", () => /listening on veth1/.test(capture.stderr()), capture.stderr);
  // Traffic until the writer exits: only a write after the reader closed shows it the closed pipe.
  // Each ping returns to the event loop, so the reader's "data" (and its close) are handled between them.
  const deadline = Date.now() + 30_000;
  while (writer.exitCode === null && writer.signalCode === null && Date.now() < deadline) {
    pair.ping(pair.a, 1);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.ok(taken >= 1000, `the reader took ${taken} bytes`);
  assert.equal(await capture.exited, 0, capture.stderr());
  assert.doesNotMatch(capture.stderr(), /EPIPE|broken pipe/i);
});
