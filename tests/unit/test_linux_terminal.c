/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* terminal.c: the console socket's fd passing, the container's pty set-up
 * (in a forked child with the fake syscall table: the /dev/console bind is
 * recorded, not made) and `run -t`'s relay between our stdio and the
 * master (in a forked child whose stdio are pipes or a pty of the test).
 * Real ptys from /dev/ptmx: no root needed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>

#include "rustlet/error.h"
#include "rustlet/terminal.h"
#include "test_linux_fake.h"

/* The children end with exit, not _exit: with --coverage their counters
 * are written (and under ASan, LeakSanitizer checks them too). Nothing
 * buffered is duplicated: stdio is flushed before each fork. */

#define SHARED_SIZE 65536
struct shared {
    char calls[SHARED_SIZE - 4096];
    char err[2048]; /* the child's error, "" for none */
    int sid_is_self, fds_are_pty;
};

static struct shared *sh;
static char *tree;
static bool enosys_open_tree; /* the fake open_tree says ENOSYS (old kernel) */

static int term_open_tree(int dfd, const char *path, unsigned flags)
{
    if (enosys_open_tree) {
        errno = ENOSYS;
        return -1;
    }
    return fake_open_tree(dfd, path, flags);
}

static struct rl_sys_ops term_ops;

static int group_setup(void **state)
{
    sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (sh == MAP_FAILED)
        return -1;
    char tmpl[] = "/tmp/rl-test-linux-terminal-XXXXXX";
    tree = fake_make_tree(tmpl);
    if (tree == NULL)
        return -1;
    term_ops = fake_linux_ops;
    term_ops.open_tree = term_open_tree;
    return 0;
}

static int group_teardown(void **state)
{
    munmap(sh, sizeof(*sh));
    fake_rm_tree(tree);
    free(tree);
    return 0;
}

static int status_of(pid_t pid)
{
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

/* Read from fd until want was read (or 5 s passed): the bytes read. */
static char *read_until(int fd, const char *want)
{
    char *buf = xzalloc(4096);
    size_t o = 0;
    for (int i = 0; i < 500 && !strstr(buf, want) && o < 4095; i++) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 10) <= 0)
            continue;
        ssize_t n = read(fd, buf + o, 4095 - o);
        if (n <= 0)
            break;
        o += (size_t)n;
    }
    return buf;
}

