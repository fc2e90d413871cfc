/* SPDX-License-Identifier: MIT */
/*
 * bel gen skeleton OBJ: one header that needs only <bel/bel.h>: the object's bytes embedded, a
 * struct with a handle per program and map, a link fd per program, and a typed pointer per
 * global data section (the section's non-static variables at their offsets, each offset and
 * size checked by a static assertion generated from BTF). Before load the pointers reach the
 * object's initial values, after load the live maps (mapped; read-only for .rodata). Besides
 * the whole-object calls, every program gets its own load/unload/attach, which libbpf's
 * skeleton cannot offer. This file: the command, the names and the struct; the sections'
 * types are gen_skeleton_data.c's, the calls gen_skeleton_calls.c's, the C identifiers
 * c_names.c's.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "btf/btf.h"
#include "btf/c_dump.h"
#include "c_names.h"
#include "cli.h"
#include "gen_skeleton.h"
#include "text.h"
#include "common/strbuf.h"

#define MAX_OBJECT (256u << 20)

static int fail(const char *what)
{
	cli_error("gen skeleton: %s", what);
	return 1;
}

static bool is_user_section(const char *sec)
{
	return sec && strcmp(sec, ".kconfig") && (!strncmp(sec, ".data", 5) ||
						  !strncmp(sec, ".rodata", 7) || !strncmp(sec, ".bss", 4));
}

static int collect(struct skel *sk)
{
	unsigned int nprogs = bel_object_program_count(sk->obj), nmaps = bel_object_map_count(sk->obj);
	unsigned int i, v = 0, nvars = bel_object_var_count(sk->obj);
	struct cli_c_names progs = {0}, maps = {0}, fields = {0};
	int ret = -ENOMEM;

	sk->progs = calloc(nprogs + 1, sizeof(*sk->progs));
	sk->maps = calloc(nmaps + 1, sizeof(*sk->maps));
	sk->secs = calloc(nmaps + 1, sizeof(*sk->secs));
	if (!sk->progs || !sk->maps || !sk->secs)
		goto out;
	/* "threads": <name>__load_threads is the whole object's, <name>__load_<prog> a program's */
	for (i = 0; i < nprogs; i++)
		if (!(sk->progs[i] = cli_c_identifier(bel_program_name(bel_object_program(sk->obj, i)),
						&progs, "threads")))
			goto out;
	for (i = 0; i < nmaps; i++) {
		struct bel_map *m = bel_object_map(sk->obj, i);
		const char *sec = bel_map_data_section(m);
		struct section *out = &sk->secs[sk->nsecs];
		bool user = is_user_section(sec) && sk->btf;

		/* ".rodata" -> maps.rodata, as bpftool names them */
		if (!(sk->maps[i] = cli_c_identifier(sec ? sec + 1 : bel_map_name(m), &maps, NULL)))
			goto out;
		/* the variables come by map, in map order: one pass over them serves every map */
		for (; v < nvars; v++) {
			struct bel_var_info info = {.sz = sizeof(info)};

			if (bel_object_var(sk->obj, v, &info) || info.map != m)
				break;
			if (!user || !info.global)
				continue;
			if (!out->count)
				out->first = v;
			out->count = v + 1 - out->first;
		}
		if (!out->count)
			continue; /* only static variables: nothing user space sees */
		out->map = m;
		out->map_index = i;
		if (!(out->field = cli_c_identifier(sec + 1, &fields, NULL)))
			goto out;
		sk->nsecs++;
	}
	ret = 0;
out:
	cli_c_names_free(&progs);
	cli_c_names_free(&maps);
	cli_c_names_free(&fields);
	return ret;
}

static void put_bytes(struct bel_strbuf *out, const uint8_t *bytes, size_t size)
{
	size_t i;

	for (i = 0; i < size; i++) {
		if (i % 32 == 0)
			bel_strbuf_puts(out, i ? "\"\n\t\t\"" : "\t\t\"");
		bel_strbuf_printf(out, "\\x%02x", bytes[i]);
	}
	bel_strbuf_puts(out, size ? "\";\n" : "\t\t\"\";\n");
}

