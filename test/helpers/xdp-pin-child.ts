// Run by test/links.test.ts inside a namespace: attaches an XDP program with a bpf_link, pins
// the link at the given path, says so, then waits to be killed. The pin must outlive it.
import { XdpProgram } from "../../src/programs/xdp.js";
import { Link } from "../../src/links/link.js";
import { returnProgram } from "./packet-programs.js";

const [iface = "veth1", pinPath = ""] = process.argv.slice(2);
const program = XdpProgram.load({ name: "xdp_pinned", code: returnProgram(2) });
const link = program.attach(iface, { mode: "skb", via: "link" });
if (!(link instanceof Link)) throw new Error(`expected a bpf_link, got ${link.description}`);
if (pinPath) link.pin(pinPath);
process.stdout.write(`pinned ${link.description}\n`);
setInterval(() => {
  /* stay alive until killed */
}, 1 << 30);
