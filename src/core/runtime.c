/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* What the CLI asks of the runtime process itself before a command runs:
 * the sealed re-execution (CVE-2019-5736, src/linux/selfexe.c) and the
 * checks of the global options against the host. They live in core so the
 * CLI calls only core (docs/architecture.md, "Layers"). */
#include "rustlet/cgroup.h"
#include "rustlet/container.h"
#include "rustlet/linux.h"

#include <unistd.h>

int rl_runtime_seal(char **argv, struct rl_error **err)
{
    return rl_exec_sealed_self(argv, err);
}

int rl_context_check(const struct rl_context *ctx, struct rl_error **err)
{
    if (ctx->systemd_cgroup && !rl_cgroup_systemd_running())
        return rl_error(err, "--systemd-cgroup: systemd is not running on this host "
                             "(no /run/systemd/system); use the cgroupfs driver");
    if (ctx->systemd_cgroup && geteuid() != 0)
        return rl_error(err, "--systemd-cgroup: the systemd user instance (rootless) "
                             "is not supported yet; run as root or use cgroupfs");
    return 0;
}
