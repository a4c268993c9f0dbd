/*
 * The platform layer: every call that differs between POSIX and Windows, and the only file
 * of the project with a platform #if (include/reghunt/os.h, common.h "platform layer").
 *
 * Windows: UTF-8 paths become absolute extended-length UTF-16 paths (\\?\), files are opened
 * read-only with FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE and wrapped in a CRT
 * descriptor (so zlib's gzdopen and the rest of the code keep using int descriptors),
 * directories are listed with FindFirstFileExW, the console is switched to UTF-8 and the
 * command line is read in UTF-16 and converted. The live registry reader (rh_os_reg_*) is at
 * the end.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sort and hand over a listing gathered by the platform's reader below. */
static rh_status list_done(rh_ctx *ctx, char **names, size_t n, rh_status st, char ***out,
                           size_t *count)
{
    if (st != RH_OK && st != RH_ERR_LIMIT) {
        rh_dir_list_free(ctx, names, n);
        return st;
    }
    if (n > 1) {
        rh_sort(names, n, sizeof(*names), cmp_name);
    }
    *out = names;
    *count = n;
    return st;
}

/* Append one entry (not "." or ".."), honouring max. */
static rh_status list_add(rh_ctx *ctx, char ***names, size_t *n, size_t *cap, size_t max,
                          const char *name)
{
    char *copy;
    rh_status st;
    if (name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0'))) {
        return RH_OK;
    }
    if (*n >= max) {
        return RH_ERR_LIMIT;
    }
    copy = rh_strdup(ctx, name);
    if (!copy) {
        return RH_ERR_NOMEM;
    }
    RH_ARRAY_PUSH(ctx, *names, *n, *cap, copy, st);
    if (st != RH_OK) {
        rh_free(ctx, copy);
    }
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

#if defined(_WIN32)

/* ============================== Windows ============================== */

#include <fcntl.h>
#include <io.h>
#include <winsock2.h>

#include <shellapi.h>
#include <windows.h>
#include <ws2tcpip.h>

/* UTF-16 of a UTF-8 string (malloc'd), NULL on bad UTF-8 or no memory. */
static wchar_t *widen(const char *s)
{
    int n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, NULL, 0);
    wchar_t *w;
    if (n <= 0 || !(w = malloc((size_t)n * sizeof(*w)))) {
        return NULL;
    }
    MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, w, n);
    return w;
}

/* UTF-8 of a UTF-16 string (malloc'd); unpaired surrogates become U+FFFD. */
static char *narrow(const wchar_t *w)
{
    int n = WideCharToMultiByte(CP_UTF8, 0, w, -1, NULL, 0, NULL, NULL);
    char *s;
    if (n <= 0 || !(s = malloc((size_t)n))) {
        return NULL;
    }
    WideCharToMultiByte(CP_UTF8, 0, w, -1, s, n, NULL, NULL);
    return s;
}

static void set_errno_from_win32(void)
{
    switch (GetLastError()) {
    case ERROR_FILE_NOT_FOUND:
    case ERROR_PATH_NOT_FOUND:
    case ERROR_INVALID_NAME:
    case ERROR_BAD_NETPATH:
        errno = ENOENT;
        break;
    case ERROR_ACCESS_DENIED:
    case ERROR_SHARING_VIOLATION:
    case ERROR_LOCK_VIOLATION:
        errno = EACCES;
        break;
    case ERROR_NOT_ENOUGH_MEMORY:
    case ERROR_OUTOFMEMORY:
        errno = ENOMEM;
        break;
    case ERROR_FILENAME_EXCED_RANGE:
        errno = ENAMETOOLONG;
        break;
    default:
        errno = EIO;
    }
}

/* The extended-length form of a UTF-8 path: absolute (GetFullPathNameW also turns '/' into
 * '\' and resolves "." and ".."), prefixed \\?\ or \\?\UNC\. Device paths stay as given. */
static wchar_t *long_path(const char *path)
{
    wchar_t *w = widen(path), *full, *out;
    DWORD n, m;
    size_t pre;
    if (!w) {
        errno = EINVAL;
        return NULL;
    }
    if (w[0] == L'\\' && w[1] == L'\\' && (w[2] == L'?' || w[2] == L'.') && w[3] == L'\\') {
        return w;
    }
    n = GetFullPathNameW(w, 0, NULL, NULL);
    if (n == 0 || !(full = malloc(((size_t)n + 1) * sizeof(*full)))) {
        free(w);
        errno = n == 0 ? ENOENT : ENOMEM;
        return NULL;
    }
    m = GetFullPathNameW(w, n + 1, full, NULL);
    free(w);
    if (m == 0 || m > n) {
        free(full);
        errno = ENOENT;
        return NULL;
    }
    pre = (full[0] == L'\\' && full[1] == L'\\') ? 8 : 4; /* \\?\UNC\ replaces \\ */
    out = malloc(((size_t)m + pre + 1) * sizeof(*out));
    if (!out) {
        free(full);
        errno = ENOMEM;
        return NULL;
    }
    if (pre == 8) {
        memcpy(out, L"\\\\?\\UNC\\", 8 * sizeof(*out));
        memcpy(out + 8, full + 2, ((size_t)m - 2 + 1) * sizeof(*out));
    } else {
        memcpy(out, L"\\\\?\\", 4 * sizeof(*out));
        memcpy(out + 4, full, ((size_t)m + 1) * sizeof(*out));
    }
    free(full);
    return out;
}

