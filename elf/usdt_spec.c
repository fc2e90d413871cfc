/* SPDX-License-Identifier: MIT */
#include "usdt_spec.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "common/num.h"

#define MAX_TOKEN 128

#if defined(__x86_64__)
/* Offsets in the x86-64 struct pt_regs (arch/x86/include/uapi/asm/ptrace.h), by every name the
 * assembler gives the register or a part of it. */
static const struct {
	const char *names[4];
	int16_t off;
} regs[] = {
	{{"rip", "eip", NULL, NULL}, 128},
	{{"rax", "eax", "ax", "al"}, 80},
	{{"rbx", "ebx", "bx", "bl"}, 40},
	{{"rcx", "ecx", "cx", "cl"}, 88},
	{{"rdx", "edx", "dx", "dl"}, 96},
	{{"rsi", "esi", "si", "sil"}, 104},
	{{"rdi", "edi", "di", "dil"}, 112},
	{{"rbp", "ebp", "bp", "bpl"}, 32},
	{{"rsp", "esp", "sp", "spl"}, 152},
	{{"r8", "r8d", "r8w", "r8b"}, 72},
	{{"r9", "r9d", "r9w", "r9b"}, 64},
	{{"r10", "r10d", "r10w", "r10b"}, 56},
	{{"r11", "r11d", "r11w", "r11b"}, 48},
	{{"r12", "r12d", "r12w", "r12b"}, 24},
	{{"r13", "r13d", "r13w", "r13b"}, 16},
	{{"r14", "r14d", "r14w", "r14b"}, 8},
	{{"r15", "r15d", "r15w", "r15b"}, 0},
};
#define HAVE_REGS 1
#endif

/* "%name" at *s up to one of the stop characters; its pt_regs offset. */
static int parse_reg(const char **s, const char *stop, int16_t *off, struct bel_err *err)
{
	const char *p = *s;
	size_t len;

	if (*p != '%')
		return bel_errf(err, EINVAL, "expected a register (%%name) at '%s'", p);
	p++;
	len = strcspn(p, stop);
#ifdef HAVE_REGS
	for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++)
		for (size_t j = 0; j < 4; j++)
			if (regs[i].names[j] && strlen(regs[i].names[j]) == len &&
			    !strncmp(regs[i].names[j], p, len)) {
				*off = regs[i].off;
				*s = p + len;
				return 0;
			}
	return bel_errf(err, EINVAL, "unknown register '%%%.*s'", (int)(len > 16 ? 16 : len), p);
#else
	(void)off;
	return bel_errf(err, ENOTSUP, "USDT argument registers are known on x86-64 only ('%%%.*s')",
			(int)(len > 16 ? 16 : len), p);
#endif
}

/* A signed number (decimal, or hexadecimal after 0x) of len bytes at s, as two's complement. */
static int parse_num(const char *s, size_t len, uint64_t *out, struct bel_err *err)
{
	char buf[32];
	bool neg = false;
	uint64_t v;

	if (len && (*s == '-' || *s == '+')) {
		neg = *s == '-';
		s++;
		len--;
	}
	if (!len || len >= sizeof(buf))
		return bel_errf(err, EINVAL, "expected a number");
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (bel_parse_u64(buf, 0, neg ? 1ull << 63 : UINT64_MAX, &v))
		return bel_errf(err, EINVAL, "'%s%s' is not a number in range", neg ? "-" : "", buf);
	*out = neg ? (uint64_t)0 - v : v;
	return 0;
}

struct arg {
	uint64_t val_off;
	uint32_t type;
	int16_t reg_off, idx_reg_off;
	uint8_t scale_shift;
	bool is_signed;
	int8_t bitshift;
};

