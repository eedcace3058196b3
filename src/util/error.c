/* SPDX-License-Identifier: MIT OR Apache-2.0 */
#include "rustlet/error.h"
#include "rustlet/utils.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int set_error(struct rl_error **err, int errnum, const char *fmt, va_list ap)
{
    if (err == NULL)
        return -1;
    char *text = NULL;
    if (vasprintf(&text, fmt, ap) < 0)
        xoom();
    char *msg = text;
    if (errnum != 0) {
        if (asprintf(&msg, "%s: %s", text, strerror(errnum)) < 0)
            xoom();
        free(text);
    }
    rl_error_free(*err);
    struct rl_error *e = xzalloc(sizeof(*e));
    e->errnum = errnum;
    e->status = 1;
    e->msg = msg;
    *err = e;
    return -1;
}

int rl_error(struct rl_error **err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    set_error(err, 0, fmt, ap);
    va_end(ap);
    return -1;
}

int rl_error_errno(struct rl_error **err, const char *fmt, ...)
{
    int saved = errno;
    va_list ap;
    va_start(ap, fmt);
    set_error(err, saved, fmt, ap);
    va_end(ap);
    errno = saved;
    return -1;
}

int rl_error_code(struct rl_error **err, int errnum, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    set_error(err, errnum, fmt, ap);
    va_end(ap);
    return -1;
}

int rl_error_wrap(struct rl_error **err, const char *fmt, ...)
{
    if (err == NULL || *err == NULL)
        return -1;
    char *prefix = NULL;
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(&prefix, fmt, ap) < 0)
        xoom();
    va_end(ap);
    char *msg = NULL;
    if (asprintf(&msg, "%s: %s", prefix, (*err)->msg) < 0)
        xoom();
    free(prefix);
    free((*err)->msg);
    (*err)->msg = msg;
    return -1;
}

void rl_error_free(struct rl_error *e)
{
    if (e == NULL)
        return;
    free(e->msg);
    free(e);
}

void rl_error_move(struct rl_error **dst, struct rl_error **src)
{
    if (dst == NULL) {
        rl_error_free(*src);
    } else {
        rl_error_free(*dst);
        *dst = *src;
    }
    *src = NULL;
}
