// SPDX-License-Identifier: GPL-2.0
/*
 * Names for `bel gen skeleton`, for tests/test_btf_c.c. The test rewrites the marker names in
 * the compiled object (same length, every occurrence) to names no C identifier, string literal
 * or comment can hold as they are: quotes, backslashes, newlines, comment ends, trigraphs,
 * bytes that are not UTF-8. The header must still say what the object says, and only that.
 * As written, it holds names a header uses otherwise (a program `threads` beside
 * <name>__load_threads, a map named like an errno macro) and a .bss of 12 bytes whose C
 * struct, tail padding included, is 16.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__u64 var_marker_vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv
	SEC(".data.sec_marker_ssssssssssssssssssssssssssssssssssssssssssssssss") = 1;

__u64 tail_long;
__u32 tail_int;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} ENOENT SEC(".maps");

SEC("socket")
int threads(void *ctx)
{
	__u32 key = 0;
	__u64 *v = bpf_map_lookup_elem(&ENOENT, &key);

	return v ? (int)*v : 0;
}

SEC("socket")
int prog_marker_pppppppppppppppppppppppppppppppppppppppppppppppppppp(void *ctx)
{
	tail_long++;
	tail_int++;
	return (int)var_marker_vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv;
}

char LICENSE[] SEC("license") = "GPL";
