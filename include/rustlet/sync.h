/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* The create protocol between the runtime (parent) and the container side
 * (child), in one place. One SOCK_SEQPACKET socketpair; each message is one
 * struct sync_msg. Either side seeing EOF knows the other died: the child
 * then exits (so a kill -9 of `rustlet create` never leaves a half-made
 * container running), the parent reports "container init exited".
 *
 *   step  sender  message              receiver does
 *   ----  ------  -------------------  -----------------------------------------
 *   1     parent  SYNC_GO              child: cgroup joined, id maps written
 *                                      (parent did both right after clone);
 *                                      start setting up namespaces and rootfs
 *   1b    child   SYNC_NETDEV          (only with linux.netDevices) namespaces
 *                                      exist: parent moves the devices into the
 *                                      init's network namespace (netdev.c)
 *   1c    parent  SYNC_NETDEV_DONE     child: go on (sysctl, mounts...)
 *   1d    child   SYNC_MOUNT_SOURCES   (only with a user and a mount namespace
 *                                      and bind mounts) nothing mounted yet:
 *                                      parent opens the bind sources in the
 *                                      init's mount namespace (mount_src.c)
 *   1e    parent  SYNC_MOUNT_SOURCE    one per bind mount, in the mounts'
 *                                      order, its O_PATH fd attached; child:
 *                                      mounts from /proc/self/fd/N
 *   2     child   SYNC_HOOKS           parent: namespaces and mounts exist, not
 *                                      yet pivoted: run prestart and
 *                                      createRuntime hooks (runtime namespace)
 *   3     parent  SYNC_HOOKS_DONE      child: run createContainer hooks, pivot,
 *                                      finish the process set-up
 *   4     child   SYNC_READY           parent: write state.json + pid file
 *   3b    child   SYNC_SECCOMP         (only with SCMP_ACT_NOTIFY and without
 *                                      process.noNewPrivileges) the filter is
 *                                      loaded; carries the listener fd
 *                                      (SCM_RIGHTS). parent: connect to
 *                                      linux.seccomp.listenerPath, send the
 *                                      container process state with the fd
 *   3c    parent  SYNC_SECCOMP_DONE    child: drop capabilities, go on
 *   5     parent  SYNC_READY_ACK       child: close the socket, block on the
 *                                      exec fifo until `start`
 *   any   child   SYNC_ERROR           parent: fail create with the child's
 *                                      errno + text (already in context)
 *   any   parent  (close)              child: EOF -> _exit(1)
 *
 * Slow path (joining a user or pid namespace by path): the first child
 * ("stage 1") enters the namespaces, forks the real init and sends
 * SYNC_PID with the init's host pid before exiting; the init then speaks
 * the table above on the same socket (it waits until stage 1 has exited,
 * so SYNC_PID always comes first).
 */
#ifndef RUSTLET_SYNC_H
#define RUSTLET_SYNC_H

#include <stdint.h>
#include <sys/types.h>

#include "rustlet/error.h"

enum sync_type {
    SYNC_GO = 1,
    SYNC_HOOKS,
    SYNC_HOOKS_DONE,
    SYNC_READY,
    SYNC_READY_ACK,
    SYNC_ERROR,
    SYNC_PID,
    SYNC_USERMAP,       /* stage 1 -> parent: write my uid/gid maps */
    SYNC_USERMAP_DONE,  /* parent -> stage 1 */
    SYNC_SECCOMP,       /* init -> parent: the seccomp listener fd */
    SYNC_SECCOMP_DONE,  /* parent -> init: the agent has it */
    SYNC_NETDEV,        /* init -> parent: move linux.netDevices in now */
    SYNC_NETDEV_DONE,   /* parent -> init: they are there, up */
    SYNC_MOUNT_SOURCES, /* init -> parent: open my bind sources */
    SYNC_MOUNT_SOURCE,  /* parent -> init: one of them (fd attached) */
};

#define SYNC_TEXT_MAX 3800

struct sync_msg {
    uint32_t type;
    int32_t errnum;
    int32_t pid;
    char text[SYNC_TEXT_MAX];
};

const char *sync_type_name(enum sync_type t);

/* Plain send of a message without payload. */
int sync_send(int fd, enum sync_type type, pid_t pid);
/* Child side: send an error (errnum may be 0). */
void sync_send_error(int fd, const struct rl_error *e);
/* Wait for one message of the expected type. On SYNC_ERROR from the peer the
 * peer's error becomes *err; on EOF "<who> exited unexpectedly". pid, when
 * non-NULL, receives msg.pid. */
int sync_expect(int fd, enum sync_type type, pid_t *pid, struct rl_error **err);
/* A message that carries one file descriptor (SCM_RIGHTS). */
int sync_send_fd(int fd, enum sync_type type, int pass_fd);
int sync_expect_fd(int fd, enum sync_type type, int *got_fd, struct rl_error **err);

#endif
