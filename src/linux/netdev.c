/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* linux.netDevices (config-linux.md "Network Devices"): the runtime moves
 * each named interface from its own network namespace into the init's, over
 * rtnetlink, in this order:
 *   1. check first, so that an error moves nothing: every interface exists
 *      here, no wanted name is taken in the container's namespace (unless it
 *      is a "%d" template), and that namespace is not ours;
 *   2. per device: dump its addresses, keeping the permanent ones of global
 *      scope (IFA_F_PERMANENT, RT_SCOPE_UNIVERSE: the kernel drops every
 *      address when a device changes namespace); RTM_NEWLINK with
 *      IFLA_NET_NS_FD and IFLA_IFNAME moves and renames it in one request;
 *      then, through a netlink socket opened inside the container's
 *      namespace, the addresses are added again and the link is set up.
 * Other attributes (MTU, MAC address...) travel with the device.
 * Nothing is undone on delete (the spec forbids it): when the namespace goes
 * away the kernel moves physical devices back to the initial namespace and
 * destroys virtual ones (veth, dummy, macvlan...). A create that fails after
 * the move therefore loses a virtual device. */
#include "rustlet/linux.h"
#include "rustlet/log.h"
#include "rustlet/sys.h"
#include "rustlet/utils.h"

#include <fcntl.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#define NL_BUF 8192

struct nlreq {
    struct nlmsghdr h;
    char body[1024];
};

struct saved_addr {
    unsigned char family, prefixlen;
    unsigned char local[16], address[16], broadcast[16];
    unsigned short local_len, address_len, broadcast_len;
};

static void nl_init(struct nlreq *r, int type, int flags, const void *hdr, size_t len)
{
    memset(r, 0, sizeof(*r));
    r->h.nlmsg_type = (unsigned short)type;
    r->h.nlmsg_flags = (unsigned short)(NLM_F_REQUEST | flags);
    r->h.nlmsg_len = (unsigned)NLMSG_LENGTH(len);
    memcpy(NLMSG_DATA(&r->h), hdr, len);
}

static void nl_attr(struct nlreq *r, int type, const void *data, size_t len)
{
    struct rtattr *a = (struct rtattr *)((char *)&r->h + NLMSG_ALIGN(r->h.nlmsg_len));
    a->rta_type = (unsigned short)type;
    a->rta_len = (unsigned short)RTA_LENGTH(len);
    memcpy(RTA_DATA(a), data, len);
    r->h.nlmsg_len = NLMSG_ALIGN(r->h.nlmsg_len) + RTA_ALIGN(a->rta_len);
}

static int nl_open(void)
{
    return socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
}

/* Send r; with each, a GET or dump: call each(reply, arg) for the answer or
 * every part of the dump; without, a change that is acked. 0 on the answer,
 * ack or DONE; -1 with errno from the kernel. */
