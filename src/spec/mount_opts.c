/* SPDX-License-Identifier: MIT OR Apache-2.0 */
#include "rustlet/mount_opts.h"
#include "rustlet/utils.h"

#include <stdio.h>
#include <string.h>
#include <sys/mount.h>

struct opt {
    const char *name;
    bool clear; /* the option clears the flag instead of setting it */
    unsigned long flag;
};

/* The options of config.md's mount table that map to mount(2) flags. The
 * recursive variants ("rro", "rnosuid", ...) need mount_setattr(2) and
 * are handled like their plain form plus MS_REC on bind mounts. */
/* The flags that have a recursive "r" form: those mount_setattr(2) has a
 * MOUNT_ATTR_* for (src/linux/mounts.c's apply_recursive). "rasync" and
 * the like are not options (they go to the filesystem as data). */
#define REC_FLAGS                                                                                  \
    (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NODIRATIME | MS_NOSYMFOLLOW | MS_NOATIME |  \
     MS_STRICTATIME | MS_RELATIME)
static const struct opt flag_opts[] = {
    {"async", true, MS_SYNCHRONOUS},
    {"atime", true, MS_NOATIME},
    {"bind", false, MS_BIND},
    {"defaults", false, 0},
    {"dev", true, MS_NODEV},
    {"diratime", true, MS_NODIRATIME},
    {"dirsync", false, MS_DIRSYNC},
    {"exec", true, MS_NOEXEC},
    {"iversion", false, MS_I_VERSION},
    {"lazytime", false, MS_LAZYTIME},
    {"loud", true, MS_SILENT},
    {"mand", false, MS_MANDLOCK},
    {"noatime", false, MS_NOATIME},
    {"nodev", false, MS_NODEV},
    {"nodiratime", false, MS_NODIRATIME},
    {"noexec", false, MS_NOEXEC},
    {"noiversion", true, MS_I_VERSION},
    {"nolazytime", true, MS_LAZYTIME},
    {"nomand", true, MS_MANDLOCK},
    {"norelatime", true, MS_RELATIME},
    {"nostrictatime", true, MS_STRICTATIME},
    {"nosuid", false, MS_NOSUID},
    {"nosymfollow", false, MS_NOSYMFOLLOW},
    {"rbind", false, MS_BIND | MS_REC},
    {"relatime", false, MS_RELATIME},
    {"remount", false, MS_REMOUNT},
    {"ro", false, MS_RDONLY},
    {"rw", true, MS_RDONLY},
    {"silent", false, MS_SILENT},
    {"strictatime", false, MS_STRICTATIME},
    {"suid", true, MS_NOSUID},
    {"sync", false, MS_SYNCHRONOUS},
    {"symfollow", true, MS_NOSYMFOLLOW},
};

static const struct opt prop_opts[] = {
    {"private", false, MS_PRIVATE},       {"rprivate", false, MS_PRIVATE | MS_REC},
    {"shared", false, MS_SHARED},         {"rshared", false, MS_SHARED | MS_REC},
    {"slave", false, MS_SLAVE},           {"rslave", false, MS_SLAVE | MS_REC},
    {"unbindable", false, MS_UNBINDABLE}, {"runbindable", false, MS_UNBINDABLE | MS_REC},
};

long rl_propagation_flags(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(prop_opts); i++)
        if (strcmp(prop_opts[i].name, name) == 0)
            return (long)prop_opts[i].flag;
    return -1;
}

static const struct opt *find(const struct opt *tab, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(tab[i].name, name) == 0)
            return &tab[i];
    return NULL;
}

static void append_data(char **data, const char *opt)
{
    if (*data == NULL) {
        *data = xstrdup(opt);
        return;
    }
    char *n = xasprintf("%s,%s", *data, opt);
    free(*data);
    *data = n;
}

int rl_mount_opts_parse(char *const *options, size_t n, struct rl_mount_opts *out,
                        struct rl_error **err)
{
    memset(out, 0, sizeof(*out));
    for (size_t i = 0; i < n; i++) {
        const char *o = options[i];
        if (strcmp(o, "idmap") == 0 || strcmp(o, "ridmap") == 0) {
            *(o[0] == 'r' ? &out->ridmap : &out->idmap) = true;
            continue;
        }
        if (strcmp(o, "tmpcopyup") == 0) {
            out->tmpcopyup = true;
            continue;
        }
        const struct opt *f = find(flag_opts, ARRAY_SIZE(flag_opts), o);
        /* recursive attribute forms: "rro" -> ro on every mount below too */
        if (f == NULL && o[0] == 'r' && find(prop_opts, ARRAY_SIZE(prop_opts), o) == NULL) {
            const struct opt *r = find(flag_opts, ARRAY_SIZE(flag_opts), o + 1);
            if (r && (r->flag & REC_FLAGS)) {
                if (r->clear) {
                    out->rec_clear |= r->flag;
                    out->rec_set &= ~r->flag;
                } else {
                    out->rec_set |= r->flag;
                    out->rec_clear &= ~r->flag;
                }
                continue;
            }
        }
        if (f) {
            if (strcmp(f->name, "rbind") == 0)
                out->recursive_bind = true;
            if (f->clear) {
                out->flags &= ~f->flag;
                out->clear |= f->flag;
            } else {
                out->flags |= f->flag;
                out->clear &= ~f->flag;
            }
            continue;
        }
        const struct opt *p = find(prop_opts, ARRAY_SIZE(prop_opts), o);
        if (p) {
            out->propagation = p->flag;
            continue;
        }
        append_data(&out->data, o);
    }
    return 0;
}

void rl_mount_opts_free(struct rl_mount_opts *o)
{
    free(o->data);
    o->data = NULL;
}

const char *const *rl_mount_option_names(void)
{
    static const char *const idmap[] = {"idmap", "ridmap"};
    static const char
        *names[2 * ARRAY_SIZE(flag_opts) + ARRAY_SIZE(prop_opts) + ARRAY_SIZE(idmap) + 2];
    static char rec[ARRAY_SIZE(flag_opts)][24];
    size_t k = 0;
    names[k++] = "tmpcopyup";
    for (size_t i = 0; i < ARRAY_SIZE(flag_opts); i++)
        names[k++] = flag_opts[i].name;
    /* the recursive forms, from the same test as rl_mount_opts_parse() */
    for (size_t i = 0; i < ARRAY_SIZE(flag_opts); i++) {
        if (!(flag_opts[i].flag & REC_FLAGS))
            continue;
        snprintf(rec[i], sizeof(rec[i]), "r%s", flag_opts[i].name);
        names[k++] = rec[i];
    }
    for (size_t i = 0; i < ARRAY_SIZE(prop_opts); i++)
        names[k++] = prop_opts[i].name;
    for (size_t i = 0; i < ARRAY_SIZE(idmap); i++)
        names[k++] = idmap[i];
    names[k] = NULL;
    return names;
}
