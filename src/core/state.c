/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* The state directory ROOT/<id>/: state.json (what the runtime must remember
 * about a container between commands), init.json (the record: just enough
 * to find and stop the container when state.json is damaged), exec.fifo
 * (present while the container is "created") and the per-container lock
 * (flock on the directory itself).
 *
 * Both files are read only from a regular file of at most STATE_MAX bytes,
 * opened O_NOFOLLOW|O_NONBLOCK in a directory opened O_NOFOLLOW, so a FIFO
 * cannot hang a command and a symlink to /dev/zero cannot make it read
 * without bound; anything else, and any document that is not what
 * rl_state_write writes, is "damaged state" (RL_EDAMAGED) with the path and
 * what is wrong. Writes are atomic (temp file, rename) but not fsynced:
 * what the files describe (processes, cgroups, namespaces) dies with the
 * machine, so surviving a power loss buys nothing, and against a killed
 * rustlet the rename alone is enough (the page cache outlives the process).
 * A file left empty by a crash of the machine, on a /run that is not tmpfs, is
 * damaged state, which delete --force removes. fsync on a disk-backed /run
 * cost about 1 ms per file here, 5 files per create. */
#include "rustlet/container.h"
#include "rustlet/json.h"
#include "rustlet/utils.h"
#include "core_internal.h"

#include <fcntl.h>
#include <stdint.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#define STATE_FILE  "state.json"
#define RECORD_FILE "init.json"
#define STATE_MAX   (1024 * 1024)

const char *rl_status_name(enum rl_status s)
{
    switch (s) {
    case RL_STATUS_CREATING:
        return "creating";
    case RL_STATUS_CREATED:
        return "created";
    case RL_STATUS_RUNNING:
        return "running";
    case RL_STATUS_PAUSED:
        return "paused";
    case RL_STATUS_STOPPED:
        return "stopped";
    case RL_STATUS_UNKNOWN:
        return "unknown";
    }
    return "unknown";
}

int rl_validate_id(const char *id, struct rl_error **err)
{
    if (id == NULL || *id == '\0')
        return rl_error(err, "container id cannot be empty");
    if (strcmp(id, ".") == 0 || strcmp(id, "..") == 0 || strlen(id) > 1024)
        return rl_error(err, "invalid container id \"%s\"", id);
    for (const char *p = id; *p; p++) {
        char c = *p;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '+' || c == '-' || c == '.'))
            return rl_error(err, "invalid container id \"%s\": only [A-Za-z0-9_+.-] allowed", id);
    }
    return 0;
}

int rl_error_damaged(struct rl_error **err, const char *fmt, ...)
{
    if (err == NULL)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    char *msg = NULL;
    if (vasprintf(&msg, fmt, ap) < 0)
        xoom();
    va_end(ap);
    rl_error(err, "%s", msg);
    (*err)->errnum = RL_EDAMAGED;
    free(msg);
    return -1;
}

char *rl_state_dir(const struct rl_context *ctx, const char *id)
{
    return xasprintf("%s/%s", ctx->root, id);
}

