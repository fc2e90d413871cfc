/* SPDX-License-Identifier: MIT */
/* bel unpin DIR/OBJECT: remove a tree made by bel load --pin, all of it or nothing. */
#include "cli.h"

static int run_unpin(void *args, char **operands, unsigned int n)
{
	char err[1024];

	(void)args, (void)n;
	if (bel_unpin(operands[0], err, sizeof(err))) {
		cli_error("unpin: %s", err);
		return CLI_FAILED;
	}
	cli_out_str(cli_out(), "unpinned", NULL, operands[0]);
	return CLI_OK;
}

const struct cli_cmd cli_cmd_unpin = {
	.name = "unpin",
	.operands = "DIR/OBJECT",
	.min_operands = 1,
	.max_operands = 1,
	.operand_complete = {CLI_C_DIR},
	.run = run_unpin,
	.summary = "remove a tree made by load --pin (pinned links go: programs detach)",
	.description = "Moves the tree DIR/OBJECT made by bel load --pin out of sight, then removes "
		       "it; pinned links go with it, so the programs detach. Only a tree as bel makes "
		       "it is removed (on bpffs; maps/, programs/ and links/ holding only pins of that "
		       "kind), all of it or nothing.",
};
