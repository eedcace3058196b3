/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* The D-Bus side of the systemd cgroup driver: sd-bus (libsystemd) loaded
 * with dlopen on first use, so that the cgroupfs hot path of every create
 * does not pay for one more shared library; the calls to systemd's Manager
 * (StartTransientUnit, SetUnitProperties, StopUnit, ResetFailedUnit) and the
 * wait for their jobs. Errors name the unit, the method and systemd's error
 * name, e.g. "systemd: StartTransientUnit rustlet-c1.scope:
 * org.freedesktop.systemd1.UnitExists: Unit rustlet-c1.scope already exists". */
#include "cgroup_internal.h"

#include "rustlet/utils.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <systemd/sd-bus.h>

#define SD_DEST    "org.freedesktop.systemd1"
#define SD_PATH    "/org/freedesktop/systemd1"
#define SD_MGR     "org.freedesktop.systemd1.Manager"
#define SD_PRIVATE "unix:path=/run/systemd/private"

/* ---- libsystemd, loaded on demand ---- */

static struct {
    void *h;
    int (*bus_new)(sd_bus **);
    int (*set_address)(sd_bus *, const char *);
    int (*start)(sd_bus *);
    int (*open_system)(sd_bus **);
    sd_bus *(*flush_close_unref)(sd_bus *);
    int (*new_method_call)(sd_bus *, sd_bus_message **, const char *, const char *, const char *,
                           const char *);
    int (*append)(sd_bus_message *, const char *, ...);
    int (*append_array)(sd_bus_message *, char, const void *, size_t);
    int (*open_container)(sd_bus_message *, char, const char *);
    int (*close_container)(sd_bus_message *);
    int (*call)(sd_bus *, sd_bus_message *, uint64_t, sd_bus_error *, sd_bus_message **);
    int (*read)(sd_bus_message *, const char *, ...);
    sd_bus_message *(*message_unref)(sd_bus_message *);
    void (*error_free)(sd_bus_error *);
    int (*match_signal)(sd_bus *, sd_bus_slot **, const char *, const char *, const char *,
                        const char *, sd_bus_message_handler_t, void *);
    sd_bus_slot *(*slot_unref)(sd_bus_slot *);
    int (*process)(sd_bus *, sd_bus_message **);
    int (*wait)(sd_bus *, uint64_t);
} L;

static int load_libsystemd(struct rl_error **err)
{
    if (L.h)
        return 0;
    void *h = dlopen("libsystemd.so.0", RTLD_NOW | RTLD_LOCAL);
    if (h == NULL)
        return rl_error(err, "systemd cgroup driver: %s", dlerror());
#define SYM(field, name)                                                                           \
    do {                                                                                           \
        *(void **)&L.field = dlsym(h, name);                                                       \
        if (L.field == NULL) {                                                                     \
            dlclose(h);                                                                            \
            return rl_error(err, "systemd cgroup driver: libsystemd.so.0 has no %s", name);        \
        }                                                                                          \
    } while (0)
    SYM(bus_new, "sd_bus_new");
    SYM(set_address, "sd_bus_set_address");
    SYM(start, "sd_bus_start");
    SYM(open_system, "sd_bus_open_system");
    SYM(flush_close_unref, "sd_bus_flush_close_unref");
    SYM(new_method_call, "sd_bus_message_new_method_call");
    SYM(append, "sd_bus_message_append");
    SYM(append_array, "sd_bus_message_append_array");
    SYM(open_container, "sd_bus_message_open_container");
    SYM(close_container, "sd_bus_message_close_container");
    SYM(call, "sd_bus_call");
    SYM(read, "sd_bus_message_read");
    SYM(message_unref, "sd_bus_message_unref");
    SYM(error_free, "sd_bus_error_free");
    SYM(match_signal, "sd_bus_match_signal");
    SYM(slot_unref, "sd_bus_slot_unref");
    SYM(process, "sd_bus_process");
    SYM(wait, "sd_bus_wait");
#undef SYM
    L.h = h;
    return 0;
}

/* ---- connection ---- */

/* As root, systemd's private socket (no dbus-daemon needed, runc's choice);
 * the system bus otherwise. */
int cg_sd_connect(struct cg_sd *sd, struct rl_error **err)
{
    if (sd->bus)
        return 0;
    if (load_libsystemd(err) < 0)
        return -1;
    sd_bus *bus = NULL;
    int r = L.bus_new(&bus);
    if (r >= 0)
        r = L.set_address(bus, SD_PRIVATE);
    if (r >= 0)
        r = L.start(bus);
    if (r < 0) {
        if (bus)
            L.flush_close_unref(bus);
        bus = NULL;
        int r2 = L.open_system(&bus);
        if (r2 < 0) {
            errno = -r;
            return rl_error_errno(err, "systemd: connect to /run/systemd/private (or the "
                                       "system bus)");
        }
    }
    sd->bus = bus;
    /* without a subscriber systemd sends no JobRemoved signals */
    sd_bus_error e = SD_BUS_ERROR_NULL;
    sd_bus_message *m = NULL, *reply = NULL;
    r = L.new_method_call(bus, &m, SD_DEST, SD_PATH, SD_MGR, "Subscribe");
    if (r >= 0)
        r = L.call(bus, m, 0, &e, &reply);
    L.message_unref(m);
    L.message_unref(reply);
    if (r < 0 && !(e.name && strcmp(e.name, "org.freedesktop.systemd1.AlreadySubscribed") == 0)) {
        int ret = e.name ? rl_error(err, "systemd: Subscribe: %s: %s", e.name, e.message)
                         : (errno = -r, rl_error_errno(err, "systemd: Subscribe"));
        L.error_free(&e);
        return ret;
    }
    L.error_free(&e);
    return 0;
}

