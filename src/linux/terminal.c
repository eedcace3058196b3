/* SPDX-License-Identifier: MIT OR Apache-2.0 */
#include "rustlet/terminal.h"
#include "rustlet/log.h"
#include "rustlet/sys.h"
#include "rustlet/utils.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>

int rl_console_connect(const char *path, struct rl_error **err)
{
    int fd = rl_unix_connect(path, SOCK_STREAM);
    if (fd < 0)
        return rl_error_errno(err, "--console-socket: connect %s", path);
    return fd;
}

int rl_send_fd(int sock, int fd, const char *name)
{
    char cbuf[CMSG_SPACE(sizeof(int))] = {0};
    struct iovec iov = {.iov_base = (void *)name, .iov_len = strlen(name)};
    struct msghdr msg = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &fd, sizeof(int));
    ssize_t n;
    do {
        n = sendmsg(sock, &msg, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    return n < 0 ? -1 : 0;
}

int rl_recv_fd(int sock)
{
    char name[256];
    char cbuf[CMSG_SPACE(sizeof(int))];
    struct iovec iov = {.iov_base = name, .iov_len = sizeof(name)};
    struct msghdr msg = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
    ssize_t n;
    do {
        n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
    } while (n < 0 && errno == EINTR);
    if (n < 0)
        return -1;
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    if (c == NULL || c->cmsg_type != SCM_RIGHTS) {
        errno = EBADMSG;
        return -1;
    }
    int fd;
    memcpy(&fd, CMSG_DATA(c), sizeof(int));
    return fd;
}

/* /dev/console is the pty's slave, as runc sets it up.
 *
 * CVE-2025-52565: the image (or a container sharing /dev/pts) decides what
 * /dev/console and /dev/pts/N are. A bind by path follows a symlink there
 * and mounts over - or gives the container's stdio - some other file, such
 * as /proc/sys/kernel/core_pattern, before the masked and readonly paths
 * protect it. So the peer comes from the master itself (TIOCGPTPEER, no
 * path) and must be a pty; /dev/console is opened without following
 * symlinks and must be a plain file or a device; the bind is made from the
 * one fd to the other (open_tree + move_mount). */
#define PTY_SLAVE_MAJOR_FIRST 136
#define PTY_SLAVE_MAJOR_LAST  143

static int open_peer(int master, const char *slave, struct rl_error **err)
{
    int fd = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (fd < 0 && (errno == EINVAL || errno == ENOTTY)) /* before Linux 4.13 */
        fd = open(slave, O_RDWR | O_NOCTTY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return rl_error_errno(err, "process.terminal: open the pty peer %s", slave);
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISCHR(st.st_mode) || major(st.st_rdev) < PTY_SLAVE_MAJOR_FIRST ||
        major(st.st_rdev) > PTY_SLAVE_MAJOR_LAST) {
        close(fd);
        return rl_error(err, "process.terminal: %s is not a pty", slave);
    }
    return fd;
}

static int open_console(struct rl_error **err)
{
    int dev = open("/dev", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dev < 0)
        return rl_error_errno(err, "process.terminal: open /dev");
    int fd = openat(dev, "console", O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT) {
        int f = openat(dev, "console", O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (f < 0) {
            rl_error_errno(err, "process.terminal: create /dev/console");
            close(dev);
            return -1;
        }
        close(f);
        fd = openat(dev, "console", O_PATH | O_NOFOLLOW | O_CLOEXEC);
    }
    close(dev);
    if (fd < 0)
        return rl_error_errno(err, "process.terminal: open /dev/console");
    struct stat st;
    if (fstat(fd, &st) < 0 || !(S_ISREG(st.st_mode) || S_ISCHR(st.st_mode))) {
        close(fd);
        return rl_error(err, "process.terminal: /dev/console is %s, not a file or a device",
                        S_ISLNK(st.st_mode) ? "a symlink" : "something else");
    }
    return fd;
}

static int bind_console(int sfd, struct rl_error **err)
{
    _cleanup_close_ int target = open_console(err);
    if (target < 0)
        return -1;
    int mnt = rl_sys_open_tree_clone(sfd, "pty peer");
    if (mnt >= 0) {
        int r = rl_sys_move_mount_fd(mnt, target, "/dev/console");
        int saved = errno;
        close(mnt);
        errno = saved;
        return r < 0 ? rl_error_errno(err, "process.terminal: bind the pty on /dev/console") : 0;
    }
    if (errno != ENOSYS)
        return rl_error_errno(err, "process.terminal: clone the pty mount");
    char s[64], t[64];
    snprintf(s, sizeof(s), "/proc/self/fd/%d", sfd);
    snprintf(t, sizeof(t), "/proc/self/fd/%d", target);
    if (rl_sys_mount(s, t, NULL, MS_BIND, NULL) < 0)
        return rl_error_errno(err, "process.terminal: bind the pty on /dev/console");
    return 0;
}

int rl_terminal_setup(const struct rl_process *p, int sock, bool console, struct rl_error **err)
{
    _cleanup_close_ int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0)
        return rl_error_errno(err, "process.terminal: open /dev/ptmx in the container");
    if (unlockpt(master) < 0)
        return rl_error_errno(err, "process.terminal: unlockpt");
    char slave[64];
    if (ptsname_r(master, slave, sizeof(slave)) != 0)
        return rl_error_errno(err, "process.terminal: ptsname");
    if (p->has_console_size) {
        struct winsize ws = {.ws_row = (unsigned short)p->console_height,
                             .ws_col = (unsigned short)p->console_width};
        if (ioctl(master, TIOCSWINSZ, &ws) < 0)
            return rl_error_errno(err, "process.consoleSize: TIOCSWINSZ");
    }
    _cleanup_close_ int sfd = open_peer(master, slave, err);
    if (sfd < 0)
        return -1;
    if (console && bind_console(sfd, err) < 0)
        return -1;
    if (setsid() < 0)
        return rl_error_errno(err, "process.terminal: setsid");
    if (ioctl(sfd, TIOCSCTTY, 0) < 0)
        return rl_error_errno(err, "process.terminal: TIOCSCTTY");
    for (int fd = 0; fd <= 2; fd++)
        if (dup2(sfd, fd) < 0)
            return rl_error_errno(err, "process.terminal: dup2 to fd %d", fd);
    if (rl_send_fd(sock, master, slave) < 0)
        return rl_error_errno(err, "--console-socket: send the pty master");
    return 0;
}

static void copy_winsize(int from, int to)
{
    struct winsize ws;
    if (ioctl(from, TIOCGWINSZ, &ws) == 0)
        (void)ioctl(to, TIOCSWINSZ, &ws);
}

/* Copy what is readable on from to to; false on EOF/error. */
static bool pump(int from, int to)
{
    char buf[8192];
    ssize_t n = read(from, buf, sizeof(buf));
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return true;
    if (n <= 0)
        return false;
    return rl_write_all(to, buf, (size_t)n) == 0;
}

void rl_terminal_relay(int master, int stop_fd)
{
    struct termios saved;
    bool raw = isatty(0) && tcgetattr(0, &saved) == 0;
    if (raw) {
        struct termios t = saved;
        cfmakeraw(&t);
        t.c_oflag |= OPOST; /* keep output processing, as runc does */
        tcsetattr(0, TCSANOW, &t);
        copy_winsize(0, master);
    }
    sigset_t winch;
    sigemptyset(&winch);
    sigaddset(&winch, SIGWINCH);
    int sfd = signalfd(-1, &winch, SFD_CLOEXEC | SFD_NONBLOCK);
    struct pollfd p[4] = {{.fd = master, .events = POLLIN},
                          {.fd = 0, .events = POLLIN},
                          {.fd = sfd, .events = POLLIN},
                          {.fd = stop_fd, .events = POLLIN}};
    bool stdin_open = true;
    for (;;) {
        p[1].fd = stdin_open ? 0 : -1;
        if (poll(p, 4, -1) < 0 && errno != EINTR)
            break;
        if (p[0].revents & POLLIN) {
            if (!pump(master, 1))
                break;
        } else if (p[0].revents & (POLLHUP | POLLERR)) {
            break;
        }
        if (p[1].revents & (POLLIN | POLLHUP) && !pump(0, master))
            stdin_open = false;
        if (p[2].revents & POLLIN) {
            struct signalfd_siginfo si;
            while (read(sfd, &si, sizeof(si)) == sizeof(si))
                ;
            copy_winsize(0, master);
        }
        if (p[3].revents && !(p[0].revents & POLLIN))
            break;
    }
    /* drain what the process printed last */
    int fl = fcntl(master, F_GETFL);
    fcntl(master, F_SETFL, fl | O_NONBLOCK);
    char buf[8192];
    ssize_t n;
    while ((n = read(master, buf, sizeof(buf))) > 0)
        (void)rl_write_all(1, buf, (size_t)n);
    if (sfd >= 0)
        close(sfd);
    if (raw)
        tcsetattr(0, TCSANOW, &saved);
}
