/* SPDX-License-Identifier: MIT */
/* Externs (loader/externs.c): .kconfig values from uname and the kernel's config, kfunc calls
 * and typed __ksym, each where the kernel has them and refused by name where it has not. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "bel/bel.h"
#include "kernel.h"
#include "syscall/bpf.h"
#include "testutil.h"

/* A config value as the kernel's config says (zcat /proc/config.gz), or "" */
static void config_value(const char *name, char *out, size_t size)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "(zcat /proc/config.gz 2>/dev/null || cat /boot/config-$(uname -r)) "
		 "| sed -n 's/^%s=//p' | tr -d '\\n'", name);
	if (run_capture(cmd, out, size) != 0)
		out[0] = '\0';
}

static int test_run(int prog_fd)
{
	uint8_t pkt[64] = {0}, out[64];
	struct bel_test_run_args args = {
		.data_in = pkt, .data_size_in = sizeof(pkt),
		.data_out = out, .data_size_out = sizeof(out),
		.repeat = 1,
	};

	return bel_sys_prog_test_run(prog_fd, &args);
}

/* .kconfig externs hold what uname and the kernel config say. */
START_TEST(test_kconfig_values)
{
	struct bel_object *obj;
	struct utsname u;
	unsigned int maj = 0, min = 0, pat = 0;
	char hz[64], jit[64], localver[64];
	uint64_t v[8];
	uint32_t k;

	if (!kernel_ready())
		return;
	obj = open_fixture("externs", false);
	config_value("CONFIG_BPF_SYSCALL", jit, sizeof(jit));
	if (!jit[0]) {
		/* no config to read: a strong CONFIG_ extern must be refused, by name */
		ck_assert_int_lt(bel_program_load(bel_object_find_program(obj, "read_kconfig")), 0);
		ck_assert_ptr_nonnull(strstr(bel_object_last_error(obj), "CONFIG_"));
		printf("kconfig: this kernel has no config to read; strong externs refused\n");
		bel_object_close(obj);
		return;
	}
	ck_assert_msg(bel_program_load(bel_object_find_program(obj, "read_kconfig")) == 0, "%s",
		      bel_object_last_error(obj));
	ck_assert_int_eq(test_run(bel_program_fd(bel_object_find_program(obj, "read_kconfig"))), 0);
	for (k = 0; k < 7; k++)
		ck_assert_int_eq(bel_sys_map_lookup_elem(map_fd(obj, "seen"), &k, &v[k], 0), 0);
	ck_assert_int_eq(uname(&u), 0);
	sscanf(u.release, "%u.%u.%u", &maj, &min, &pat);
	ck_assert_uint_eq(v[0], (maj << 16) + (min << 8) + (pat > 255 ? 255 : pat));
	ck_assert_uint_eq(v[2], 1); /* CONFIG_BPF_SYSCALL=y, or we would not be here */
	config_value("CONFIG_BPF_JIT", jit, sizeof(jit));
	ck_assert_uint_eq(v[3], !strcmp(jit, "y") ? 1 : !strcmp(jit, "m") ? 2 : 0);
	config_value("CONFIG_HZ", hz, sizeof(hz));
	ck_assert_uint_eq(v[4], (uint64_t)strtoull(hz, NULL, 10));
	config_value("CONFIG_LOCALVERSION", localver, sizeof(localver));
	/* "\"-fc\"": the second character of the value, as the program read it */
	ck_assert_uint_eq(v[5], strlen(localver) > 2 ? (uint64_t)(uint8_t)localver[2] : 0);
	ck_assert_uint_eq(v[6], 0); /* a weak CONFIG_ this kernel does not have */
	bel_object_close(obj);
}
END_TEST

/* A kfunc call loads where the kernel has the kfunc (bpf_dynptr_from_skb, 6.4+). */
START_TEST(test_kfunc_call)
{
	struct bel_object *obj;
	char out[256];
	int ret, have;

	if (!kernel_ready())
		return;
	have = run_capture("bpftool btf dump file /sys/kernel/btf/vmlinux | "
			   "grep -c \"FUNC 'bpf_dynptr_from_skb'\"", out, sizeof(out)) == 0 && atoi(out) > 0;
	obj = open_fixture("externs", false);
	ret = bel_program_load(bel_object_find_program(obj, "call_kfunc"));
	if (have)
		ck_assert_msg(ret == 0, "%s", bel_object_last_error(obj));
	else
		ck_assert_msg(ret < 0, "a call to a kfunc this kernel lacks loaded");
	bel_object_close(obj);
}
END_TEST

/* A typed __ksym: loads where kallsyms has the symbol; elsewhere the error names it. */
START_TEST(test_ksym_typed)
{
	struct bel_object *obj;
	char out[256];
	int ret, have;

	if (!kernel_ready())
		return;
	have = run_capture("grep -c ' runqueues$' /proc/kallsyms", out, sizeof(out)) == 0 &&
	       atoi(out) > 0;
	obj = open_fixture("ksyms_typed", false);
	ret = bel_object_load(obj, NULL);
	if (have)
		ck_assert_msg(ret == 0, "%s", bel_object_last_error(obj));
	else
		ck_assert_msg(ret < 0 && strstr(bel_object_last_error(obj), "runqueues"), "%s",
			      bel_object_last_error(obj));
	bel_object_close(obj);
}
END_TEST

Suite *externs_suite(void)
{
	return kernel_suite("externs", 120, false, (const TTest *[]){
		test_kconfig_values, test_kfunc_call, test_ksym_typed, NULL});
}