static void put_struct(struct skel *sk)
{
	unsigned int i, s, nprogs = bel_object_program_count(sk->obj);
	struct bel_strbuf *out = &sk->out;

	bel_strbuf_printf(out, "struct %s {\n\tstruct bel_object *obj;\n\tstruct {\n", sk->name);
	for (i = 0; i < nprogs; i++)
		bel_strbuf_printf(out, "\t\tstruct bel_program *%s;\n", sk->progs[i]);
	bel_strbuf_printf(out, "\t} progs;\n\tstruct {\n");
	for (i = 0; i < bel_object_map_count(sk->obj); i++)
		bel_strbuf_printf(out, "\t\tstruct bel_map *%s;\n", sk->maps[i]);
	bel_strbuf_printf(out, "\t} maps;\n\tstruct { /* link fds, -1 when not attached */\n");
	for (i = 0; i < nprogs; i++)
		bel_strbuf_printf(out, "\t\tint %s;\n", sk->progs[i]);
	if (!nprogs)
		bel_strbuf_puts(out, "\t\tint none;\n");
	bel_strbuf_puts(out, "\t} links;\n");
	for (s = 0; s < sk->nsecs; s++)
		bel_strbuf_printf(out, "\tstruct %s__%s *%s;\n", sk->name, sk->secs[s].field,
				  sk->secs[s].field);
	bel_strbuf_puts(out, "\t/* which section pointers reach the live map (held until destroy) */\n");
	bel_strbuf_printf(out, "\tunsigned char mapped[%u];\n};\n\n", sk->nsecs ? sk->nsecs : 1);
}

static int generate(struct skel *sk, const uint8_t *bytes, size_t size, const char *source,
		    struct bel_err *err)
{
	struct bel_strbuf *out = &sk->out;
	char *upper = strdup(sk->name);
	int ret;
	size_t i;

	if (!upper)
		return bel_errf(err, ENOMEM, "out of memory");
	for (i = 0; upper[i]; i++)
		if (upper[i] >= 'a' && upper[i] <= 'z')
			upper[i] = (char)(upper[i] - 'a' + 'A');
	bel_strbuf_puts(out, "/* SPDX-License-Identifier: MIT */\n/* Generated by `bel gen skeleton` from ");
	cli_c_comment(out, source);
	bel_strbuf_printf(out, ". Do not edit. */\n"
		"#ifndef %s_SKEL_H\n#define %s_SKEL_H\n\n"
		"#include <errno.h>\n#include <stddef.h>\n#include <stdint.h>\n#include <stdlib.h>\n"
		"#include <string.h>\n\n#include <bel/bel.h>\n\n"
		"#if !defined(BEL_VERSION_MAJOR) || (BEL_VERSION_MAJOR * 10000 + BEL_VERSION_MINOR * 100 + "
		"BEL_VERSION_PATCH) < %d\n"
		"#error \"%s.skel.h needs bel %d.%d.%d or newer\"\n#endif\n\n"
		"#ifdef __cplusplus\n#define %s__STATIC_ASSERT static_assert\nextern \"C\" {\n"
		"#else\n#define %s__STATIC_ASSERT _Static_assert\n#endif\n\n",
		upper, upper, BEL_VERSION_MAJOR * 10000 + BEL_VERSION_MINOR * 100 +
		BEL_VERSION_PATCH, sk->name, BEL_VERSION_MAJOR, BEL_VERSION_MINOR, BEL_VERSION_PATCH,
		sk->name, sk->name);
	ret = cli_skel_put_sections(sk, err);
	if (ret) {
		free(upper);
		return ret;
	}
	put_struct(sk);
	bel_strbuf_printf(out,
		"/* The object, as it was when the header was made (8-byte aligned). */\n"
		"static inline const void *%s__elf_bytes(size_t *size)\n{\n"
		"\tstatic const char bytes[] __attribute__((aligned(8))) =\n", sk->name);
	put_bytes(out, bytes, size);
	bel_strbuf_printf(out, "\n\t*size = sizeof(bytes) - 1;\n\treturn bytes;\n}\n\n");
	cli_skel_put_calls(sk);
	bel_strbuf_printf(out, "#ifdef __cplusplus\n}\n#endif\n#undef %s__STATIC_ASSERT\n"
			  "#endif /* %s_SKEL_H */\n", sk->name, upper);
	free(upper);
	return out->oom ? bel_errf(err, ENOMEM, "out of memory") : 0;
}

struct gen_skeleton_args {
	const char *name, *output;
};

static const struct cli_opt gen_skeleton_opts[] = {
	{.name = "name", .short_name = 'n', .arg = "NAME", CLI_STRING_AT(struct gen_skeleton_args, name),
	 .help = "the skeleton's C name and the object's (default: the file name up to its first '.')"},
	{.name = "output", .short_name = 'o', .arg = "FILE", .complete = CLI_C_FILE,
	 CLI_STRING_AT(struct gen_skeleton_args, output),
	 .help = "write the header to FILE (through a temporary file renamed over it), not stdout"},
	{0},
};

/* The object opened under its skeleton name (--name, else the file name up to its first '.'),
 * and that name as a C identifier; false after saying why. */
