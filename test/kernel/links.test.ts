// Links: detach on dispose, pin to outlive the process (even SIGKILL), reopen and detach.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdirSync, rmSync, existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Link } from "../../src/links/link.js";
import { XdpProgram, xdpInfo } from "../../src/programs/xdp.js";
import { ensureBpffs } from "../../src/sys/mounts.js";
import { returnProgram } from "../helpers/packet-programs.js";
import { vethPairFor } from "../helpers/netns.js";

function pinDir(t: { after(fn: () => void): void }): string {
  ensureBpffs();
  const dir = `/sys/fs/bpf/tsbpf-links-test-${process.pid}`;
  mkdirSync(dir, { recursive: true });
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test("a link detaches when disposed and stays detached", (t) => {
  const pair = vethPairFor(t);
  pair.within(pair.b, () => {
    using program = XdpProgram.load({ name: "xdp_scoped", code: returnProgram(2) });
    {
      using link = program.attach("veth1", { mode: "skb" });
      assert.ok(link instanceof Link);
      assert.equal(xdpInfo("veth1").attached, "skb");
    }
    assert.equal(xdpInfo("veth1").attached, "none");
  });
});

test("a pinned link outlives its SIGKILLed process; reopened, it detaches", async (t) => {
  const pair = vethPairFor(t);
  const path = `${pinDir(t)}/xdp_link`;
  const script = fileURLToPath(new URL("../helpers/xdp-pin-child.js", import.meta.url));
  const child = spawn("nsenter", [`--net=${pair.b.path}`, process.execPath, script, "veth1", path], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });
  let stdout = "",
    stderr = "";
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
      if (stdout.includes("\n")) resolve();
    });
    child.on("exit", (code) => reject(new Error(`child exited early (${code}): ${stderr}`)));
  });
  const exited = once(child, "exit");
  child.kill("SIGKILL");
  await exited;
  await new Promise((r) => setTimeout(r, 200)); // give the kernel time to drop the dead process's fds

  assert.ok(existsSync(path), "the pin is still in bpffs");
  assert.equal(
    pair.within(pair.b, () => xdpInfo("veth1").attached),
    "skb",
    "the program stayed attached",
  );
  const link = Link.openPinned(path);
  link.detach();
  rmSync(path);
  assert.equal(
    pair.within(pair.b, () => xdpInfo("veth1").attached),
    "none",
  );
});
