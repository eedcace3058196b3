/* json.h - a tiny JSON reader for the oci-validation checker (no deps). */
#ifndef OCIV_JSON_H
#define OCIV_JSON_H
#include <stddef.h>

enum jtype { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

struct jval {
    enum jtype t;
    int b;           /* J_BOOL */
    double n;        /* J_NUM */
    char *s;         /* J_STR, and the raw text of a J_NUM */
    size_t len;      /* J_ARR, J_OBJ: number of children */
    char **keys;     /* J_OBJ */
    struct jval **v; /* J_ARR, J_OBJ */
};

struct jval *json_parse(const char *text, char *err, size_t errlen);
struct jval *json_parse_file(const char *path, char *err, size_t errlen);
/* get by a dotted path, e.g. "process.user.uid"; NULL if absent */
struct jval *jget(struct jval *v, const char *path);
const char *jstr(struct jval *v, const char *path);         /* NULL unless string */
int jnum(struct jval *v, const char *path, long long *out); /* 1 if number */
int jbool(struct jval *v, const char *path);                /* 0 if absent */
unsigned long long jraw_u64(struct jval *v);                /* exact for large values */
#endif