void rh_os_init(int *argc, char ***argv)
{
    int n = 0, i;
    wchar_t **wargv = CommandLineToArgvW(GetCommandLineW(), &n);
    char **args;
    SetConsoleOutputCP(CP_UTF8);
    _setmode(_fileno(stdout), _O_BINARY);
    _setmode(_fileno(stderr), _O_BINARY);
    if (!wargv || n <= 0 || !(args = calloc((size_t)n + 1, sizeof(*args)))) {
        return; /* keep the ANSI arguments */
    }
    for (i = 0; i < n; i++) {
        if (!(args[i] = narrow(wargv[i]))) {
            return;
        }
    }
    LocalFree(wargv);
    *argc = n;
    *argv = args; /* lives as long as the process */
}

int rh_fd_open(const char *path)
{
    wchar_t *lp = long_path(path);
    HANDLE h;
    int fd;
    if (!lp) {
        return -1;
    }
    h = CreateFileW(lp, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                    OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL | FILE_FLAG_BACKUP_SEMANTICS, NULL);
    free(lp);
    if (h == INVALID_HANDLE_VALUE) {
        set_errno_from_win32();
        return -1;
    }
    fd = _open_osfhandle((intptr_t)h, _O_RDONLY | _O_BINARY);
    if (fd < 0) {
        CloseHandle(h);
        errno = EMFILE;
    }
    return fd;
}

int rh_fd_size(int fd, uint64_t *size)
{
    BY_HANDLE_FILE_INFORMATION fi;
    HANDLE h = (HANDLE)_get_osfhandle(fd);
    if (h == INVALID_HANDLE_VALUE || GetFileType(h) != FILE_TYPE_DISK ||
        !GetFileInformationByHandle(h, &fi)) {
        errno = EINVAL;
        return -1;
    }
    if (fi.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) {
        errno = EISDIR;
        return -1;
    }
    *size = ((uint64_t)fi.nFileSizeHigh << 32) | fi.nFileSizeLow;
    return 0;
}

static int64_t read_handle(int fd, void *buf, size_t n, const uint64_t *off)
{
    HANDLE h = (HANDLE)_get_osfhandle(fd);
    OVERLAPPED ov;
    DWORD got = 0, want = n > (1u << 30) ? (1u << 30) : (DWORD)n;
    if (h == INVALID_HANDLE_VALUE) {
        errno = EBADF;
        return -1;
    }
    if (off) {
        memset(&ov, 0, sizeof(ov));
        ov.Offset = (DWORD)*off;
        ov.OffsetHigh = (DWORD)(*off >> 32);
    }
    if (!ReadFile(h, buf, want, &got, off ? &ov : NULL)) {
        if (GetLastError() == ERROR_HANDLE_EOF || GetLastError() == ERROR_BROKEN_PIPE) {
            return 0;
        }
        set_errno_from_win32();
        return -1;
    }
    return (int64_t)got;
}

int64_t rh_fd_read(int fd, void *buf, size_t n)
{
    return read_handle(fd, buf, n, NULL);
}

int64_t rh_fd_pread(int fd, void *buf, size_t n, uint64_t off)
{
    return read_handle(fd, buf, n, &off);
}

void rh_fd_close(int fd)
{
    if (fd >= 0) {
        _close(fd);
    }
}

rh_fs_kind rh_os_path_kind(const char *path, int follow, uint64_t *size)
{
    WIN32_FILE_ATTRIBUTE_DATA fa;
    wchar_t *lp = long_path(path);
    BOOL ok;
    if (!lp) {
        return RH_FS_NONE;
    }
    ok = GetFileAttributesExW(lp, GetFileExInfoStandard, &fa);
    free(lp);
    if (!ok) {
        set_errno_from_win32();
        return RH_FS_NONE;
    }
    if (!follow && (fa.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT)) {
        return RH_FS_OTHER;
    }
    if (fa.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) {
        return RH_FS_DIR;
    }
    if (fa.dwFileAttributes & FILE_ATTRIBUTE_DEVICE) {
        return RH_FS_OTHER;
    }
    if (size) {
        *size = ((uint64_t)fa.nFileSizeHigh << 32) | fa.nFileSizeLow;
    }
    return RH_FS_FILE;
}

