/* bench/timeit.c - run one command, report wall time and peak RSS.
 *
 * Usage: timeit [-q] -- CMD [ARGS...]
 * Prints one line to stdout: "<ns> <maxrss_kib> <exit>" where <exit> is the
 * command's exit status, or 128+signal if it was killed.  With -q the
 * command's stdout and stderr go to /dev/null.
 * The time covers fork + exec + wait4 of the command only; the peak RSS is
 * ru_maxrss of the rusage wait4 returns for that one child.
 * Compiled on the fly by bench/run; not part of the build.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    int quiet = 0, i = 1;
    for (; i < argc; i++) {
        if (strcmp(argv[i], "-q") == 0)
            quiet = 1;
        else if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        } else
            break;
    }
    if (i >= argc) {
        fprintf(stderr, "usage: timeit [-q] -- CMD [ARGS...]\n");
        return 2;
    }
    int devnull = -1;
    if (quiet && (devnull = open("/dev/null", O_WRONLY | O_CLOEXEC)) < 0) {
        perror("timeit: /dev/null");
        return 2;
    }
    fflush(stdout);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pid_t pid = fork();
    if (pid < 0) {
        perror("timeit: fork");
        return 2;
    }
    if (pid == 0) {
        if (quiet) {
            dup2(devnull, 1);
            dup2(devnull, 2);
        }
        execvp(argv[i], argv + i);
        _exit(127);
    }
    int status;
    struct rusage ru;
    while (wait4(pid, &status, 0, &ru) < 0) {
        perror("timeit: wait4");
        return 2;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long long ns = (long long)(t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec);
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    printf("%lld %ld %d\n", ns, ru.ru_maxrss, code);
    return 0;
}
