/* SPDX-License-Identifier: MIT OR Apache-2.0 */
#include "rustlet/log.h"
#include "rustlet/utils.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static int log_fd = -1; /* -1: stderr */
static bool log_json;
static bool log_debug;

int rl_log_open(const char *path, bool json, bool debug, struct rl_error **err)
{
    log_json = json;
    log_debug = debug;
    int fd = -1;
    if (path != NULL && *path != '\0') {
        fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0)
            return rl_error_errno(err, "open log file %s", path);
    }
    /* a second open replaces the first: no stale file, no leaked fd */
    if (log_fd >= 0)
        close(log_fd);
    log_fd = fd;
    return 0;
}

bool rl_log_debug_enabled(void)
{
    return log_debug;
}
int rl_log_fd(void)
{
    return log_fd;
}
bool rl_log_to_file(void)
{
    return log_fd >= 0;
}

static const char *level_name(enum rl_log_level l)
{
    switch (l) {
    case RL_LOG_ERROR:
        return "error";
    case RL_LOG_WARN:
        return "warning";
    case RL_LOG_INFO:
        return "info";
    default:
        return "debug";
    }
}

/* Escape msg into a JSON string body. */
static size_t json_escape(char *out, size_t cap, const char *s)
{
    size_t o = 0;
    for (; *s && o + 7 < cap; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            out[o++] = '\\';
            out[o++] = (char)c;
        } else if (c == '\n') {
            out[o++] = '\\';
            out[o++] = 'n';
        } else if (c == '\t') {
            out[o++] = '\\';
            out[o++] = 't';
        } else if (c < 0x20) {
            o += (size_t)snprintf(out + o, cap - o, "\\u%04x", c);
        } else {
            out[o++] = (char)c;
        }
    }
    out[o] = '\0';
    return o;
}

/* stamp: the text format's timestamp (RFC 3339, UTC, microseconds), so a
 * --debug log shows when each step ran; the plain copy of a warning that
 * rl_warn() puts on stderr goes without. */
static void log_line(enum rl_log_level level, int fd, bool json, bool stamp, const char *msg);

void rl_log(enum rl_log_level level, const char *fmt, ...)
{
    if (level == RL_LOG_DEBUG && !log_debug)
        return;
    int saved = errno;
    char msg[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    log_line(level, log_fd >= 0 ? log_fd : 2, log_json, true, msg);
    errno = saved;
}

void rl_warn(const char *fmt, ...)
{
    int saved = errno;
    char msg[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    log_line(RL_LOG_WARN, log_fd >= 0 ? log_fd : 2, log_json, true, msg);
    if (log_fd >= 0)
        log_line(RL_LOG_WARN, 2, false, false, msg);
    errno = saved;
}

static void log_line(enum rl_log_level level, int fd, bool json, bool stamp, const char *msg)
{
    char line[9000];
    int n;
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    struct tm tm;
    gmtime_r(&now.tv_sec, &tm);
    char ts[48];
    size_t tl = strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
    if (json) {
        char esc[8200];
        json_escape(esc, sizeof(esc), msg);
        snprintf(ts + tl, sizeof(ts) - tl, "Z");
        n = snprintf(line, sizeof(line), "{\"level\":\"%s\",\"msg\":\"%s\",\"time\":\"%s\"}\n",
                     level_name(level), esc, ts);
    } else if (stamp) {
        snprintf(ts + tl, sizeof(ts) - tl, ".%06ldZ", now.tv_nsec / 1000);
        n = snprintf(line, sizeof(line), "%s rustlet[%d]: %s: %s\n", ts, (int)getpid(),
                     level_name(level), msg);
    } else {
        n = snprintf(line, sizeof(line), "rustlet[%d]: %s: %s\n", (int)getpid(), level_name(level),
                     msg);
    }
    if (n > (int)sizeof(line) - 1)
        n = (int)sizeof(line) - 1;
    (void)rl_write_all(fd, line, (size_t)n);
}
