/* SPDX-License-Identifier: MIT OR Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "rustlet/json.h"
#include "rustlet/utils.h"

static rl_json *parse(const char *s)
{
    struct rl_error *err = NULL;
    rl_json *j = rl_json_parse(s, strlen(s), &err);
    if (j == NULL)
        fail_msg("parse failed: %s", err->msg);
    return j;
}

static char *parse_error(const char *s, size_t len)
{
    struct rl_error *err = NULL;
    rl_json *j = rl_json_parse(s, len, &err);
    assert_null(j);
    assert_non_null(err);
    char *m = xstrdup(err->msg);
    rl_error_free(err);
    return m;
}

static void test_rl_json_parse_types(void **state)
{
    rl_json *j =
        parse("{\"s\":\"x\",\"n\":1,\"o\":{},\"a\":[1,2],\"t\":true,\"f\":false,\"z\":null}");
    assert_int_equal(rl_json_type(j), RL_JSON_OBJECT);
    assert_int_equal(rl_json_len(j), 7);
    assert_int_equal(rl_json_type(rl_json_get(j, "s")), RL_JSON_STRING);
    assert_string_equal(rl_json_string(rl_json_get(j, "s")), "x");
    assert_int_equal(rl_json_type(rl_json_get(j, "n")), RL_JSON_NUMBER);
    assert_string_equal(rl_json_number_text(rl_json_get(j, "n")), "1");
    assert_int_equal(rl_json_type(rl_json_get(j, "o")), RL_JSON_OBJECT);
    assert_int_equal(rl_json_type(rl_json_get(j, "a")), RL_JSON_ARRAY);
    assert_int_equal(rl_json_len(rl_json_get(j, "a")), 2);
    assert_int_equal(rl_json_type(rl_json_get(j, "t")), RL_JSON_TRUE);
    assert_int_equal(rl_json_type(rl_json_get(j, "f")), RL_JSON_FALSE);
    assert_int_equal(rl_json_type(rl_json_get(j, "z")), RL_JSON_NULL);
    assert_null(rl_json_get(j, "missing"));
    assert_null(rl_json_string(rl_json_get(j, "n")));
    assert_null(rl_json_number_text(rl_json_get(j, "s")));
    assert_string_equal(rl_json_object_key(j, 1), "n");
    assert_string_equal(rl_json_number_text(rl_json_object_value(j, 1)), "1");
    assert_null(rl_json_object_key(j, 7));
    assert_null(rl_json_array_at(rl_json_get(j, "a"), 2));
    assert_null(rl_json_array_at(j, 0));
    rl_json_free(j);
}

static void test_rl_json_type_name_all(void **state)
{
    assert_string_equal(rl_json_type_name(RL_JSON_STRING), "string");
    assert_string_equal(rl_json_type_name(RL_JSON_NUMBER), "number");
    assert_string_equal(rl_json_type_name(RL_JSON_OBJECT), "object");
    assert_string_equal(rl_json_type_name(RL_JSON_ARRAY), "array");
    assert_string_equal(rl_json_type_name(RL_JSON_TRUE), "boolean");
    assert_string_equal(rl_json_type_name(RL_JSON_FALSE), "boolean");
    assert_string_equal(rl_json_type_name(RL_JSON_NULL), "null");
}

static void test_rl_json_parse_not_nul_terminated(void **state)
{
    const char text[] = "[1,2]xxxx";
    struct rl_error *err = NULL;
    rl_json *j = rl_json_parse(text, 5, &err);
    assert_non_null(j);
    assert_int_equal(rl_json_len(j), 2);
    rl_json_free(j);
}

static void test_rl_json_parse_error_line_column(void **state)
{
    char *m = parse_error("{\n  \"a\": 1,\n  \"b\" 2\n}", 21);
    assert_non_null(strstr(m, "invalid JSON at line 3, column"));
    assert_non_null(strstr(m, "parse error"));
    free(m);
    m = parse_error("{\"a\":", 5);
    assert_non_null(strstr(m, "premature EOF"));
    free(m);
    m = parse_error("", 0);
    assert_non_null(strstr(m, "invalid JSON"));
    free(m);
}

static void test_rl_json_parse_nul_byte(void **state)
{
    char *m = parse_error("{}\0{}", 5);
    assert_string_equal(m, "invalid JSON at line 1, column 3: NUL byte in text");
    free(m);
}

static void test_rl_json_parse_duplicate_key(void **state)
{
    const char *t = "{\"hostname\": \"a\",\n  \"x\": 1,\n  \"hostname\": \"b\"}";
    char *m = parse_error(t, strlen(t));
    assert_string_equal(m, "hostname: duplicate key \"hostname\" (which one applies is undefined): "
                           "at line 1, column 2 and line 3, column 3");
    free(m);
    t = "{\"a\": [0, {\"b\": {\"k\": 1, \"k\\\"\": 2, \"k\": 3}}]}";
    m = parse_error(t, strlen(t));
    assert_string_equal(m,
                        "a[1].b.k: duplicate key \"k\" (which one applies is undefined): at line "
                        "1, column 18 and line 1, column 36");
    free(m);
    /* the same key in different objects, and many keys (the hash grows) */
    rl_json_free(parse("{\"a\": {\"k\": 1}, \"b\": {\"k\": 1}, \"k\": [{\"k\": 0}, {\"k\": 0}]}"));
    char *big = xstrdup("{");
    for (int i = 0; i < 300; i++) {
        char *n = xasprintf("%s\"k%d\": %d,", big, i, i);
        free(big);
        big = n;
    }
    char *dup = xasprintf("%s\"k0\": 0}", big);
    big[strlen(big) - 1] = '}';
    rl_json_free(parse(big));
    m = parse_error(dup, strlen(dup));
    assert_non_null(strstr(m, "k0: duplicate key \"k0\""));
    free(m);
    free(dup);
    free(big);
}

