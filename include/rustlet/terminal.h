/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* process.terminal: the pty is made inside the container (from its own
 * devpts), becomes the process's controlling terminal and stdio, and its
 * master goes to the --console-socket as one SCM_RIGHTS message, which is
 * the protocol runc's callers (conmon, containerd's shim, recvtty) speak. */
#ifndef RUSTLET_TERMINAL_H
#define RUSTLET_TERMINAL_H

#include <stdbool.h>

#include "rustlet/error.h"
#include "rustlet/spec.h"

/* Connect to the AF_UNIX console socket at path (runtime side, before the
 * clone). Returns the connected fd. */
int rl_console_connect(const char *path, struct rl_error **err);
/* Container side, after the pivot: open /dev/ptmx, make the slave the
 * controlling terminal and fds 0-2, bind it over /dev/console (the init
 * only: console false for exec), apply
 * consoleSize and send the master over sock. */
int rl_terminal_setup(const struct rl_process *p, int sock, bool console, struct rl_error **err);
/* Send / receive one fd with SCM_RIGHTS (name = the pty's name as payload). */
int rl_send_fd(int sock, int fd, const char *name);
int rl_recv_fd(int sock);
/* Foreground `run -t` without a console socket: relay between our own
 * terminal (raw mode when stdin is a tty, window size kept in sync) and the
 * master until the master hangs up. Never fails the run: errors end the
 * relay. */
void rl_terminal_relay(int master, int stop_fd);

#endif
