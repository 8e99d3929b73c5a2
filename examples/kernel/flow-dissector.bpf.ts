// A flow dissector in kernel TypeScript: parses IPv4 packets (addresses, protocol, TCP/UDP ports,
// fragments) into the flow keys the kernel hashes and classifies by, and leaves everything else
// to the kernel's own dissector. Attach it to a network namespace
// (FlowDissectorProgram.attach(netns)), or try it on a frame with testRun: the keys come back.
import {
  flowDissector,
  struct,
  be16,
  ArrayMap,
  u32,
  u64,
  Ipv4Hdr,
  ETH_P_IP,
  IPPROTO_TCP,
  IPPROTO_UDP,
  BPF_OK,
  BPF_DROP,
  BPF_FLOW_DISSECTOR_CONTINUE,
} from "tsbpf/kernel";

/** The ports at the start of a TCP or UDP header. */
class Ports extends struct({ sport: be16, dport: be16 }) {}

/** [0] IPv4 packets dissected, [1] refused as malformed, [2] left to the kernel. */
export const counters = new ArrayMap({ value: u64, maxEntries: 3 });
const DISSECTED = 0;
const MALFORMED = 1;
const LEFT_TO_KERNEL = 2;

const IP_MF = 0x2000;
const IP_OFFSET = 0x1fff;

export const dissect = flowDissector((ctx) => {
  const keys = ctx.flowKeys;
  if (keys.nProto !== ETH_P_IP) {
    counters.increment(LEFT_TO_KERNEL);
    return BPF_FLOW_DISSECTOR_CONTINUE;
  }
  const nhoff: u32 = keys.nhoff;
  const ip = ctx.load(Ipv4Hdr, nhoff);
  if (ip === null) {
    counters.increment(MALFORMED);
    return BPF_DROP;
  }
  const headerLength: u32 = (ip.versionIhl & 0x0f) * 4;
  if (headerLength < 20) {
    counters.increment(MALFORMED);
    return BPF_DROP;
  }
  keys.addrProto = ETH_P_IP;
  keys.ipv4Src = ip.saddr;
  keys.ipv4Dst = ip.daddr;
  keys.ipProto = ip.protocol;
  const thoff = nhoff + headerLength;
  keys.thoff = thoff;
  counters.increment(DISSECTED);
  if ((ip.fragOff & (IP_MF | IP_OFFSET)) !== 0) {
    keys.isFrag = 1;
    if ((ip.fragOff & IP_OFFSET) !== 0) return BPF_OK; // a later fragment has no ports
    keys.isFirstFrag = 1;
  }
  if (ip.protocol === IPPROTO_TCP || ip.protocol === IPPROTO_UDP) {
    const ports = ctx.load(Ports, thoff);
    if (ports === null) return BPF_OK; // the ports are not in this packet's linear part
    keys.sport = ports.sport;
    keys.dport = ports.dport;
  }
  return BPF_OK;
});