static void test_rl_json_parse_escaped_nul(void **state)
{
    const char *t = "{\"process\": {\"args\": [\"/bin/true\\u0000/../../x\"]}}";
    char *m = parse_error(t, strlen(t));
    assert_string_equal(m, "process.args[0]: string with an escaped NUL (\\u0000) at line 1, "
                           "column 23");
    free(m);
    t = "[\"ok\", {\"a\\u0000\": 1}]";
    m = parse_error(t, strlen(t));
    assert_string_equal(m, "[1].a: key with an escaped NUL (\\u0000) at line 1, column 9");
    free(m);
    /* an escaped backslash before u0000 is not a NUL */
    rl_json_free(parse("[\"a\\\\u0000\"]"));
}

static void test_rl_json_parse_too_deep(void **state)
{
    size_t n = 100000;
    char *s = xmalloc(n + 1);
    memset(s, '[', n);
    s[n] = '\0';
    char *m = parse_error(s, n);
    assert_non_null(strstr(m, "nested deeper than"));
    free(m);
    free(s);
    /* brackets inside strings do not count */
    rl_json *j = parse("[\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\\\"[[[\"]");
    rl_json_free(j);
}

static void test_rl_json_parse_invalid_utf8(void **state)
{
    char *m = parse_error("[\"\xff\"]", 5);
    assert_non_null(strstr(m, "invalid JSON"));
    free(m);
    /* yajl takes these (it checks only the shape of a sequence); found by
     * fuzz_writers: an overlong '/', an overlong NUL, an encoded surrogate,
     * a code point beyond U+10FFFF ("\udc00" is in the lone surrogate test) */
    static const char *const bad[] = {"{\"a\": \"/x\xc0\xaf..\"}", "{\"a\": \"\xc0\x80\"}",
                                      "{\"a\": \"\xed\xa0\x80\"}", "{\"a\": \"\xf4\x90\x80\x80\"}"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        m = parse_error(bad[i], strlen(bad[i]));
        assert_non_null(strstr(m, "a: string not valid UTF-8 (an overlong form"));
        free(m);
    }
    m = parse_error("[{\"\xc0\xaf\": 1}]", 11);
    assert_non_null(strstr(m, "key not valid UTF-8"));
    free(m);
    /* the edges of valid UTF-8 still parse */
    rl_json_free(parse("[\"\xc2\x80\xdf\xbf\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80\xef\xbf\xbf"
                       "\xf0\x90\x80\x80\xf4\x8f\xbf\xbf\"]"));
}

/* yajl reads "\ud800" as "?", "\ud800\u0041" as U+10041 and "\ud800\ud800" as
 * U+10000, all silently; a lone low surrogate as its 3-byte encoding. */
