/* SPDX-License-Identifier: MIT */
/*
 * The program tag as the kernel computes it (kernel/bpf/core.c, bpf_prog_calc_tag): the first
 * eight bytes of the digest of the instructions, with the immediate of both halves of every
 * ldimm64 that names a map (by fd or by value) set to zero, since fds differ from load to load.
 * The digest is SHA-1 up to Linux 6.16 and SHA-256 since. With it, bel can tell whether a pinned
 * program was loaded from the instructions it would load now, without loading them.
 */
#include <stdlib.h>
#include <string.h>

#include "common/sha1.h"
#include "common/sha256.h"
#include "prog_tag.h"

int bel_prog_tag(const struct bpf_insn *insns, uint32_t count, enum bel_tag_digest digest_kind,
		 uint8_t tag[BPF_TAG_SIZE])
{
	uint8_t digest[BEL_SHA256_SIZE];
	struct bpf_insn *copy;
	bool second_half = false;
	uint32_t i;

	copy = malloc((size_t)count * sizeof(*copy) + 1);
	if (!copy)
		return -1;
	for (i = 0; i < count; i++) {
		copy[i] = insns[i];
		if (!second_half && copy[i].code == (BPF_LD | BPF_IMM | BPF_DW) &&
		    (copy[i].src_reg == BPF_PSEUDO_MAP_FD || copy[i].src_reg == BPF_PSEUDO_MAP_VALUE)) {
			copy[i].imm = 0;
			second_half = true;
		} else if (second_half && !copy[i].code && !copy[i].dst_reg && !copy[i].src_reg &&
			   !copy[i].off) {
			copy[i].imm = 0;
			second_half = false;
		} else {
			second_half = false;
		}
	}
	if (digest_kind == BEL_TAG_SHA256)
		bel_sha256(copy, (size_t)count * sizeof(*copy), digest);
	else
		bel_sha1(copy, (size_t)count * sizeof(*copy), digest);
	free(copy);
	memcpy(tag, digest, BPF_TAG_SIZE);
	return 0;
}