/* One "SIZE@OPERAND" token. */
static int parse_arg(const char *tok, struct arg *a, struct bel_err *err)
{
	const char *at = strchr(tok, '@'), *p;
	uint64_t size;
	int ret;

	if (!at)
		return bel_errf(err, EINVAL, "no SIZE@ before the operand");
	a->is_signed = *tok == '-';
	ret = parse_num(tok + a->is_signed, (size_t)(at - tok) - a->is_signed, &size, err);
	if (ret || (size != 1 && size != 2 && size != 4 && size != 8))
		return bel_errf(err, EINVAL, "size '%.*s' is not 1, 2, 4 or 8 (negative: signed)",
				(int)(at - tok), tok);
	a->bitshift = (int8_t)(64 - 8 * size);
	p = at + 1;
	if (*p == '$') {
		a->type = BEL_USDT_ARG_CONST;
		return parse_num(p + 1, strlen(p + 1), &a->val_off, err);
	}
	if (*p == '%') {
		a->type = BEL_USDT_ARG_REG;
		ret = parse_reg(&p, "", &a->reg_off, err);
		return ret;
	}
	/* [offset](%base) or [offset](%base,%index[,scale]) */
	{
		const char *open = strchr(p, '(');
		size_t len = strlen(p);

		if (!open || len < 2 || p[len - 1] != ')')
			return bel_errf(err, EINVAL, "operand '%s' is not $N, %%reg, N(%%reg) or "
					"N(%%base,%%index,scale)", p);
		a->val_off = 0;
		if (open > p && parse_num(p, (size_t)(open - p), &a->val_off, err))
			return bel_err_prefix(err, "memory operand '%s' (a symbol as offset is not "
					      "supported)", p);
		p = open + 1;
		ret = parse_reg(&p, ",)", &a->reg_off, err);
		if (ret)
			return ret;
		if (*p == ')') {
			a->type = BEL_USDT_ARG_REG_DEREF;
			return p[1] ? bel_errf(err, EINVAL, "text after the operand: '%s'", p + 1) : 0;
		}
		p++;
		ret = parse_reg(&p, ",)", &a->idx_reg_off, err);
		if (ret)
			return ret;
		a->type = BEL_USDT_ARG_SIB;
		a->scale_shift = 0;
		if (*p == ',') {
			uint64_t scale;
			const char *close = strchr(p, ')');

			if (!close || parse_num(p + 1, (size_t)(close - p - 1), &scale, err) ||
			    (scale != 1 && scale != 2 && scale != 4 && scale != 8))
				return bel_errf(err, EINVAL, "scale in '%s' is not 1, 2, 4 or 8", at + 1);
			a->scale_shift = scale == 1 ? 0 : scale == 2 ? 1 : scale == 4 ? 2 : 3;
			p = close;
		}
		if (*p != ')' || p[1])
			return bel_errf(err, EINVAL, "operand '%s' does not end after its registers",
					at + 1);
		return 0;
	}
}

static void put_arg(uint8_t *out, const struct arg *a)
{
	uint32_t word = (a->type & 0xff) | ((uint32_t)(a->idx_reg_off & 0xfff) << 8) |
			((uint32_t)(a->scale_shift & 0xf) << 20);
	uint8_t sign = a->is_signed;

	memcpy(out, &a->val_off, 8);
	memcpy(out + 8, &word, 4);
	memcpy(out + 12, &a->reg_off, 2);
	memcpy(out + 14, &sign, 1);
	memcpy(out + 15, &a->bitshift, 1);
}

int bel_usdt_spec_build(const char *args, uint64_t cookie, uint8_t out[BEL_USDT_SPEC_SIZE],
			struct bel_err *err)
{
	const char *p = args;
	int16_t count = 0;
	int ret;

	memset(out, 0, BEL_USDT_SPEC_SIZE);
	for (;;) {
		char tok[MAX_TOKEN];
		struct arg a = {0};
		size_t len;

		p += strspn(p, " \t");
		if (!*p)
			break;
		len = strcspn(p, " \t");
		if (count == BEL_USDT_MAX_ARGS)
			return bel_errf(err, E2BIG, "more than %d arguments in '%s'", BEL_USDT_MAX_ARGS,
					args);
		if (len >= sizeof(tok))
			return bel_errf(err, EINVAL, "argument %d is %zu bytes long", count, len);
		memcpy(tok, p, len);
		tok[len] = '\0';
		ret = parse_arg(tok, &a, err);
		if (ret)
			return bel_err_prefix(err, "argument %d ('%s')", count, tok);
		put_arg(out + count * BEL_USDT_ARG_SIZE, &a);
		count++;
		p += len;
	}
	memcpy(out + BEL_USDT_MAX_ARGS * BEL_USDT_ARG_SIZE, &cookie, 8);
	memcpy(out + BEL_USDT_MAX_ARGS * BEL_USDT_ARG_SIZE + 8, &count, 2);
	return 0;
}
