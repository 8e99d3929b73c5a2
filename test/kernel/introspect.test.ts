import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { readdirSync } from "node:fs";
import { Assembler, R0, R1, R2, R10, Size } from "../../src/asm/index.js";
import { HashMap, u32, u64 } from "../../src/maps/index.js";
import { Program } from "../../src/programs/program.js";
import { testRun } from "../../src/programs/test-run.js";
import { closeFd, linkCreate, rawTracepointOpen } from "../../src/sys/bpf.js";
import { progInfo } from "../../src/sys/info.js";
import { withNetns } from "../../src/sys/netns.js";
import { TargetNotFoundError } from "../../src/sys/errors.js";
import { AttachType, ProgType, XdpAction } from "../../src/uapi.js";
import {
  enableRunStats,
  getLink,
  getMap,
  getProgram,
  listLinks,
  listMaps,
  listPrograms,
  programInstructions,
  programListing,
} from "../../src/introspect.js";

const openFds = (): number => readdirSync("/proc/self/fd").length;

/** An XDP program that counts its runs in `map[0]` and passes the packet. */
function countingXdp(map: { fd: number }, name: string): Program {
  const a = new Assembler();
  a.st(Size.W, R10, -4, 0)
    .mov64(R2, R10)
    .add64(R2, -4)
    .ldMapFd(R1, map)
    .call("map_lookup_elem")
    .jeq(R0, 0, "out")
    .mov64(R1, 1)
    .lockAdd(Size.DW, R0, R1, 0)
    .label("out")
    .mov64(R0, XdpAction.PASS)
    .exit();
  return Program.load({ type: ProgType.XDP, name, code: a.assemble(), maps: [map] });
}

const returnZero = new Uint8Array([0xb7, 0, 0, 0, 0, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0]);

test("a loaded program and its map appear in listPrograms/listMaps with their names, types and ids", () => {
  using map = HashMap.create({ name: "intro_counts", key: u32, value: u64, maxEntries: 4 });
  map.set(0, 0n);
  using prog = countingXdp(map, "intro_xdp");
  const progId = progInfo(prog.fd).id;
  const mapId = map.id;
  const before = Date.now();

  const programs = listPrograms();
  const p = programs.find((x) => x.id === progId);
  assert.ok(p, `program ${progId} is listed`);
  assert.equal(p.name, "intro_xdp");
  assert.equal(p.type, "xdp");
  assert.equal(p.typeId, ProgType.XDP);
  assert.match(p.tag, /^[0-9a-f]{16}$/);
  assert.notEqual(p.tag, "0000000000000000");
  assert.deepEqual(p.mapIds, [mapId]);
  assert.equal(p.uid, 0);
  assert.ok(p.xlatedSize >= 11 * 8, `xlated size ${p.xlatedSize}`);
  assert.ok(p.jitedSize > 0, "the JIT is on here");
  assert.ok(p.verifiedInsns > 0);
  assert.ok(p.btfId > 0, "the assembler's func_info comes with BTF");
  assert.ok(p.gplCompatible);
  assert.ok(Math.abs(p.loadedAt.getTime() - before) < 60_000, `loadedAt ${p.loadedAt.toISOString()} is now`);
  // Ids are listed in ascending order.
  assert.deepEqual(
    programs.map((x) => x.id),
    [...programs.map((x) => x.id)].sort((x, y) => x - y),
  );
  // loadedAt is derived from the uptime clock at each read, so it may move by a few ms.
  const again = getProgram(progId);
  assert.deepEqual(again, { ...p, loadedAt: again.loadedAt });

  const m = listMaps().find((x) => x.id === mapId);
  assert.ok(m, `map ${mapId} is listed`);
  assert.equal(m.name, "intro_counts");
  assert.equal(m.type, "hash");
  assert.equal(m.keySize, 4);
  assert.equal(m.valueSize, 8);
  assert.equal(m.maxEntries, 4);
  assert.deepEqual(getMap(mapId), m);
});

