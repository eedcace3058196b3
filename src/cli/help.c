/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* `rustlet CMD --help` / `rustlet help CMD`: each command's options, one
 * line each (the man pages say more). docs.bats checks that every flag of
 * the option tables is listed here. */
#include "cli.h"
#include "rustlet/utils.h"

#include <string.h>

/* Lines that several commands share, so that they read the same everywhere. */
#define H_BUNDLE                                                                                   \
    "   --bundle value, -b value   path to the root of the bundle directory (default: \".\")\n"
#define H_CONFIG                                                                                   \
    "   --config value, -f value   the configuration file (default: <bundle>/config.json)\n"
#define H_PID_FILE "   --pid-file value           file to write the process id to\n"
#define H_CONSOLE  "   --console-socket value     AF_UNIX socket that receives the pty master\n"
#define H_NO_PIVOT "   --no-pivot                 do not use pivot_root (MS_MOVE and chroot)\n"
#define H_KEYRING  "   --no-new-keyring           keep the caller's session keyring\n"
#define H_FDS      "   --preserve-fds value       number of extra fds (from 3) passed to the process\n"
#define H_DETACH   "   --detach, -d               detach from the container's process\n"
#define H_SUBREAPER                                                                                \
    "   --no-subreaper             do not reap the processes the container orphans\n"
#define H_LAZY "   --lazy-pages               (not supported yet)\n"
/* What checkpoint and restore both pass on to criu. */
#define H_CRIU_COMMON                                                                              \
    "   --work-path value          criu's logs and work files (default: the image path)\n"         \
    "   --tcp-established          allow open TCP connections\n"                                   \
    "   --ext-unix-sk              allow external UNIX sockets\n"                                  \
    "   --shell-job                allow a shell job (a terminal from outside)\n"                  \
    "   --file-locks               handle file locks\n"                                            \
    "   --manage-cgroups-mode value  cgroups mode: soft (default), full, strict, ignore\n"         \
    "   --empty-ns value           create this namespace empty, not restoring it (network)\n"      \
    "   --auto-dedup               free the pages of earlier dumps in the image\n"

static const struct {
    const char *cmd;
    const char *options;
} help[] = {
    {"create", H_BUNDLE H_CONFIG H_PID_FILE H_CONSOLE H_NO_PIVOT H_KEYRING H_FDS},
    {"run", H_BUNDLE H_CONFIG H_PID_FILE H_DETACH
     "   --keep                     do not delete the container after it exits\n" H_SUBREAPER
         H_CONSOLE H_NO_PIVOT H_KEYRING H_FDS},
    {"checkpoint",
     "   --image-path value         where the image files go (default: ./checkpoint)\n"
     "   --parent-path value        a previous pre-dump, relative to the image path\n"
     "   --leave-running            leave the container running after the dump\n"
     "   --pre-dump                 dump the memory only, the container goes on\n" H_CRIU_COMMON
         H_LAZY "   --status-fd value          (not supported yet)\n"
     "   --page-server value        (not supported yet)\n"},
    {"restore",
     "   --image-path value         the checkpoint's image files (default: ./checkpoint)\n" H_BUNDLE
         H_DETACH H_PID_FILE H_SUBREAPER H_CRIU_COMMON
     "   --lsm-profile value        LSM profile of the restored processes\n"
     "   --lsm-mount-context value  SELinux mount context of the restored mounts\n"
     "   --console-socket value     (not supported yet)\n"
     "   --no-pivot                 (not supported: criu makes the root)\n" H_LAZY},
    {"delete", "   --force, -f                kill the container first if it is running\n"},
    {"kill", "   --all, -a                  signal every process of the container\n"},
    {"events", "   --stats                    print the statistics once and exit\n"
               "   --interval value           interval between statistics (default: 5s)\n"},
    {"exec", "   --process value, -p value  JSON file with the process to run\n"
             "   --detach, -d               detach from the process\n"
             "   --pid-file value           file to write the process id to\n"
             "   --cwd value                working directory in the container\n"
             "   --env value, -e value      set an environment variable (repeatable)\n"
             "   --user value, -u value     UID[:GID]\n"
             "   --additional-gids value, -g value  an additional group (repeatable)\n"
             "   --cap value, -c value      add a capability (repeatable)\n"
             "   --no-new-privs             set no_new_privs\n"
             "   --process-label value      SELinux label of the process\n"
             "   --apparmor value           AppArmor profile of the process\n"
             "   --preserve-fds value       number of extra fds (from 3) passed to the process\n"
             "   --cgroup value             sub-cgroup to run in ([CONTROLLER:]PATH)\n"
             "   --ignore-paused            exec even if the container is paused\n"
             "   --tty, -t                  give the process a new terminal\n"
             "   --console-socket value     AF_UNIX socket that receives the pty master\n"},
    {"list", "   --format value, -f value   table or json (default: \"table\")\n"
             "   --quiet, -q                print only the container ids\n"},
    {"ps", "   --format value, -f value   table or json (default: \"table\")\n"},
    {"spec", "   --bundle value, -b value   where to write config.json (default: \".\")\n"
             "   --rootless                 a configuration for a rootless container\n"},
    {"update", "   --resources value, -r value  LinuxResources JSON file (\"-\": stdin)\n"
               "   --memory value             memory limit (bytes, or with k/m/g)\n"
               "   --memory-swap value        memory plus swap limit (-1: unlimited)\n"
               "   --memory-reservation value soft memory limit\n"
               "   --kernel-memory value      kernel memory limit (v1; most kernels ignore it)\n"
               "   --kernel-memory-tcp value  TCP kernel memory limit (v1)\n"
               "   --cpu-share value          CPU shares (--cpu-shares too)\n"
               "   --cpu-shares value         CPU shares\n"
               "   --cpu-quota value          CFS quota in microseconds\n"
               "   --cpu-period value         CFS period in microseconds\n"
               "   --cpu-rt-runtime value     realtime runtime in microseconds\n"
               "   --cpu-rt-period value      realtime period in microseconds\n"
               "   --cpuset-cpus value        CPUs to run on\n"
               "   --cpuset-mems value        memory nodes to use\n"
               "   --pids-limit value         maximum number of processes\n"
               "   --blkio-weight value       block I/O weight (10..1000)\n"
               "   --l3-cache-schema value    Intel RDT L3 cache schema\n"
               "   --mem-bw-schema value      Intel RDT memory bandwidth schema\n"},
};

const char *cli_command_options(const char *cmd)
{
    for (size_t i = 0; i < ARRAY_SIZE(help); i++)
        if (strcmp(help[i].cmd, cmd) == 0)
            return help[i].options;
    return NULL;
}