static int nl_talk(int fd, struct nlreq *r, void (*each)(struct nlmsghdr *, void *), void *arg)
{
    static uint32_t seq;
    r->h.nlmsg_seq = ++seq;
    if (each == NULL) /* a change: ask for the ack (NLM_F_DUMP's bits mean other things here) */
        r->h.nlmsg_flags |= NLM_F_ACK;
    struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
    if (sendto(fd, &r->h, r->h.nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
        return -1;
    _cleanup_free_ char *buf = xzalloc(NL_BUF);
    for (;;) {
        ssize_t n = recv(fd, buf, NL_BUF, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        int left = (int)n;
        for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, left);
             h = NLMSG_NEXT(h, left)) {
            if (h->nlmsg_seq != r->h.nlmsg_seq)
                continue;
            if (h->nlmsg_type == NLMSG_DONE)
                return 0;
            if (h->nlmsg_type == NLMSG_ERROR) {
                const struct nlmsgerr *e = NLMSG_DATA(h);
                if (e->error == 0)
                    return 0;
                errno = -e->error;
                return -1;
            }
            if (each)
                each(h, arg);
            if (!(h->nlmsg_flags & NLM_F_MULTI))
                return 0;
        }
    }
}

/* ---- links ------------------------------------------------------------- */

struct link_info {
    int index;
    char name[IFNAMSIZ];
};

static void link_reply(struct nlmsghdr *h, void *arg)
{
    struct link_info *li = arg;
    if (h->nlmsg_type != RTM_NEWLINK)
        return;
    struct ifinfomsg *ifi = NLMSG_DATA(h);
    li->index = ifi->ifi_index;
    int len = (int)IFLA_PAYLOAD(h);
    for (struct rtattr *a = IFLA_RTA(ifi); RTA_OK(a, len); a = RTA_NEXT(a, len))
        if (a->rta_type == IFLA_IFNAME)
            snprintf(li->name, sizeof(li->name), "%s", (const char *)RTA_DATA(a));
}

/* RTM_GETLINK by name (index 0) or by index: 0 with *li, -1 with errno. */
static int get_link(int fd, const char *name, int index, struct link_info *li)
{
    struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC, .ifi_index = index};
    struct nlreq r;
    nl_init(&r, RTM_GETLINK, 0, &ifi, sizeof(ifi));
    if (name)
        nl_attr(&r, IFLA_IFNAME, name, strlen(name) + 1);
    memset(li, 0, sizeof(*li));
    if (nl_talk(fd, &r, link_reply, li) < 0)
        return -1;
    if (li->index == 0) {
        errno = ENODEV;
        return -1;
    }
    return 0;
}

/* ---- addresses --------------------------------------------------------- */

struct addr_list {
    int index;
    struct saved_addr *v;
    size_t n;
};

static void copy_attr(unsigned char *dst, unsigned short *len, const struct rtattr *a)
{
    size_t l = RTA_PAYLOAD(a);
    if (l > 16)
        return;
    memcpy(dst, RTA_DATA(a), l);
    *len = (unsigned short)l;
}

static void addr_reply(struct nlmsghdr *h, void *arg)
{
    struct addr_list *al = arg;
    if (h->nlmsg_type != RTM_NEWADDR)
        return;
    struct ifaddrmsg *ifa = NLMSG_DATA(h);
    if ((int)ifa->ifa_index != al->index || ifa->ifa_scope != RT_SCOPE_UNIVERSE)
        return;
    uint32_t flags = ifa->ifa_flags;
    struct saved_addr s = {.family = ifa->ifa_family, .prefixlen = ifa->ifa_prefixlen};
    int len = (int)IFA_PAYLOAD(h);
    for (struct rtattr *a = IFA_RTA(ifa); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
        if (a->rta_type == IFA_FLAGS && RTA_PAYLOAD(a) >= 4)
            memcpy(&flags, RTA_DATA(a), 4);
        else if (a->rta_type == IFA_LOCAL)
            copy_attr(s.local, &s.local_len, a);
        else if (a->rta_type == IFA_ADDRESS)
            copy_attr(s.address, &s.address_len, a);
        else if (a->rta_type == IFA_BROADCAST)
            copy_attr(s.broadcast, &s.broadcast_len, a);
    }
    if (!(flags & IFA_F_PERMANENT))
        return;
    al->v = xrealloc(al->v, (al->n + 1) * sizeof(*al->v));
    al->v[al->n++] = s;
}

static int dump_addrs(int fd, struct addr_list *al)
{
    struct ifaddrmsg ifa = {.ifa_family = AF_UNSPEC};
    struct nlreq r;
    nl_init(&r, RTM_GETADDR, NLM_F_DUMP, &ifa, sizeof(ifa));
    return nl_talk(fd, &r, addr_reply, al);
}

