/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* Global flags, the command table, and the one place that prints an error
 * and chooses the exit status. */
#include "cli.h"
#include "rustlet/json.h"
#include "rustlet/log.h"
#include "rustlet/utils.h"
#include "rustlet/version.h"

#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/capability.h>

static const struct cli_cmd commands[] = {
    {"checkpoint", "[command options] <container-id>", "checkpoint a running container",
     cmd_checkpoint},
    {"create", "[command options] <container-id>", "create a container", cmd_create},
    {"delete", "[command options] <container-id>", "delete any resources held by the container",
     cmd_delete},
    {"events", "[command options] <container-id>",
     "display container events such as OOM notifications, cpu, memory, and IO usage statistics",
     cmd_events},
    {"exec", "[command options] <container-id> <command> [command options]",
     "execute new process inside the container", cmd_exec},
    {"features", "", "show the enabled features", cmd_features},
    {"kill", "[command options] <container-id> [signal]",
     "send a signal to the container's init process", cmd_kill},
    {"list", "[command options]", "list containers started by rustlet with the given root",
     cmd_list},
    {"pause", "<container-id>", "pause suspends all processes inside the container", cmd_pause},
    {"ps", "[command options] <container-id> [ps options]",
     "ps displays the processes running inside a container", cmd_ps},
    {"restore", "[command options] <container-id>",
     "restore a container from a previous checkpoint", cmd_restore},
    {"resume", "<container-id>", "resumes all processes that have been previously paused",
     cmd_resume},
    {"run", "[command options] <container-id>", "create and run a container", cmd_run},
    {"spec", "[command options]", "create a new specification file", cmd_spec},
    {"start", "<container-id>", "start a created container", cmd_start},
    {"state", "<container-id>", "output the state of a container", cmd_state},
    {"update", "[command options] <container-id>", "update container resource constraints",
     cmd_update},
};

static void print_version(void)
{
    const struct scmp_version *sv = seccomp_version();
    printf("rustlet version %s\ncommit: %s\nspec: %s\n", RUSTLET_VERSION, RUSTLET_COMMIT,
           RUSTLET_SPEC_VERSION);
    printf("yajl: %s\nlibseccomp: %u.%u.%u\nlibcap: %d.%d\n", rl_json_library_version(), sv->major,
           sv->minor, sv->micro, LIBCAP_MAJOR, LIBCAP_MINOR);
}

static void print_help(FILE *f)
{
    fprintf(f,
            "NAME:\n   rustlet - OCI runtime-spec %s container runtime (a drop-in for runc)\n\n"
            "USAGE:\n   rustlet [global options] command [command options] [arguments...]\n\n"
            "COMMANDS:\n",
            RUSTLET_SPEC_VERSION);
    for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
        fprintf(f, "   %-8s %s\n", commands[i].name, commands[i].summary);
    fprintf(f,
            "\nGLOBAL OPTIONS:\n"
            "   --root value        root directory for storage of container state (default: "
            "\"/run/rustlet\",\n"
            "                       rootless: \"$XDG_RUNTIME_DIR/rustlet\")\n"
            "   --log value         log file path (default: stderr)\n"
            "   --log-format value  log format: text or json (default: \"text\")\n"
            "   --debug             enable debug logging (every kernel operation)\n"
            "   --systemd-cgroup    use the systemd cgroup driver (cgroupsPath slice:prefix:name)\n"
            "   --cgroup-manager value  cgroupfs (default), systemd or\n"
            "                       disabled (create no cgroup; podman --cgroups=disabled)\n"
            "   --criu value        path to the criu binary, for checkpoint and restore\n"
            "                       (not implemented yet; default: \"criu\")\n"
            "   --rootless value    runc's rootless mode: true, false or auto (default:\n"
            "                       \"auto\": rootless when the effective uid is not 0)\n"
            "   --help, -h          show help\n"
            "   --version, -v       print the version\n");
}

/* A command's usage and options (runc prints them for CMD --help). */
static void print_command_help(const struct cli_cmd *c)
{
    printf("NAME:\n   rustlet %s - %s\n\nUSAGE:\n   rustlet %s %s\n", c->name, c->summary, c->name,
           c->usage);
    const char *o = cli_command_options(c->name);
    if (o)
        printf("\nOPTIONS:\n%s", o);
    printf("\nSee rustlet-%s(8).\n", c->name);
}

