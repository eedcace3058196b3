/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* The runtime's log: text or runc-compatible JSON lines
 * {"level":"error","msg":"...","time":"2006-01-02T15:04:05Z"} written to the
 * --log file (default: stderr). Engines (containerd's shim, conmon, Docker)
 * show the msg of the last error line, so every fatal error goes here too.
 * Safe to call from the container side of create before exec: the log fd is
 * O_CLOEXEC and closed with every other fd above 2. */
#ifndef RUSTLET_LOG_H
#define RUSTLET_LOG_H

#include <stdbool.h>

#include "rustlet/error.h"

enum rl_log_level { RL_LOG_ERROR, RL_LOG_WARN, RL_LOG_INFO, RL_LOG_DEBUG };

/* path NULL: log to stderr. json selects the format. */
int rl_log_open(const char *path, bool json, bool debug, struct rl_error **err);
void rl_log(enum rl_log_level level, const char *fmt, ...) RL_PRINTF(2, 3);
/* A warning the user must see (a config field ignored): to the log, and to
 * stderr as well when the log is a file. */
void rl_warn(const char *fmt, ...) RL_PRINTF(1, 2);
bool rl_log_debug_enabled(void);
/* The fd the log writes to (-1 if stderr): kept open across the fd sweep of
 * the container side until exec. */
int rl_log_fd(void);
/* True when the log goes to a file rather than stderr. */
bool rl_log_to_file(void);

#define rl_debug(...)                                                                              \
    do {                                                                                           \
        if (rl_log_debug_enabled())                                                                \
            rl_log(RL_LOG_DEBUG, __VA_ARGS__);                                                     \
    } while (0)

#endif
