/* SPDX-License-Identifier: MIT */
/*
 * What an instruction is, for the code that rewrites them (relocation, CO-RE, the program
 * tag), so that every reader agrees on one test.
 */
#ifndef BEL_RELOC_INSN_H
#define BEL_RELOC_INSN_H

#include <linux/bpf.h>
#include <stdbool.h>

/* The first half of a 64-bit immediate load, which takes two instruction slots. */
static inline bool insn_is_ldimm64(const struct bpf_insn *insn)
{
	return insn->code == (BPF_LD | BPF_IMM | BPF_DW);
}

/* A call of any kind: helper, kfunc or subprogram (src_reg tells which). */
static inline bool insn_is_call(const struct bpf_insn *insn)
{
	return insn->code == (BPF_JMP | BPF_CALL);
}

#endif
