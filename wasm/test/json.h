/* json.h - a minimal JSON reader for the spec-test driver (wast2json output).
 * Numbers are kept as their source text; wast2json writes values as strings anyway. */
#ifndef SKIFFWASM_TEST_JSON_H
#define SKIFFWASM_TEST_JSON_H

#include <stddef.h>

enum jtype { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

typedef struct jval {
    enum jtype t;
    char *s;            /* J_STR / J_NUM text */
    size_t len;         /* its length (strings may hold NUL) */
    int b;              /* J_BOOL */
    size_t n;           /* J_ARR / J_OBJ element count */
    struct jval *items; /* elements (J_ARR) or values (J_OBJ) */
    char **keys;        /* J_OBJ */
} jval;

/* Parse text; returns NULL on syntax error. Free with json_free. */
jval *json_parse(const char *text);
void json_free(jval *v);
/* Member of an object by key, or NULL. */
const jval *json_get(const jval *obj, const char *key);
/* String member, or NULL if absent or not a string. */
const char *json_str(const jval *obj, const char *key);

#endif
