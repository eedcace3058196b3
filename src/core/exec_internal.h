/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* Between exec.c and exec_process.c. */
#ifndef RUSTLET_EXEC_INTERNAL_H
#define RUSTLET_EXEC_INTERNAL_H

#include "rustlet/container.h"

/* The process to run, from --process FILE or from the container's
 * configuration file (BUNDLE/config.json or create's --config) plus
 * the flags; checked (terminal, args, cwd, unsupported LSM labels). */
int exec_build_process(const char *config, const struct rl_exec_opts *o, struct rl_process **out,
                       struct rl_error **err);

#endif
