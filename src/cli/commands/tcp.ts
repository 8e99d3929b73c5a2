// `tsbpf tcp`: TCP per process — connections opened, bytes sent and received, refreshed every
// interval (tcptop) — or with --closed one line per closed connection (tcplife). --hooks picks the
// kernel hooks that count (fentry, kprobe, tracepoint; auto: the best the kernel allows).
import { parseCommandArgs, UsageError } from "../../cmdline/args.js";
import { processIo, type CommandIo } from "../../cmdline/io.js";
import { TOOL_OPTIONS, parseMetricsFlag, parsePositiveInt, parseSeconds } from "../../tools/common/flags.js";
import { runTcp } from "../../tools/tcp/run.js";
import { TCP_HOOK_FAMILIES, type TcpHooks } from "../../tools/tcp/tracker.js";

export const name = "tcp";
export const summary =
  "TCP per process: connections, bytes sent/received, failures, retransmits (tcptop), or --closed: one line per closed connection (tcplife)";
export const usage = `usage: tsbpf tcp [--interval S] [--limit N] [--count N] [--closed [--wide]] [--pid PID] [--comm NAME]
                 [--hooks auto|fentry|kprobe|tracepoint] [--json] [--metrics ADDR:PORT]

Watches TCP (IPv4 and IPv6, every network namespace): connects, accepts, closes, failed connects,
the payload bytes each process sends and receives through socket calls (no headers) and
retransmitted segments, counted in the kernel by one of three families of hooks (--hooks):
fentry/fexit or kprobe/kretprobe on tcp_v4_connect, tcp_v6_connect, tcp_finish_connect, the
accept path, tcp_sendmsg, tcp_cleanup_rbuf, tcp_retransmit_skb and tcp_close; or tracepoints
(sock:inet_sock_set_state, sock:sock_send_length/sock_recv_length, tcp:tcp_retransmit_skb,
tcp:tcp_destroy_sock, syscalls:sys_exit_accept4). auto (the default) takes the first of fentry,
kprobe, tracepoint this kernel loads and attaches, and says on stderr which. By default a table of the processes that used
TCP in each interval — PID COMM CONN FAIL RETRANS TX_KB RX_KB with rates and totals — sorted by
bytes, refreshing in place on a terminal (plain frames when piped). With --closed, one line per
connection that closes: PID COMM LADDR LPORT RADDR RPORT TX_KB RX_KB MS (TX/RX from the kernel's
tcp_sock bytes_acked / bytes_received). Ctrl-C or SIGTERM stops it with a summary; perf links
leave nothing attached, even when killed. Needs root (CAP_BPF and CAP_PERFMON).
Options:
  --interval S        seconds between tables (default 1; fractions allowed, at least 0.01)
  --limit N           processes per table and in the summary (default 20)
  --count N           stop after N tables, or (--closed) N closed connections
  --closed            one line per closed connection (tcplife) instead of the table
  --wide              --closed: address columns wide enough for IPv6 addresses
  --hooks H           auto (default), fentry, kprobe or tracepoint: which kernel hooks count;
                      a family the kernel refuses is an error that says why
  --pid PID           only this process (tgid)
  --comm NAME         only processes with this command name (exact, as in /proc/PID/comm)
  --json              NDJSON: one JSON object per line, snake_case fields (see docs/tools/tcp.md)
  --metrics ADDR:PORT serve Prometheus metrics on http://ADDR:PORT/metrics; "PORT" or ":PORT"
                      listen on 127.0.0.1 only; port 0 picks a free port (printed on stderr)`;

export async function run(argv: readonly string[], io: CommandIo): Promise<number> {
  const { interface: _interface, ...common } = TOOL_OPTIONS;
  const { values, positionals } = parseCommandArgs(
    argv,
    {
      ...common,
      limit: { type: "string" },
      closed: { type: "boolean" },
      wide: { type: "boolean" },
      pid: { type: "string" },
      comm: { type: "string" },
      hooks: { type: "string" },
    },
    usage,
  );
  if (values.help) {
    io.stdout(`${usage}\n`);
    return 0;
  }
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`, usage);
  const closed = values.closed === true;
  if (closed && values.interval !== undefined)
    throw new UsageError("--interval applies to the table, not to --closed", usage);
  if (!closed && values.wide === true) throw new UsageError("--wide applies to --closed only", usage);
  const intervalSeconds = parseSeconds(values.interval, "--interval", usage, 1);
  const limit = parsePositiveInt(values.limit, "--limit", usage) ?? 20;
  const count = parsePositiveInt(values.count, "--count", usage);
  const pid = parsePositiveInt(values.pid, "--pid", usage);
  const comm = values.comm;
  if (comm !== undefined && (comm.length === 0 || comm.length > 15))
    throw new UsageError(`--comm wants a command name of 1 to 15 characters, not "${comm}"`, usage);
  const listen = parseMetricsFlag(values.metrics, usage);
  const hooks = (values.hooks ?? "auto") as TcpHooks;
  if (hooks !== "auto" && !TCP_HOOK_FAMILIES.includes(hooks))
    throw new UsageError(`--hooks wants auto, ${TCP_HOOK_FAMILIES.join(", ")}, not "${values.hooks}"`, usage);
  return runTcp(
    {
      closed,
      intervalSeconds,
      limit,
      count,
      json: values.json === true,
      listen,
      pid,
      comm,
      wide: values.wide === true,
      hooks,
      out: io === processIo ? process.stdout : undefined,
    },
    io,
  );
}
