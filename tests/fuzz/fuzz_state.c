/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* libFuzzer target: state.json text -> rl_state_parse (the cgroup record,
 * the saved resources, poststop hooks, annotations) -> the OCI state
 * writer -> rl_state_free. state.json is written by rustlet itself, but a
 * damaged or hand-edited one must fail cleanly, never crash delete --force. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "rustlet/container.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct rl_error *err = NULL;
    struct rl_state *st = NULL;
    if (rl_state_parse((const char *)data, size, "fuzz", &st, &err) == 0) {
        free(rl_state_oci_json(st, RL_STATUS_RUNNING, false));
        free(rl_state_oci_json(st, RL_STATUS_STOPPED, true));
        rl_state_free(st);
    }
    rl_error_free(err);
    return 0;
}
