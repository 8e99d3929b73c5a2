// Run by test/xdp.test.ts inside a namespace (nsenter): attaches an XDP program with a bpf_link,
// says so on stdout, then waits to be killed. Whatever it attached must go with it.
import { XdpProgram, type XdpMode } from "../../src/programs/xdp.js";
import { returnProgram } from "./packet-programs.js";

const [iface = "veth1", mode = "auto"] = process.argv.slice(2);
const program = XdpProgram.load({ name: "xdp_orphan", code: returnProgram(2) });
const link = program.attach(iface, { mode: mode as XdpMode, via: "link" });
process.stdout.write(`attached ${link.description}\n`);
setInterval(() => {
  /* keep the process (and so the link fd) alive until killed */
}, 1 << 30);