FILE *rh_os_fopen(const char *path, const char *mode)
{
    wchar_t *lp, *wm;
    FILE *f;
    if (mode[0] == 'r' && !strchr(mode, '+')) {
        int fd = rh_fd_open(path);
        if (fd < 0) {
            return NULL;
        }
        f = _fdopen(fd, "rb");
        if (!f) {
            _close(fd);
        }
        return f;
    }
    lp = long_path(path);
    wm = widen(mode);
    f = lp && wm ? _wfopen(lp, wm) : NULL;
    free(lp);
    free(wm);
    return f;
}

int rh_os_isatty(FILE *f)
{
    return _isatty(_fileno(f));
}

uint64_t rh_os_monotonic_ns(void)
{
    LARGE_INTEGER c, f;
    QueryPerformanceCounter(&c);
    QueryPerformanceFrequency(&f);
    return (uint64_t)((double)c.QuadPart * 1e9 / (double)f.QuadPart);
}

rh_status rh_dir_list(rh_ctx *ctx, const char *path, size_t max, char ***out, size_t *count)
{
    WIN32_FIND_DATAW fd;
    HANDLE h;
    wchar_t *lp = long_path(path), *pat;
    size_t len, n = 0, cap = 0;
    char **names = NULL;
    rh_status st = RH_OK;
    *out = NULL;
    *count = 0;
    if (!lp) {
        return RH_ERR_IO;
    }
    len = wcslen(lp);
    pat = malloc((len + 3) * sizeof(*pat));
    if (!pat) {
        free(lp);
        return RH_ERR_NOMEM;
    }
    memcpy(pat, lp, len * sizeof(*pat));
    if (len && pat[len - 1] != L'\\') {
        pat[len++] = L'\\';
    }
    pat[len++] = L'*';
    pat[len] = 0;
    free(lp);
    h = FindFirstFileExW(pat, FindExInfoBasic, &fd, FindExSearchNameMatch, NULL, 0);
    free(pat);
    if (h == INVALID_HANDLE_VALUE) {
        return GetLastError() == ERROR_FILE_NOT_FOUND ? RH_OK : RH_ERR_IO;
    }
    do {
        char *name = narrow(fd.cFileName);
        if (!name) {
            st = RH_ERR_NOMEM;
            break;
        }
        st = list_add(ctx, &names, &n, &cap, max, name);
        free(name);
    } while (st == RH_OK && FindNextFileW(h, &fd));
    FindClose(h);
    return list_done(ctx, names, n, st, out, count);
}

int rh_ip_parse(const char *s, uint8_t out[16])
{
    return InetPtonA(AF_INET, s, out) == 1 ? 4 : InetPtonA(AF_INET6, s, out) == 1 ? 6 : 0;
}

#else

/* ============================== POSIX ============================== */

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

void rh_os_init(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
}

int rh_fd_open(const char *path)
{
    return open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
}

int rh_fd_size(int fd, uint64_t *size)
{
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        return -1;
    }
    if (!S_ISREG(sb.st_mode)) {
        errno = S_ISDIR(sb.st_mode) ? EISDIR : EINVAL;
        return -1;
    }
    *size = (uint64_t)sb.st_size;
    return 0;
}

int64_t rh_fd_read(int fd, void *buf, size_t n)
{
    ssize_t r;
    do {
        r = read(fd, buf, n);
    } while (r < 0 && errno == EINTR);
    return (int64_t)r;
}

int64_t rh_fd_pread(int fd, void *buf, size_t n, uint64_t off)
{
    ssize_t r;
    do {
        r = pread(fd, buf, n, (off_t)off);
    } while (r < 0 && errno == EINTR);
    return (int64_t)r;
}

void rh_fd_close(int fd)
{
    if (fd >= 0) {
        close(fd);
    }
}

rh_fs_kind rh_os_path_kind(const char *path, int follow, uint64_t *size)
{
    struct stat sb;
    if ((follow ? stat(path, &sb) : lstat(path, &sb)) != 0) {
        return RH_FS_NONE;
    }
    if (S_ISDIR(sb.st_mode)) {
        return RH_FS_DIR;
    }
    if (!S_ISREG(sb.st_mode)) {
        return RH_FS_OTHER;
    }
    if (size) {
        *size = (uint64_t)sb.st_size;
    }
    return RH_FS_FILE;
}

FILE *rh_os_fopen(const char *path, const char *mode)
{
    return fopen(path, mode);
}

int rh_os_isatty(FILE *f)
{
    return isatty(fileno(f));
}

uint64_t rh_os_monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
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
    while (st == RH_OK && (de = readdir(d)) != NULL) {
        st = list_add(ctx, &names, &n, &cap, max, de->d_name);
    }
    closedir(d);
    return list_done(ctx, names, n, st, out, count);
}

int rh_ip_parse(const char *s, uint8_t out[16])
{
    return inet_pton(AF_INET, s, out) == 1 ? 4 : inet_pton(AF_INET6, s, out) == 1 ? 6 : 0;
}

#endif
