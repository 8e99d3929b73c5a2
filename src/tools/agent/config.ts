// The agent's configuration: a JSON or YAML file, parsed and validated here (pure: text in, a
// config or one AgentConfigError out) before anything is loaded into the kernel. Every mistake is
// named by the file and the key's path ("agent.yaml: collectors.flows.top: expected a whole number
// from 1 to 1000, got 0"), unknown keys included, so a typo never silently means a default.
import { TsbpfError } from "../../errors.js";
import { MetricsAddressError, parseListenAddress, type ListenAddress } from "../common/listen-address.js";

export class AgentConfigError extends TsbpfError {
  override name = "AgentConfigError";
}

/** Where NDJSON records go: nowhere, standard output, or a file rotated by size. */
export type EventsOutput =
  | { kind: "none" }
  | { kind: "stdout" }
  | { kind: "file"; path: string; maxBytes: number; keep: number };

export interface AgentConfig {
  /** Interfaces the network collectors watch (none: the default route's, or lo). */
  interfaces: string[];
  intervalSeconds: number;
  metrics: ListenAddress | undefined;
  /** The live web dashboard (off unless set). */
  web: ListenAddress | undefined;
  events: EventsOutput;
  collectors: {
    /** Packets and bytes per protocol (shares the flows collector's kernel programs). */
    packets: boolean;
    /** The busiest flows; `top` rows in each record. */
    flows: { top: number } | undefined;
    tcp: boolean;
    /**
     * Execs; `keep` recent ones in memory. `scope` "machine": every exec on the machine;
     * "netns": only processes in the agent's own network namespace (one agent per container).
     */
    exec: { keep: number; scope: ExecScope } | undefined;
  };
}

export const EXEC_SCOPES = ["machine", "netns"] as const;
export type ExecScope = (typeof EXEC_SCOPES)[number];

export const DEFAULT_METRICS = "127.0.0.1:9435";
const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;
const DEFAULT_KEEP = 5;

type Json = unknown;

class Reader {
  constructor(readonly source: string) {}

  fail(path: string, message: string): never {
    throw new AgentConfigError(`${this.source}: ${path ? `${path}: ` : ""}${message}`);
  }

  object(value: Json, path: string, known: readonly string[]): Record<string, Json> {
    if (value === null || typeof value !== "object" || Array.isArray(value))
      this.fail(path, `expected a mapping of ${known.join(", ")}, got ${describe(value)}`);
    const record = value as Record<string, Json>;
    for (const key of Object.keys(record))
      if (!known.includes(key)) this.fail(join(path, key), `unknown key (known here: ${known.join(", ")})`);
    return record;
  }

  integer(value: Json, path: string, min: number, max: number): number {
    if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max)
      this.fail(path, `expected a whole number from ${min} to ${max}, got ${describe(value)}`);
    return value;
  }

  boolean(value: Json, path: string): boolean {
    if (typeof value !== "boolean") this.fail(path, `expected true or false, got ${describe(value)}`);
    return value;
  }

  string(value: Json, path: string): string {
    if (typeof value !== "string" || value === "")
      this.fail(path, `expected a non-empty string, got ${describe(value)}`);
    return value;
  }
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function describe(value: Json): string {
  if (value === null || value === undefined) return "nothing";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") return JSON.stringify(value);
  return String(value);
}

const UNITS: Record<string, number> = { "": 1, s: 1, ms: 0.001, m: 60 };

/** "5s", "500ms", "1m" or a number of seconds. */
function seconds(r: Reader, value: Json, path: string): number {
  const m =
    typeof value === "number" ? [String(value), String(value), ""] : /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(String(value));
  const s = m ? Number(m[1]) * UNITS[m[2] ?? ""]! : Number.NaN;
  if (!(s >= 0.1 && s <= 3600)) r.fail(path, `expected a duration from 100ms to 60m (e.g. 5s), got ${describe(value)}`);
  return s;
}

const SIZE_UNITS: Record<string, number> = {
  "": 1,
  b: 1,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
};

/** "64MiB", "500kB" or a number of bytes. */
function size(r: Reader, value: Json, path: string): number {
  const m = /^(\d+)\s*([kmg]i?b|b)?$/i.exec(String(value));
  const bytes = m ? Number(m[1]) * SIZE_UNITS[(m[2] ?? "").toLowerCase()]! : Number.NaN;
  if (!(Number.isSafeInteger(bytes) && bytes >= 4096))
    r.fail(path, `expected a size of at least 4096 bytes (e.g. 64MiB), got ${describe(value)}`);
  return bytes;
}

/** `true`/`false`, or a mapping of the collector's settings (present means on). */
function collector(r: Reader, value: Json, path: string, known: readonly string[]): Record<string, Json> | undefined {
  if (value === undefined || value === false) return undefined;
  if (value === true || value === null) return {};
  const settings = r.object(value, path, ["enabled", ...known]);
  if (settings.enabled !== undefined && !r.boolean(settings.enabled, join(path, "enabled"))) return undefined;
  return settings;
}