void cg_sd_disconnect(struct cg_sd *sd)
{
    if (sd->bus && L.h)
        L.flush_close_unref(sd->bus);
    sd->bus = NULL;
}

/* ---- properties ---- */

static int append_props(sd_bus_message *m, const struct cg_sd_prop *p, size_t n)
{
    int r = 0;
    for (size_t i = 0; i < n && r >= 0; i++) {
        switch (p[i].type) {
        case 't':
            r = L.append(m, "(sv)", p[i].name, "t", p[i].u);
            break;
        case 'b':
            r = L.append(m, "(sv)", p[i].name, "b", (int)(p[i].u != 0));
            break;
        case 's':
            r = L.append(m, "(sv)", p[i].name, "s", p[i].s);
            break;
        case 'u': /* one pid as "au" */
            r = L.append(m, "(sv)", p[i].name, "au", 1, (uint32_t)p[i].u);
            break;
        case 'y': /* a byte array, "ay" (AllowedCPUs) */
            r = L.open_container(m, 'r', "sv");
            if (r >= 0)
                r = L.append(m, "s", p[i].name);
            if (r >= 0)
                r = L.open_container(m, 'v', "ay");
            if (r >= 0)
                r = L.append_array(m, 'y', p[i].bytes, p[i].n);
            if (r >= 0)
                r = L.close_container(m);
            if (r >= 0)
                r = L.close_container(m);
            break;
        default:
            r = -EINVAL;
        }
    }
    return r;
}

/* ---- calls and jobs ---- */

struct job_wait {
    const char *path;
    char result[32];
    bool done;
};

static int on_job_removed(sd_bus_message *m, void *userdata, sd_bus_error *e)
{
    struct job_wait *w = userdata;
    uint32_t id;
    const char *path, *unit, *result;
    if (L.read(m, "uoss", &id, &path, &unit, &result) < 0)
        return 0;
    if (w->path && strcmp(path, w->path) == 0) {
        snprintf(w->result, sizeof(w->result), "%s", result);
        w->done = true;
    }
    return 0;
}

static int call_error(struct rl_error **err, const char *method, const char *unit, int r,
                      sd_bus_error *e)
{
    int ret = e->name ? rl_error(err, "systemd: %s %s: %s: %s", method, unit, e->name,
                                 e->message ? e->message : "")
                      : (errno = -r, rl_error_errno(err, "systemd: %s %s", method, unit));
    return ret;
}

/* Call a Manager method whose reply is a job path and wait for the job:
 * build the arguments with fill(). *missing is set when systemd answers
 * NoSuchUnit (for stop). */
static int call_job(struct cg_sd *sd, const char *method,
                    int (*fill)(sd_bus_message *, const void *), const void *arg, bool *missing,
                    struct rl_error **err)
{
    sd_bus *bus = sd->bus;
    struct job_wait w = {0};
    sd_bus_slot *slot = NULL;
    sd_bus_message *m = NULL, *reply = NULL;
    sd_bus_error e = SD_BUS_ERROR_NULL;
    int ret = -1;
    if (missing)
        *missing = false;
    int r = L.match_signal(bus, &slot, NULL, SD_PATH, SD_MGR, "JobRemoved", on_job_removed, &w);
    if (r >= 0)
        r = L.new_method_call(bus, &m, SD_DEST, SD_PATH, SD_MGR, method);
    if (r >= 0)
        r = fill(m, arg);
    if (r < 0) {
        errno = -r;
        rl_error_errno(err, "systemd: %s %s: build the call", method, sd->unit);
        goto out;
    }
    r = L.call(bus, m, (uint64_t)CG_SD_TIMEOUT_S * 1000000, &e, &reply);
    if (r < 0) {
        if (missing && e.name && strcmp(e.name, "org.freedesktop.systemd1.NoSuchUnit") == 0) {
            *missing = true;
            ret = 0;
        } else {
            call_error(err, method, sd->unit, r, &e);
        }
        goto out;
    }
    const char *job;
    r = L.read(reply, "o", &job);
    if (r < 0) {
        errno = -r;
        rl_error_errno(err, "systemd: %s %s: read the job", method, sd->unit);
        goto out;
    }
    w.path = job;
    uint64_t end = rl_now_ns() + (uint64_t)CG_SD_TIMEOUT_S * 1000000000;
    while (!w.done) {
        r = L.process(bus, NULL);
        if (r < 0) {
            errno = -r;
            rl_error_errno(err, "systemd: %s %s: wait for job %s", method, sd->unit, job);
            goto out;
        }
        if (r > 0)
            continue;
        uint64_t now = rl_now_ns();
        if (now >= end) {
            rl_error(err, "systemd: %s %s: job %s did not finish within %d s", method, sd->unit,
                     job, CG_SD_TIMEOUT_S);
            goto out;
        }
        L.wait(bus, (end - now) / 1000);
    }
    if (strcmp(w.result, "done") != 0) {
        rl_error(err, "systemd: %s %s: job %s", method, sd->unit, w.result);
        goto out;
    }
    ret = 0;
out:
    L.error_free(&e);
    L.message_unref(m);
    L.message_unref(reply);
    L.slot_unref(slot);
    return ret;
}

