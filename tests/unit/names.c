/* SPDX-License-Identifier: MIT */
/*
 * The pure parts of bel's defences against hostile names and command lines: the one rule for
 * names that become paths (loader/pin_names.c), the CLI's escaping of text and JSON
 * (cli/text.c) and its strict number parser (common/num.c).
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bel/bel.h"
#include "cli/text.h"
#include "cpu_list.h"
#include "common/num.h"
#include "pin_names.h"
#include "unit.h"

static const struct {
	const char *name;
	size_t suffix;
	int ret;
	const char *says; /* in the message */
} name_cases[] = {
	{"exec_count", 0, 0, NULL},
	{".rodata.str1.1", 0, 0, NULL},   /* dots are escaped, not refused */
	{"\xc3\xa9t\xc3\xa9", 0, 0, NULL}, /* bytes above 0x7f are fine */
	{"...", 0, 0, NULL},
	{"", 0, -EINVAL, "empty"},
	{".", 0, -EINVAL, "'.' names a directory"},
	{"..", 0, -EINVAL, "'..' names a directory"},
	{"a/b", 0, -EINVAL, "'a/b' contains '/'"},
	{"/", 0, -EINVAL, "contains '/'"},
	{"../../etc", 0, -EINVAL, "contains '/'"},
	{"a\nb", 0, -EINVAL, "'a\\x0ab' contains the control character 0x0a"},
	{"tab\there", 0, -EINVAL, "0x09"},
	{"del\x7f", 0, -EINVAL, "0x7f"},
	{"esc\x1b[2J", 0, -EINVAL, "0x1b"},
};

START_TEST(name_rule)
{
	struct bel_err err = {0};
	int ret = ldr_name_check(name_cases[_i].name, name_cases[_i].suffix, &err);

	ck_assert_msg(ret == name_cases[_i].ret, "case %d: %d (%s)", _i, ret, err.msg);
	if (name_cases[_i].says) {
		ck_assert_msg(strstr(err.msg, name_cases[_i].says), "case %d: %s", _i, err.msg);
		/* every refusal states the rule, and quotes no control character */
		ck_assert_msg(strstr(err.msg, "one path component"), "%s", err.msg);
		ck_assert_ptr_null(strpbrk(err.msg, "\n\t\x1b\x7f"));
	}
}
END_TEST

START_TEST(name_rule_length)
{
	struct bel_err err = {0};
	char name[300];

	memset(name, 'a', sizeof(name));
	name[255] = '\0';
	ck_assert_int_eq(ldr_name_check(name, 0, &err), 0);
	/* the suffix bel adds counts: "<255 bytes>_1" does not fit */
	ck_assert_int_eq(ldr_name_check(name, 2, &err), -ENAMETOOLONG);
	ck_assert_ptr_nonnull(strstr(err.msg, "NAME_MAX"));
	name[253] = '\0';
	ck_assert_int_eq(ldr_name_check(name, 2, &err), 0);
	ck_assert_int_eq(ldr_name_check(name, 3, &err), -ENAMETOOLONG);
	ck_assert_int_eq(ldr_name_check(name, (size_t)-1, &err), -ENAMETOOLONG);
	memset(name, 'a', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	ck_assert_int_eq(ldr_name_check(name, 0, &err), -ENAMETOOLONG);
	/* the quoted name in the message is cut */
	ck_assert_uint_lt(strlen(err.msg), 200);
}
END_TEST

START_TEST(name_quote_and_escape)
{
	char out[16], big[64];

	ck_assert_str_eq(ldr_name_quote("a\nb\\c", big, sizeof(big)), "a\\x0ab\\x5cc");
	ldr_name_quote("abcdefghijklmnopqrstuvwxyz", out, sizeof(out));
	ck_assert_uint_lt(strlen(out), sizeof(out));
	ck_assert_ptr_nonnull(strstr(out, "..."));
	bel_pin_name(".rodata.str1.1", big, sizeof(big));
	ck_assert_str_eq(big, "_rodata_str1_1");
	bel_pin_name("a/b", big, sizeof(big));
	ck_assert_str_eq(big, "a_b");
	bel_pin_name("abcdef", out, 4);
	ck_assert_str_eq(out, "abc");
}
END_TEST

static const struct {
	const char *in, *out;
} text_cases[] = {
	{"plain name", "plain name"},
	{"a\nb", "a\\nb"},
	{"t\tr\r", "t\\tr\\r"},
	{"back\\slash", "back\\\\slash"},
	{"\x1b[31mred", "\\x1b[31mred"},
	{"del\x7f", "del\\x7f"},
	{"\xc3\xa9t\xc3\xa9", "\xc3\xa9t\xc3\xa9"},          /* UTF-8 passes */
	{"csi\xc2\x9b", "csi\\xc2\\x9b"},                    /* C1 control, even well-formed */
	{"\xff\xfe", "\\xff\\xfe"},                          /* not UTF-8 */
	{"\xc0\xaf", "\\xc0\\xaf"},                          /* overlong '/' */
	{"\xed\xa0\x80", "\\xed\\xa0\\x80"},                 /* a surrogate */
	{"\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80"},        /* past U+10FFFF */
	{"cut\xe2\x82", "cut\\xe2\\x82"},                    /* truncated sequence */
	{"\xf0\x9f\x90\x9d", "\xf0\x9f\x90\x9d"},            /* four bytes */
};

START_TEST(text_escape)
{
	char *out = cli_text_escape(text_cases[_i].in);

	ck_assert_ptr_nonnull(out);
	ck_assert_msg(!strcmp(out, text_cases[_i].out), "case %d: [%s]", _i, out);
	free(out);
}
END_TEST

static const struct {
	const char *in, *out;
} json_cases[] = {
	{"plain", "\"plain\""},
	{"q\"b\\", "\"q\\\"b\\\\\""},
	{"\n\t\r\b\f", "\"\\n\\t\\r\\b\\f\""},
	{"\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\""},
	{"\xc2\x9b", "\"\\u009b\""},
	{"\xff\xfe", "\"\\ufffd\\ufffd\""},
	{"a\xc3", "\"a\\ufffd\""},
	{"\xe2\x82\xac", "\"\xe2\x82\xac\""},
	{"\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\""},
	{"", "\"\""},
};

START_TEST(json_string)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	ck_assert_ptr_nonnull(f);
	cli_json_string(f, json_cases[_i].in);
	fclose(f);
	ck_assert_msg(!strcmp(buf, json_cases[_i].out), "case %d: [%s]", _i, buf);
	free(buf);
}
END_TEST

