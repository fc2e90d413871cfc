/* SPDX-License-Identifier: MIT */
/*
 * USDT argument specs ("-4@%edi 8@$5 -8@-24(%rbp)") turned into the record libbpf's
 * <bpf/usdt.bpf.h> reads at run time (struct __bpf_usdt_spec), so BPF objects written for
 * libbpf's USDT support find their arguments where they expect them. Pure.
 *
 * The record, in the host's byte order: 12 arguments of 16 bytes (u64 val_off; u32 holding
 * the argument type in its low 8 bits and, for base+index*scale operands, the index register's
 * pt_regs offset in the next 12 bits and log2(scale) in the 4 after; s16 reg_off, the base
 * register's offset in struct pt_regs; u8 signed; s8 bit shift = 64 - 8 * size), then u64
 * usdt_cookie and s16 arg_cnt, padded to 208 bytes.
 */
#ifndef BEL_ELF_USDT_SPEC_H
#define BEL_ELF_USDT_SPEC_H

#include <stdint.h>

#include "common/err.h"

#define BEL_USDT_MAX_ARGS 12
#define BEL_USDT_ARG_SIZE 16
#define BEL_USDT_SPEC_SIZE 208

enum bel_usdt_arg_type {
	BEL_USDT_ARG_CONST,     /* $N: val_off is the value */
	BEL_USDT_ARG_REG,       /* %reg: read from pt_regs at reg_off */
	BEL_USDT_ARG_REG_DEREF, /* N(%reg): user memory at reg + val_off */
	BEL_USDT_ARG_SIB,       /* N(%base,%index,scale): user memory at base + index * scale + N;
				   only newer usdt.bpf.h read these (older ones return -EINVAL) */
};

/* Build the record for an argument spec and the caller's USDT cookie. Refused (-EINVAL with a
 * message naming the argument): more than 12 arguments, sizes other than 1, 2, 4 and 8, an
 * operand or register this machine's parser does not know (x86-64 only). */
int bel_usdt_spec_build(const char *args, uint64_t cookie, uint8_t out[BEL_USDT_SPEC_SIZE],
			struct bel_err *err);

#endif
