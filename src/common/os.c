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

int rh_fd_dup(int fd)
{
    return _dup(fd);
}

int rh_os_mkdir(const char *path)
{
    wchar_t *lp = long_path(path);
    int r;
    if (!lp) {
        return -1;
    }
    r = CreateDirectoryW(lp, NULL) ? 0 : -1;
    if (r != 0) {
        set_errno_from_win32();
    }
    free(lp);
    return r;
}

char *rh_os_realpath(const char *path)
{
    wchar_t *w = widen(path), *full;
    DWORD n;
    char *out;
    if (!w) {
        return NULL;
    }
    n = GetFullPathNameW(w, 0, NULL, NULL);
    full = n ? malloc(((size_t)n + 1) * sizeof(*full)) : NULL;
    if (!full || GetFullPathNameW(w, n + 1, full, NULL) == 0 ||
        GetFileAttributesW(full) == INVALID_FILE_ATTRIBUTES) {
        free(w);
        free(full);
        return NULL;
    }
    free(w);
    out = narrow(full);
    free(full);
    return out;
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

/* ---- the live registry through ntdll ---- */

#define NT_BUFFER_OVERFLOW  ((LONG)0x80000005L)
#define NT_NO_MORE_ENTRIES  ((LONG)0x8000001AL)
#define NT_BUFFER_TOO_SMALL ((LONG)0xC0000023L)
#define NT_NAME_NOT_FOUND   ((LONG)0xC0000034L)
#define NT_PATH_NOT_FOUND   ((LONG)0xC000003AL)
#define NT_OBJ_CASE_INSENS  0x40UL
#define NT_OBJ_OPENLINK     0x100UL
#define NT_REG_LINK         6u
#define NT_KEY_BASIC_INFO   0 /* KeyBasicInformation: FILETIME, index, name length, name */
#define NT_VALUE_FULL_INFO  1 /* KeyValueFullInformation: index, type, data off/len, name */
#define NT_MAX_INFO         (64u << 20)

struct nt_ustr {
    USHORT len, max;
    PWSTR buf;
};

struct nt_attr {
    ULONG length;
    HANDLE root;
    struct nt_ustr *name;
    ULONG attributes;
    PVOID sd, qos;
};

typedef LONG(WINAPI *nt_open_key_fn)(HANDLE *, ACCESS_MASK, struct nt_attr *);
typedef LONG(WINAPI *nt_enum_fn)(HANDLE, ULONG, ULONG, PVOID, ULONG, ULONG *);
typedef LONG(WINAPI *nt_query_key_fn)(HANDLE, ULONG, PVOID, ULONG, ULONG *);
typedef LONG(WINAPI *nt_close_fn)(HANDLE);

static struct {
    int loaded;
    nt_open_key_fn open_key;
    nt_enum_fn enum_key, enum_value;
    nt_query_key_fn query_key;
    nt_close_fn close;
} nt;

struct rh_os_key {
    rh_ctx *ctx;
    HANDLE h;
    uint8_t *buf;
    ULONG cap;
};

static int nt_load(void)
{
    HMODULE m;
    if (nt.loaded) {
        return nt.loaded > 0;
    }
    m = GetModuleHandleW(L"ntdll.dll");
    nt.open_key = m ? (nt_open_key_fn)(void (*)(void))GetProcAddress(m, "NtOpenKey") : NULL;
    nt.enum_key = m ? (nt_enum_fn)(void (*)(void))GetProcAddress(m, "NtEnumerateKey") : NULL;
    nt.enum_value = m ? (nt_enum_fn)(void (*)(void))GetProcAddress(m, "NtEnumerateValueKey") : NULL;
    nt.query_key = m ? (nt_query_key_fn)(void (*)(void))GetProcAddress(m, "NtQueryKey") : NULL;
    nt.close = m ? (nt_close_fn)(void (*)(void))GetProcAddress(m, "NtClose") : NULL;
    nt.loaded = nt.open_key && nt.enum_key && nt.enum_value && nt.query_key && nt.close ? 1 : -1;
    return nt.loaded > 0;
}

static rh_status key_open(rh_ctx *ctx, rh_os_key *parent, const uint16_t *name, size_t len,
                          ULONG attributes, rh_os_key **out)
{
    struct nt_ustr us;
    struct nt_attr oa;
    HANDLE h = NULL;
    LONG r;
    rh_os_key *k;
    *out = NULL;
    if (!nt_load()) {
        return RH_ERR_UNSUPPORTED;
    }
    if (len > 32767) {
        return RH_ERR_ARG;
    }
    us.len = us.max = (USHORT)(len * 2);
    us.buf = (PWSTR)(uintptr_t)name;
    memset(&oa, 0, sizeof(oa));
    oa.length = sizeof(oa);
    oa.root = parent ? parent->h : NULL;
    oa.name = &us;
    oa.attributes = attributes;
    r = nt.open_key(&h, KEY_READ, &oa);
    if (r < 0) {
        return r == NT_NAME_NOT_FOUND || r == NT_PATH_NOT_FOUND ? RH_NOT_FOUND : RH_ERR_IO;
    }
    k = rh_calloc(ctx, 1, sizeof(*k));
    if (!k) {
        nt.close(h);
        return RH_ERR_NOMEM;
    }
    k->ctx = ctx;
    k->h = h;
    *out = k;
    return RH_OK;
}

rh_status rh_os_key_open(rh_ctx *ctx, rh_os_key *parent, const uint16_t *name, size_t len,
                         rh_os_key **out)
{
    return key_open(ctx, parent, name, len, NT_OBJ_CASE_INSENS, out);
}

int rh_os_key_is_link(rh_ctx *ctx, rh_os_key *parent, const uint16_t *name, size_t len)
{
    rh_os_key *k = NULL;
    rh_buf vn, vd;
    uint32_t i, type;
    int link = 0;
    if (key_open(ctx, parent, name, len, NT_OBJ_CASE_INSENS | NT_OBJ_OPENLINK, &k) != RH_OK) {
        return 0;
    }
    rh_buf_init(&vn, ctx);
    rh_buf_init(&vd, ctx);
    for (i = 0; !link && rh_os_value_enum(k, i, &vn, &type, &vd) == RH_OK; i++) {
        link = type == NT_REG_LINK;
    }
    rh_buf_free(&vn);
    rh_buf_free(&vd);
    rh_os_key_close(k);
    return link;
}

void rh_os_key_close(rh_os_key *k)
{
    if (k) {
        nt.close(k->h);
        rh_free(k->ctx, k->buf);
        rh_free(k->ctx, k);
    }
}

/* One Nt*Key information call into k->buf, growing it as the call asks. */
static rh_status nt_info(rh_os_key *k, int what, uint32_t i, ULONG *got)
{
    for (;;) {
        LONG r;
        ULONG need = 0;
        if (!k->buf) {
            k->cap = 4096;
            if (!(k->buf = rh_malloc(k->ctx, k->cap))) {
                return RH_ERR_NOMEM;
            }
        }
        if (what == 0) {
            r = nt.query_key(k->h, NT_KEY_BASIC_INFO, k->buf, k->cap, &need);
        } else if (what == 1) {
            r = nt.enum_key(k->h, i, NT_KEY_BASIC_INFO, k->buf, k->cap, &need);
        } else {
            r = nt.enum_value(k->h, i, NT_VALUE_FULL_INFO, k->buf, k->cap, &need);
        }
        if (r == NT_NO_MORE_ENTRIES) {
            return RH_END;
        }
        if (r == NT_BUFFER_OVERFLOW || r == NT_BUFFER_TOO_SMALL) {
            ULONG nc = need > k->cap ? need : k->cap * 2;
            uint8_t *nb;
            if (nc > NT_MAX_INFO) {
                return RH_ERR_LIMIT;
            }
            if (!(nb = rh_realloc(k->ctx, k->buf, nc))) {
                return RH_ERR_NOMEM;
            }
            k->buf = nb;
            k->cap = nc;
            continue;
        }
        if (r < 0) {
            return RH_ERR_IO;
        }
        *got = need < k->cap ? need : k->cap;
        return RH_OK;
    }
}

/* KEY_BASIC_INFORMATION: LastWriteTime (8), TitleIndex (4), NameLength (4), Name. */
static rh_status basic_info(rh_os_key *k, ULONG got, rh_buf *name, uint64_t *last_write)
{
    uint32_t nl;
    if (got < 16 || (nl = rh_le32(k->buf + 12)) > got - 16) {
        return RH_ERR_CORRUPT;
    }
    *last_write = rh_le64(k->buf);
    if (name) {
        rh_buf_reset(name);
        return rh_buf_append(name, k->buf + 16, nl & ~1u);
    }
    return RH_OK;
}

rh_status rh_os_key_last_write(rh_os_key *k, uint64_t *filetime)
{
    ULONG got = 0;
    rh_status st = nt_info(k, 0, 0, &got);
    return st == RH_OK ? basic_info(k, got, NULL, filetime) : st;
}

rh_status rh_os_key_enum(rh_os_key *k, uint32_t i, rh_buf *name, uint64_t *last_write)
{
    ULONG got = 0;
    rh_status st = nt_info(k, 1, i, &got);
    return st == RH_OK ? basic_info(k, got, name, last_write) : st;
}

/* KEY_VALUE_FULL_INFORMATION: TitleIndex, Type, DataOffset, DataLength, NameLength, Name. */
rh_status rh_os_value_enum(rh_os_key *k, uint32_t i, rh_buf *name, uint32_t *type, rh_buf *data)
{
    ULONG got = 0;
    uint32_t doff, dlen, nl;
    rh_status st = nt_info(k, 2, i, &got);
    if (st != RH_OK) {
        return st;
    }
    if (got < 20) {
        return RH_ERR_CORRUPT;
    }
    *type = rh_le32(k->buf + 4);
    doff = rh_le32(k->buf + 8);
    dlen = rh_le32(k->buf + 12);
    nl = rh_le32(k->buf + 16);
    if (nl > got - 20 || (dlen && !rh_fits(got, doff, dlen))) {
        return RH_ERR_CORRUPT;
    }
    rh_buf_reset(name);
    rh_buf_reset(data);
    if (rh_buf_append(name, k->buf + 20, nl & ~1u) != RH_OK ||
        (dlen && rh_buf_append(data, k->buf + doff, dlen) != RH_OK)) {
        return RH_ERR_NOMEM;
    }
    return RH_OK;
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

int rh_fd_dup(int fd)
{
    return fcntl(fd, F_DUPFD_CLOEXEC, 0);
}

int rh_os_mkdir(const char *path)
{
    return mkdir(path, 0777);
}

char *rh_os_realpath(const char *path)
{
    return realpath(path, NULL);
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

rh_status rh_os_key_open(rh_ctx *ctx, rh_os_key *parent, const uint16_t *name, size_t len,
                         rh_os_key **out)
{
    (void)ctx;
    (void)parent;
    (void)name;
    (void)len;
    *out = NULL;
    return RH_ERR_UNSUPPORTED;
}

rh_status rh_os_key_last_write(rh_os_key *k, uint64_t *filetime)
{
    (void)k;
    *filetime = 0;
    return RH_ERR_UNSUPPORTED;
}

rh_status rh_os_key_enum(rh_os_key *k, uint32_t i, rh_buf *name, uint64_t *last_write)
{
    (void)k;
    (void)i;
    (void)name;
    (void)last_write;
    return RH_ERR_UNSUPPORTED;
}

rh_status rh_os_value_enum(rh_os_key *k, uint32_t i, rh_buf *name, uint32_t *type, rh_buf *data)
{
    (void)k;
    (void)i;
    (void)name;
    (void)type;
    (void)data;
    return RH_ERR_UNSUPPORTED;
}

void rh_os_key_close(rh_os_key *k)
{
    (void)k;
}

int rh_os_key_is_link(rh_ctx *ctx, rh_os_key *parent, const uint16_t *name, size_t len)
{
    (void)ctx;
    (void)parent;
    (void)name;
    (void)len;
    return 0;
}

int rh_ip_parse(const char *s, uint8_t out[16])
{
    return inet_pton(AF_INET, s, out) == 1 ? 4 : inet_pton(AF_INET6, s, out) == 1 ? 6 : 0;
}

#endif
