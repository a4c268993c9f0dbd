/*
 * reghunt: the operating-system calls that differ between POSIX and Windows, for the library
 * and the CLI (src/common/os.c is the one place that implements them for each).
 *
 * Paths are UTF-8 everywhere. On Windows they are converted to UTF-16 and made absolute
 * extended-length paths (\\?\C:\..., \\?\UNC\server\share\...), so names outside the ANSI
 * code page and paths longer than 260 characters work; '/' and '\' both separate. Files are
 * opened for reading only, sharing read, write and delete with other programs (a live
 * system's logs and hives stay readable while Windows holds them open).
 */
#ifndef REGHUNT_OS_H
#define REGHUNT_OS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ctx.h"
#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Process setup, first thing in main(). On Windows: argv is replaced by the UTF-8 form of
 * the wide command line (owned by the process), the console shows UTF-8 output, and stdout
 * and stderr write bytes unchanged ("\n", not "\r\n"). Elsewhere nothing changes.
 */
RH_API void rh_os_init(int *argc, char ***argv);

/** What a path names. */
typedef enum rh_fs_kind {
    RH_FS_NONE = 0, /* does not exist or cannot be examined */
    RH_FS_FILE,     /* a regular file */
    RH_FS_DIR,      /* a directory */
    RH_FS_OTHER     /* anything else; with follow == 0 also a symbolic link or junction */
} rh_fs_kind;

/**
 * The kind of `path` and, for a file, its size (size may be NULL). follow == 0 does not
 * follow a final symbolic link or junction (so a directory walk never loops).
 */
RH_API rh_fs_kind rh_os_path_kind(const char *path, int follow, uint64_t *size);

/** Create a folder (UTF-8 path); 0, or -1 with errno set (EEXIST when it exists). */
RH_API int rh_os_mkdir(const char *path);

/**
 * fopen() for UTF-8 paths. Reading modes ("r", "rb") open read-only with the sharing above.
 * Returns NULL with errno set on failure.
 */
RH_API FILE *rh_os_fopen(const char *path, const char *mode);

/** Non-zero when f is an interactive terminal or console. */
RH_API int rh_os_isatty(FILE *f);

/** A monotonic clock in nanoseconds (for elapsed times only). */
RH_API uint64_t rh_os_monotonic_ns(void);

/**
 * The entries of a directory (UTF-8 names, without "." and ".."), sorted by strcmp so every
 * walk is deterministic. At most `max` names: RH_ERR_LIMIT then, with the first ones kept.
 * Returns RH_OK, RH_ERR_IO (cannot list), RH_ERR_LIMIT or RH_ERR_NOMEM.
 * Owned: *out freed with rh_dir_list_free(ctx, *out, *count).
 */
RH_API rh_status rh_dir_list(rh_ctx *ctx, const char *path, size_t max, char ***out, size_t *count);

RH_API void rh_dir_list_free(rh_ctx *ctx, char **names, size_t n);

#ifdef __cplusplus
}
#endif

#endif /* REGHUNT_OS_H */
