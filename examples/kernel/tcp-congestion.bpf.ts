// A TCP congestion control in kernel TypeScript: Reno (slow start, then one segment more per
// window of ACKs, half the window on loss) as a struct tcp_congestion_ops whose callbacks are
// BPF programs. Registered, it is a congestion control like cubic: any socket can choose it with
// setsockopt(TCP_CONGESTION, "tsbpf_reno"). A per-callback counter shows it at work.
import { structOps, ArrayMap, u32, u64 } from "tsbpf/kernel";

/** Calls of each callback: [0] init, [1] cong_avoid, [2] ssthresh, [3] undo_cwnd. */
export const calls = new ArrayMap({ value: u64, maxEntries: 4 });

function count(slot: u32): void {
  const n = calls.lookup(slot);
  if (n !== null) n.value += 1;
}

export const reno = structOps("tcp_congestion_ops", {
  name: "tsbpf_reno",

  init(sk) {
    count(0);
  },

  // Each ACK of new data: grow the window while the sender is using all of it.
  cong_avoid(sk, ack, acked) {
    count(1);
    const inSlowStart = sk.snd_cwnd < sk.snd_ssthresh;
    // Only a window the sender fills is a signal (slow start may run up to twice the packets out).
    if (sk.is_cwnd_limited === 0 && !(inSlowStart && sk.snd_cwnd < 2 * sk.max_packets_out)) return;
    let left = acked;
    if (inSlowStart) {
      // Slow start: one segment per segment acknowledged, up to ssthresh.
      const grown = sk.snd_cwnd + left;
      const cwnd = grown < sk.snd_ssthresh ? grown : sk.snd_ssthresh;
      left -= cwnd - sk.snd_cwnd;
      sk.snd_cwnd = cwnd < sk.snd_cwnd_clamp ? cwnd : sk.snd_cwnd_clamp;
      if (left === 0) return;
    }
    // Congestion avoidance: one segment per window of segments acknowledged.
    const window = sk.snd_cwnd;
    if (sk.snd_cwnd_cnt >= window) {
      sk.snd_cwnd_cnt = 0;
      sk.snd_cwnd += 1;
    }
    sk.snd_cwnd_cnt += left;
    if (sk.snd_cwnd_cnt >= window) {
      const grow = sk.snd_cwnd_cnt / window;
      sk.snd_cwnd_cnt -= grow * window;
      sk.snd_cwnd += grow;
    }
    if (sk.snd_cwnd > sk.snd_cwnd_clamp) sk.snd_cwnd = sk.snd_cwnd_clamp;
  },

  // On loss: half the window, at least two segments.
  ssthresh(sk) {
    count(2);
    const half = sk.snd_cwnd >> 1;
    return half > 2 ? half : 2;
  },

  // A loss that was not one: back to the window before it.
  undo_cwnd(sk) {
    count(3);
    return sk.snd_cwnd > sk.prior_cwnd ? sk.snd_cwnd : sk.prior_cwnd;
  },
});
