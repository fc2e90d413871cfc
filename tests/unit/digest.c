/* SPDX-License-Identifier: MIT */
/*
 * The digests behind program tags (common/sha1.c, common/sha256.c): the FIPS 180 test vectors,
 * whole and fed in uneven pieces, since a wrong digest only shows on a kernel as programs that
 * are never reused.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/sha1.h"
#include "common/sha256.h"
#include "unit.h"

static const struct {
	const char *msg;
	size_t repeat; /* the message this many times */
	const char *sha1, *sha256;
} vectors[] = {
	{"", 1, "da39a3ee5e6b4b0d3255bfef95601890afd80709",
	 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
	{"abc", 1, "a9993e364706816aba3e25717850c26c9cd0d89d",
	 "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
	{"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 1,
	 "84983e441c3bd26ebaae4aa1f95129e5e54670f1",
	 "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
	{"a", 1000000, "34aa973cd4c4daa4f61eeb2bdbad27316534016f",
	 "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"},
};

/* The digest d (n bytes) is the hex string want. */
static void check_digest(const uint8_t *d, size_t n, const char *want)
{
	char got[2 * BEL_SHA256_SIZE + 1];
	size_t i;

	for (i = 0; i < n; i++)
		snprintf(got + 2 * i, 3, "%02x", d[i]);
	ck_assert_str_eq(got, want);
}

/* Pieces of 1, 2, 3 ... 130 bytes, over again: every offset into the 64-byte buffer. */
#define FEED_IN_PIECES(update, s, m, size)                                                     \
	do {                                                                                   \
		size_t off_, piece_ = 1;                                                       \
		for (off_ = 0; off_ < (size); off_ += piece_, piece_ = piece_ % 130 + 1)       \
			update(s, (m) + off_, off_ + piece_ > (size) ? (size) - off_ : piece_); \
	} while (0)

/* The message of vector v, whole; the caller frees it. */
static char *message(int v, size_t *size)
{
	size_t len = strlen(vectors[v].msg), i;
	char *m = malloc(len * vectors[v].repeat + 1);

	ck_assert_ptr_nonnull(m);
	for (i = 0; i < vectors[v].repeat; i++)
		memcpy(m + i * len, vectors[v].msg, len);
	*size = len * vectors[v].repeat;
	return m;
}

START_TEST(sha256_vectors)
{
	uint8_t d[BEL_SHA256_SIZE];
	struct bel_sha256 s;
	size_t size;
	int portable;
	char *m = message(_i, &size);

	bel_sha256(m, size, d);
	check_digest(d, sizeof(d), vectors[_i].sha256);
	/* with the CPU's SHA instructions where it has them, and with the C rounds */
	for (portable = 0; portable < 2; portable++) {
		bel_sha256_init(&s);
		s.portable = portable;
		FEED_IN_PIECES(bel_sha256_update, &s, m, size);
		bel_sha256_final(&s, d);
		check_digest(d, sizeof(d), vectors[_i].sha256);
	}
	free(m);
}
END_TEST

START_TEST(sha1_vectors)
{
	uint8_t d[BEL_SHA1_SIZE];
	struct bel_sha1 s;
	size_t size;
	char *m = message(_i, &size);

	bel_sha1(m, size, d);
	check_digest(d, sizeof(d), vectors[_i].sha1);
	bel_sha1_init(&s);
	FEED_IN_PIECES(bel_sha1_update, &s, m, size);
	bel_sha1_final(&s, d);
	check_digest(d, sizeof(d), vectors[_i].sha1);
	free(m);
}
END_TEST

Suite *digest_suite(void)
{
	Suite *s = suite_create("digest");
	TCase *tc = tcase_create("fips180");

	tcase_add_loop_test(tc, sha256_vectors, 0, sizeof(vectors) / sizeof(vectors[0]));
	tcase_add_loop_test(tc, sha1_vectors, 0, sizeof(vectors) / sizeof(vectors[0]));
	suite_add_tcase(s, tc);
	return s;
}