static const struct cli_cmd *find_command(const char *name)
{
    for (size_t k = 0; k < ARRAY_SIZE(commands); k++)
        if (strcmp(commands[k].name, name) == 0)
            return &commands[k];
    return NULL;
}

/* --help or -h anywhere among the command's arguments (`CMD ID --help`
 * too), before a `--` and, for exec, before the process's own arguments */
static bool wants_help(int argc, char **argv)
{
    for (int j = 1; j < argc; j++) {
        if (strcmp(argv[j], "--") == 0)
            return false;
        if (strcmp(argv[j], "--help") == 0 || strcmp(argv[j], "-h") == 0)
            return true;
        if (strcmp(argv[0], "exec") == 0 && argv[j][0] != '-' && j > 1 && argv[j - 1][0] != '-')
            return false; /* ID then COMMAND: the rest is the process's */
    }
    return false;
}

/* runc's --rootless: "true"/"false" force the mode, "auto" (the default)
 * means rootless when the effective uid is not 0. */
static bool rootless_mode(const char *v)
{
    if (v == NULL || strcasecmp(v, "auto") == 0)
        return geteuid() != 0;
    return v[0] && strchr("1tT", v[0]) != NULL; /* the ParseBool spellings of true */
}

/* The state root without --root: /run/rustlet for root (even with
 * --rootless true, as runc), else (as runc's $XDG_RUNTIME_DIR/runc)
 * $XDG_RUNTIME_DIR/rustlet, which rootless mode needs set and writable: an
 * unprivileged user cannot make /run/rustlet. */
static const char *default_root(bool rootless, struct rl_error **err)
{
    static char buf[4096];
    const char *xdg = getenv("XDG_RUNTIME_DIR");
    bool have_xdg = xdg && *xdg;
    if (geteuid() == 0 || (!rootless && !have_xdg))
        return "/run/rustlet";
    if (!have_xdg) {
        rl_error(err,
                 "rootless mode (uid %u): XDG_RUNTIME_DIR is not set, so there is no "
                 "default state root; set XDG_RUNTIME_DIR to a directory you own "
                 "(e.g. /run/user/%u) or pass --root DIR",
                 (unsigned)geteuid(), (unsigned)geteuid());
        return NULL;
    }
    if (access(xdg, W_OK | X_OK) < 0) {
        rl_error_errno(err,
                       "rootless mode (uid %u): the state root %s/rustlet needs a "
                       "writable XDG_RUNTIME_DIR (a directory you own) or --root DIR: "
                       "access %s",
                       (unsigned)geteuid(), xdg, xdg);
        return NULL;
    }
    snprintf(buf, sizeof(buf), "%s/rustlet", xdg);
    return buf;
}

/* commands that never touch the state root */
static bool needs_state_root(const char *cmd)
{
    return strcmp(cmd, "spec") != 0 && strcmp(cmd, "features") != 0;
}

/* runc's --rootless takes "auto" (any case) or what Go's strconv.ParseBool
 * takes: 1 t T TRUE true True, 0 f F FALSE false False */
static bool rootless_value_ok(const char *v)
{
    static const char *const ok[] = {"",  "1", "t", "T",     "TRUE",  "true", "True",
                                     "0", "f", "F", "FALSE", "false", "False"};
    if (strcasecmp(v, "auto") == 0)
        return true;
    for (size_t k = 0; k < ARRAY_SIZE(ok); k++)
        if (strcmp(v, ok[k]) == 0)
            return true;
    return false;
}

static int fail(const char *cmd, struct rl_error *err)
{
    /* exec fails with 255 before the process runs, as runc's does (126/127
     * and the process's own status stay for what happens after execve) */
    int code = cmd && strcmp(cmd, "exec") == 0 ? 255 : 1;
    char prefix[1200] = "";
    if (cmd && cli_container_id)
        snprintf(prefix, sizeof(prefix), "%s %s: ", cmd, cli_container_id);
    else if (cmd)
        snprintf(prefix, sizeof(prefix), "%s: ", cmd);
    const char *msg = err ? err->msg : "unknown error";
    if (rl_log_to_file())
        rl_log(RL_LOG_ERROR, "%s%s", prefix, msg);
    fprintf(stderr, "rustlet: %s%s\n", prefix, msg);
    rl_error_free(err);
    return code;
}

