/* linux.c - namespaces, id mappings, uts, sysctl, personality, time
 * namespace offsets, memory policy, net devices, cgroups and seccomp. */
#define _GNU_SOURCE
#include "checker.h"
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>

static const char *nstypes[][2] = {{"pid", "pid"},       {"network", "net"}, {"mount", "mnt"},
                                   {"ipc", "ipc"},       {"uts", "uts"},     {"user", "user"},
                                   {"cgroup", "cgroup"}, {"time", "time"}};

static struct jval *find_ns(const char *type)
{
    struct jval *ns = jget(cfg, "linux.namespaces");
    for (size_t i = 0; ns && ns->t == J_ARR && i < ns->len; i++) {
        const char *t = jstr(ns->v[i], "type");
        if (t && !strcmp(t, type))
            return ns->v[i];
    }
    return NULL;
}

static void check_idmap(const char *file, const char *key)
{
    struct jval *maps = jget(cfg, key);
    char *text = read_text(file);
    int ok = 1, lines = 0;
    if (!maps || maps->t != J_ARR) {
        free(text);
        return;
    }
    for (char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
        unsigned long long c, h, s;
        int found = 0;
        if (sscanf(l, "%llu %llu %llu", &c, &h, &s) != 3)
            continue;
        lines++;
        for (size_t i = 0; i < maps->len; i++)
            found |= jraw_u64(jget(maps->v[i], "containerID")) == c &&
                     jraw_u64(jget(maps->v[i], "hostID")) == h &&
                     jraw_u64(jget(maps->v[i], "size")) == s;
        ok &= found;
    }
    check(text && ok && lines == (int)maps->len, "config-linux.md#11", "%s matches %s (%d lines)",
          file, key, lines);
    check(text && ok && lines == (int)maps->len, "config-linux.md#10",
          "%s: containerID of each mapping applied", file);
    check(text && ok && lines == (int)maps->len, "config-linux.md#12",
          "%s: size of each mapping applied", file);
    free(text);
}

void check_namespaces(void)
{
    char path[64];
    for (size_t i = 0; i < sizeof nstypes / sizeof *nstypes; i++) {
        struct jval *ns = find_ns(nstypes[i][0]), *want;
        struct stat st;
        long long hostino = 0, pathino = 0;
        snprintf(path, sizeof path, "/proc/self/ns/%s", nstypes[i][1]);
        if (!strcmp(nstypes[i][1], "pid"))
            snprintf(path, sizeof path, "/proc/self/ns/pid");
        if (stat(path, &st) < 0) {
            if (ns)
                check(0, "config-linux.md#7", "%s namespace: cannot stat %s: %s", nstypes[i][0],
                      path, strerror(errno));
            else
                skip("config-linux.md#8", "kernel has no ns file (host limit)",
                     "%s namespace inherited", nstypes[i][0]);
            continue;
        }
        snprintf(path, sizeof path, "ns.%s", nstypes[i][1]);
        if (!jnum(host, path, &hostino))
            continue;
        if (!ns) {
            check((long long)st.st_ino == hostino, "config-linux.md#8",
                  "%s namespace not listed: inherited from the runtime (%llu vs %lld)",
                  nstypes[i][0], (unsigned long long)st.st_ino, hostino);
        } else if (jstr(ns, "path")) {
            snprintf(path, sizeof path, "nsPath.%s", nstypes[i][0]);
            want = jget(host, path);
            if (want && jnum(host, path, &pathino))
                check((long long)st.st_ino == pathino, "config-linux.md#5",
                      "%s namespace joined from path %s", nstypes[i][0], jstr(ns, "path"));
        } else {
            check((long long)st.st_ino != hostino, "config-linux.md#7",
                  "%s namespace is new (%llu, runtime's %lld)", nstypes[i][0],
                  (unsigned long long)st.st_ino, hostino);
        }
    }
    if (find_ns("user")) {
        check_idmap("/proc/self/uid_map", "linux.uidMappings");
        check_idmap("/proc/self/gid_map", "linux.gidMappings");
    }
}