struct start_arg {
    const struct cg_sd *sd;
    pid_t pid;
};

static int fill_start(sd_bus_message *m, const void *arg)
{
    const struct start_arg *a = arg;
    const struct cg_sd *sd = a->sd;
    _cleanup_free_ char *desc = xasprintf("rustlet container %s", sd->name);
    struct cg_sd_prop fixed[] = {
        {.name = "Description", .type = 's', .s = desc},
        {.name = "Slice", .type = 's', .s = sd->slice},
        {.name = "Delegate", .type = 'b', .u = 1},
        {.name = "DefaultDependencies", .type = 'b', .u = 0},
        {.name = "MemoryAccounting", .type = 'b', .u = 1},
        {.name = "CPUAccounting", .type = 'b', .u = 1},
        {.name = "IOAccounting", .type = 'b', .u = 1},
        {.name = "TasksAccounting", .type = 'b', .u = 1},
        {.name = "PIDs", .type = 'u', .u = (uint64_t)a->pid},
    };
    int r = L.append(m, "ss", sd->unit, "replace");
    if (r >= 0)
        r = L.open_container(m, 'a', "(sv)");
    if (r >= 0)
        r = append_props(m, fixed, ARRAY_SIZE(fixed));
    if (r >= 0)
        r = append_props(m, sd->props, sd->n_props);
    if (r >= 0)
        r = L.close_container(m);
    if (r >= 0)
        r = L.append(m, "a(sa(sv))", 0);
    return r;
}

int cg_sd_start(struct cg_sd *sd, pid_t pid, struct rl_error **err)
{
    if (cg_sd_connect(sd, err) < 0)
        return -1;
    struct start_arg a = {sd, pid};
    rl_debug("systemd: StartTransientUnit %s in %s (pid %d, %zu resource properties)", sd->unit,
             sd->slice, (int)pid, sd->n_props);
    return call_job(sd, "StartTransientUnit", fill_start, &a, NULL, err);
}

static int fill_stop(sd_bus_message *m, const void *arg)
{
    return L.append(m, "ss", (const char *)arg, "replace");
}

int cg_sd_stop(struct cg_sd *sd, struct rl_error **err)
{
    if (cg_sd_connect(sd, err) < 0)
        return -1;
    bool missing;
    rl_debug("systemd: StopUnit %s", sd->unit);
    if (call_job(sd, "StopUnit", fill_stop, sd->unit, &missing, err) < 0)
        return -1;
    /* a scope whose processes were killed may stay "failed": forget it */
    sd_bus_message *m = NULL, *reply = NULL;
    sd_bus_error e = SD_BUS_ERROR_NULL;
    if (L.new_method_call(sd->bus, &m, SD_DEST, SD_PATH, SD_MGR, "ResetFailedUnit") >= 0 &&
        L.append(m, "s", sd->unit) >= 0)
        L.call(sd->bus, m, (uint64_t)CG_SD_TIMEOUT_S * 1000000, &e, &reply);
    L.error_free(&e);
    L.message_unref(m);
    L.message_unref(reply);
    return 0;
}

int cg_sd_set_props(struct cg_sd *sd, const struct cg_sd_prop *p, size_t n, struct rl_error **err)
{
    if (n == 0)
        return 0;
    if (cg_sd_connect(sd, err) < 0)
        return -1;
    sd_bus_message *m = NULL, *reply = NULL;
    sd_bus_error e = SD_BUS_ERROR_NULL;
    rl_debug("systemd: SetUnitProperties %s (%zu properties)", sd->unit, n);
    int r = L.new_method_call(sd->bus, &m, SD_DEST, SD_PATH, SD_MGR, "SetUnitProperties");
    if (r >= 0)
        r = L.append(m, "sb", sd->unit, 1);
    if (r >= 0)
        r = L.open_container(m, 'a', "(sv)");
    if (r >= 0)
        r = append_props(m, p, n);
    if (r >= 0)
        r = L.close_container(m);
    int ret = 0;
    if (r < 0) {
        errno = -r;
        ret = rl_error_errno(err, "systemd: SetUnitProperties %s: build the call", sd->unit);
    } else if ((r = L.call(sd->bus, m, (uint64_t)CG_SD_TIMEOUT_S * 1000000, &e, &reply)) < 0) {
        ret = call_error(err, "SetUnitProperties", sd->unit, r, &e);
    }
    L.error_free(&e);
    L.message_unref(m);
    L.message_unref(reply);
    return ret;
}