const TOP_KEYS = ["interfaces", "interval", "metrics", "web", "events", "collectors"] as const;
const COLLECTORS = ["packets", "flows", "tcp", "exec"] as const;

function execScope(r: Reader, value: Json): ExecScope {
  const scope = EXEC_SCOPES.find((s) => s === value);
  if (scope === undefined)
    r.fail("collectors.exec.scope", `expected ${EXEC_SCOPES.join(" or ")}, got ${describe(value)}`);
  return scope;
}

/** Validates a parsed document (JSON or YAML) as an agent configuration. */
export function agentConfigFrom(document: Json, source: string): AgentConfig {
  const r = new Reader(source);
  const top = r.object(document ?? {}, "", TOP_KEYS);

  const interfaces: string[] = [];
  if (top.interfaces !== undefined) {
    const list: Json = typeof top.interfaces === "string" ? [top.interfaces] : top.interfaces;
    if (!Array.isArray(list)) r.fail("interfaces", `expected a list of interface names, got ${describe(list)}`);
    (list as Json[]).forEach((name, i) => interfaces.push(r.string(name, `interfaces[${i}]`)));
  }

  const address = (value: Json, key: string): ListenAddress | undefined => {
    if (value === undefined || value === false) return undefined;
    try {
      return parseListenAddress(typeof value === "number" ? String(value) : r.string(value, key));
    } catch (err) {
      if (err instanceof MetricsAddressError) r.fail(key, err.message.replace("--metrics address", "address"));
      throw err;
    }
  };
  const metrics = address(top.metrics === undefined ? DEFAULT_METRICS : top.metrics, "metrics");
  const web = address(top.web, "web");

  let events: EventsOutput = { kind: "stdout" };
  if (top.events !== undefined) {
    const e =
      typeof top.events === "string" || top.events === false
        ? { output: top.events }
        : r.object(top.events, "events", ["output", "max_size", "keep"]);
    const output = e.output === undefined ? "-" : e.output === false ? "none" : r.string(e.output, "events.output");
    if (output === "none") events = { kind: "none" };
    else if (output === "-") events = { kind: "stdout" };
    else
      events = {
        kind: "file",
        path: output,
        maxBytes: e.max_size === undefined ? DEFAULT_MAX_BYTES : size(r, e.max_size, "events.max_size"),
        keep: e.keep === undefined ? DEFAULT_KEEP : r.integer(e.keep, "events.keep", 1, 100),
      };
    if (events.kind !== "file" && (e.max_size !== undefined || e.keep !== undefined))
      r.fail("events", "max_size and keep apply to a file output only");
  }

  const c =
    top.collectors === undefined
      ? { packets: true, flows: true, tcp: true, exec: true }
      : r.object(top.collectors, "collectors", COLLECTORS);
  const packets = collector(r, c.packets, "collectors.packets", []) !== undefined;
  const flowsSettings = collector(r, c.flows, "collectors.flows", ["top"]);
  const tcp = collector(r, c.tcp, "collectors.tcp", []) !== undefined;
  const execSettings = collector(r, c.exec, "collectors.exec", ["keep", "scope"]);
  const config: AgentConfig = {
    interfaces,
    intervalSeconds: top.interval === undefined ? 5 : seconds(r, top.interval, "interval"),
    metrics,
    web,
    events,
    collectors: {
      packets,
      flows: flowsSettings && {
        top: flowsSettings.top === undefined ? 10 : r.integer(flowsSettings.top, "collectors.flows.top", 1, 1000),
      },
      tcp,
      exec: execSettings && {
        keep: execSettings.keep === undefined ? 20 : r.integer(execSettings.keep, "collectors.exec.keep", 1, 10000),
        scope: execSettings.scope === undefined ? "machine" : execScope(r, execSettings.scope),
      },
    },
  };
  if (!packets && !config.collectors.flows && !tcp && !config.collectors.exec)
    r.fail("collectors", "every collector is switched off: switch on at least one of packets, flows, tcp, exec");
  if (!metrics && !web && events.kind === "none")
    r.fail("", "with metrics: false, no web and no events output the agent would show nothing");
  return config;
}

/**
 * Parses a configuration file's text: YAML (JSON is YAML too) with the YAML library loaded only
 * here. A syntax error names the line and column.
 */
export async function parseAgentConfig(text: string, source: string): Promise<AgentConfig> {
  const { parse, YAMLParseError } = await import("yaml");
  let document: Json;
  try {
    document = parse(text, { uniqueKeys: true, maxAliasCount: 100 });
  } catch (err) {
    if (err instanceof YAMLParseError) {
      const at = err.linePos?.[0];
      const first = err.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
      throw new AgentConfigError(`${source}${at ? `:${at.line}:${at.col}` : ""}: ${first}`);
    }
    throw err;
  }
  return agentConfigFrom(document, source);
}
