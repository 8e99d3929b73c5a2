// The content filter of examples/kernel/socket-filter.bpf.ts, in C, for the compiled-code benchmark.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define MAX_NEEDLE 16
#define WINDOW 64

struct needle { __u32 length; __u8 data[MAX_NEEDLE]; };
const volatile struct needle needle = {};

static __attribute__((noinline)) int contains(struct __sk_buff *skb) {
  __u32 n = needle.length;
  if (n == 0 || n > MAX_NEEDLE) return 0;
  __u32 len = skb->len;
  if (len > WINDOW) len = WINDOW;
  if (len < n) return 0;
  __u8 window[WINDOW] = {};
  if (bpf_skb_load_bytes(skb, 0, window, len) < 0) return 0;
  for (__u32 i = 0; i + n <= len; i++) {
    __u32 j = 0;
    while (j < n && i + j < WINDOW && j < MAX_NEEDLE && window[i + j] == needle.data[j]) j++;
    if (j == n) return 1;
  }
  return 0;
}

SEC("socket")
int dropByContent(struct __sk_buff *skb) {
  return contains(skb) ? 0 : skb->len;
}

char LICENSE[] SEC("license") = "GPL";
