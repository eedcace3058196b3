/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* Running OCI hooks: fork+exec path with args/env, the container state JSON
 * on stdin, a timeout (SIGKILL when it passes), exit status checked. */
#ifndef RUSTLET_HOOKS_H
#define RUSTLET_HOOKS_H

#include <stdbool.h>
#include <stddef.h>

#include "rustlet/error.h"
#include "rustlet/spec.h"

/* Run hooks[0..n) in order; stops at the first failure, whose error names
 * "hooks.<phase>[i] (<path>)". */
int rl_hooks_run(const struct rl_hook *hooks, size_t n, const char *phase, const char *state_json,
                 struct rl_error **err);

/* Run every hook even when some fail (poststop: "the remaining hooks and
 * lifecycle continue"); each failure is logged as a warning. */
void rl_hooks_run_all(const struct rl_hook *hooks, size_t n, const char *phase,
                      const char *state_json);
/* True when err came from a hook (its message starts with "hooks."). */
bool rl_hooks_error(const struct rl_error *err);

#endif