static const struct {
	const char *in, *string, *comment;
} c_cases[] = {
	{"plain_name.bpf.o", "plain_name.bpf.o", "plain_name.bpf.o"},
	{"q\"b\\s", "q\\\"b\\\\s", "q\"b\\x5cs"},
	{"*/ x /*", "*/ x /*", "\\x2a/ x /\\x2a"},
	{"?\?/\n", "\\?\\?/\\012", "\\x3f\\x3f/\\x0a"},
	{"\x01" "7\xff" "8", "\\0017\\3778", "\\x017\\xff8"},
	{"\xc3\xa9", "\\303\\251", "\\xc3\\xa9"},
	{"", "", ""},
};

/* What goes into generated C: nothing ends the literal or comment it is in. */
START_TEST(c_text)
{
	struct bel_strbuf a = BEL_STRBUF_INIT, b = BEL_STRBUF_INIT;

	cli_c_string(&a, c_cases[_i].in);
	cli_c_comment(&b, c_cases[_i].in);
	ck_assert_msg(!strcmp(a.buf ? a.buf : "", c_cases[_i].string), "case %d: [%s]", _i, a.buf);
	ck_assert_msg(!strcmp(b.buf ? b.buf : "", c_cases[_i].comment), "case %d: [%s]", _i, b.buf);
	bel_strbuf_free(&a);
	bel_strbuf_free(&b);
}
END_TEST

static const struct {
	const char *s;
	uint64_t min, max;
	int ret;
	uint64_t value;
} num_cases[] = {
	{"1", 1, 1024, 0, 1},
	{"1024", 1, 1024, 0, 1024},
	{"0x10", 0, UINT64_MAX, 0, 16},
	{"0XfF", 0, UINT64_MAX, 0, 255},
	{"18446744073709551615", 0, UINT64_MAX, 0, UINT64_MAX},
	{"18446744073709551616", 0, UINT64_MAX, -ERANGE, 0},
	{"99999999999999999999", 1, 1024, -ERANGE, 0},
	{"1025", 1, 1024, -ERANGE, 0},
	{"0", 1, 1024, -ERANGE, 0},
	{"", 0, 10, -EINVAL, 0},
	{"abc", 0, 10, -EINVAL, 0},
	{"-1", 0, 10, -EINVAL, 0},
	{"+1", 0, 10, -EINVAL, 0},
	{"1x", 0, 10, -EINVAL, 0},
	{" 2", 0, 10, -EINVAL, 0},
	{"2 ", 0, 10, -EINVAL, 0},
	{"0x", 0, 10, -EINVAL, 0},
	{"0x1g", 0, 100, -EINVAL, 0},
	{"1a", 0, 100, -EINVAL, 0},
	{"99999999999999999999x", 0, 10, -EINVAL, 0},
};

START_TEST(strict_numbers)
{
	uint64_t v = 12345;
	int ret = bel_parse_u64(num_cases[_i].s, num_cases[_i].min, num_cases[_i].max, &v);

	ck_assert_msg(ret == num_cases[_i].ret, "'%s': %d", num_cases[_i].s, ret);
	ck_assert_uint_eq(v, ret ? 12345 : num_cases[_i].value);
}
END_TEST