static int add_addr(int fd, int index, const struct saved_addr *s)
{
    struct ifaddrmsg ifa = {.ifa_family = s->family,
                            .ifa_prefixlen = s->prefixlen,
                            .ifa_scope = RT_SCOPE_UNIVERSE,
                            .ifa_index = (unsigned)index};
    struct nlreq r;
    nl_init(&r, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, &ifa, sizeof(ifa));
    if (s->local_len)
        nl_attr(&r, IFA_LOCAL, s->local, s->local_len);
    if (s->address_len)
        nl_attr(&r, IFA_ADDRESS, s->address, s->address_len);
    if (s->broadcast_len)
        nl_attr(&r, IFA_BROADCAST, s->broadcast, s->broadcast_len);
    int rc = nl_talk(fd, &r, NULL, NULL);
    return rc < 0 && errno == EEXIST ? 0 : rc;
}

static const char *addr_str(const struct saved_addr *s, char *buf, size_t len)
{
    const unsigned char *a = s->local_len ? s->local : s->address;
    if (s->family == AF_INET)
        snprintf(buf, len, "%u.%u.%u.%u/%u", a[0], a[1], a[2], a[3], s->prefixlen);
    else
        snprintf(buf, len, "%02x%02x:%02x%02x:...:%02x%02x/%u (IPv6)", a[0], a[1], a[2], a[3],
                 a[14], a[15], s->prefixlen);
    return buf;
}

/* ---- the move ------------------------------------------------------------ */

/* A netlink socket living in the network namespace nsfd. */
static int socket_in_netns(int nsfd, struct rl_error **err)
{
    _cleanup_close_ int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    if (self < 0)
        return rl_error_errno(err, "open /proc/self/ns/net");
    if (rl_sys_setns(nsfd, CLONE_NEWNET, "the container's network namespace") < 0)
        return rl_error_errno(err, "setns into the container's network namespace");
    int fd = nl_open();
    int saved = errno;
    if (rl_sys_setns(self, CLONE_NEWNET, "the runtime's network namespace") < 0) {
        if (fd >= 0)
            close(fd);
        return rl_error_errno(err, "setns back into the runtime's network namespace");
    }
    errno = saved;
    if (fd < 0)
        return rl_error_errno(err, "netlink socket in the container's network namespace");
    return fd;
}

static int move_one(const struct rl_net_device *d, int host, int ctr, int nsfd,
                    struct rl_error **err)
{
    const char *want = d->name ? d->name : d->host;
    struct link_info li;
    if (get_link(host, d->host, 0, &li) < 0)
        return rl_error_errno(err, "find interface %s", d->host);
    struct addr_list al = {.index = li.index};
    if (dump_addrs(host, &al) < 0) {
        free(al.v);
        return rl_error_errno(err, "list the addresses of %s", d->host);
    }
    _cleanup_free_ struct saved_addr *addrs = al.v;
    struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC, .ifi_index = li.index};
    struct nlreq r;
    nl_init(&r, RTM_NEWLINK, 0, &ifi, sizeof(ifi));
    uint32_t ns = (uint32_t)nsfd;
    nl_attr(&r, IFLA_NET_NS_FD, &ns, sizeof(ns));
    nl_attr(&r, IFLA_IFNAME, want, strlen(want) + 1);
    if (nl_talk(host, &r, NULL, NULL) < 0)
        return rl_error_errno(err, "move %s into the container's network namespace as %s", d->host,
                              want);
    rl_debug("rtnetlink: moved %s (index %d) into the container as %s, %zu address(es) to keep",
             d->host, li.index, want, al.n);
    /* the index stays unless taken there; a template's name is the kernel's */
    struct link_info moved;
    if (get_link(ctr, NULL, li.index, &moved) < 0 &&
        (strchr(want, '%') || get_link(ctr, want, 0, &moved) < 0))
        return rl_error_errno(err, "find %s (was %s) in the container's network namespace", want,
                              d->host);
    for (size_t k = 0; k < al.n; k++) {
        char a[96];
        if (add_addr(ctr, moved.index, &addrs[k]) < 0)
            return rl_error_errno(err, "add address %s to %s in the container",
                                  addr_str(&addrs[k], a, sizeof(a)), moved.name);
        rl_debug("rtnetlink: %s: address %s kept", moved.name, addr_str(&addrs[k], a, sizeof(a)));
    }
    struct ifinfomsg up = {.ifi_family = AF_UNSPEC,
                           .ifi_index = moved.index,
                           .ifi_flags = IFF_UP,
                           .ifi_change = IFF_UP};
    nl_init(&r, RTM_NEWLINK, 0, &up, sizeof(up));
    if (nl_talk(ctr, &r, NULL, NULL) < 0)
        return rl_error_errno(err, "set %s up in the container", moved.name);
    return 0;
}

