/*
 * reghunt: status codes shared by every component.
 *
 * Codes are never renumbered; new codes are appended.
 */
#ifndef REGHUNT_STATUS_H
#define REGHUNT_STATUS_H

#ifdef __cplusplus
extern "C" {
#endif

#if defined(RH_BUILDING_LIBRARY) && defined(__GNUC__)
#define RH_API __attribute__((visibility("default")))
#else
#define RH_API
#endif

/* The format archetype of printf-like functions (format attribute): GNU printf semantics
 * (%zu, %lld). mingw-w64's "printf" means msvcrt's; its toolchain file passes gnu_printf. */
#ifndef RH_PRINTF_ARCHETYPE
#define RH_PRINTF_ARCHETYPE printf
#endif

/** Result of every fallible library call. RH_OK is 0; RH_NOT_FOUND and RH_END are not errors. */
typedef enum rh_status {
    RH_OK = 0,              /* success */
    RH_NOT_FOUND = 1,       /* lookup found nothing (not an error) */
    RH_END = 2,             /* iteration finished (not an error) */
    RH_ERR_NOMEM = 3,       /* allocation failed */
    RH_ERR_IO = 4,          /* open/read failed */
    RH_ERR_FORMAT = 5,      /* input is not in the expected format */
    RH_ERR_CORRUPT = 6,     /* input is in the format but damaged beyond use */
    RH_ERR_LIMIT = 7,       /* a configured limit was exceeded */
    RH_ERR_UNSUPPORTED = 8, /* valid input we do not handle */
    RH_ERR_RULE = 9,        /* a detection rule is invalid */
    RH_ERR_ARG = 10,        /* invalid argument from the caller */
    RH_ERR_STRICT = 11,     /* an anomaly occurred and the context is in strict mode */
} rh_status;

/** True for the values that signal failure (everything except RH_OK, RH_NOT_FOUND, RH_END). */
#define RH_FAILED(s) ((s) > RH_END)

/**
 * Short English description of a status code.
 * Returns a static string; never NULL (unknown codes give "unknown status").
 */
RH_API const char *rh_strerror(rh_status s);

#ifdef __cplusplus
}
#endif
#endif
