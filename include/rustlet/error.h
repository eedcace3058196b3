/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* Error object carried up the call stack as the last argument.
 *
 * Functions return 0 on success and -1 on failure (or NULL), filling *err.
 * rl_error_errno() captures errno text; rl_error_wrap() prefixes context on
 * the way up, so the final message reads
 *   "process.mounts[3] (tmpfs on /run): mount: Permission denied".
 * Only main() prints and exits. */
#ifndef RUSTLET_ERROR_H
#define RUSTLET_ERROR_H

#include <stdarg.h>
#include <stddef.h>

struct rl_error {
    int errnum; /* errno captured, 0 if none */
    int status; /* suggested exit status (1 unless set) */
    char *msg;  /* full message, already including errno text */
};

#define RL_PRINTF(a, b) __attribute__((format(printf, a, b)))

/* Each returns -1 so callers can write `return rl_error(err, ...)`. */
int rl_error(struct rl_error **err, const char *fmt, ...) RL_PRINTF(2, 3);
int rl_error_errno(struct rl_error **err, const char *fmt, ...) RL_PRINTF(2, 3);
/* like rl_error_errno but with an explicit errno value */
int rl_error_code(struct rl_error **err, int errnum, const char *fmt, ...) RL_PRINTF(3, 4);
/* Prefix "<context>: " to an existing error. No-op if err or *err is NULL. */
int rl_error_wrap(struct rl_error **err, const char *fmt, ...) RL_PRINTF(2, 3);
void rl_error_free(struct rl_error *e);
/* Move *src into *dst (freeing any error already in *dst). */
void rl_error_move(struct rl_error **dst, struct rl_error **src);

#endif
