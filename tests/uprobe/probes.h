/* SPDX-License-Identifier: MIT */
#ifndef BEL_TESTS_UPROBE_PROBES_H
#define BEL_TESTS_UPROBE_PROBES_H

struct bel_holder {
	long pad;
	long val;
};

long bel_target_add(long a, long b);
void bel_fire_usdt(long reg, const struct bel_holder *h);
void bel_fire_sema(long v);
unsigned short bel_sema_value(void);

#endif