/* Signed numbers take the unsigned rules with an optional '-': "010" is ten either way. */
static const struct {
	const char *s;
	int64_t min, max;
	int ret;
	int64_t value;
} snum_cases[] = {
	{"010", INT64_MIN, INT64_MAX, 0, 10},
	{"08", -128, 127, 0, 8},
	{"-0x10", -128, 127, 0, -16},
	{"-128", -128, 127, 0, -128},
	{"-129", -128, 127, -ERANGE, 0},
	{"128", -128, 127, -ERANGE, 0},
	{"-9223372036854775808", INT64_MIN, INT64_MAX, 0, INT64_MIN},
	{"9223372036854775807", INT64_MIN, INT64_MAX, 0, INT64_MAX},
	{"9223372036854775808", INT64_MIN, INT64_MAX, -ERANGE, 0},
	{"-9223372036854775809", INT64_MIN, INT64_MAX, -ERANGE, 0},
	{"-0", -1, 1, 0, 0},
	{"+5", -10, 10, -EINVAL, 0},
	{"--5", -10, 10, -EINVAL, 0},
	{"-", -10, 10, -EINVAL, 0},
	{"- 5", -10, 10, -EINVAL, 0},
	{"\t5", -10, 10, -EINVAL, 0},
	{"5 ", -10, 10, -EINVAL, 0},
	{"", -10, 10, -EINVAL, 0},
};

START_TEST(strict_signed_numbers)
{
	int64_t v = 12345;
	int ret = bel_parse_s64(snum_cases[_i].s, snum_cases[_i].min, snum_cases[_i].max, &v);

	ck_assert_msg(ret == snum_cases[_i].ret, "'%s': %d", snum_cases[_i].s, ret);
	ck_assert_int_eq(v, ret ? 12345 : snum_cases[_i].value);
}
END_TEST

static int count_cpus(void *arg, int cpu)
{
	(void)cpu;
	(*(int *)arg)++;
	return 0;
}

static const struct {
	const char *text;
	uint32_t below;
	int ret, count;
} cpu_cases[] = {
	{"0-3,8,10-11\n", BEL_CPU_MAX, 0, 7},
	{"0\n", BEL_CPU_MAX, 0, 1},
	{"0-63", 16, 0, 16},
	{"", BEL_CPU_MAX, 0, 0},
	{"3-1", BEL_CPU_MAX, -EINVAL, 0},
	{"1-", BEL_CPU_MAX, -EINVAL, 0},
	{"-1", BEL_CPU_MAX, -EINVAL, 0},
	{"+1", BEL_CPU_MAX, -EINVAL, 0},
	{" 1", BEL_CPU_MAX, -EINVAL, 0},
	{"1,,2", BEL_CPU_MAX, -EINVAL, 0},
	{"1-+2", BEL_CPU_MAX, -EINVAL, 0},
	{"0-65536", BEL_CPU_MAX, -EINVAL, 0},
	{"0-3\nx", BEL_CPU_MAX, -EINVAL, 0},
	{"0x1", BEL_CPU_MAX, -EINVAL, 0},
};

START_TEST(cpu_lists)
{
	struct bel_err err = {0};
	int n = 0, ret = ldr_cpu_list_parse(cpu_cases[_i].text, cpu_cases[_i].below, count_cpus, &n,
					    &err);

	ck_assert_msg(ret == cpu_cases[_i].ret, "'%s': %d (%s)", cpu_cases[_i].text, ret, err.msg);
	if (!ret)
		ck_assert_int_eq(n, cpu_cases[_i].count);
}
END_TEST

/* A list of sparse CPU numbers is long: every CPU of it counts (per-CPU values are sized by the
 * count), however far past any fixed line buffer the file goes. */
START_TEST(cpu_list_long_file)
{
	char path[] = "/tmp/bel-cpus-XXXXXX";
	struct bel_err err = {0};
	int fd = mkstemp(path), n = 0, i;
	FILE *f = fdopen(fd, "w");

	ck_assert_ptr_nonnull(f);
	for (i = 0; i < 3000; i++)
		fprintf(f, "%s%d", i ? "," : "", 2 * i);
	fputc('\n', f);
	fclose(f);
	ck_assert_int_eq(ldr_cpu_list_file(path, BEL_CPU_MAX, count_cpus, &n, &err), 0);
	ck_assert_int_eq(n, 3000);
	unlink(path);
	ck_assert_int_eq(ldr_cpu_list_file(path, BEL_CPU_MAX, count_cpus, &n, &err), -ENOENT);
	ck_assert_msg(strstr(err.msg, path), "%s", err.msg);
}
END_TEST

#define N(a) ((int)(sizeof(a) / sizeof(a[0])))

Suite *names_suite(void)
{
	Suite *s = suite_create("names");
	TCase *tc = tcase_create("names");

	tcase_add_loop_test(tc, name_rule, 0, N(name_cases));
	tcase_add_test(tc, name_rule_length);
	tcase_add_test(tc, name_quote_and_escape);
	tcase_add_loop_test(tc, text_escape, 0, N(text_cases));
	tcase_add_loop_test(tc, json_string, 0, N(json_cases));
	tcase_add_loop_test(tc, c_text, 0, N(c_cases));
	tcase_add_loop_test(tc, strict_numbers, 0, N(num_cases));
	tcase_add_loop_test(tc, strict_signed_numbers, 0, N(snum_cases));
	tcase_add_loop_test(tc, cpu_lists, 0, N(cpu_cases));
	tcase_add_test(tc, cpu_list_long_file);
	suite_add_tcase(s, tc);
	return s;
}
