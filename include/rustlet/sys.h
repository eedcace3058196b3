/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* Every kernel operation that changes the container's world goes through
 * this thin table. Two uses:
 *  - with --debug each call is logged with its arguments, result and
 *    duration: the runtime explains itself ("mount(proc, /proc, proc, ...) = 0
 *    [12us]"), which is also the first thing a user needs when a container
 *    will not start;
 *  - unit tests swap the table (rl_sys_set_ops) to record call sequences
 *    without root. */
#ifndef RUSTLET_SYS_H
#define RUSTLET_SYS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* struct sched_attr of include/uapi/linux/sched/types.h (SCHED_ATTR_SIZE_VER1) */
struct rl_sys_sched_attr {
    uint32_t size;
    uint32_t sched_policy;
    uint64_t sched_flags;
    int32_t sched_nice;
    uint32_t sched_priority;
    uint64_t sched_runtime;
    uint64_t sched_deadline;
    uint64_t sched_period;
    uint32_t sched_util_min;
    uint32_t sched_util_max;
};

struct clone_args; /* linux/sched.h */

/* Entries after mount_setattr were added later than some tables (the unit
 * tests' fakes): a table that leaves one NULL gets the real call for it. */
struct rl_sys_ops {
    int (*mount)(const char *src, const char *dst, const char *type, unsigned long flags,
                 const void *data);
    int (*umount2)(const char *target, int flags);
    int (*pivot_root)(const char *new_root, const char *put_old);
    int (*setns)(int fd, int nstype);
    int (*unshare)(int flags);
    int (*sethostname)(const char *name, size_t len);
    int (*setdomainname)(const char *name, size_t len);
    int (*mknod)(const char *path, mode_t mode, dev_t dev);
    int (*chroot)(const char *path);
    /* the new mount API (glibc's signatures); a table that leaves one NULL
     * gets the real call for it */
    int (*fsopen)(const char *fstype, unsigned flags);
    int (*fsconfig)(int fd, unsigned cmd, const char *key, const void *value, int aux);
    int (*fsmount)(int fd, unsigned flags, unsigned attrs);
    int (*open_tree)(int dfd, const char *path, unsigned flags);
    int (*move_mount)(int from_dfd, const char *from, int to_dfd, const char *to, unsigned flags);
    int (*mount_setattr)(int dfd, const char *path, unsigned flags, void *attr, size_t size);
    /* process creation: fork-like, no new stack (clone's flags carry the
     * exit signal, SIGCHLD) */
    pid_t (*fork)(void);
    long (*clone)(unsigned long flags);
    int (*mknodat)(int dfd, const char *name, mode_t mode, dev_t dev);
    long (*keyctl)(int cmd, unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5);
    /* one write(2) to an open control file (cgroupfs, procfs, sysfs) */
    int (*write_ctl)(int fd, const char *value, size_t len);
    /* the calling process's scheduling and memory attributes (pid 0) */
    int (*sched_setaffinity)(pid_t pid, size_t len, const void *mask);
    int (*sched_setattr)(pid_t pid, struct rl_sys_sched_attr *attr, unsigned flags);
    int (*ioprio_set)(int which, int who, int ioprio);
    int (*set_mempolicy)(int mode, const unsigned long *nodemask, unsigned long maxnode);
    int (*personality)(unsigned long persona);
    /* clone3 without a new stack (args->stack 0): fork-like */
    long (*clone3)(struct clone_args *args, size_t size);
    /* bpf(cmd, attr, size): attr is a union bpf_attr */
    long (*bpf)(int cmd, void *attr, unsigned size);
};

/* Replace the table (tests); NULL restores the real one. */
void rl_sys_set_ops(const struct rl_sys_ops *ops);

int rl_sys_mount(const char *src, const char *dst, const char *type, unsigned long flags,
                 const void *data);
int rl_sys_umount2(const char *target, int flags);
int rl_sys_pivot_root(const char *new_root, const char *put_old);
int rl_sys_setns(int fd, int nstype, const char *what);
int rl_sys_unshare(int flags);
int rl_sys_sethostname(const char *name);
int rl_sys_setdomainname(const char *name);
int rl_sys_mknod(const char *path, mode_t mode, dev_t dev);
int rl_sys_chroot(const char *path);
/* Write a small value into a control file (cgroup, /proc): logged the same way. */
int rl_sys_write_ctl(int dirfd, const char *path, const char *value);
/* A detached mount of a fresh filesystem (fsopen/fsconfig/fsmount): opts
 * is a NULL-terminated list of key, value pairs (value NULL = a flag such as
 * "ro"); attrs are MOUNT_ATTR_*. Returns the mount fd (close-on-exec). A
 * detached mount is in no directory tree: nothing can redirect it. */
int rl_sys_fsmount(const char *fstype, const char *const *opts, unsigned attrs);
/* open_tree(fd, "", OPEN_TREE_CLONE): a detached bind mount of what fd is. */
int rl_sys_open_tree_clone(int fd, const char *what);
/* move_mount(from, "", to, ""): attach the detached mount from onto the
 * object that the O_PATH fd to refers to (no path walk). */
int rl_sys_move_mount_fd(int from, int to, const char *what);
/* mount_setattr(fd, "", AT_EMPTY_PATH | flags, attr, size): attr is a
 * struct mount_attr; what names the mount for the log. */
int rl_sys_mount_setattr_fd(int fd, unsigned flags, void *attr, size_t size, const char *what);
/* open_tree(dfd, path, flags) with the flags as given (OPEN_TREE_*,
 * AT_RECURSIVE, AT_EMPTY_PATH): the detached tree's fd. */
int rl_sys_open_tree(int dfd, const char *path, unsigned flags);
/* fork(); what names the child for the log. The log line is written by the
 * parent only (the child returns 0 at once). */
pid_t rl_sys_fork(const char *what);
/* clone(flags) without a new stack, fork-like (flags include the exit
 * signal); logged as rl_sys_fork. */
pid_t rl_sys_clone(unsigned long flags, const char *what);
/* clone3(args, size) without a new stack, fork-like: the flags (by name),
 * the exit signal and CLONE_INTO_CGROUP's fd are logged, by the parent
 * only (the child returns 0 at once, before any log line). */
pid_t rl_sys_clone3(struct clone_args *args, size_t size, const char *what);
/* mknodat(dfd, name, mode, dev). */
int rl_sys_mknodat(int dfd, const char *name, mode_t mode, dev_t dev);
/* keyctl(KEYCTL_JOIN_SESSION_KEYRING, name): a new session keyring; its
 * serial. */
long rl_sys_join_session_keyring(const char *name);
/* The value written to the already open control file fd (O_WRONLY), in one
 * write as rl_write_all does it; what names the file for the log. */
int rl_sys_write_ctl_fd(int fd, const char *value, const char *what);
/* sched_setaffinity(0, len, mask); list is the CPU list for the log. */
int rl_sys_sched_setaffinity(size_t len, const void *mask, const char *list);
/* sched_setattr(0, attr, 0); policy names attr's policy for the log. */
int rl_sys_sched_setattr(struct rl_sys_sched_attr *attr, const char *policy);
/* ioprio_set(which, who, ioprio); what describes the value for the log. */
int rl_sys_ioprio_set(int which, int who, int ioprio, const char *what);
/* set_mempolicy(mode, nodemask, maxnode); nodes is the node list for the
 * log. */
int rl_sys_set_mempolicy(int mode, const unsigned long *nodemask, unsigned long maxnode,
                         const char *nodes);
/* personality(persona); what names the domain for the log. */
int rl_sys_personality(unsigned long persona, const char *what);
/* bpf(cmd, attr, size): the command by name and what (the program, the
 * cgroup) for the log. */
long rl_sys_bpf(int cmd, void *attr, unsigned size, const char *what);
/* Human-readable CLONE_* flags (no exit signal) for logs. buf >= 256 bytes. */
const char *rl_sys_clone_flags_str(uint64_t flags, char *buf, size_t len);
/* Human-readable MS_* flags for logs. buf >= 256 bytes. */
const char *rl_sys_mount_flags_str(unsigned long flags, char *buf, size_t len);

#endif
