/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* CVE-2019-5736: the commands that enter a container (create, run, exec)
 * run from a sealed in-memory copy of the rustlet binary.
 *
 * Why: the init of `create` and the child of `exec` are forks of rustlet,
 * so until their final execve they run the rustlet binary inside the
 * container's namespaces. A container program that is a script starting
 * with "#!/proc/self/exe" makes the kernel execute, as the container's
 * process, whatever that process's exe is - and then load its dynamic
 * loader from the container's rootfs: attacker code with /proc/self/exe
 * naming the runtime's binary. It keeps an O_PATH fd and, once no rustlet
 * process runs the binary any more (ETXTBSY until then), opens it for
 * writing and replaces the host's runtime.
 *
 * The defence (as runc's and crun's): copy /proc/self/exe into a memfd,
 * seal it against any write, growth, shrinking and further sealing, and
 * execveat() it before doing anything. Every rustlet process that later
 * enters a container then has the sealed copy as its exe: opening it for
 * writing works, every write fails with EPERM, and the host file is never
 * reachable from inside. Cost: one copy of the binary and one execve per
 * create/run/exec (about a quarter of a `run` here), saved when the binary
 * is on a read-only mount. */
#include "rustlet/linux.h"
#include "rustlet/utils.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif

extern char **environ;

#define SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)
#define GUARD "_RUSTLET_SEALED_EXEC"

static bool self_sealed(void)
{
    int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    int s = fcntl(fd, F_GET_SEALS);
    close(fd);
    return s >= 0 && (s & SEALS) == SEALS;
}

int rl_exec_sealed_self(char **argv, struct rl_error **err)
{
    bool again = getenv(GUARD) != NULL;
    unsetenv(GUARD);
    if (self_sealed())
        return 0;
    if (again)
        return rl_error(err, "CVE-2019-5736 protection: re-executed, but /proc/self/exe is not "
                             "the sealed copy");
    _cleanup_close_ int src = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    if (src < 0)
        return rl_error_errno(err, "CVE-2019-5736 protection: open /proc/self/exe to copy it");
    /* A binary on a read-only mount needs no copy: reopening it for writing
     * fails with EROFS, and the container cannot remount a mount of the
     * host's mount namespace. */
    struct statvfs sv;
    if (fstatvfs(src, &sv) == 0 && (sv.f_flag & ST_RDONLY))
        return 0;
    struct stat st;
    if (fstat(src, &st) < 0)
        return rl_error_errno(err, "CVE-2019-5736 protection: stat /proc/self/exe");
    int mfd = memfd_create("rustlet", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
    if (mfd < 0 && errno == EINVAL) /* kernels before 6.3 know no MFD_EXEC */
        mfd = memfd_create("rustlet", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (mfd < 0)
        return rl_error_errno(err, "CVE-2019-5736 protection: memfd_create");
    _cleanup_close_ int m = mfd;
    if (rl_copy_fd(m, src, st.st_size) < 0)
        return rl_error_errno(err, "CVE-2019-5736 protection: copy the binary into a memfd");
    if (fcntl(m, F_ADD_SEALS, SEALS) < 0)
        return rl_error_errno(err, "CVE-2019-5736 protection: seal the copy");
    setenv(GUARD, "1", 1);
    syscall(SYS_execveat, m, "", argv, environ, AT_EMPTY_PATH);
    unsetenv(GUARD);
    return rl_error_errno(err, "CVE-2019-5736 protection: execute the sealed copy");
}
