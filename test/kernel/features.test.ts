import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import {
  clearFeatureCache,
  helperSupported,
  mapTypeSupported,
  probeFeatures,
  programTypeSupported,
  type FeatureEntry,
} from "../../src/features.js";
import { FentryProgram } from "../../src/programs/fentry.js";
import { NotSupportedError } from "../../src/sys/errors.js";
import { ProgType } from "../../src/uapi.js";

const byName = (entries: readonly FeatureEntry[], name: string): FeatureEntry => {
  const e = entries.find((x) => x.name === name);
  assert.ok(e, `${name} is in the report`);
  return e;
};

const leftovers = (): string[] => [
  ...readdirSync("/sys/fs/bpf").filter((n) => n.startsWith("tsbpf-probe-")),
  ...readdirSync(tmpdir()).filter((n) => n.startsWith("tsbpf-probe-")),
  ...readdirSync("/sys/fs/cgroup/unified").filter((n) => n.startsWith("tsbpf-probe-")),
];

test("the feature report: program, map and attach kinds as this kernel has them, quickly and without leaks", () => {
  clearFeatureCache();
  const fdsBefore = readdirSync("/proc/self/fd").length;
  const started = performance.now();
  const report = probeFeatures();
  const took = performance.now() - started;

  for (const name of ["xdp", "socket_filter", "tracepoint", "sched_cls", "raw_tracepoint"]) {
    assert.equal(byName(report.programTypes, name).supported, true, `${name} programs load`);
  }
  for (const name of ["hash", "ringbuf", "array", "percpu_array", "lpm_trie", "array_of_maps", "sk_storage"]) {
    assert.equal(byName(report.mapTypes, name).supported, true, `${name} maps are created`);
  }

  // kprobes: the answer must agree with the kernel's kprobe PMU.
  const kprobe = byName(report.attach, "kprobe");
  if (existsSync("/sys/bus/event_source/devices/kprobe")) {
    assert.equal(kprobe.supported, true);
  } else {
    assert.equal(kprobe.supported, false);
    assert.equal(kprobe.status, "unsupported");
    assert.match(kprobe.reason ?? "", /kprobe/);
  }

  // fentry: cross-checked against loading one through the fentry program kind.
  const fentry = byName(report.attach, "fentry");
  let fentryLoads: boolean;
  try {
    FentryProgram.load({
      function: "bpf_fentry_test1",
      code: new Uint8Array([0xb7, 0, 0, 0, 0, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0]),
    }).close();
    fentryLoads = true;
  } catch (err) {
    assert.ok(err instanceof NotSupportedError, `fentry fails with NotSupportedError, not ${String(err)}`);
    fentryLoads = false;
  }
  if (fentryLoads) assert.equal(fentry.supported, true);
  else {
    assert.equal(fentry.supported, false);
    assert.equal(fentry.status, "blocked");
    assert.match(fentry.reason ?? "", /EPERM.*empty verifier log/);
  }

  for (const name of ["xdp_link", "tcx", "perf_link", "uprobe_multi", "link_pinning", "cgroup_link"]) {
    assert.equal(byName(report.attach, name).supported, true, `${name}: ${byName(report.attach, name).reason ?? ""}`);
  }

  // Helpers: ring buffer helpers work from XDP, socket helpers do not, classified from the verifier log.
  const xdpHelper = (name: string) => report.helpers.find((h) => h.programType === "xdp" && h.name === name);
  for (const name of [
    "bpf_ringbuf_output",
    "bpf_ringbuf_reserve",
    "bpf_ringbuf_submit",
    "bpf_map_lookup_elem",
    "bpf_xdp_adjust_head",
  ]) {
    assert.equal(xdpHelper(name)?.supported, true, `${name} from xdp`);
  }
  const skbLoad = xdpHelper("bpf_skb_load_bytes");
  assert.equal(skbLoad?.supported, false);
  assert.match(skbLoad?.reason ?? "", /cannot use helper|unknown func/);
  assert.equal(report.helpers.filter((h) => h.status === "unknown").length, 0, "every helper probe was classified");

  assert.equal(report.system.kernelRelease.length > 0, true);
  assert.equal(report.system.btf, existsSync("/sys/kernel/btf/vmlinux"));
  assert.equal(report.system.cgroup2, "/sys/fs/cgroup/unified");
  assert.equal(report.system.bpffsMounted, true);
  assert.equal(report.system.tracefs, "/sys/kernel/tracing");
  assert.equal(report.permissionDenied, false);

  assert.ok(took < 3000, `probing took ${took.toFixed(0)} ms`);
  assert.equal(readdirSync("/proc/self/fd").length, fdsBefore, "probing closes every fd");
  assert.deepEqual(leftovers(), [], "probing leaves no pins, files or cgroups behind");

  // Cached: the second call does no work.
  const again = performance.now();
  assert.equal(probeFeatures(), report);
  assert.ok(performance.now() - again < 5);
});

test("helpers for every program type, and single questions answered from the cache", () => {
  const report = probeFeatures({ allHelpers: true });
  const probed = new Set(report.helperProgramTypes);
  for (const t of ["cgroup_skb", "perf_event", "sk_msg", "syscall", "tracing"])
    assert.ok(probed.has(t), `${t} helpers probed`);
  // Types that cannot load here are named with a reason rather than reported as helper-less.
  for (const skipped of report.helperProbeSkipped) {
    const type = report.programTypes.find((p) => p.name === skipped.programType);
    assert.ok(type && !type.supported, `${skipped.programType} is skipped because it does not load`);
  }
  assert.ok(report.timings.total < 3000, `everything took ${report.timings.total} ms`);

  assert.equal(programTypeSupported(ProgType.XDP), true);
  assert.equal(mapTypeSupported("ringbuf"), true);
  assert.equal(helperSupported(ProgType.XDP, "ringbuf_output"), true);
  assert.equal(helperSupported("socket_filter", "bpf_xdp_adjust_head"), false);
  assert.equal(helperSupported("sk_msg", "msg_redirect_map"), true);
});