static void test_rl_json_parse_lone_surrogate_value(void **state)
{
    static const struct {
        const char *text, *want;
    } bad[] = {
        {"{\"annotations\": {\"x\": \"\\ud800\"}}",
         "annotations.x: string has a lone UTF-16 surrogate escape (\\ud800) at line 1, column 24"},
        {"{\"a\": \"\\udc00\"}",
         "a: string has a lone UTF-16 surrogate escape (\\udc00) at line 1, column 8"},
        {"{\"a\": \"\\ud800\\u0041\"}",
         "a: string has a lone UTF-16 surrogate escape (\\ud800) at line 1, column 8"},
        {"{\"a\": \"\\ud800\\ud800\"}",
         "a: string has a lone UTF-16 surrogate escape (\\ud800) at line 1, column 8"},
        {"{\"a\": \"\\ud800\\n\"}",
         "a: string has a lone UTF-16 surrogate escape (\\ud800) at line 1, column 8"},
        {"{\"a\": \"\\ud800x\"}",
         "a: string has a lone UTF-16 surrogate escape (\\ud800) at line 1, column 8"},
        {"{\"a\": \"\\udc00\\ud800\"}",
         "a: string has a lone UTF-16 surrogate escape (\\udc00) at line 1, column 8"},
        {"{\"a\": \"\\uDBFF\"}",
         "a: string has a lone UTF-16 surrogate escape (\\uDBFF) at line 1, column 8"},
        /* at the end of the string, after a valid pair, on a later line */
        {"{\"a\": [\"ok\",\n \"x\\ud83d\\ude00y\\\\\\udfff\"]}",
         "a[1]: string has a lone UTF-16 surrogate escape (\\udfff) at line 2, column 19"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char *m = parse_error(bad[i].text, strlen(bad[i].text));
        assert_string_equal(m, bad[i].want);
        free(m);
    }
}

static void test_rl_json_parse_lone_surrogate_key(void **state)
{
    const char *t = "[{\"k\\ud800\": 1}]";
    char *m = parse_error(t, strlen(t));
    assert_string_equal(m, "[0].k\\ud800: key has a lone UTF-16 surrogate escape (\\ud800) at "
                           "line 1, column 5");
    free(m);
    t = "{\"a\": {\"\\udc00\\\"\": 1}}";
    m = parse_error(t, strlen(t));
    assert_string_equal(m, "a.\\udc00\\\": key has a lone UTF-16 surrogate escape (\\udc00) at "
                           "line 1, column 9");
    free(m);
}

static void test_rl_json_parse_surrogate_pairs(void **state)
{
    /* valid pairs (either case) become the 4-byte UTF-8 of the code point */
    rl_json *j = parse("{\"\\ud83d\\ude00\": [\"\\ud83d\\ude00\", \"\\uD83D\\uDE00\", "
                       "\"\\ud800\\udc00\", \"\\udbff\\udfff\", \"a\\ud7ff\\ue000b\"]}");
    assert_string_equal(rl_json_object_key(j, 0), "\xf0\x9f\x98\x80");
    const rl_json *a = rl_json_get(j, "\xf0\x9f\x98\x80");
    assert_string_equal(rl_json_string(rl_json_array_at(a, 0)), "\xf0\x9f\x98\x80");
    assert_string_equal(rl_json_string(rl_json_array_at(a, 1)), "\xf0\x9f\x98\x80");
    assert_string_equal(rl_json_string(rl_json_array_at(a, 2)), "\xf0\x90\x80\x80");
    assert_string_equal(rl_json_string(rl_json_array_at(a, 3)), "\xf4\x8f\xbf\xbf");
    assert_string_equal(rl_json_string(rl_json_array_at(a, 4)), "a\xed\x9f\xbf\xee\x80\x80"
                                                                "b");
    rl_json_free(j);
    /* an escaped backslash before "ud800" is not an escape */
    j = parse("[\"\\\\ud800\", \"\\\\\\\\ud800\"]");
    assert_string_equal(rl_json_string(rl_json_array_at(j, 0)), "\\ud800");
    assert_string_equal(rl_json_string(rl_json_array_at(j, 1)), "\\\\ud800");
    rl_json_free(j);
}

static bool ignore_under_x(const char *const *keys, size_t n)
{
    return n > 0 && keys[0] != NULL && strcmp(keys[0], "x") == 0;
}

static void test_rl_json_parse_lone_surrogate_ignored(void **state)
{
    /* where the reader never looks, as with an escaped NUL; refused elsewhere */
    const char *t = "{\"x\": {\"\\ud800\": \"\\udc00\"}, \"y\": 1}";
    struct rl_error *err = NULL;
    rl_json *j = rl_json_parse_ignoring(t, strlen(t), ignore_under_x, &err);
    assert_non_null(j);
    rl_json_free(j);
    t = "{\"x\": 1, \"y\": \"\\ud800\"}";
    assert_null(rl_json_parse_ignoring(t, strlen(t), ignore_under_x, &err));
    assert_non_null(err);
    assert_string_equal(
        err->msg, "y: string has a lone UTF-16 surrogate escape (\\ud800) at line 1, column 16");
    rl_error_free(err);
}

static void test_rl_json_u64_max(void **state)
{
    rl_json *j = parse("[18446744073709551615, 18446744073709551616, 0, -0, -1, 1.0, 1e3, 1.5, "
                       "\"1\", 99999999999999999999999]");
    uint64_t v = 0;
    assert_int_equal(rl_json_u64(rl_json_array_at(j, 0), &v), 0);
    assert_true(v == UINT64_MAX);
    assert_int_equal(rl_json_u64(rl_json_array_at(j, 1), &v), -1);
    assert_int_equal(rl_json_u64(rl_json_array_at(j, 2), &v), 0);
    assert_true(v == 0);
    v = 5;
    assert_int_equal(rl_json_u64(rl_json_array_at(j, 3), &v), 0);
    assert_true(v == 0);
    for (size_t i = 4; i < 10; i++)
        assert_int_equal(rl_json_u64(rl_json_array_at(j, i), &v), -1);
    assert_int_equal(rl_json_u64(NULL, &v), -1);
    rl_json_free(j);
}

static void test_rl_json_i64_range(void **state)
{
    rl_json *j = parse("[9223372036854775807, -9223372036854775808, 9223372036854775808, "
                       "-9223372036854775809, -42, 2E1, -0.5]");
    int64_t v = 0;
    assert_int_equal(rl_json_i64(rl_json_array_at(j, 0), &v), 0);
    assert_true(v == INT64_MAX);
    assert_int_equal(rl_json_i64(rl_json_array_at(j, 1), &v), 0);
    assert_true(v == INT64_MIN);
    assert_int_equal(rl_json_i64(rl_json_array_at(j, 2), &v), -1);
    assert_int_equal(rl_json_i64(rl_json_array_at(j, 3), &v), -1);
    assert_int_equal(rl_json_i64(rl_json_array_at(j, 4), &v), 0);
    assert_true(v == -42);
    assert_int_equal(rl_json_i64(rl_json_array_at(j, 5), &v), -1);
    assert_int_equal(rl_json_i64(rl_json_array_at(j, 6), &v), -1);
    rl_json_free(j);
}

static char *finish(struct rl_jsonw *w)
{
    struct rl_error *err = NULL;
    size_t len = 0;
    char *s = rl_jsonw_finish(w, &len, &err);
    if (s == NULL)
        fail_msg("finish: %s", err->msg);
    assert_int_equal(len, strlen(s));
    return s;
}

static void test_rl_jsonw_escaping(void **state)
{
    struct rl_jsonw *w = rl_jsonw_new(false);
    rl_jsonw_array_open(w);
    rl_jsonw_string(w, "quote\" back\\ nl\n tab\t ctl\x01 slash/ \xc3\xa9");
    rl_jsonw_string(w, NULL);
    rl_jsonw_array_close(w);
    char *s = finish(w);
    assert_string_equal(s, "[\"quote\\\" back\\\\ nl\\n tab\\t ctl\\u0001 slash/ \xc3\xa9\",null]");
    /* and it reads back to the same text */
    rl_json *j = parse(s);
    assert_string_equal(rl_json_string(rl_json_array_at(j, 0)),
                        "quote\" back\\ nl\n tab\t ctl\x01 slash/ \xc3\xa9");
    rl_json_free(j);
    free(s);
}

static void test_rl_jsonw_values(void **state)
{
    struct rl_jsonw *w = rl_jsonw_new(false);
    rl_jsonw_object_open(w);
    rl_jsonw_key(w, "u");
    rl_jsonw_uint(w, UINT64_MAX);
    rl_jsonw_kv_int(w, "i", INT64_MIN);
    rl_jsonw_kv_bool(w, "b", false);
    rl_jsonw_kv_string(w, "s", "x");
    rl_jsonw_key(w, "n");
    rl_jsonw_null(w);
    rl_jsonw_key(w, "e");
    rl_jsonw_array_open(w);
    rl_jsonw_array_close(w);
    rl_jsonw_object_close(w);
    char *s = finish(w);
    assert_string_equal(s, "{\"u\":18446744073709551615,\"i\":-9223372036854775808,\"b\":false,"
                           "\"s\":\"x\",\"n\":null,\"e\":[]}");
    free(s);
}

static void test_rl_jsonw_pretty_tabs(void **state)
{
    struct rl_jsonw *w = rl_jsonw_new(true);
    rl_jsonw_object_open(w);
    rl_jsonw_key(w, "a");
    rl_jsonw_array_open(w);
    rl_jsonw_int(w, 1);
    rl_jsonw_array_close(w);
    rl_jsonw_object_close(w);
    char *s = finish(w);
    assert_string_equal(s, "{\n\t\"a\": [\n\t\t1\n\t]\n}");
    free(s);
}

static void expect_writer_error(struct rl_jsonw *w, const char *want)
{
    struct rl_error *err = NULL;
    assert_null(rl_jsonw_finish(w, NULL, &err));
    assert_non_null(err);
    assert_non_null(strstr(err->msg, want));
    rl_error_free(err);
}

static void test_rl_jsonw_errors(void **state)
{
    struct rl_jsonw *w = rl_jsonw_new(false);
    rl_jsonw_object_open(w);
    expect_writer_error(w, "unclosed");

    w = rl_jsonw_new(false);
    rl_jsonw_object_open(w);
    rl_jsonw_int(w, 1); /* key expected */
    rl_jsonw_object_close(w);
    expect_writer_error(w, "key");

    w = rl_jsonw_new(false);
    rl_jsonw_string(w, "\xff");
    expect_writer_error(w, "UTF-8");

    /* passed through by yajl_gen_validate_utf8 (found by fuzz_writers) */
    static const char *const bad[] = {"\xc0\xaf",     "\xc0\x80",         "\xe0\x80\xaf",
                                      "\xed\xb0\x80", "\xf4\x90\x80\x80", "\xf0\x9f\x98"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        w = rl_jsonw_new(false);
        rl_jsonw_string(w, bad[i]);
        expect_writer_error(w, "UTF-8");
        w = rl_jsonw_new(false);
        rl_jsonw_object_open(w);
        rl_jsonw_kv_int(w, bad[i], 1);
        rl_jsonw_object_close(w);
        expect_writer_error(w, "UTF-8");
    }

    w = rl_jsonw_new(false);
    expect_writer_error(w, "empty");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rl_json_parse_types),
        cmocka_unit_test(test_rl_json_type_name_all),
        cmocka_unit_test(test_rl_json_parse_not_nul_terminated),
        cmocka_unit_test(test_rl_json_parse_error_line_column),
        cmocka_unit_test(test_rl_json_parse_nul_byte),
        cmocka_unit_test(test_rl_json_parse_too_deep),
        cmocka_unit_test(test_rl_json_parse_invalid_utf8),
        cmocka_unit_test(test_rl_json_parse_lone_surrogate_value),
        cmocka_unit_test(test_rl_json_parse_lone_surrogate_key),
        cmocka_unit_test(test_rl_json_parse_surrogate_pairs),
        cmocka_unit_test(test_rl_json_parse_lone_surrogate_ignored),
        cmocka_unit_test(test_rl_json_u64_max),
        cmocka_unit_test(test_rl_json_i64_range),
        cmocka_unit_test(test_rl_jsonw_escaping),
        cmocka_unit_test(test_rl_json_parse_duplicate_key),
        cmocka_unit_test(test_rl_json_parse_escaped_nul),
        cmocka_unit_test(test_rl_jsonw_values),
        cmocka_unit_test(test_rl_jsonw_pretty_tabs),
        cmocka_unit_test(test_rl_jsonw_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