void check_misc_linux(void)
{
    struct utsname u;
    struct jval *v;
    const char *s;
    uname(&u);
    if ((s = jstr(cfg, "hostname")))
        check(!strcmp(u.nodename, s), "runtime.md#37", "hostname is %s (got %s)", s, u.nodename);
    if ((s = jstr(cfg, "domainname")))
        check(!strcmp(u.domainname, s), "runtime.md#37", "domainname is %s (got %s)", s,
              u.domainname);
    v = jget(cfg, "linux.sysctl");
    for (size_t i = 0; v && v->t == J_OBJ && i < v->len; i++) {
        char path[512], *got, *e;
        snprintf(path, sizeof path, "/proc/sys/%s", v->keys[i]);
        for (char *p = path + 10; *p; p++)
            if (*p == '.')
                *p = '/';
        got = read_text(path);
        if (got)
            for (e = got + strlen(got); e > got && (e[-1] == '\n' || e[-1] == ' ');)
                *--e = 0;
        check(got && v->v[i]->t == J_STR && !strcmp(got, v->v[i]->s), "runtime.md#37",
              "sysctl %s = %s (got %s)", v->keys[i], v->v[i]->t == J_STR ? v->v[i]->s : "?",
              got ? got : strerror(errno));
        free(got);
    }
    if ((s = jstr(cfg, "linux.personality.domain"))) {
        int p = personality(0xffffffff);
        int want = !strcmp(s, "LINUX32") ? PER_LINUX32 : PER_LINUX;
        check((p & PER_MASK) == want, "config-linux.md#112", "personality domain %s (got 0x%x)", s,
              p);
    }
    if ((v = jget(cfg, "linux.timeOffsets"))) {
        char *t = read_text("/proc/self/timens_offsets");
        for (size_t i = 0; t && v->t == J_OBJ && i < v->len; i++) {
            long long secs = 0, ns = 0, gs = -1, gn = -1;
            char *l = strstr(t, v->keys[i]);
            jnum(v->v[i], "secs", &secs);
            jnum(v->v[i], "nanosecs", &ns);
            if (l)
                sscanf(l + strlen(v->keys[i]), "%lld %lld", &gs, &gn);
            check(gs == secs && gn == ns, "runtime.md#37",
                  "time namespace offset %s is %lld.%09lld (got %lld.%09lld)", v->keys[i], secs, ns,
                  gs, gn);
        }
        if (!t)
            check(0, "runtime.md#37", "timeOffsets: /proc/self/timens_offsets unreadable");
        free(t);
    }
    if ((s = jstr(cfg, "linux.memoryPolicy.mode"))) {
        static const char *modes[] = {"MPOL_DEFAULT",
                                      "MPOL_PREFERRED",
                                      "MPOL_BIND",
                                      "MPOL_INTERLEAVE",
                                      "MPOL_LOCAL",
                                      "MPOL_PREFERRED_MANY",
                                      "MPOL_WEIGHTED_INTERLEAVE"};
        int mode = -1;
        unsigned long mask[16] = {0};
        long r = syscall(SYS_get_mempolicy, &mode, mask, 1024, NULL, 0);
        check(r == 0 && mode >= 0 && mode < 7 && !strcmp(modes[mode], s), "runtime.md#37",
              "memoryPolicy mode %s (got %d)", s, mode);
    }
    if ((v = jget(cfg, "linux.netDevices")) && v->t == J_OBJ) {
        int sk = socket(AF_INET, SOCK_DGRAM, 0);
        for (size_t i = 0; i < v->len; i++) {
            const char *name = jstr(v->v[i], "name") ? jstr(v->v[i], "name") : v->keys[i];
            struct ifreq ifr = {0};
            char key[128];
            snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
            int there = ioctl(sk, SIOCGIFFLAGS, &ifr) == 0;
            check(there, "config-linux.md#21", "net device %s (from %s) is in the container", name,
                  v->keys[i]);
            if (!there)
                continue;
            check(ifr.ifr_flags & IFF_UP, "config-linux.md#26", "net device %s is up", name);
            snprintf(key, sizeof key, "netAddr.%s", name);
            if (jstr(host, key)) {
                int okaddr = ioctl(sk, SIOCGIFADDR, &ifr) == 0;
                const char *got =
                    okaddr ? inet_ntoa(((struct sockaddr_in *)&ifr.ifr_addr)->sin_addr) : "none";
                check(okaddr && !strcmp(got, jstr(host, key)), "config-linux.md#25",
                      "net device %s kept its address %s (got %s)", name, jstr(host, key), got);
            }
        }
        close(sk);
    }
}

static int read_ll(const char *path, long long *out)
{
    char *t = read_text(path);
    if (!t)
        return 0;
    if (!strncmp(t, "max", 3))
        *out = -1;
    else
        *out = strtoll(t, NULL, 10);
    free(t);
    return 1;
}

