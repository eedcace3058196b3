/* sysloop: bench/run's payload for the syscall-cost rows.  Calls syscall
 * number NR (no arguments) COUNT times and exits 0; the caller times the
 * whole container run.  Built static so it runs in the busybox rootfs.
 *
 * Usage: sysloop NR COUNT */
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc != 3)
        return 2;
    long nr = strtol(argv[1], NULL, 10), n = strtol(argv[2], NULL, 10);
    for (long i = 0; i < n; i++)
        syscall(nr);
    return 0;
}
