/* SPDX-License-Identifier: MIT */
/*
 * The calls a skeleton header gives (bel gen skeleton): each is a static inline function of
 * the header, over its struct (gen_skeleton.c writes the struct and the section types).
 */
#include "cli.h"
#include "gen_skeleton.h"
#include "text.h"

/* <name>__map_sections: section pointers at the initial values before load, the live maps
 * after. */
static void put_map_sections(struct skel *sk)
{
	struct bel_strbuf *out = &sk->out;
	const char *n = sk->name;
	unsigned int s;

	bel_strbuf_printf(out,
		"/* Point each section at its live map once it exists (mapped and held). */\n"
		"static inline int %s__map_sections(struct %s *skel)\n{\n"
		"\tvoid *p;\n\n\t(void)p;\n\t(void)skel;\n", n, n);
	for (s = 0; s < sk->nsecs; s++) {
		const char *map = sk->maps[sk->secs[s].map_index], *field = sk->secs[s].field;

		bel_strbuf_printf(out,
			"\tif (!skel->mapped[%u] && bel_map_fd(skel->maps.%s) >= 0) {\n"
			"\t\tp = bel_map_mmap(skel->maps.%s, NULL);\n"
			"\t\tif (!p)\n\t\t\treturn -EINVAL;\n"
			"\t\tskel->%s = (struct %s__%s *)p;\n"
			"\t\tskel->mapped[%u] = 1;\n\t}\n", s, map, map, field, n, field, s);
	}
	bel_strbuf_puts(out, "\treturn 0;\n}\n\n");
}

/* <name>__destroy and <name>__open. */
static void put_open(struct skel *sk)
{
	unsigned int i, s, nprogs = bel_object_program_count(sk->obj);
	struct bel_strbuf *out = &sk->out;
	const char *n = sk->name;

	bel_strbuf_printf(out,
		"static inline void %s__destroy(struct %s *skel)\n{\n"
		"\tif (!skel)\n\t\treturn;\n\tbel_object_close(skel->obj);\n\tfree(skel);\n}\n\n", n, n);

	bel_strbuf_printf(out,
		"/* Open the embedded object (opts may be NULL; its name defaults to the object's own,\n"
		" * so maps get the kernel names the object would have). NULL on failure, with\n"
		" * errno set and bel_thread_error() saying why. */\n"
		"static inline struct %s *%s__open(const struct bel_open_opts *opts)\n{\n"
		"\tstruct bel_open_opts o;\n\tstruct %s *skel;\n\tconst void *bytes;\n\tsize_t size;\n"
		"\tint ret;\n\n"
		"\tmemset(&o, 0, sizeof(o));\n"
		"\tif (opts)\n\t\tmemcpy(&o, opts, opts->sz < sizeof(o) ? opts->sz : sizeof(o));\n"
		"\to.sz = sizeof(o);\n\tif (!o.name)\n\t\to.name = \"", n, n, n);
	cli_c_string(out, sk->obj_name);
	bel_strbuf_printf(out, "\";\n"
		"\tskel = (struct %s *)calloc(1, sizeof(*skel));\n"
		"\tif (!skel) {\n\t\terrno = ENOMEM;\n\t\treturn NULL;\n\t}\n"
		"\tbytes = %s__elf_bytes(&size);\n"
		"\tret = bel_object_open_mem(bytes, size, &o, &skel->obj);\n"
		"\tif (ret) {\n\t\tfree(skel);\n\t\terrno = -ret;\n\t\treturn NULL;\n\t}\n",
		n, n);
	for (i = 0; i < nprogs; i++)
		bel_strbuf_printf(out, "\tskel->progs.%s = bel_object_program(skel->obj, %u);\n"
				  "\tskel->links.%s = -1;\n", sk->progs[i], i, sk->progs[i]);
	for (i = 0; i < bel_object_map_count(sk->obj); i++)
		bel_strbuf_printf(out, "\tskel->maps.%s = bel_object_map(skel->obj, %u);\n", sk->maps[i], i);
	for (s = 0; s < sk->nsecs; s++)
		bel_strbuf_printf(out,
			"\tskel->%s = (struct %s__%s *)bel_map_initial_value(skel->maps.%s, NULL);\n"
			"\tif (!skel->%s) {\n\t\t%s__destroy(skel);\n\t\terrno = ENOMEM;\n\t\treturn NULL;\n\t}\n",
			sk->secs[s].field, n, sk->secs[s].field, sk->maps[sk->secs[s].map_index],
			sk->secs[s].field, n);
	bel_strbuf_puts(out, "\treturn skel;\n}\n\n");
}