int main(int argc, char **argv)
{
    struct cli_global g = {.root = NULL, .log_format = "text"};
    bool help = false, version = false;
    const struct cli_opt opts[] = {
        {"root", 0, CLI_STRING, &g.root},
        {"log", 0, CLI_STRING, &g.log},
        {"log-format", 0, CLI_STRING, &g.log_format},
        {"debug", 0, CLI_BOOL, &g.debug},
        {"systemd-cgroup", 0, CLI_BOOL, &g.systemd_cgroup},
        {"cgroup-manager", 0, CLI_STRING, &g.cgroup_manager},
        {"criu", 0, CLI_STRING, &g.criu},
        {"rootless", 0, CLI_STRING, &g.rootless},
        {"help", 'h', CLI_BOOL, &help},
        {"version", 'v', CLI_BOOL, &version},
    };
    struct rl_error *err = NULL;
    int i = 1;
    if (cli_parse(argc, argv, &i, opts, ARRAY_SIZE(opts), &err) < 0) {
        fprintf(stderr, "Incorrect Usage: %s\n\n", err->msg);
        print_help(stderr);
        return fail(NULL, err);
    }
    if (strcmp(g.log_format, "text") != 0 && strcmp(g.log_format, "json") != 0)
        return fail(NULL, (rl_error(&err, "--log-format: unknown format \"%s\" (text or json)",
                                    g.log_format),
                           err));
    if (g.rootless && !rootless_value_ok(g.rootless))
        return fail(NULL, (rl_error(&err, "--rootless: invalid value \"%s\" (true, false or auto)",
                                    g.rootless),
                           err));
    /* before any fd is opened: create, run and exec fork processes that
     * enter the container running this binary (see selfexe.c) */
    if (i < argc && !help && !version &&
        (strcmp(argv[i], "create") == 0 || strcmp(argv[i], "run") == 0 ||
         strcmp(argv[i], "exec") == 0) &&
        rl_runtime_seal(argv, &err) < 0)
        return fail(argv[i], err);
    if (rl_log_open(g.log, strcmp(g.log_format, "json") == 0, g.debug, &err) < 0)
        return fail(NULL, err);
    if (version) {
        print_version();
        return 0;
    }
    if (help || i >= argc) {
        print_help(stdout);
        return help ? 0 : 1;
    }
    /* crun's --cgroup-manager: podman passes "disabled" to the runtimes it
     * lists in runtime_supports_nocgroups */
    const char *cgm = g.cgroup_manager ? g.cgroup_manager : "cgroupfs";
    if (strcmp(cgm, "systemd") == 0)
        g.systemd_cgroup = true;
    else if (strcmp(cgm, "cgroupfs") != 0 && strcmp(cgm, "disabled") != 0)
        return fail(NULL, (rl_error(&err,
                                    "--cgroup-manager: unknown manager \"%s\" (cgroupfs, "
                                    "systemd or disabled)",
                                    cgm),
                           err));
    const char *name = argv[i];
    if (strcmp(name, "help") == 0) {
        /* rustlet help [CMD] */
        const struct cli_cmd *c = i + 1 < argc ? find_command(argv[i + 1]) : NULL;
        if (i + 1 >= argc) {
            print_help(stdout);
            return 0;
        }
        if (c == NULL)
            return fail(
                NULL, (rl_error(&err, "no such command \"%s\" (see 'rustlet --help')", argv[i + 1]),
                       err));
        print_command_help(c);
        return 0;
    }
    const struct cli_cmd *c = find_command(name);
    if (c == NULL)
        return fail(NULL,
                    (rl_error(&err, "no such command \"%s\" (see 'rustlet --help')", name), err));
    if (wants_help(argc - i, argv + i)) {
        print_command_help(c);
        return 0;
    }
    bool rootless = rootless_mode(g.rootless);
    const char *root = g.root;
    if (root == NULL && needs_state_root(name) && (root = default_root(rootless, &err)) == NULL)
        return fail(name, err);
    struct rl_context ctx = {.root = root ? root : "/run/rustlet",
                             .notify_socket = getenv("NOTIFY_SOCKET"),
                             .no_cgroups = strcmp(cgm, "disabled") == 0,
                             .systemd_cgroup = g.systemd_cgroup,
                             .criu = g.criu,
                             .rootless = rootless};
    if (rl_context_check(&ctx, &err) < 0)
        return fail(NULL, err);
    if (c->fn(&ctx, argc - i, argv + i, &err) < 0)
        return fail(name, err);
    return cli_exit_status >= 0 ? cli_exit_status : 0;
}
