/* An executable section whose name libbpf does not know: no program type can be inferred. */
#include "common.h"

SEC("tsbpf_bogus/whatever") int bogus(void *ctx) { return 0; }

char LICENSE[] SEC("license") = "GPL";