/* The whole object's loads: <name>__load_threads, __load, __open_and_load. */
static void put_load(struct skel *sk)
{
	struct bel_strbuf *out = &sk->out;
	const char *n = sk->name;

	bel_strbuf_printf(out,
		"/* Load every program (autoload on) on `threads` threads, and the maps they use. */\n"
		"static inline int %s__load_threads(struct %s *skel, unsigned int threads)\n{\n"
		"\tstruct bel_load_opts o;\n\tint ret;\n\n"
		"\tmemset(&o, 0, sizeof(o));\n\to.sz = sizeof(o);\n\to.threads = threads;\n"
		"\tret = bel_object_load(skel->obj, &o);\n"
		"\treturn ret ? ret : %s__map_sections(skel);\n}\n\n"
		"static inline int %s__load(struct %s *skel)\n{\n"
		"\treturn %s__load_threads(skel, 1);\n}\n\n"
		"static inline struct %s *%s__open_and_load(const struct bel_open_opts *opts)\n{\n"
		"\tstruct %s *skel = %s__open(opts);\n\tint ret;\n\n"
		"\tif (!skel)\n\t\treturn NULL;\n\tret = %s__load(skel);\n"
		"\tif (ret) {\n\t\t%s__destroy(skel);\n\t\terrno = ret < 0 ? -ret : EINVAL;\n"
		"\t\treturn NULL;\n\t}\n\treturn skel;\n}\n\n", n, n, n, n, n, n, n, n, n, n, n, n);
}

/* Per program: <name>__load_<prog>, __unload_<prog>, __attach_<prog>. */
static void put_prog_calls(struct skel *sk)
{
	unsigned int i, nprogs = bel_object_program_count(sk->obj);
	struct bel_strbuf *out = &sk->out;
	const char *n = sk->name;

	for (i = 0; i < nprogs; i++) {
		const char *p = sk->progs[i];

		bel_strbuf_puts(out, "/* '");
		cli_c_comment(out, bel_program_name(bel_object_program(sk->obj, i)));
		bel_strbuf_printf(out,
			"' alone: it and the maps it uses. */\n"
			"static inline int %s__load_%s(struct %s *skel)\n{\n"
			"\tint ret = bel_program_load(skel->progs.%s);\n\n"
			"\treturn ret ? ret : %s__map_sections(skel);\n}\n\n"
			"static inline int %s__unload_%s(struct %s *skel)\n{\n"
			"\tskel->links.%s = -1;\n\treturn bel_program_unload(skel->progs.%s);\n}\n\n"
			"static inline int %s__attach_%s(struct %s *skel, const struct bel_attach_opts *opts)\n{\n"
			"\tint fd = bel_program_attach(skel->progs.%s, opts);\n\n"
			"\tif (fd >= 0)\n\t\tskel->links.%s = fd;\n\treturn fd < 0 ? fd : 0;\n}\n\n",
			n, p, n, p, n, n, p, n, p, p, n, p, n, p, p);
	}
}

/* <name>__attach and <name>__detach: every program's. */
static void put_attach(struct skel *sk)
{
	unsigned int i, nprogs = bel_object_program_count(sk->obj);
	struct bel_strbuf *out = &sk->out;
	const char *n = sk->name;

	bel_strbuf_printf(out,
		"/* Attach every loaded program whose section says where. */\n"
		"static inline int %s__attach(struct %s *skel)\n{\n\tint ret;\n\n\t(void)ret;\n\t(void)skel;\n",
		n, n);
	for (i = 0; i < nprogs; i++)
		bel_strbuf_printf(out,
			"\tif (skel->links.%s < 0 && bel_program_fd(skel->progs.%s) >= 0 &&\n"
			"\t    bel_program_attachable(skel->progs.%s, NULL) &&\n"
			"\t    (ret = %s__attach_%s(skel, NULL)))\n\t\treturn ret;\n",
			sk->progs[i], sk->progs[i], sk->progs[i], n, sk->progs[i]);
	bel_strbuf_puts(out, "\treturn 0;\n}\n\n");
	bel_strbuf_printf(out, "static inline void %s__detach(struct %s *skel)\n{\n", n, n);
	for (i = 0; i < nprogs; i++)
		bel_strbuf_printf(out, "\tbel_program_detach(skel->progs.%s);\n\tskel->links.%s = -1;\n",
				  sk->progs[i], sk->progs[i]);
	if (!nprogs)
		bel_strbuf_puts(out, "\t(void)skel;\n");
	bel_strbuf_puts(out, "}\n\n");
}

void cli_skel_put_calls(struct skel *sk)
{
	put_map_sections(sk);
	put_open(sk);
	put_load(sk);
	put_prog_calls(sk);
	put_attach(sk);
}
