/*
 * Whole-file reads. Evidence is read-only: a read-only open through the platform layer
 * (os.c), no mmap (truncation must not SIGBUS), no locks, no writes.
 */
#include <errno.h>
#include <string.h>

#include "common.h"

rh_status rh_file_open(rh_ctx *ctx, const char *component, const char *path, int *fd,
                       uint64_t *size)
{
    component = component ? component : "io";
    *size = 0;
    *fd = rh_fd_open(path);
    if (*fd < 0) {
        rh_diagf(ctx, RH_DIAG_ERROR, component, path, -1, "cannot open: %s", strerror(errno));
        return RH_ERR_IO;
    }
    if (rh_fd_size(*fd, size) != 0) {
        rh_diagf(ctx, RH_DIAG_ERROR, component, path, -1, "%s",
                 errno == EISDIR ? "is a directory" : "not a regular file");
        rh_fd_close(*fd);
        *fd = -1;
        return RH_ERR_IO;
    }
    return RH_OK;
}

rh_status rh_read_file(rh_ctx *ctx, const char *path, uint64_t max, uint8_t **out, size_t *len)
{
    uint64_t fsize = 0;
    uint8_t *buf = NULL;
    size_t size, got = 0;
    int fd;
    rh_status st;

    *out = NULL;
    *len = 0;
    st = rh_file_open(ctx, NULL, path, &fd, &fsize);
    if (st != RH_OK) {
        return st;
    }
    if (fsize > max || fsize > SIZE_MAX - 1) {
        rh_diagf(ctx, RH_DIAG_ERROR, "io", path, -1, "file is %llu bytes, above the limit of %llu",
                 (unsigned long long)fsize, (unsigned long long)max);
        rh_fd_close(fd);
        return RH_ERR_LIMIT;
    }
    size = (size_t)fsize;
    buf = rh_malloc(ctx, size + 1);
    if (!buf) {
        rh_fd_close(fd);
        return RH_ERR_NOMEM;
    }
    while (got < size) {
        int64_t n = rh_fd_read(fd, buf + got, size - got);
        if (n < 0) {
            rh_diagf(ctx, RH_DIAG_ERROR, "io", path, (int64_t)got, "read failed: %s",
                     strerror(errno));
            rh_free(ctx, buf);
            rh_fd_close(fd);
            return RH_ERR_IO;
        }
        if (n == 0) {
            break; /* file shrank while reading: keep what we have */
        }
        got += (size_t)n;
    }
    rh_fd_close(fd);
    buf[got] = 0;
    *out = buf;
    *len = got;
    return RH_OK;
}