static bool open_named(struct skel *sk, const uint8_t *bytes, size_t size, const char *path,
		       const char *name, char **id)
{
	struct bel_open_opts opts = {.sz = sizeof(opts)};

	opts.name = name;
	if (bel_object_open_mem(bytes, size, &opts, &sk->obj)) {
		cli_error("gen skeleton: %s", bel_thread_error());
		return false;
	}
	/* without --name the object's own name, as `bel load` gives it */
	if (!name) {
		const char *base = strrchr(path, '/');

		base = base ? base + 1 : path;
		*id = strndup(base, strcspn(base, "."));
	} else {
		*id = strdup(name);
	}
	if (!*id)
		return false;
	sk->obj_name = *id;
	bel_object_close(sk->obj);
	opts.name = *id;
	if (bel_object_open_mem(bytes, size, &opts, &sk->obj)) {
		cli_error("gen skeleton: %s", bel_thread_error());
		return false;
	}
	sk->name = cli_c_identifier(*id, NULL, NULL);
	if (!sk->name || (name && strcmp(sk->name, name))) {
		cli_error("gen skeleton: --name '%s' is not a C identifier", name ? name : "");
		return false;
	}
	return true;
}

/* The header to out_path (or stdout), and what was written to the command's output. */
static int write_header(struct skel *sk, const char *out_path, const char *id)
{
	int ret = CLI_FAILED;
	size_t len;
	char *text = bel_strbuf_take(&sk->out, &len);

	if (!text) {
		cli_error("gen skeleton: out of memory");
	} else if (out_path) {
		ret = cli_write_file(out_path, text, len, "gen skeleton") ? CLI_FAILED : CLI_OK;
	} else {
		ret = fwrite(text, 1, len, stdout) == len ? CLI_OK : fail("cannot write to stdout");
	}
	free(text);
	if (ret == CLI_OK) {
		cli_out_str(cli_out(), "object", NULL, id);
		cli_out_str(cli_out(), "skeleton", NULL, sk->name);
		cli_out_str(cli_out(), "output", NULL, out_path);
		cli_out_uint(cli_out(), "bytes", NULL, len);
	}
	return ret;
}

static void skel_free(struct skel *sk)
{
	unsigned int i;

	for (i = 0; sk->progs && sk->progs[i]; i++)
		free(sk->progs[i]);
	for (i = 0; sk->maps && sk->maps[i]; i++)
		free(sk->maps[i]);
	for (i = 0; i < sk->nsecs; i++)
		free(sk->secs[i].field);
	free(sk->progs);
	free(sk->maps);
	free(sk->secs);
	free((char *)sk->name);
	bel_btf_c_names_free(sk->names);
	bel_btf_free(sk->btf);
	bel_strbuf_free(&sk->out);
	bel_object_close(sk->obj);
}

static int run_gen_skeleton(void *args, char **operands, unsigned int noperands)
{
	struct gen_skeleton_args *a = args;
	struct skel sk = {.out = BEL_STRBUF_INIT};
	struct bel_err err = {0};
	uint8_t *bytes = NULL;
	const void *raw;
	size_t size = 0;
	uint32_t btf_size;
	char *id = NULL;
	int ret = CLI_FAILED;

	(void)noperands;
	if (cli_common.json && !a->output) {
		cli_error("gen skeleton: --json needs -o FILE (the header is the output)");
		return CLI_USAGE;
	}
	bytes = cli_read_file(operands[0], MAX_OBJECT, &size, "gen skeleton");
	if (!bytes)
		return CLI_FAILED;
	if (!open_named(&sk, bytes, size, operands[0], a->name, &id))
		goto out;
	raw = bel_object_btf(sk.obj, &btf_size);
	if (raw && (bel_btf_parse(raw, btf_size, NULL, true, &sk.btf, &err) ||
		    bel_btf_c_names_new(sk.btf, &sk.names, &err))) {
		cli_error("gen skeleton: object BTF: %s", err.msg);
		goto out;
	}
	if (collect(&sk)) {
		cli_error("gen skeleton: out of memory");
		goto out;
	}
	if (generate(&sk, bytes, size, operands[0], &err)) {
		cli_error("gen skeleton: object '%s': %s", id, err.msg);
		goto out;
	}
	ret = write_header(&sk, a->output, id);
out:
	skel_free(&sk);
	free(id);
	free(bytes);
	return ret;
}

const struct cli_cmd cli_cmd_gen_skeleton = {
	.name = "gen skeleton",
	.operands = "OBJ",
	.min_operands = 1,
	.max_operands = 1,
	.operand_complete = {CLI_C_FILE},
	.opts = gen_skeleton_opts,
	.args_size = sizeof(struct gen_skeleton_args),
	.run = run_gen_skeleton,
	.summary = "a C header embedding OBJ, with typed handles and global data",
	.description = "Writes a C header that embeds OBJ and gives a struct with a handle per "
		       "program and map, a link per program and a typed pointer per global data "
		       "section, with calls to open, load, attach and destroy the whole object or "
		       "one program. It needs only <bel/bel.h>.",
};
