/*
 * Sorted directory listings: the one place that reads a directory, so that every walker
 * (rule loading, collections, log discovery) visits entries in a deterministic order.
 */
#include <dirent.h>
#include <stdlib.h>

#include "common.h"

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

rh_status rh_dir_list(rh_ctx *ctx, const char *path, size_t max, char ***out, size_t *count)
{
    DIR *d;
    struct dirent *de;
    char **names = NULL;
    size_t n = 0, cap = 0;
    rh_status st = RH_OK;
    *out = NULL;
    *count = 0;
    d = opendir(path);
    if (!d) {
        return RH_ERR_IO;
    }
    while ((de = readdir(d)) != NULL) {
        char *name;
        if (de->d_name[0] == '.' &&
            (de->d_name[1] == '\0' || (de->d_name[1] == '.' && de->d_name[2] == '\0'))) {
            continue;
        }
        if (n >= max) {
            st = RH_ERR_LIMIT;
            break;
        }
        name = rh_strdup(ctx, de->d_name);
        if (!name) {
            st = RH_ERR_NOMEM;
            break;
        }
        RH_ARRAY_PUSH(ctx, names, n, cap, name, st);
        if (st != RH_OK) {
            rh_free(ctx, name);
            break;
        }
    }
    closedir(d);
    if (st != RH_OK && st != RH_ERR_LIMIT) {
        rh_dir_list_free(ctx, names, n);
        return st;
    }
    if (n > 1) {
        qsort(names, n, sizeof(*names), cmp_name);
    }
    *out = names;
    *count = n;
    return st;
}

void rh_dir_list_free(rh_ctx *ctx, char **names, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        rh_free(ctx, names[i]);
    }
    rh_free(ctx, names);
}
