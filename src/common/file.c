/*
 * Whole-file reads. Evidence is read-only: O_RDONLY, no mmap (truncation must not SIGBUS),
 * no locks, no writes.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"

rh_status rh_read_file(rh_ctx *ctx, const char *path, uint64_t max, uint8_t **out, size_t *len)
{
    struct stat st;
    uint8_t *buf = NULL;
    size_t size, got = 0;
    int fd;

    *out = NULL;
    *len = 0;
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        rh_diagf(ctx, RH_DIAG_ERROR, "io", path, -1, "cannot open: %s", strerror(errno));
        return RH_ERR_IO;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        rh_diagf(ctx, RH_DIAG_ERROR, "io", path, -1, "not a regular file");
        close(fd);
        return RH_ERR_IO;
    }
    if ((uint64_t)st.st_size > max || (uint64_t)st.st_size > SIZE_MAX - 1) {
        rh_diagf(ctx, RH_DIAG_ERROR, "io", path, -1, "file is %llu bytes, above the limit of %llu",
                 (unsigned long long)st.st_size, (unsigned long long)max);
        close(fd);
        return RH_ERR_LIMIT;
    }
    size = (size_t)st.st_size;
    buf = rh_malloc(ctx, size + 1);
    if (!buf) {
        close(fd);
        return RH_ERR_NOMEM;
    }
    while (got < size) {
        ssize_t n = read(fd, buf + got, size - got);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            rh_diagf(ctx, RH_DIAG_ERROR, "io", path, (int64_t)got, "read failed: %s",
                     strerror(errno));
            rh_free(ctx, buf);
            close(fd);
            return RH_ERR_IO;
        }
        if (n == 0) {
            break; /* file shrank while reading: keep what we have */
        }
        got += (size_t)n;
    }
    close(fd);
    buf[got] = 0;
    *out = buf;
    *len = got;
    return RH_OK;
}
