/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* Translating a mount's "options" list into mount(2) flags, propagation
 * flags and the filesystem data string. Pure, unit-tested. */
#ifndef RUSTLET_MOUNT_OPTS_H
#define RUSTLET_MOUNT_OPTS_H

#include <stdbool.h>
#include <stddef.h>

#include "rustlet/error.h"

struct rl_mount_opts {
    unsigned long flags;       /* MS_* set (MS_BIND, MS_RDONLY, ...) */
    unsigned long clear;       /* MS_* explicitly cleared (rw, suid, dev, ...) */
    unsigned long propagation; /* MS_SHARED|MS_SLAVE|MS_PRIVATE|MS_UNBINDABLE [|MS_REC] */
    bool recursive_bind;       /* rbind */
    bool tmpcopyup;            /* tmpfs starts with a copy of what was below */
    /* the recursive forms ("rro", "rnosuid", "rnoatime", ...): MS_* flags to
     * set / clear on the mount and every mount below it (mount_setattr) */
    unsigned long rec_set, rec_clear;
    char *data; /* comma-joined options passed to the filesystem */
    /* "idmap" / "ridmap": an idmapped mount (mount_setattr(MOUNT_ATTR_IDMAP)),
     * ridmap on every mount of the tree; never passed to mount(2) */
    bool idmap, ridmap;
};

/* Parse options; unknown options go to data. Never fails for unknown ones. */
int rl_mount_opts_parse(char *const *options, size_t n, struct rl_mount_opts *out,
                        struct rl_error **err);
void rl_mount_opts_free(struct rl_mount_opts *o);
/* Propagation flags of rootfsPropagation ("rslave" -> MS_SLAVE|MS_REC); -1 if unknown. */
long rl_propagation_flags(const char *name);

/* The options rustlet maps to mount(2) flags or propagation (for
 * `features`), NULL-terminated, tmpcopyup, idmap and ridmap included. Not
 * listed: the recursive forms ("rro", "rnosuid", ...). Anything else goes
 * to the filesystem as data. */
const char *const *rl_mount_option_names(void);

#endif