/* ROOT/<id> as an O_DIRECTORY fd, not following a symlink at <id>. */
static int open_state_dir(const struct rl_context *ctx, const char *id, struct rl_error **err)
{
    _cleanup_free_ char *dir = rl_state_dir(ctx, id);
    _cleanup_close_ int rootfd = open(ctx->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0) {
        if (errno == ENOENT)
            return rl_error_code(err, ENOENT, "container \"%s\" does not exist", id);
        return rl_error_errno(err, "open %s", ctx->root);
    }
    int fd = openat(rootfd, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd >= 0)
        return fd;
    if (errno == ENOENT)
        return rl_error_code(err, ENOENT, "container \"%s\" does not exist", id);
    if (errno == ELOOP || errno == ENOTDIR) {
        struct stat sb;
        bool link = fstatat(rootfd, id, &sb, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(sb.st_mode);
        return rl_error_damaged(err, "damaged state: %s: %s", dir,
                                link ? "is a symbolic link" : "is not a directory");
    }
    return rl_error_errno(err, "open %s", dir);
}

int rl_state_lock(const struct rl_context *ctx, const char *id, struct rl_error **err)
{
    if (rl_validate_id(id, err) < 0)
        return -1;
    int fd = open_state_dir(ctx, id, err);
    if (fd < 0)
        return -1;
    while (flock(fd, LOCK_EX) < 0) {
        if (errno != EINTR) {
            _cleanup_free_ char *dir = rl_state_dir(ctx, id);
            rl_error_errno(err, "lock %s", dir);
            close(fd);
            return -1;
        }
    }
    struct stat st;
    if (fstat(fd, &st) < 0 || st.st_nlink == 0) {
        close(fd);
        return rl_error_code(err, ENOENT, "container \"%s\" does not exist", id);
    }
    return fd;
}

unsigned long long rl_proc_start_time(pid_t pid)
{
    if (pid <= 0)
        return 0;
    char path[64], buf[1024];
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t n = rl_read_all(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    /* comm may contain spaces and ')': fields start after the last ')'. */
    char *p = strrchr(buf, ')');
    if (p == NULL)
        return 0;
    p += 2; /* field 3 (state) */
    if (*p == 'Z' || *p == 'X')
        return 0; /* a zombie is as good as gone */
    for (int field = 3; field < 22 && p; field++) {
        p = strchr(p, ' ');
        if (p)
            p++;
    }
    return p ? strtoull(p, NULL, 10) : 0;
}

int rl_state_pidfd(const struct rl_state *st)
{
    if (st->pid <= 0) {
        errno = ESRCH;
        return -1;
    }
    int fd = (int)syscall(SYS_pidfd_open, st->pid, 0);
    if (fd < 0)
        return -1;
    /* The pidfd pins the process: if the start time still matches after
     * opening it, the pidfd refers to our init, not to a reused pid. */
    if (rl_proc_start_time(st->pid) != st->start_time) {
        close(fd);
        errno = ESRCH;
        return -1;
    }
    return fd;
}

static void write_hooks(struct rl_jsonw *w, const struct rl_hook *h, size_t n)
{
    rl_jsonw_array_open(w);
    for (size_t i = 0; i < n; i++) {
        rl_jsonw_object_open(w);
        rl_jsonw_kv_string(w, "path", h[i].path);
        if (h[i].args) {
            rl_jsonw_key(w, "args");
            rl_jsonw_array_open(w);
            for (size_t j = 0; j < h[i].n_args; j++)
                rl_jsonw_string(w, h[i].args[j]);
            rl_jsonw_array_close(w);
        }
        if (h[i].env) {
            rl_jsonw_key(w, "env");
            rl_jsonw_array_open(w);
            for (size_t j = 0; j < h[i].n_env; j++)
                rl_jsonw_string(w, h[i].env[j]);
            rl_jsonw_array_close(w);
        }
        if (h[i].has_timeout)
            rl_jsonw_kv_int(w, "timeout", h[i].timeout);
        rl_jsonw_object_close(w);
    }
    rl_jsonw_array_close(w);
}

char *rl_state_config_path(const struct rl_state *st)
{
    return st->config ? xstrdup(st->config) : xasprintf("%s/config.json", st->bundle);
}

static void write_common(struct rl_jsonw *w, const struct rl_state *st)
{
    rl_jsonw_kv_string(w, "id", st->id);
    rl_jsonw_kv_int(w, "pid", st->pid);
    rl_jsonw_key(w, "startTime");
    rl_jsonw_uint(w, st->start_time);
    rl_jsonw_kv_string(w, "bundle", st->bundle);
    if (st->config)
        rl_jsonw_kv_string(w, "config", st->config);
    rl_jsonw_kv_string(w, "rootfs", st->rootfs);
}

static int write_doc(const struct rl_context *ctx, const char *id, const char *name,
                     struct rl_jsonw *w, struct rl_error **err)
{
    size_t len;
    _cleanup_free_ char *doc = rl_jsonw_finish(w, &len, err);
    if (doc == NULL)
        return -1;
    _cleanup_free_ char *path = xasprintf("%s/%s/%s", ctx->root, id, name);
    return rl_write_file_atomic(path, doc, len, 0600, err);
}

int rl_state_write(const struct rl_context *ctx, const struct rl_state *st, struct rl_error **err)
{
    struct rl_jsonw *w = rl_jsonw_new(false);
    rl_jsonw_object_open(w);
    write_common(w, st);
    rl_jsonw_kv_string(w, "created", st->created);
    rl_jsonw_kv_string(w, "owner", st->owner ? st->owner : "");
    rl_jsonw_key(w, "annotations");
    rl_jsonw_object_open(w);
    for (size_t i = 0; i < st->n_annotations; i++)
        rl_jsonw_kv_string(w, st->annotations[i].key, st->annotations[i].value);
    rl_jsonw_object_close(w);
    if (st->cgroup) {
        rl_jsonw_key(w, "cgroup");
        rl_cgroup_to_json(st->cgroup, w);
    }
    rl_jsonw_key(w, "poststop");
    write_hooks(w, st->poststop, st->n_poststop);
    if (st->resources) {
        rl_jsonw_key(w, "resources");
        rl_spec_resources_write(st->resources, w);
    }
    rl_jsonw_object_close(w);
    return write_doc(ctx, st->id, STATE_FILE, w, err);
}

int rl_state_write_record(const struct rl_context *ctx, const struct rl_state *st,
                          struct rl_error **err)
{
    struct rl_jsonw *w = rl_jsonw_new(false);
    rl_jsonw_object_open(w);
    write_common(w, st);
    if (st->cgroup) {
        rl_jsonw_key(w, "cgroup");
        rl_cgroup_to_json(st->cgroup, w);
    }
    rl_jsonw_object_close(w);
    return write_doc(ctx, st->id, RECORD_FILE, w, err);
}

static char *get_str(const rl_json *o, const char *key)
{
    return xstrdup(rl_json_string(rl_json_get(o, key)));
}

static char **get_strv(const rl_json *arr, size_t *n)
{
    *n = 0;
    if (rl_json_type(arr) != RL_JSON_ARRAY)
        return NULL;
    size_t len = rl_json_len(arr);
    char **v = xzalloc((len + 1) * sizeof(char *));
    for (size_t i = 0; i < len; i++)
        v[(*n)++] = xstrdup(rl_json_string(rl_json_array_at(arr, i)) ?: "");
    return v;
}

static void read_hooks(const rl_json *arr, struct rl_state *st)
{
    size_t n = rl_json_len(arr);
    if (rl_json_type(arr) != RL_JSON_ARRAY || n == 0)
        return;
    st->poststop = xzalloc(n * sizeof(*st->poststop));
    for (size_t i = 0; i < n; i++) {
        const rl_json *h = rl_json_array_at(arr, i);
        struct rl_hook *hk = &st->poststop[st->n_poststop++];
        hk->path = get_str(h, "path");
        hk->args = get_strv(rl_json_get(h, "args"), &hk->n_args);
        hk->env = get_strv(rl_json_get(h, "env"), &hk->n_env);
        const rl_json *t = rl_json_get(h, "timeout");
        if (t && rl_json_i64(t, &hk->timeout) == 0)
            hk->has_timeout = true;
    }
}

/* What is wrong with the document's shape, or NULL if it is one that
 * rl_state_write (or rl_state_write_record) could have written. */
static const char *check_shape(const rl_json *root, const char *id, char *buf, size_t size)
{
    if (rl_json_type(root) != RL_JSON_OBJECT) {
        snprintf(buf, size, "not a JSON object but %s", rl_json_type_name(rl_json_type(root)));
        return buf;
    }
    const rl_json *v = rl_json_get(root, "id");
    if (rl_json_type(v) != RL_JSON_STRING || strcmp(rl_json_string(v), id) != 0) {
        snprintf(buf, size, "\"id\" is %s, not the string \"%s\"",
                 v ? rl_json_type_name(rl_json_type(v)) : "missing", id);
        if (rl_json_type(v) == RL_JSON_STRING)
            snprintf(buf, size, "\"id\" is \"%.64s\", not \"%s\"", rl_json_string(v), id);
        return buf;
    }
    int64_t pid;
    uint64_t start;
    if (rl_json_i64(rl_json_get(root, "pid"), &pid) < 0 || pid < 0 || pid > INT32_MAX)
        return "\"pid\" is missing or not a pid";
    if (rl_json_u64(rl_json_get(root, "startTime"), &start) < 0)
        return "\"startTime\" is missing or not a number";
    static const char *const strings[] = {"bundle", "rootfs", "created", "owner"};
    for (size_t i = 0; i < ARRAY_SIZE(strings); i++) {
        enum rl_json_type t = rl_json_type(rl_json_get(root, strings[i]));
        if (t != RL_JSON_STRING && t != RL_JSON_NULL) {
            snprintf(buf, size, "\"%s\" is %s, not a string", strings[i], rl_json_type_name(t));
            return buf;
        }
    }
    static const struct {
        const char *key;
        enum rl_json_type type;
    } typed[] = {
        {"annotations", RL_JSON_OBJECT},
        {"cgroup", RL_JSON_OBJECT},
        {"poststop", RL_JSON_ARRAY},
        {"resources", RL_JSON_OBJECT},
    };
    for (size_t i = 0; i < ARRAY_SIZE(typed); i++) {
        enum rl_json_type t = rl_json_type(rl_json_get(root, typed[i].key));
        if (t != RL_JSON_NULL && t != typed[i].type) {
            snprintf(buf, size, "\"%s\" is %s, not %s", typed[i].key, rl_json_type_name(t),
                     rl_json_type_name(typed[i].type));
            return buf;
        }
    }
    /* older rustlets wrote "started"; it is ignored now, but still typed */
    enum rl_json_type t = rl_json_type(rl_json_get(root, "started"));
    if (t != RL_JSON_NULL && t != RL_JSON_TRUE && t != RL_JSON_FALSE)
        return "\"started\" is not a boolean";
    return NULL;
}

static int parse_state(const char *doc, size_t len, struct rl_state *st, struct rl_error **err)
{
    rl_json *root = rl_json_parse(doc, len, err);
    if (root == NULL)
        return -1;
    char why[256];
    const char *bad = check_shape(root, st->id, why, sizeof(why));
    if (bad) {
        rl_json_free(root);
        return rl_error(err, "%s", bad);
    }
    int64_t pid = 0;
    uint64_t start = 0;
    rl_json_i64(rl_json_get(root, "pid"), &pid);
    rl_json_u64(rl_json_get(root, "startTime"), &start);
    st->pid = (pid_t)pid;
    st->start_time = start;
    st->bundle = get_str(root, "bundle");
    st->config = get_str(root, "config");
    st->rootfs = get_str(root, "rootfs");
    st->created = get_str(root, "created");
    st->owner = get_str(root, "owner");
    const rl_json *ann = rl_json_get(root, "annotations");
    size_t na = rl_json_len(ann);
    if (rl_json_type(ann) == RL_JSON_OBJECT && na > 0) {
        st->annotations = xzalloc(na * sizeof(struct rl_kv));
        for (size_t i = 0; i < na; i++) {
            st->annotations[i].key = xstrdup(rl_json_object_key(ann, i));
            st->annotations[i].value = xstrdup(rl_json_string(rl_json_object_value(ann, i)) ?: "");
        }
        st->n_annotations = na;
    }
    const rl_json *cg = rl_json_get(root, "cgroup");
    int ret = 0;
    if (cg) {
        st->cgroup = rl_cgroup_from_json(cg, err);
        if (st->cgroup == NULL)
            ret = rl_error_wrap(err, "\"cgroup\"");
    }
    read_hooks(rl_json_get(root, "poststop"), st);
    const rl_json *res = rl_json_get(root, "resources");
    if (ret == 0 && res) {
        st->resources = rl_spec_resources_from_json(res, err);
        if (st->resources == NULL)
            ret = rl_error_wrap(err, "\"resources\"");
    }
    rl_json_free(root);
    return ret;
}

static const char *file_kind(mode_t m)
{
    if (S_ISDIR(m))
        return "is a directory";
    if (S_ISFIFO(m))
        return "is a FIFO";
    if (S_ISCHR(m))
        return "is a character device";
    if (S_ISBLK(m))
        return "is a block device";
    if (S_ISSOCK(m))
        return "is a socket";
    return "is not a regular file";
}

/* The document in dirfd/name: a regular file, not a symlink, at most
 * STATE_MAX bytes. Fails with RL_EDAMAGED (except for errors reading the
 * directory itself). */
static char *read_state_doc(int dirfd, const char *name, const char *path, size_t *len,
                            struct rl_error **err)
{
    _cleanup_close_ int fd =
        openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            rl_error_damaged(err, "damaged state: %s: missing", path);
        else if (errno == ELOOP)
            rl_error_damaged(err, "damaged state: %s: is a symbolic link", path);
        else
            rl_error_damaged(err, "damaged state: %s: open: %s", path, strerror(errno));
        return NULL;
    }
    struct stat sb;
    if (fstat(fd, &sb) < 0) {
        rl_error_errno(err, "fstat %s", path);
        return NULL;
    }
    if (!S_ISREG(sb.st_mode)) {
        rl_error_damaged(err, "damaged state: %s: %s", path, file_kind(sb.st_mode));
        return NULL;
    }
    if (sb.st_size == 0) {
        rl_error_damaged(err, "damaged state: %s: empty", path);
        return NULL;
    }
    if (sb.st_size > STATE_MAX) {
        rl_error_damaged(err, "damaged state: %s: larger than %d bytes (%lld)", path, STATE_MAX,
                         (long long)sb.st_size);
        return NULL;
    }
    char *buf = xmalloc(STATE_MAX + 2);
    ssize_t n = rl_read_all(fd, buf, STATE_MAX + 1);
    if (n < 0 || n > STATE_MAX) {
        if (n < 0)
            rl_error_damaged(err, "damaged state: %s: read: %s", path, strerror(errno));
        else
            rl_error_damaged(err, "damaged state: %s: larger than %d bytes", path, STATE_MAX);
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    *len = (size_t)n;
    return buf;
}

static int read_doc(const struct rl_context *ctx, const char *id, const char *name,
                    struct rl_state **out, struct rl_error **err)
{
    *out = NULL;
    if (rl_validate_id(id, err) < 0)
        return -1;
    _cleanup_close_ int dirfd = open_state_dir(ctx, id, err);
    if (dirfd < 0)
        return -1;
    _cleanup_free_ char *path = xasprintf("%s/%s/%s", ctx->root, id, name);
    size_t len;
    _cleanup_free_ char *doc = read_state_doc(dirfd, name, path, &len, err);
    if (doc == NULL)
        return -1;
    struct rl_state *st = xzalloc(sizeof(*st));
    st->id = xstrdup(id);
    struct rl_error *perr = NULL;
    if (parse_state(doc, len, st, &perr) < 0) {
        rl_error_damaged(err, "damaged state: %s: %s", path, perr ? perr->msg : "invalid");
        rl_error_free(perr);
        rl_state_free(st);
        return -1;
    }
    *out = st;
    return 0;
}

int rl_state_read(const struct rl_context *ctx, const char *id, struct rl_state **out,
                  struct rl_error **err)
{
    return read_doc(ctx, id, STATE_FILE, out, err);
}

int rl_state_read_record(const struct rl_context *ctx, const char *id, struct rl_state **out,
                         struct rl_error **err)
{
    return read_doc(ctx, id, RECORD_FILE, out, err);
}

int rl_state_parse(const char *doc, size_t len, const char *id, struct rl_state **out,
                   struct rl_error **err)
{
    struct rl_state *st = xzalloc(sizeof(*st));
    st->id = xstrdup(id);
    if (parse_state(doc, len, st, err) < 0) {
        rl_state_free(st);
        return -1;
    }
    *out = st;
    return 0;
}

void rl_state_free(struct rl_state *st)
{
    if (st == NULL)
        return;
    free(st->id);
    free(st->damaged);
    free(st->bundle);
    free(st->config);
    free(st->rootfs);
    free(st->created);
    free(st->owner);
    for (size_t i = 0; i < st->n_annotations; i++) {
        free(st->annotations[i].key);
        free(st->annotations[i].value);
    }
    free(st->annotations);
    rl_cgroup_free(st->cgroup);
    for (size_t i = 0; i < st->n_poststop; i++) {
        free(st->poststop[i].path);
        rl_strv_free(st->poststop[i].args);
        rl_strv_free(st->poststop[i].env);
    }
    free(st->poststop);
    rl_spec_resources_free(st->resources);
    free(st);
}

enum rl_status rl_state_status(const struct rl_context *ctx, const struct rl_state *st)
{
    if (st->pid <= 0)
        return st->created ? RL_STATUS_STOPPED : RL_STATUS_CREATING;
    if (rl_proc_start_time(st->pid) != st->start_time)
        return RL_STATUS_STOPPED;
    if (st->created == NULL)
        return RL_STATUS_CREATING;
    /* frozen first: a container paused before it was started is "paused"
     * too (runc), and `resume` brings it back to "created" */
    if (st->cgroup) {
        bool frozen = false;
        if (rl_cgroup_is_frozen(st->cgroup, &frozen, NULL) == 0 && frozen)
            return RL_STATUS_PAUSED;
    }
    /* The exec fifo exists from create until start has released the
     * process (start unlinks it), as with runc. */
    _cleanup_free_ char *fifo = xasprintf("%s/%s/exec.fifo", ctx->root, st->id);
    if (access(fifo, F_OK) == 0)
        return RL_STATUS_CREATED;
    return RL_STATUS_RUNNING;
}

char *rl_state_oci_json(const struct rl_state *st, enum rl_status status, bool pretty)
{
    /* runc prints state indented by two spaces */
    struct rl_jsonw *w = rl_jsonw_new_indent(pretty ? "  " : NULL);
    rl_jsonw_object_open(w);
    rl_jsonw_kv_string(w, "ociVersion", "1.3.0");
    rl_jsonw_kv_string(w, "id", st->id);
    rl_jsonw_kv_int(w, "pid", status == RL_STATUS_STOPPED ? 0 : st->pid);
    rl_jsonw_kv_string(w, "status", rl_status_name(status));
    rl_jsonw_kv_string(w, "bundle", st->bundle ? st->bundle : "");
    rl_jsonw_kv_string(w, "rootfs", st->rootfs ? st->rootfs : "");
    rl_jsonw_kv_string(w, "created", st->created ? st->created : "0001-01-01T00:00:00Z");
    if (st->n_annotations) {
        rl_jsonw_key(w, "annotations");
        rl_jsonw_object_open(w);
        for (size_t i = 0; i < st->n_annotations; i++)
            rl_jsonw_kv_string(w, st->annotations[i].key, st->annotations[i].value);
        rl_jsonw_object_close(w);
    }
    rl_jsonw_kv_string(w, "owner", st->owner ? st->owner : "");
    if (st->damaged)
        rl_jsonw_kv_string(w, "damaged", st->damaged);
    rl_jsonw_object_close(w);
    char *doc = rl_jsonw_finish(w, NULL, NULL);
    return doc ? doc : xstrdup("{}");
}

/* The first state of a new container: what the spec says (create, restore). */
struct rl_state *rl_state_from_spec(const char *id, const char *bundle, const struct rl_spec *spec)
{
    struct rl_state *st = xzalloc(sizeof(*st));
    st->id = xstrdup(id);
    st->bundle = xstrdup(bundle);
    st->rootfs = spec->root.path[0] == '/' ? xstrdup(spec->root.path)
                                           : xasprintf("%s/%s", bundle, spec->root.path);
    st->owner = xstrdup("");
    if (spec->n_annotations) {
        st->annotations = xzalloc(spec->n_annotations * sizeof(struct rl_kv));
        for (size_t i = 0; i < spec->n_annotations; i++) {
            st->annotations[i].key = xstrdup(spec->annotations[i].key);
            st->annotations[i].value = xstrdup(spec->annotations[i].value);
        }
        st->n_annotations = spec->n_annotations;
    }
    if (spec->linux_.resources.present) {
        /* what `update` starts from: the limits, not the device rules */
        struct rl_jsonw *w = rl_jsonw_new(false);
        rl_spec_resources_write(&spec->linux_.resources, w);
        _cleanup_free_ char *doc = rl_jsonw_finish(w, NULL, NULL);
        st->resources = doc ? rl_spec_parse_resources(doc, strlen(doc), NULL) : NULL;
    }
    const struct rl_hooks *h = &spec->hooks;
    if (h->n_poststop) {
        st->poststop = xzalloc(h->n_poststop * sizeof(struct rl_hook));
        for (size_t i = 0; i < h->n_poststop; i++) {
            const struct rl_hook *s = &h->poststop[i];
            struct rl_hook *d = &st->poststop[i];
            d->path = xstrdup(s->path);
            d->n_args = s->n_args;
            d->args = xzalloc((s->n_args + 1) * sizeof(char *));
            for (size_t j = 0; j < s->n_args; j++)
                d->args[j] = xstrdup(s->args[j]);
            d->n_env = s->n_env;
            /* NULL stays NULL: a hook without "env" gets delete's environment */
            d->env = s->env ? xzalloc((s->n_env + 1) * sizeof(char *)) : NULL;
            for (size_t j = 0; s->env && j < s->n_env; j++)
                d->env[j] = xstrdup(s->env[j]);
            d->has_timeout = s->has_timeout;
            d->timeout = s->timeout;
        }
        st->n_poststop = h->n_poststop;
    }
    return st;
}