void check_cgroups(void)
{
    struct jval *r = jget(cfg, "linux.resources");
    long long want, got;
    int v1 = access("/sys/fs/cgroup/memory", F_OK) == 0 || access("/sys/fs/cgroup/pids", F_OK) == 0;
    int v2 = !v1 && access("/sys/fs/cgroup/cgroup.controllers", F_OK) == 0;
    if (!r)
        return;
    /* device cgroup: host.json "deviceAccess": [{path, mode: "r"|"w", allowed: bool}] */
    struct jval *da = jget(host, "deviceAccess");
    for (size_t i = 0; da && da->t == J_ARR && i < da->len; i++) {
        const char *p = jstr(da->v[i], "path"), *m = jstr(da->v[i], "mode");
        int allowed = jbool(da->v[i], "allowed");
        if (!p || !m)
            continue;
        int fd = open(p, m[0] == 'w' ? O_WRONLY : O_RDONLY);
        int e = errno;
        if (fd >= 0)
            close(fd);
        int denied = fd < 0 && e == EPERM;
        check(allowed ? !denied : denied, "config-linux.md#42",
              "device cgroup: open(%s, %s) %s (%s)", p, m, allowed ? "allowed" : "denied",
              fd >= 0 ? "opened" : strerror(e));
    }
    if (!v1 && !v2) {
        skip("runtime.md#37", "no cgroup filesystem mounted in the container by this config",
             "cgroup limits");
        return;
    }
    if (jnum(r, "memory.limit", &want)) {
        int ok = read_ll(
            v1 ? "/sys/fs/cgroup/memory/memory.limit_in_bytes" : "/sys/fs/cgroup/memory.max", &got);
        check(ok && got == want, "runtime.md#37", "memory limit %lld (got %lld)", want,
              ok ? got : -2);
    }
    if (jnum(r, "pids.limit", &want)) {
        int ok = read_ll(v1 ? "/sys/fs/cgroup/pids/pids.max" : "/sys/fs/cgroup/pids.max", &got);
        if (want <= 0 && want != 0)
            want = -1;
        check(ok && got == want, want == 0 ? "config-linux.md#59" : "runtime.md#37",
              "pids limit %lld (got %lld)", want, ok ? got : -2);
    }
    if (v1 && jnum(r, "cpu.shares", &want)) {
        int ok = read_ll("/sys/fs/cgroup/cpu/cpu.shares", &got);
        check(ok && got == want, "runtime.md#37", "cpu shares %lld (got %lld)", want,
              ok ? got : -2);
    }
    if (jnum(r, "cpu.quota", &want)) {
        long long period = 100000, gp = -2;
        jnum(r, "cpu.period", &period);
        if (v1) {
            int ok = read_ll("/sys/fs/cgroup/cpu/cpu.cfs_quota_us", &got) &&
                     read_ll("/sys/fs/cgroup/cpu/cpu.cfs_period_us", &gp);
            check(ok && got == want && gp == period, "config-linux.md#47",
                  "cpu quota/period %lld/%lld (got %lld/%lld)", want, period, got, gp);
        } else {
            char *t = read_text("/sys/fs/cgroup/cpu.max");
            got = -2;
            if (t)
                sscanf(t, "%lld %lld", &got, &gp);
            check(t && got == want && gp == period, "runtime.md#37",
                  "cpu.max %lld %lld (got %lld %lld)", want, period, got, gp);
            free(t);
        }
    }
}

void check_seccomp(void)
{
    struct jval *sc = jget(cfg, "linux.seccomp"), *rules;
    char buf[32];
    if (!sc)
        return;
    if (status_field("Seccomp", buf, sizeof buf))
        check(atoi(buf) == 2, "config-linux.md#90", "seccomp filter mode is active (Seccomp: %s)",
              buf);
    rules = jget(sc, "syscalls");
    for (size_t i = 0; rules && rules->t == J_ARR && i < rules->len; i++) {
        struct jval *r = rules->v[i], *names = jget(r, "names"), *args = jget(r, "args");
        const char *act = jstr(r, "action");
        long long eret = EPERM;
        jnum(r, "errnoRet", &eret);
        if (!act || strcmp(act, "SCMP_ACT_ERRNO"))
            continue;
        for (size_t k = 0; names && k < names->len; k++) {
            const char *n = names->v[k]->s;
            if (!n)
                continue;
            if (!strcmp(n, "getppid") && !args) {
                errno = 0;
                long rv = syscall(SYS_getppid);
                check(rv == -1 && errno == eret, "config-linux.md#98",
                      "seccomp: getppid fails with errno %lld (got %ld, errno %d)", eret, rv,
                      errno);
            }
            if (!strcmp(n, "personality") && args && args->len == 1) {
                unsigned long long val = jraw_u64(jget(args->v[0], "value"));
                const char *op = jstr(args->v[0], "op");
                if (!op || strcmp(op, "SCMP_CMP_EQ"))
                    continue;
                errno = 0;
                long rv = syscall(SYS_personality, (unsigned long)val);
                check(rv == -1 && errno == eret, "config-linux.md#104",
                      "seccomp: personality(0x%llx) matching arg EQ fails with errno %lld (got "
                      "%ld, errno %d)",
                      val, eret, rv, errno);
                errno = 0;
                rv = syscall(SYS_personality, 0xffffffffUL);
                check(rv != -1, "config-linux.md#102",
                      "seccomp: personality(query) with another arg value is allowed");
            }
        }
    }
}
