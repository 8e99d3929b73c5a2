// `tsbpf features`: what this kernel and host can do, found by trying each thing for real.
import { DEFAULT_HELPER_PROGRAM_TYPES, probeFeatures, type FeatureEntry, type FeatureReport } from "../../features.js";
import { Errno } from "../../errors.js";
import { PermissionError } from "../../sys/errors.js";
import { parseCommandArgs, UsageError } from "../../cmdline/args.js";
import { LineWriter, type CommandIo } from "../../cmdline/io.js";
import { renderTable } from "../../cmdline/table.js";

export const name = "features";
export const summary = "probe which program types, map types, helpers and attach kinds work here";
export const usage = `usage: tsbpf features [--all] [--json]

Loads a minimal program of every type, creates a map of every type, calls every helper from
a few program types (${DEFAULT_HELPER_PROGRAM_TYPES.join(", ")}), and creates each
kind of link, then reports what worked and why not.
Options:
  --all    probe helpers from every program type that loads here
  --json   one JSON object per line (NDJSON), each with a "kind": system, program_type,
           map_type, attach, helper, helper_probe_skipped or timings`;

function entryJson(kind: string, e: FeatureEntry): object {
  return { kind, name: e.name, supported: e.supported, status: e.status, reason: e.reason ?? null };
}

function writeJson(report: FeatureReport, out: LineWriter): void {
  const s = report.system;
  out.json({
    kind: "system",
    kernel_release: s.kernelRelease,
    jit_enable: s.jitEnable ?? null,
    jit_enabled: s.jitEnabled,
    jit_harden: s.jitHarden ?? null,
    btf: s.btf,
    unprivileged_bpf_disabled: s.unprivilegedBpfDisabled ?? null,
    bpffs: s.bpffs,
    bpffs_mounted: s.bpffsMounted,
    cgroup2: s.cgroup2 ?? null,
    tracefs: s.tracefs ?? null,
    possible_cpus: s.possibleCpus,
    page_size: s.pageSize,
    root: s.root,
  });
  for (const e of report.programTypes) out.json(entryJson("program_type", e));
  for (const e of report.mapTypes) out.json(entryJson("map_type", e));
  for (const e of report.attach) out.json(entryJson("attach", e));
  for (const h of report.helpers) {
    out.json({
      kind: "helper",
      program_type: h.programType,
      name: h.name,
      helper_id: h.helperId,
      supported: h.supported,
      status: h.status,
      reason: h.reason ?? null,
    });
  }
  for (const x of report.helperProbeSkipped)
    out.json({ kind: "helper_probe_skipped", program_type: x.programType, reason: x.reason });
  const t = report.timings;
  out.json({
    kind: "timings",
    program_types_ms: t.programTypes,
    map_types_ms: t.mapTypes,
    helpers_ms: t.helpers,
    attach_ms: t.attach,
    system_ms: t.system,
    total_ms: t.total,
  });
}

function section(title: string, entries: readonly FeatureEntry[], out: LineWriter): void {
  out.line("");
  out.line(`${title} (${entries.filter((e) => e.supported).length} of ${entries.length} supported)`);
  for (const line of renderTable<FeatureEntry>(
    [
      { header: "  NAME", value: (e) => `  ${e.name}` },
      { header: "STATUS", value: (e) => e.status },
      { header: "REASON", value: (e) => e.reason ?? "" },
    ],
    entries,
  ))
    out.line(line);
}

/** Words wrapped to `width` columns, continuation lines indented by `indent`. */
function wrap(words: readonly string[], first: string, indent: number, width = 100): string[] {
  const lines: string[] = [];
  let current = first;
  for (const w of words) {
    if (current.length + 1 + w.length > width && current.trim().length > 0 && current.length > indent) {
      lines.push(current);
      current = " ".repeat(indent) + w;
    } else {
      current += (current.endsWith(" ") || current.length === 0 ? "" : " ") + w;
    }
  }
  lines.push(current);
  return lines;
}

function writeHuman(report: FeatureReport, out: LineWriter): void {
  const s = report.system;
  out.line("System");
  for (const line of renderTable<[string, string]>(
    [
      { header: "  FACT", value: (r) => `  ${r[0]}` },
      { header: "VALUE", value: (r) => r[1] },
    ],
    [
      ["kernel release", s.kernelRelease],
      [
        "JIT",
        s.jitEnable === undefined
          ? "unknown"
          : `${s.jitEnabled ? "enabled" : "disabled"} (bpf_jit_enable=${s.jitEnable}${s.jitHarden !== undefined ? `, bpf_jit_harden=${s.jitHarden}` : ""})`,
      ],
      ["kernel BTF", s.btf ? "yes (/sys/kernel/btf/vmlinux)" : "no"],
      [
        "unprivileged bpf",
        s.unprivilegedBpfDisabled === undefined
          ? "unknown"
          : s.unprivilegedBpfDisabled === 0
            ? "allowed"
            : `disabled (unprivileged_bpf_disabled=${s.unprivilegedBpfDisabled})`,
      ],
      ["bpffs", s.bpffsMounted ? s.bpffs.join(", ") : "not mounted"],
      ["cgroup v2", s.cgroup2 ?? "not mounted"],
      ["tracefs", s.tracefs ?? "not mounted"],
      ["possible CPUs", String(s.possibleCpus)],
      ["page size", String(s.pageSize)],
      ["running as root", s.root ? "yes" : "no (probes that need CAP_BPF report 'unknown')"],
    ],
  ))
    out.line(line);
  section("Program types", report.programTypes, out);
  section("Map types", report.mapTypes, out);
  section("Attach kinds", report.attach, out);
  out.line("");
  out.line(
    `Helpers (probed from ${report.helperProgramTypes.length} program type${report.helperProgramTypes.length === 1 ? "" : "s"}; --all for every type)`,
  );
  for (const type of report.helperProgramTypes) {
    const helpers = report.helpers.filter((h) => h.programType === type);
    const supported = helpers.filter((h) => h.supported).map((h) => h.name.replace(/^bpf_/, ""));
    for (const line of wrap(supported, `  ${type} (${supported.length} of ${helpers.length}):`, 4)) out.line(line);
  }
  for (const x of report.helperProbeSkipped) out.line(`  ${x.programType}: not probed: ${x.reason}`);
  out.line("");
  out.line(`Probed in ${report.timings.total} ms`);
}

export function run(argv: readonly string[], io: CommandIo): number {
  const { values, positionals } = parseCommandArgs(argv, { all: { type: "boolean" } }, usage);
  if (values.help) {
    io.stdout(`${usage}\n`);
    return 0;
  }
  if (positionals.length) throw new UsageError(`features takes no arguments (got "${positionals[0]}")`, usage);
  const report = probeFeatures({ allHelpers: values.all === true });
  if (report.permissionDenied) {
    throw new PermissionError(
      "BPF_PROG_LOAD",
      Errno.EPERM,
      "every probe was refused; run tsbpf features as root (or with CAP_BPF, CAP_PERFMON and CAP_NET_ADMIN)",
    );
  }
  const out = new LineWriter(io.stdout);
  try {
    if (values.json) writeJson(report, out);
    else writeHuman(report, out);
  } finally {
    out.flush();
  }
  return 0;
}

export default { name, summary, usage, run };