/* Step 1: everything that can be known before moving anything. */
static int precheck(const struct rl_linux *lx, int host, int ctr, int nsfd, struct rl_error **err)
{
    struct stat a, b;
    if (fstat(nsfd, &a) == 0 && stat("/proc/self/ns/net", &b) == 0 && a.st_ino == b.st_ino &&
        a.st_dev == b.st_dev)
        return rl_error(err, "linux.netDevices: the container's network namespace is the "
                             "runtime's own: nothing to move the devices into");
    for (size_t i = 0; i < lx->n_net_devices; i++) {
        const struct rl_net_device *d = &lx->net_devices[i];
        const char *want = d->name ? d->name : d->host;
        struct link_info li;
        if (get_link(host, d->host, 0, &li) < 0)
            return rl_error_errno(err,
                                  "linux.netDevices[\"%s\"]: no interface %s in the "
                                  "runtime's network namespace",
                                  d->host, d->host);
        if (!strchr(want, '%') && get_link(ctr, want, 0, &li) == 0)
            return rl_error(err,
                            "linux.netDevices[\"%s\"]: an interface named %s already "
                            "exists in the container's network namespace (use a "
                            "template such as \"eth%%d\" to let the kernel pick)",
                            d->host, want);
    }
    return 0;
}

int rl_netdev_move(const struct rl_spec *spec, pid_t init, struct rl_error **err)
{
    const struct rl_linux *lx = &spec->linux_;
    if (lx->n_net_devices == 0)
        return 0;
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)init);
    _cleanup_close_ int nsfd = open(path, O_RDONLY | O_CLOEXEC);
    if (nsfd < 0)
        return rl_error_errno(err, "linux.netDevices: open %s", path);
    _cleanup_close_ int host = nl_open();
    if (host < 0)
        return rl_error_errno(err, "linux.netDevices: netlink socket");
    _cleanup_close_ int ctr = socket_in_netns(nsfd, err);
    if (ctr < 0)
        return rl_error_wrap(err, "linux.netDevices");
    if (precheck(lx, host, ctr, nsfd, err) < 0)
        return -1;
    for (size_t i = 0; i < lx->n_net_devices; i++)
        if (move_one(&lx->net_devices[i], host, ctr, nsfd, err) < 0)
            return rl_error_wrap(err, "linux.netDevices[\"%s\"]", lx->net_devices[i].host);
    return 0;
}

/* A new network namespace starts with lo down; runc and crun bring it up
 * (runc's "loopback" network), so 127.0.0.1 works in the container. */
int rl_netdev_loopback_up(struct rl_error **err)
{
    _cleanup_close_ int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return rl_error_errno(err, "linux.namespaces (network): bring up lo: socket");
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
    if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
        return rl_error_errno(err, "linux.namespaces (network): bring up lo: SIOCGIFFLAGS");
    if (ifr.ifr_flags & IFF_UP)
        return 0;
    ifr.ifr_flags |= IFF_UP;
    if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
        return rl_error_errno(err, "linux.namespaces (network): bring up lo: SIOCSIFFLAGS");
    return 0;
}
