// The README's example: count the packets arriving on an interface with a few lines of eBPF.
import { Assembler, FP, R0, R1, R2, R3, Size, ArrayMap, u64, XdpProgram } from "tsbpf";

export function countPackets(iface: string, during: () => void): bigint {
  using packets = ArrayMap.create({ name: "packets", value: u64, maxEntries: 1 });
  const code = new Assembler()
    .st(Size.W, FP, -4, 0) // key = 0
    .ldMapFd(R1, packets)
    .mov64(R2, FP)
    .add64(R2, -4)
    .call("map_lookup_elem") // r0 = &packets[0] or NULL
    .jeq(R0, 0, "out")
    .mov64(R3, 1)
    .lockAdd(Size.DW, R0, R3, 0) // atomically += 1
    .label("out")
    .mov64(R0, 2)
    .exit() // XDP_PASS
    .assemble();
  using program = XdpProgram.load({ name: "count", code, maps: [packets] });
  using link = program.attach(iface, { mode: "skb" }); // a bpf_link: gone when we exit
  during();
  return packets.get(0) ?? 0n;
}

if (process.argv[1] && import.meta.url === `file://${process.argv[1]}`) {
  const { execFileSync, spawnSync } = await import("node:child_process");
  if (spawnSync("ping", ["-V"]).error) {
    console.error(
      "quickstart: this example sends its packets with ping; install it (Debian/Ubuntu: apt-get install iputils-ping)",
    );
    process.exit(1);
  }
  const n = countPackets("lo", () => execFileSync("ping", ["-c", "3", "-i", "0.2", "127.0.0.1"]));
  console.log(`lo received ${n} packets`); // 6: three echo requests, three replies
}
