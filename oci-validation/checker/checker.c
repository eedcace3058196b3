/* checker.c - runs as the container process and checks, from inside, that
 * what it sees matches the config.json it was created from.  Output is TAP;
 * every test line names the spec clause it checks ("config.md#9").
 *
 * usage: checker [CONFIG [HOSTINFO]]
 *   CONFIG   defaults to /oci-validation/config.json (a copy of the bundle's)
 *   HOSTINFO defaults to /oci-validation/host.json  (written by the driver)
 */
#include "checker.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct jval *cfg, *host;
static int ntest, nfail;

static void vline(const char *status, const char *clause, const char *suffix, const char *fmt,
                  va_list ap)
{
    char buf[1024];
    vsnprintf(buf, sizeof buf, fmt, ap);
    for (char *p = buf; *p; p++)
        if (*p == '\n' || *p == '#')
            *p = ' ';
    printf("%s %d - %s %s%s\n", status, ++ntest, clause, buf, suffix);
}

void check(int ok, const char *clause, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vline(ok ? "ok" : "not ok", clause, "", fmt, ap);
    va_end(ap);
    if (!ok)
        nfail++;
    fflush(stdout);
}

void skip(const char *clause, const char *reason, const char *fmt, ...)
{
    char sfx[512];
    va_list ap;
    snprintf(sfx, sizeof sfx, " # SKIP %s", reason);
    va_start(ap, fmt);
    vline("ok", clause, sfx, fmt, ap);
    va_end(ap);
}

void diag(const char *fmt, ...)
{
    va_list ap;
    printf("# ");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
}

char *read_text(const char *path)
{
    FILE *f = fopen(path, "r");
    size_t cap = 4096, n = 0, r;
    char *buf;
    if (!f)
        return NULL;
    buf = malloc(cap);
    while ((r = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += r;
        if (n + 1 >= cap)
            buf = realloc(buf, cap *= 2);
    }
    fclose(f);
    buf[n] = 0;
    return buf;
}

int status_field(const char *field, char *out, size_t len)
{
    char *s = read_text("/proc/self/status"), *p;
    size_t fl = strlen(field);
    if (!s)
        return 0;
    for (p = s; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
        if (!strncmp(p, field, fl) && p[fl] == ':') {
            char *v = p + fl + 1;
            size_t n;
            while (*v == ' ' || *v == '\t')
                v++;
            n = strcspn(v, "\n");
            snprintf(out, len, "%.*s", (int)n, v);
            free(s);
            return 1;
        }
    }
    free(s);
    return 0;
}

int main(int argc, char **argv)
{
    const char *cpath = argc > 1 && argv[1][0] == '/' ? argv[1] : "/oci-validation/config.json";
    const char *hpath = "/oci-validation/host.json";
    char err[256];

    setvbuf(stdout, NULL, _IOLBF, 0);
    cfg = json_parse_file(cpath, err, sizeof err);
    if (!cfg) {
        printf("1..1\nnot ok 1 - runtime.md#37 checker cannot read its config %s: %s\n", cpath,
               err);
        return 1;
    }
    host = json_parse_file(hpath, err, sizeof err);
    if (!host) {
        diag("no host info (%s): %s", hpath, err);
        host = json_parse("{}", NULL, 0);
    }
    check_process(argc, argv);
    check_caps();
    check_rlimits();
    check_namespaces();
    check_mounts();
    check_root_and_paths();
    check_devices();
    check_misc_linux();
    check_cgroups();
    check_seccomp();
    check_expectations();
    printf("1..%d\n", ntest);
    fflush(stdout);
    {
        /* keep running if asked to (lifecycle cases kill us) */
        const char *hold = getenv("OCIV_HOLD");
        if (hold && *hold) {
            long s = strtol(hold, NULL, 10);
            while (s-- > 0)
                sleep(1);
        }
    }
    return nfail ? 1 : 0;
}
