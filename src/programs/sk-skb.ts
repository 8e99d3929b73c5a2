// sk_skb programs (stream verdict) attach to a sockmap or sockhash with BPF_PROG_ATTACH: they then
// run on the data every socket in the map receives.
import { progAttach, progDetach } from "../sys/bpf.js";
import { AttachType } from "../uapi.js";
import type { Attachment } from "../links/link.js";

/**
 * Attaches an sk_skb program to a socket map (`attachType`: SK_SKB_STREAM_VERDICT by default,
 * SK_SKB_VERDICT or SK_SKB_STREAM_PARSER). Detach (or dispose) to remove it.
 */
export function attachToSocketMap(
  program: { readonly fd: number },
  map: { readonly fd: number },
  attachType: number = AttachType.SK_SKB_STREAM_VERDICT,
): Attachment {
  progAttach(map.fd, program.fd, attachType);
  let attached = true;
  const detach = (): void => {
    if (!attached) return;
    attached = false;
    progDetach(map.fd, program.fd, attachType);
  };
  return { description: `sk_skb (attach type ${attachType}) on map fd ${map.fd}`, detach, [Symbol.dispose]: detach };
}