static void test_send_recv_fd(void **state)
{
    int sv[2], p[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    assert_int_equal(pipe2(p, O_CLOEXEC), 0);
    assert_int_equal(rl_send_fd(sv[0], p[1], "/dev/pts/7"), 0);
    int got = rl_recv_fd(sv[1]);
    assert_true(got >= 0 && got != p[1]);
    /* the same pipe, received close-on-exec */
    assert_true(fcntl(got, F_GETFD) & FD_CLOEXEC);
    assert_int_equal(write(got, "x", 1), 1);
    char c = 0;
    assert_int_equal(read(p[0], &c, 1), 1);
    assert_int_equal(c, 'x');
    close(got);
    /* a message without an fd */
    assert_int_equal(write(sv[0], "no fd", 5), 5);
    errno = 0;
    assert_int_equal(rl_recv_fd(sv[1]), -1);
    assert_int_equal(errno, EBADMSG);
    /* the peer gone: EOF is no fd either, and sending fails (no SIGPIPE) */
    close(sv[0]);
    errno = 0;
    assert_int_equal(rl_recv_fd(sv[1]), -1);
    assert_int_equal(errno, EBADMSG);
    assert_int_equal(rl_send_fd(sv[1], p[0], "x"), -1);
    assert_int_equal(errno, EPIPE);
    close(sv[1]);
    errno = 0;
    assert_int_equal(rl_recv_fd(sv[1]), -1);
    assert_int_equal(errno, EBADF);
    close(p[0]);
    close(p[1]);
}

static void test_console_connect(void **state)
{
    _cleanup_free_ char *path = xasprintf("%s/console.sock", tree);
    struct rl_error *err = NULL;
    assert_int_equal(rl_console_connect(path, &err), -1);
    _cleanup_free_ char *want =
        xasprintf("--console-socket: connect %s: No such file or directory", path);
    assert_non_null(err);
    assert_string_equal(err->msg, want);
    rl_error_free(err);
    err = NULL;
    int l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
    assert_int_equal(bind(l, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(listen(l, 1), 0);
    int fd = rl_console_connect(path, &err);
    assert_true(fd >= 0);
    assert_null(err);
    /* the connection is the one accepted: an fd sent over it arrives */
    int c = accept4(l, NULL, NULL, SOCK_CLOEXEC);
    assert_true(c >= 0);
    int p[2];
    assert_int_equal(pipe2(p, O_CLOEXEC), 0);
    assert_int_equal(rl_send_fd(fd, p[0], "pty"), 0);
    int got = rl_recv_fd(c);
    assert_true(got >= 0);
    close(got);
    close(p[0]);
    close(p[1]);
    close(c);
    close(fd);
    close(l);
    unlink(path);
}

struct setup_case {
    bool console, size, enosys;
    const char *fail_on;
};

/* rl_terminal_setup in a child with the fake table; the parent receives
 * the master over the socket. Returns the child's pid; *master, or -1
 * when the child failed before sending it. */
static pid_t run_setup(const struct setup_case *c, int *master)
{
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    memset(sh, 0, sizeof(*sh));
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(sv[0]);
        fake_calls = sh->calls;
        fake_calls_size = sizeof(sh->calls);
        fake_reset();
        fake_fail_on = c->fail_on;
        fake_fail_errno = EPERM;
        enosys_open_tree = c->enosys;
        rl_sys_set_ops(&term_ops);
        struct rl_process p = {0};
        p.has_console_size = c->size;
        p.console_height = 30;
        p.console_width = 100;
        struct rl_error *err = NULL;
        if (rl_terminal_setup(&p, sv[1], c->console, &err) < 0) {
            snprintf(sh->err, sizeof(sh->err), "%s", err->msg);
            rl_error_free(err);
            exit(1);
        }
        sh->sid_is_self = tcgetsid(0) == getpid();
        sh->fds_are_pty = isatty(0) && isatty(1) && isatty(2);
        if (write(1, "hello\n", 6) != 6)
            exit(3);
        /* wait for the parent to have read it */
        char x;
        (void)read(sv[1], &x, 1);
        exit(0);
    }
    close(sv[1]);
    *master = rl_recv_fd(sv[0]);
    if (*master >= 0) {
        _cleanup_free_ char *out = read_until(*master, "hello");
        assert_string_equal(out, "hello\r\n");
        assert_int_equal(write(sv[0], "x", 1), 1);
    }
    close(sv[0]);
    return pid;
}

static void test_setup_console(void **state)
{
    if (access("/dev/console", F_OK) < 0)
        skip(); /* open_console would create it on the host */
    struct setup_case c = {.console = true, .size = true};
    int master;
    pid_t pid = run_setup(&c, &master);
    assert_int_equal(status_of(pid), 0);
    assert_true(master >= 0);
    assert_string_equal(sh->err, "");
    /* the controlling terminal of a new session, and fds 0-2 */
    assert_true(sh->sid_is_self);
    assert_true(sh->fds_are_pty);
    /* consoleSize on the master */
    struct winsize ws;
    assert_int_equal(ioctl(master, TIOCGWINSZ, &ws), 0);
    assert_int_equal(ws.ws_row, 30);
    assert_int_equal(ws.ws_col, 100);
    /* the peer, cloned from its fd, moved onto /dev/console */
    if (strncmp(sh->calls, "open_tree(/dev/pts/", 19) != 0)
        fail_msg("calls:\n%s", sh->calls);
    const char *second = strchr(sh->calls, '\n') + 1;
    assert_string_equal(second, "move_mount(/dev/console)\n");
    close(master);
}

static void test_setup_no_console(void **state)
{
    struct setup_case c = {0};
    int master;
    pid_t pid = run_setup(&c, &master);
    assert_int_equal(status_of(pid), 0);
    assert_true(master >= 0);
    assert_true(sh->sid_is_self);
    /* exec's terminal: nothing is mounted; no consoleSize: the kernel's */
    assert_string_equal(sh->calls, "");
    struct winsize ws;
    assert_int_equal(ioctl(master, TIOCGWINSZ, &ws), 0);
    assert_int_equal(ws.ws_row, 0);
    close(master);
}

/* Without open_tree (ENOSYS) the peer is bound by its /proc/self/fd path. */
static void test_setup_console_old_kernel(void **state)
{
    if (access("/dev/console", F_OK) < 0)
        skip();
    struct setup_case c = {.console = true, .enosys = true};
    int master;
    pid_t pid = run_setup(&c, &master);
    assert_int_equal(status_of(pid), 0);
    assert_true(master >= 0);
    if (strncmp(sh->calls, "mount(/dev/pts/", 15) != 0 ||
        !strstr(sh->calls, ",/dev/console,NULL,MS_BIND,NULL)\n"))
        fail_msg("calls:\n%s", sh->calls);
    close(master);
}

static void test_setup_console_errors(void **state)
{
    if (access("/dev/console", F_OK) < 0)
        skip();
    static const struct {
        struct setup_case c;
        const char *want;
    } cases[] = {
        {{.console = true, .fail_on = "open_tree("},
         "process.terminal: clone the pty mount: Operation not permitted"},
        {{.console = true, .fail_on = "move_mount("},
         "process.terminal: bind the pty on /dev/console: Operation not permitted"},
        {{.console = true, .enosys = true, .fail_on = "mount("},
         "process.terminal: bind the pty on /dev/console: Operation not permitted"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        int master;
        pid_t pid = run_setup(&cases[i].c, &master);
        assert_int_equal(status_of(pid), 1);
        /* nothing was sent: the failure is before the master goes out */
        assert_int_equal(master, -1);
        if (strcmp(sh->err, cases[i].want) != 0)
            fail_msg("case %zu: %s\nwant %s", i, sh->err, cases[i].want);
    }
}

/* The relay in a child: stdin and stdout given (the child keeps no other
 * end of them), stop its stop_fd. */
static pid_t run_relay(int master, int in, int out, int stop, const int *close_in_child,
                       size_t n_close)
{
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        for (size_t i = 0; i < n_close; i++)
            close(close_in_child[i]);
        if (dup2(in, 0) < 0 || dup2(out, 1) < 0)
            exit(2);
        sigset_t winch;
        sigemptyset(&winch);
        sigaddset(&winch, SIGWINCH);
        sigprocmask(SIG_BLOCK, &winch, NULL);
        struct termios before;
        bool tty = tcgetattr(0, &before) == 0;
        rl_terminal_relay(master, stop);
        /* our terminal's mode is given back */
        struct termios after;
        if (tty && (tcgetattr(0, &after) < 0 || after.c_lflag != before.c_lflag))
            exit(4);
        exit(0);
    }
    return pid;
}

static void make_raw(int fd)
{
    struct termios t;
    assert_int_equal(tcgetattr(fd, &t), 0);
    cfmakeraw(&t);
    assert_int_equal(tcsetattr(fd, TCSANOW, &t), 0);
}

static int open_pty(int *slave)
{
    int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    assert_true(m >= 0);
    assert_int_equal(unlockpt(m), 0);
    *slave = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
    assert_true(*slave >= 0);
    make_raw(*slave);
    return m;
}

/* Pipes as our stdio: what we type reaches the process, what it prints
 * reaches our stdout, stdin's EOF does not end the relay, the process's
 * hang-up does, and what it printed last is drained. */
static void test_relay_pipes(void **state)
{
    int slave;
    int master = open_pty(&slave);
    int in[2], out[2], stop[2];
    assert_int_equal(pipe2(in, O_CLOEXEC), 0);
    assert_int_equal(pipe2(out, O_CLOEXEC), 0);
    assert_int_equal(pipe2(stop, O_CLOEXEC), 0);
    int cl[] = {slave, in[1], out[0], stop[1]};
    pid_t pid = run_relay(master, in[0], out[1], stop[0], cl, ARRAY_SIZE(cl));
    close(in[0]);
    close(out[1]);
    close(stop[0]);
    close(master);
    assert_int_equal(write(in[1], "ping", 4), 4);
    _cleanup_free_ char *typed = read_until(slave, "ping");
    assert_string_equal(typed, "ping");
    close(in[1]);
    assert_int_equal(write(slave, "pong", 4), 4);
    _cleanup_free_ char *printed = read_until(out[0], "pong");
    assert_string_equal(printed, "pong");
    /* the last words, then the hang-up */
    assert_int_equal(write(slave, "bye", 3), 3);
    close(slave);
    _cleanup_free_ char *last = read_until(out[0], "bye");
    assert_string_equal(last, "bye");
    assert_int_equal(status_of(pid), 0);
    char c;
    assert_int_equal(read(out[0], &c, 1), 0);
    close(out[0]);
    close(stop[1]);
}

/* Our stdin a terminal: raw while relaying, its window size copied to the
 * master at the start and on SIGWINCH, its mode restored; stop_fd ends the
 * relay while the process still runs. */
static void test_relay_tty(void **state)
{
    int slave, our_slave;
    int master = open_pty(&slave);
    int our = open_pty(&our_slave);
    struct termios cooked;
    assert_int_equal(tcgetattr(our_slave, &cooked), 0);
    cooked.c_lflag |= ICANON | ECHO;
    assert_int_equal(tcsetattr(our_slave, TCSANOW, &cooked), 0);
    struct winsize ws = {.ws_row = 33, .ws_col = 111};
    assert_int_equal(ioctl(our, TIOCSWINSZ, &ws), 0);
    int out[2], stop[2];
    assert_int_equal(pipe2(out, O_CLOEXEC), 0);
    assert_int_equal(pipe2(stop, O_CLOEXEC), 0);
    int cl[] = {slave, our, out[0], stop[1]};
    pid_t pid = run_relay(master, our_slave, out[1], stop[0], cl, ARRAY_SIZE(cl));
    close(our_slave);
    close(out[1]);
    close(stop[0]);
    close(master);
    /* raw while relaying (termios ioctls on a master are the slave's) */
    struct termios now;
    for (int i = 0; i < 500; i++) {
        assert_int_equal(tcgetattr(our, &now), 0);
        if (!(now.c_lflag & ICANON))
            break;
        nanosleep(&(struct timespec){0, 10000000}, NULL);
    }
    assert_false(now.c_lflag & (ICANON | ECHO));
    /* a key reaches the process without a newline */
    assert_int_equal(write(our, "k", 1), 1);
    _cleanup_free_ char *typed = read_until(slave, "k");
    assert_string_equal(typed, "k");
    struct winsize got;
    assert_int_equal(ioctl(slave, TIOCGWINSZ, &got), 0);
    assert_int_equal(got.ws_row, 33);
    assert_int_equal(got.ws_col, 111);
    /* resized */
    ws.ws_row = 40;
    ws.ws_col = 120;
    assert_int_equal(ioctl(our, TIOCSWINSZ, &ws), 0);
    assert_int_equal(kill(pid, SIGWINCH), 0);
    for (int i = 0; i < 500; i++) {
        assert_int_equal(ioctl(slave, TIOCGWINSZ, &got), 0);
        if (got.ws_row == 40)
            break;
        nanosleep(&(struct timespec){0, 10000000}, NULL);
    }
    assert_int_equal(got.ws_row, 40);
    assert_int_equal(got.ws_col, 120);
    /* stopped from outside; the slave stays open */
    assert_int_equal(write(stop[1], "s", 1), 1);
    assert_int_equal(status_of(pid), 0);
    close(slave);
    close(our);
    close(out[0]);
    close(stop[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_send_recv_fd),
        cmocka_unit_test(test_console_connect),
        cmocka_unit_test(test_setup_console),
        cmocka_unit_test(test_setup_no_console),
        cmocka_unit_test(test_setup_console_old_kernel),
        cmocka_unit_test(test_setup_console_errors),
        cmocka_unit_test(test_relay_pipes),
        cmocka_unit_test(test_relay_tty),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
