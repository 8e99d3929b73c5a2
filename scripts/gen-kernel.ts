// `npm run gen:kernel`: writes tsbpf's own kernel declarations, src/kernel/tracepoints.ts (tracefs
// records) and src/kernel/vmlinux.ts (kernel structs and tp_btf arguments), from the running
// kernel with the generator behind `tsbpf gen-kernel`. The lists below say what they declare;
// add to them and rerun rather than editing the generated files.
import { readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { kernelBtf } from "../src/btf/vmlinux.js";
import { generateTracepoints, generateVmlinux } from "../src/compiler/gen.js";
import { tracepointFormat } from "../src/programs/tracepoint-format.js";
import { tracefsRoot } from "../src/sys/perf.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const GENERATED_BY = "`npm run gen:kernel` (scripts/gen-kernel.ts)";

/** Tracepoint categories declared whole, in this order, each event in name order. */
const TRACEPOINT_CATEGORIES = [
  "sched",
  "sock",
  "tcp",
  "net",
  "skb",
  "signal",
  "task",
  "raw_syscalls",
  "irq",
  "timer",
  "workqueue",
  "block",
  "kmem",
];

/** The syscall tracepoints declared (all of them would be some 700). */
const SYSCALL_TRACEPOINTS = [
  "sys_enter_execve",
  "sys_exit_execve",
  "sys_enter_execveat",
  "sys_enter_openat",
  "sys_exit_openat",
  "sys_enter_connect",
  "sys_exit_connect",
  "sys_enter_accept4",
  "sys_exit_accept4",
  "sys_enter_write",
  "sys_enter_read",
  "sys_enter_kill",
  "sys_enter_exit_group",
  "sys_enter_clone",
  "sys_exit_clone",
  "sys_enter_unlinkat",
  "sys_enter_bpf",
];

/** tp_btf events whose arguments are declared. */
const TP_BTF_EVENTS = [
  "inet_sock_set_state",
  "sched_process_exec",
  "sched_process_exit",
  "sched_process_fork",
  "sched_switch",
  "sched_wakeup",
  "tcp_retransmit_skb",
  "tcp_probe",
  "sock_send_length",
  "sock_recv_length",
  "sys_enter",
  "sys_exit",
  "netif_receive_skb",
  "kfree_skb",
  "consume_skb",
  "tcp_rcv_space_adjust",
  "inet_sk_error_report",
];

/** Kernel functions whose arguments and return value are declared (kprobe, kretprobe, fentry, fexit, fmod_ret). */
const KERNEL_FUNCTIONS = [
  "tcp_v4_connect",
  "tcp_v6_connect",
  "tcp_sendmsg",
  "tcp_recvmsg",
  "tcp_cleanup_rbuf",
  "tcp_close",
  "tcp_set_state",
  "inet_csk_accept",
  "inet_accept",
  "tcp_finish_connect",
  "tcp_retransmit_skb",
  "vfs_read",
  "vfs_write",
  "do_unlinkat",
  "do_sys_openat2",
  "security_file_open",
];

/** LSM hooks whose arguments are declared. */
const LSM_HOOKS = ["file_open", "bprm_check_security", "socket_connect", "socket_bind", "inode_unlink", "task_kill"];

/** struct_ops types whose members are declared (structOps markers). */
const STRUCT_OPS = ["tcp_congestion_ops"];

/** Kernel structs declared in full (the others they mention are declared opaque). */
const STRUCTS = [
  "task_struct",
  "sock",
  "sock_common",
  "tcp_sock",
  "inet_sock",
  "inet_connection_sock",
  "linux_binprm",
  "sk_buff",
  "in6_addr",
  "socket",
  "file",
  "path",
  "dentry",
  "qstr",
  "mm_struct",
  "cred",
  "net_device",
  "pt_regs",
  "nsproxy",
  "pid_namespace",
  "signal_struct",
  "files_struct",
  "msghdr",
  "bpf_map",
];

export interface GeneratedFile {
  /** Relative to the repository root. */
  path: string;
  text: string;
}

function tracepointNames(): [string, string][] {
  const root = tracefsRoot();
  if (root === undefined) throw new Error("tracefs is not mounted: the tracepoint declarations need it");
  const names: [string, string][] = [];
  for (const category of TRACEPOINT_CATEGORIES) {
    const events = readdirSync(join(root, "events", category), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort();
    for (const event of events) names.push([category, event]);
  }
  for (const event of SYSCALL_TRACEPOINTS) names.push(["syscalls", event]);
  return names;
}

/** The generated files as the running kernel makes them. */
export function generateKernelDeclarations(): GeneratedFile[] {
  const formats = tracepointNames().map(([category, event]) => tracepointFormat(category, event));
  return [
    { path: "src/kernel/tracepoints.ts", text: generateTracepoints(formats, undefined, GENERATED_BY) },
    {
      path: "src/kernel/vmlinux.ts",
      text: generateVmlinux(
        kernelBtf(),
        {
          events: TP_BTF_EVENTS,
          structs: STRUCTS,
          depth: 0,
          functions: KERNEL_FUNCTIONS,
          lsmHooks: LSM_HOOKS,
          structOps: STRUCT_OPS,
        },
        undefined,
        GENERATED_BY,
      ),
    },
  ];
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const file of generateKernelDeclarations()) {
    writeFileSync(join(ROOT, file.path), file.text);
    process.stdout.write(`wrote ${file.path}\n`);
  }
}