test("a raw_tracepoint link and an XDP link appear in listLinks with their program and target", (t) => {
  using prog = Program.load({ type: ProgType.RAW_TRACEPOINT, name: "intro_rawtp", code: returnZero });
  const progId = progInfo(prog.fd).id;
  const linkFd = rawTracepointOpen("sched_process_exec", prog.fd);
  t.after(() => closeFd(linkFd));

  const raw = listLinks().find((l) => l.progId === progId);
  assert.ok(raw, "the raw_tracepoint link is listed");
  assert.equal(raw.type, "raw_tracepoint");
  assert.deepEqual(raw.target, { kind: "raw_tracepoint", tracepoint: "sched_process_exec", cookie: 0n });
  assert.equal(raw.targetText, "sched_process_exec");
  assert.deepEqual(getLink(raw.id), raw);

  // An XDP link on `lo` of a namespace of our own, so the host's loopback is untouched.
  const netns = `tsbpf-introspect-${process.pid}`;
  assert.equal(spawnSync("ip", ["netns", "add", netns]).status, 0, "ip netns add");
  t.after(() => {
    spawnSync("ip", ["netns", "del", netns]);
  });
  using xdp = Program.load({
    type: ProgType.XDP,
    name: "intro_xdp_link",
    code: new Uint8Array([0xb7, 0, 0, 0, XdpAction.PASS, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0]),
  });
  const xdpId = progInfo(xdp.fd).id;
  const xdpLink = withNetns(netns, () => linkCreate(xdp.fd, 1, AttachType.XDP, 0, { kind: "none" }));
  try {
    const l = listLinks().find((x) => x.progId === xdpId);
    assert.ok(l, "the XDP link is listed");
    assert.equal(l.type, "xdp");
    assert.deepEqual(l.target, { kind: "xdp", ifindex: 1 });
    assert.match(l.targetText, /^ifindex 1\b/);
  } finally {
    closeFd(xdpLink);
  }
  assert.equal(
    listLinks().find((x) => x.progId === xdpId),
    undefined,
    "closing the link removes it",
  );
});

test("run statistics count test_run executions while enableRunStats() is held", () => {
  using map = HashMap.create({ name: "intro_stats", key: u32, value: u64, maxEntries: 1 });
  map.set(0, 0n);
  using prog = countingXdp(map, "intro_stats");
  const id = progInfo(prog.fd).id;
  const runsBefore = getProgram(id).runCount;
  {
    using stats = enableRunStats();
    assert.ok(stats.fd >= 0);
    testRun(prog, { data: Buffer.alloc(64), repeat: 5000 });
  }
  const after = getProgram(id);
  assert.equal(map.get(0), 5000n, "the program ran 5000 times");
  assert.ok(after.runCount - runsBefore >= 5000n, `run_cnt grew by ${after.runCount - runsBefore}`);
  assert.ok(after.runTimeNs > 0n, "run_time_ns is counted");
});

test("programInstructions/programListing return the xlated code with map ids and named helpers", () => {
  using map = HashMap.create({ name: "intro_dump", key: u32, value: u64, maxEntries: 1 });
  using prog = countingXdp(map, "intro_dump");
  const id = progInfo(prog.fd).id;
  const bytes = programInstructions(id);
  assert.equal(bytes.length, getProgram(id).xlatedSize);
  assert.equal(bytes.length % 8, 0);
  const listing = programListing(id);
  assert.equal(listing[0]!.text, "*(u32 *)(r10 -4) = 0");
  const load = listing.find((l) => l.code === 0x18);
  assert.ok(load, "the map load survives translation");
  assert.equal(load.text, `r1 = map[id:${map.id}]`);
  assert.equal(load.hex.length, 32);
  // The hash lookup is inlined to a direct call of the map's lookup function, named from kallsyms.
  const call = listing.find((l) => l.code === 0x85);
  assert.ok(call);
  assert.match(call.text, /^call \w*(lookup|htab)\w*#-?\d+$/);
  assert.equal(listing.at(-1)!.text, "exit");
  assert.throws(() => programInstructions(0xfffffff0), TargetNotFoundError);
});

test("listing never leaks fds, also while other processes create and free maps concurrently", async (t) => {
  const churn = spawn(
    process.execPath,
    [
      "--input-type=module",
      "-e",
      `
    import { mapCreate, closeFd } from ${JSON.stringify(new URL("../../src/sys/bpf.js", import.meta.url).href)};
    process.stdout.write("ready\\n");
    for (;;) { const fds = []; for (let i = 0; i < 50; i++) fds.push(mapCreate({ mapType: 2, keySize: 4, valueSize: 4, maxEntries: 1 })); for (const fd of fds) closeFd(fd); }
  `,
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  t.after(() => {
    churn.kill("SIGKILL");
  });
  await once(churn.stdout!, "data");

  // One map of our own that lives through the loop, so every pass has something to open by id
  // (the churning process's maps may all be gone at the moment a pass looks).
  using kept = HashMap.create({ name: "intro_kept", key: u32, value: u64, maxEntries: 1 });
  const fdsBefore = openFds();
  let listed = 0;
  for (let i = 0; i < 40; i++) {
    listed += listMaps().filter((m) => m.id === kept.id).length;
    listPrograms();
    listLinks();
  }
  assert.equal(listed, 40, "our map is listed in every pass");
  assert.equal(openFds(), fdsBefore, "every fd opened by id was closed");
  assert.throws(() => getMap(0xfffffff0), TargetNotFoundError);
  assert.equal(openFds(), fdsBefore);
});
