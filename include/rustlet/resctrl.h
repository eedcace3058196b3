/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* linux.intelRdt through the resctrl filesystem (as runc's intelrdt
 * package): the container's tasks go into a resctrl group named
 * linux.intelRdt.closID (default: the container id) whose "schemata" file
 * gets l3CacheSchema, memBwSchema and every schemata line;
 * enableMonitoring adds a monitoring group mon_groups/<id> inside it.
 * Every function takes the resctrl root (the mount point) as a parameter so
 * the unit tests run against a plain directory. A group named by closID is
 * left in place on removal (it is likely managed outside the runtime), one
 * named after the container is removed. */
#ifndef RUSTLET_RESCTRL_H
#define RUSTLET_RESCTRL_H

#include <stdbool.h>
#include <sys/types.h>

#include "rustlet/error.h"
#include "rustlet/spec.h"

/* The mount point of the first resctrl filesystem in mountinfo text, or
 * NULL. Caller frees. */
char *rl_resctrl_root(const char *mountinfo);
/* rl_resctrl_root of /proc/self/mountinfo; NULL with *err set to
 * "linux.intelRdt: resctrl filesystem is not mounted" when there is none. */
char *rl_resctrl_find(struct rl_error **err);

struct rl_resctrl_group {
    char *path;  /* ROOT/<closID or id> */
    char *mon;   /* its mon_groups/<id>, or NULL */
    bool remove; /* made for the container: removed with it */
};
/* Make (or join) the group, write the schemata, add pid to its tasks (and
 * to the monitoring group's). */
int rl_resctrl_apply(const char *root, const char *id, const struct rl_intel_rdt *rdt, pid_t pid,
                     struct rl_resctrl_group *g, struct rl_error **err);
/* `update --l3-cache-schema / --mem-bw-schema`: write those lines (NULL:
 * unchanged) into the group's schemata. */
int rl_resctrl_update(const char *group, const char *l3, const char *mb, struct rl_error **err);
/* rmdir the monitoring group, and the group when g->remove. */
int rl_resctrl_remove(const struct rl_resctrl_group *g, struct rl_error **err);
void rl_resctrl_group_free(struct rl_resctrl_group *g);
/* The group as one text ("path\nmon\nremove\n") for the state directory,
 * and back. */
char *rl_resctrl_group_format(const struct rl_resctrl_group *g);
int rl_resctrl_group_parse(const char *text, struct rl_resctrl_group *g);

#endif
