/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* ps [--format table|json] ID [PS ARGS...]: json is the array of host pids
 * in the container's cgroup; table runs the host's ps (default -ef) and
 * keeps the header and the lines whose PID column is one of them. */
#include "cli.h"
#include "rustlet/utils.h"

#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

extern char **environ;

static char *run_ps(char **args, size_t n, struct rl_error **err)
{
    int pfd[2];
    if (pipe2(pfd, O_CLOEXEC) < 0)
        return rl_error_errno(err, "pipe"), NULL;
    char **argv = xzalloc((n + 3) * sizeof(char *));
    argv[0] = "ps";
    for (size_t k = 0; k < n; k++)
        argv[k + 1] = args[k];
    if (n == 0)
        argv[1] = "-ef";
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, pfd[1], 1);
    pid_t pid;
    int r = posix_spawnp(&pid, "ps", &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    free(argv);
    close(pfd[1]);
    if (r != 0) {
        close(pfd[0]);
        return rl_error_code(err, r, "run ps"), NULL;
    }
    size_t len = 0, cap = 8192;
    char *out = xmalloc(cap);
    ssize_t got;
    while ((got = read(pfd[0], out + len, cap - len - 1)) > 0 || (got < 0 && errno == EINTR)) {
        len += got > 0 ? (size_t)got : 0;
        if (cap - len < 4096)
            out = xrealloc(out, cap *= 2);
    }
    out[len] = '\0';
    close(pfd[0]);
    int ws = 0;
    waitpid(pid, &ws, 0);
    if (!WIFEXITED(ws) || WEXITSTATUS(ws) != 0) {
        rl_error(err, "ps failed (status %d): %s", WIFEXITED(ws) ? WEXITSTATUS(ws) : -1, out);
        free(out);
        return NULL;
    }
    return out;
}

/* index of the "PID" field in the header, -1 if none */
static int pid_column(const char *header)
{
    _cleanup_free_ char *h = xstrdup(header);
    char *save = NULL;
    int i = 0;
    for (char *f = strtok_r(h, " \t", &save); f; f = strtok_r(NULL, " \t", &save), i++)
        if (strcmp(f, "PID") == 0)
            return i;
    return -1;
}

static bool line_has_pid(const char *line, int col, const pid_t *pids, size_t n)
{
    _cleanup_free_ char *l = xstrdup(line);
    char *save = NULL, *f = strtok_r(l, " \t", &save);
    for (int i = 0; f && i < col; i++)
        f = strtok_r(NULL, " \t", &save);
    if (f == NULL)
        return false;
    long v = strtol(f, NULL, 10);
    for (size_t k = 0; k < n; k++)
        if (pids[k] == v)
            return true;
    return false;
}

static int print_table(char **args, size_t nargs, const pid_t *pids, size_t n,
                       struct rl_error **err)
{
    _cleanup_free_ char *out = run_ps(args, nargs, err);
    if (out == NULL)
        return -1;
    char *save = NULL, *line = strtok_r(out, "\n", &save);
    int col = line ? pid_column(line) : -1;
    if (col < 0)
        return rl_error(err, "couldn't find PID field in ps output");
    printf("%s\n", line);
    while ((line = strtok_r(NULL, "\n", &save)) != NULL)
        if (line_has_pid(line, col, pids, n))
            printf("%s\n", line);
    return 0;
}

int cmd_ps(const struct rl_context *ctx, int argc, char **argv, struct rl_error **err)
{
    const char *format = "table";
    const struct cli_opt opts[] = {{"format", 'f', CLI_STRING, &format}};
    int i = 1;
    if (cli_parse(argc, argv, &i, opts, ARRAY_SIZE(opts), err) < 0)
        return -1;
    if (i >= argc)
        return cli_usage_error(err, "ps", "requires at least 1 argument (the container id)");
    cli_container_id = argv[i];
    if (strcmp(format, "table") != 0 && strcmp(format, "json") != 0)
        return rl_error(err, "invalid format option \"%s\" (table or json)", format);
    _cleanup_free_ pid_t *pids = NULL;
    size_t n = 0;
    if (rl_ps(ctx, argv[i], &pids, &n, err) < 0)
        return -1;
    if (strcmp(format, "json") == 0) {
        if (n == 0) {
            printf("null\n"); /* runc encodes an empty list so */
            return 0;
        }
        printf("[");
        for (size_t k = 0; k < n; k++)
            printf("%s%d", k ? "," : "", (int)pids[k]);
        printf("]\n");
        return 0;
    }
    return print_table(argv + i + 1, (size_t)(argc - i - 1), pids, n, err);
}
