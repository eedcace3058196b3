/* rl-newsys: run inside a container to see what a seccomp profile older
 * than these syscalls does to them. Static, libc only.
 *   rl-newsys raw       faccessat2, clone3, openat2, close_range made
 *                       directly: "NAME=ok" or "NAME=ERRNO"
 *   rl-newsys libc      the libc calls built on them, which fall back to
 *                       older syscalls on ENOSYS only: faccessat(AT_EACCESS),
 *                       pthread_create, posix_spawn, fork
 * Exit status 0 unless a call could not be made at all. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SYS_clone3
#define SYS_clone3 435
#endif
#ifndef SYS_close_range
#define SYS_close_range 436
#endif
#ifndef SYS_openat2
#define SYS_openat2 437
#endif
#ifndef SYS_faccessat2
#define SYS_faccessat2 439
#endif

extern char **environ;

static void report(const char *name, long r, int e)
{
    printf("%s=%s\n", name, r >= 0 ? "ok" : strerrorname_np(e));
}

static int raw(void)
{
    long r = syscall(SYS_faccessat2, AT_FDCWD, "/", X_OK, AT_EACCESS);
    report("faccessat2", r, errno);
    /* size 0 is refused with EINVAL by a kernel that runs clone3: nothing forks */
    r = syscall(SYS_clone3, NULL, 0);
    printf("clone3=%s\n", r < 0 && errno == EINVAL ? "ok" : r < 0 ? strerrorname_np(errno) : "?");
    struct {
        uint64_t flags, mode, resolve;
    } how = {O_RDONLY | O_DIRECTORY, 0, 0};
    r = syscall(SYS_openat2, AT_FDCWD, "/", &how, sizeof(how));
    report("openat2", r, errno);
    if (r >= 0)
        close((int)r);
    r = syscall(SYS_close_range, 1000u, 1000u, 0u);
    report("close_range", r, errno);
    return 0;
}

static void *thread(void *arg)
{
    return arg;
}

static int libc(void)
{
    int r = faccessat(AT_FDCWD, "/bin/busybox", X_OK, AT_EACCESS);
    report("libc_faccessat", r, errno);
    pthread_t t;
    int e = pthread_create(&t, NULL, thread, NULL);
    if (e == 0)
        pthread_join(t, NULL);
    report("libc_thread", e == 0 ? 0 : -1, e);
    pid_t pid;
    char *argv[] = {"true", NULL};
    e = posix_spawn(&pid, "/bin/true", NULL, NULL, argv, environ);
    int st = 0;
    if (e == 0 && (waitpid(pid, &st, 0) != pid || st != 0))
        e = ECHILD;
    report("libc_spawn", e == 0 ? 0 : -1, e);
    pid = fork();
    if (pid == 0)
        _exit(0);
    e = errno;
    if (pid > 0 && (waitpid(pid, &st, 0) != pid || st != 0))
        pid = -1, e = ECHILD;
    report("libc_fork", pid, e);
    return 0;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc == 2 && strcmp(argv[1], "raw") == 0)
        return raw();
    if (argc == 2 && strcmp(argv[1], "libc") == 0)
        return libc();
    fprintf(stderr, "usage: rl-newsys raw|libc\n");
    return 2;
}
