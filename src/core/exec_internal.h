/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* Between exec.c and exec_process.c. */
#ifndef RUSTLET_EXEC_INTERNAL_H
#define RUSTLET_EXEC_INTERNAL_H

#include "rustlet/container.h"

/* The process to run, from --process FILE or from BUNDLE/config.json plus
 * the flags; checked (terminal, args, cwd, unsupported LSM labels). */
int exec_build_process(const char *bundle, const struct rl_exec_opts *o,
                       struct rl_process **out, struct rl_error **err);

#endif
