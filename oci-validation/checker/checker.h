/* checker.h - shared declarations of the oci-validation checker. */
#ifndef OCIV_CHECKER_H
#define OCIV_CHECKER_H
#include "json.h"

/* the config the container was started from, and the driver's notes on the
 * host (namespace inodes, expectations that only the host side knows) */
extern struct jval *cfg, *host;

/* TAP: one line per check, tagged with the clause id it checks */
void check(int ok, const char *clause, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void skip(const char *clause, const char *reason, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* helpers */
char *read_text(const char *path);                          /* malloc'ed, NULL on error */
int status_field(const char *field, char *out, size_t len); /* /proc/self/status */

/* check groups */
void check_process(int argc, char **argv);
void check_caps(void);
void check_rlimits(void);
void check_mounts(void);
void check_root_and_paths(void);
void check_devices(void);
void check_namespaces(void);
void check_misc_linux(void);
void check_cgroups(void);
void check_seccomp(void);
void check_expectations(void);
#endif
