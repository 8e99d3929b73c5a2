/* Global data: .rodata set from user space before load, .data and .bss counters read back,
 * a custom .data.* section, string literals in .rodata.str*. The XDP program returns the
 * configured verdict and counts packets and bytes. */
#include "common.h"

const volatile __u32 verdict = XDP_PASS;       /* .rodata: changed before load */
const volatile __u8 magic_byte = 0;            /* .rodata: 0 = count every packet */
const volatile char greeting[16] = "hello";    /* .rodata: a char array */

__u64 packets = 0;                             /* .bss */
__u64 bytes = 0;                               /* .bss */
__u32 last_len = 0;                            /* .bss */
__u64 matched = 0;                             /* .bss */
__s32 adjust = -3;                             /* .data: initialised */
struct pair { __u32 a; __u16 b; __u8 c; } pair = { 7, 8, 9 };   /* .data: a struct */
__u32 custom_hits SEC(".data.custom") = 100;   /* custom data section */

SEC("xdp")
int count_packets(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 len = data_end - data;

	packets++;
	bytes += len;
	last_len = len + adjust;
	custom_hits++;
	if (magic_byte && data + 1 <= data_end && *(__u8 *)data == magic_byte)
		matched++;
	if (greeting[0] != 'h')
		return XDP_ABORTED;
	return verdict;
}

char LICENSE[] SEC("license") = "GPL";
