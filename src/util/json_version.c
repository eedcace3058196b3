/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* Part of the json module (the only place that includes yajl). */
#include "rustlet/json.h"

#include <stdio.h>
#include <yajl/yajl_version.h>

const char *rl_json_library_version(void)
{
    static char buf[32];
    int v = yajl_version();
    snprintf(buf, sizeof(buf), "%d.%d.%d", v / 10000, v / 100 % 100, v % 100);
    return buf;
}
