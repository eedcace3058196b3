/* The one /proc/PID/mountinfo parser (proc(5)): every place that reads
 * mountinfo (cgroup discovery, the container's cgroup mounts, resctrl,
 * mount propagation, error messages) splits its lines here, so they cannot
 * disagree on escapes, optional fields or long paths. Pure. */
#include "rustlet/utils.h"

#include <stdlib.h>
#include <string.h>

/* Undo the kernel's octal escapes (\040 space, \011 tab, \012 newline,
 * \134 backslash) in place. */
static void unescape(char *s)
{
    char *o = s;
    for (; *s; s++) {
        if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
            s[3] >= '0' && s[3] <= '7') {
            *o++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
            s += 3;
        } else {
            *o++ = *s;
        }
    }
    *o = '\0';
}

/* The next blank-separated field of *p, NUL-terminated in place; NULL at
 * the end of the line. */
static char *field(char **p)
{
    char *s = *p;
    while (*s == ' ')
        s++;
    if (*s == '\0' || *s == '\n')
        return NULL;
    char *e = s + strcspn(s, " \n");
    if (*e)
        *e++ = '\0';
    *p = e;
    return s;
}

static int number(const char *s, unsigned long long *out)
{
    char *end = NULL;
    if (s == NULL || *s < '0' || *s > '9')
        return -1;
    *out = strtoull(s, &end, 10);
    return *end == '\0' ? 0 : -1;
}

int rl_mountinfo_parse(char *line, struct rl_mountinfo *m)
{
    char *p = line;
    char *id = field(&p), *parent = field(&p), *dev = field(&p);
    m->root = field(&p);
    m->mountpoint = field(&p);
    m->opts = field(&p);
    if (number(id, &m->id) < 0 || number(parent, &m->parent) < 0 || dev == NULL || m->opts == NULL)
        return -1;
    /* optional fields up to a lone "-" */
    while (*p == ' ')
        p++;
    m->optional = p;
    char *sep = NULL;
    for (char *q = p; *q && *q != '\n'; q++) {
        if (q[0] == '-' && (q == p || q[-1] == ' ') && (q[1] == ' ' || q[1] == '\0')) {
            sep = q;
            break;
        }
    }
    if (sep == NULL)
        return -1;
    char *end = sep;
    while (end > p && end[-1] == ' ')
        end--;
    p = sep + 1;
    *end = '\0'; /* ends optional (and may overwrite the '-' itself) */
    m->fstype = field(&p);
    m->source = field(&p);
    m->super = field(&p);
    if (m->fstype == NULL || m->source == NULL || m->super == NULL)
        return -1;
    unescape(m->root);
    unescape(m->mountpoint);
    unescape(m->source);
    return 0;
}

int rl_mountinfo_each(char *text, int (*fn)(const struct rl_mountinfo *m, void *arg), void *arg)
{
    for (char *line = text; line && *line;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        struct rl_mountinfo m;
        if (rl_mountinfo_parse(line, &m) == 0) {
            int r = fn(&m, arg);
            if (r)
                return r;
        }
        line = nl ? nl + 1 : NULL;
    }
    return 0;
}

bool rl_mountinfo_has_tag(const char *optional, const char *tag)
{
    size_t n = strlen(tag);
    for (const char *s = optional; s && *s;) {
        size_t len = strcspn(s, " ");
        if (len > n && strncmp(s, tag, n) == 0 && s[n] == ':')
            return true;
        s += len;
        while (*s == ' ')
            s++;
    }
    return false;
}
