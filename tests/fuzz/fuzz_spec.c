/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* libFuzzer target: config.json text -> rl_spec_parse -> rl_spec_validate ->
 * rl_spec_free. Any crash, leak or sanitizer report is a bug. */
#include <stddef.h>
#include <stdint.h>

#include "rustlet/spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct rl_error *err = NULL;
    struct rl_spec *spec = rl_spec_parse((const char *)data, size, &err);
    if (spec != NULL) {
        (void)rl_spec_validate(spec, &err);
        (void)rl_spec_namespace(spec, RL_NS_USER);
        rl_spec_free(spec);
    }
    rl_error_free(err);
    return 0;
}
