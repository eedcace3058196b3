/* bench/floor.c - the physical limit of `run /bin/true`: what every runtime
 * must do at least, done with no config, no state and no checks.
 *
 * Usage: floor ROOTFS CGROUP_DIR...
 * Makes every CGROUP_DIR (one per hierarchy, by bench/run), clones a child
 * in new mount, UTS, IPC, PID and network namespaces, moves it into every
 * CGROUP_DIR (cgroup.procs, written by the parent as runtimes do), and the
 * child makes / private, bind-mounts ROOTFS onto itself, mounts proc on
 * ROOTFS/proc, pivot_roots into it, detaches the old root and execs
 * /bin/true.  The parent waits for it, removes the cgroup dirs and exits
 * with the child's status.  Errors name the operation, path and errno text.
 * Compiled on the fly by bench/run; not part of the build.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *rootfs;
static int syncfd[2];

static void die(const char *op, const char *path)
{
    fprintf(stderr, "floor: %s %s: %s\n", op, path, strerror(errno));
    _exit(1);
}

/* A new cpuset v1 cgroup starts with empty cpuset.cpus and cpuset.mems and
 * refuses tasks (ENOSPC) until they are set: copy them from the parent, as
 * runtimes do.  Elsewhere the files do not exist and there is nothing to do. */
static int cpuset_copy(const char *dir)
{
    static const char *const files[] = {"cpuset.cpus", "cpuset.mems"};
    char path[4096], buf[4096];
    for (int i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "%s/../%s", dir, files[i]);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            return errno == ENOENT
                       ? 0
                       : (fprintf(stderr, "floor: open %s: %s\n", path, strerror(errno)), -1);
        ssize_t n = read(fd, buf, sizeof buf);
        close(fd);
        if (n < 0) {
            fprintf(stderr, "floor: read %s: %s\n", path, strerror(errno));
            return -1;
        }
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0 || write(fd, buf, (size_t)n) != n) {
            fprintf(stderr, "floor: write %s: %s\n", path, strerror(errno));
            if (fd >= 0)
                close(fd);
            return -1;
        }
        close(fd);
    }
    return 0;
}

static int child(void *arg)
{
    (void)arg;
    char c;
    close(syncfd[1]);
    if (read(syncfd[0], &c, 1) != 1) /* the parent has put us in the cgroups */
        die("read", "sync pipe");
    close(syncfd[0]);
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
        die("mount --make-rprivate", "/");
    if (mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
        die("bind mount", rootfs);
    if (chdir(rootfs) < 0)
        die("chdir", rootfs);
    if (mount("proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
        die("mount proc on", "proc");
    if (syscall(SYS_pivot_root, ".", ".") < 0)
        die("pivot_root", rootfs);
    if (umount2(".", MNT_DETACH) < 0)
        die("umount2 old root", ".");
    if (chdir("/") < 0)
        die("chdir", "/");
    char *argv[] = {"/bin/true", NULL};
    char *envp[] = {"PATH=/bin", NULL};
    execve(argv[0], argv, envp);
    die("execve", argv[0]);
    return 1;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: floor ROOTFS CGROUP_DIR...\n");
        return 2;
    }
    rootfs = argv[1];
    int ncg = argc - 2, rc = 1;
    char **cg = argv + 2;
    int made = 0;
    for (; made < ncg; made++)
        if (mkdir(cg[made], 0755) < 0) {
            fprintf(stderr, "floor: mkdir %s: %s\n", cg[made], strerror(errno));
            goto out;
        } else if (cpuset_copy(cg[made]) < 0) {
            made++;
            goto out;
        }
    if (pipe2(syncfd, O_CLOEXEC) < 0) {
        perror("floor: pipe2");
        goto out;
    }
    static char stack[64 * 1024] __attribute__((aligned(16)));
    pid_t pid = clone(
        child, stack + sizeof stack,
        CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID | CLONE_NEWNET | SIGCHLD, NULL);
    if (pid < 0) {
        perror("floor: clone");
        goto out;
    }
    close(syncfd[0]);
    char buf[32], path[4096];
    int len = snprintf(buf, sizeof buf, "%d\n", (int)pid), joined = 1;
    for (int i = 0; i < ncg; i++) {
        snprintf(path, sizeof path, "%s/cgroup.procs", cg[i]);
        int fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0 || write(fd, buf, (size_t)len) != len) {
            fprintf(stderr, "floor: write %s: %s\n", path, strerror(errno));
            joined = 0;
        }
        if (fd >= 0)
            close(fd);
        if (!joined)
            break;
    }
    if (joined && write(syncfd[1], "x", 1) != 1)
        perror("floor: write sync pipe");
    close(syncfd[1]); /* on error the child's read sees EOF and it exits */
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) {
            perror("floor: waitpid");
            goto out;
        }
    if (joined)
        rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
out:
    while (made-- > 0)
        if (rmdir(cg[made]) < 0)
            fprintf(stderr, "floor: rmdir %s: %s\n", cg[made], strerror(errno));
    return rc;
}
