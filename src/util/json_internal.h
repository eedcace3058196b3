/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* Shared by the json module's reader (json.c) and writer (json_write.c). */
#ifndef RUSTLET_JSON_INTERNAL_H
#define RUSTLET_JSON_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

/* Strict UTF-8 (RFC 3629): shortest form, no surrogates, at most U+10FFFF. */
bool rl_json_utf8_valid(const unsigned char *s, size_t len);

#endif
