/*
 * reghunt CLI: shared declarations. The CLI uses only the public API (include/reghunt).
 */
#ifndef RH_CLI_H
#define RH_CLI_H

#include <stdio.h>

#include "reghunt/reghunt.h"

/* Named exit codes (documented in --help and docs/reghunt.1.md). */
enum {
    RH_EXIT_OK = 0,       /* success, nothing to report */
    RH_EXIT_FINDINGS = 1, /* success, findings/matches were reported (hunt, sigma run) */
    RH_EXIT_USAGE = 2,    /* bad arguments */
    RH_EXIT_INPUT = 3,    /* an input file could not be read or is not in a supported format */
    RH_EXIT_RULES = 4,    /* rules could not be loaded */
    RH_EXIT_INTERNAL = 5, /* out of memory, write error, internal error */
};

/* One subcommand: entry point and one-line summary for `reghunt --help`. */
struct cli_command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
};

#define CLI_COMMAND(name, fn, summary) int fn(int argc, char **argv);
#include "commands.def"
#undef CLI_COMMAND

/* Print "reghunt: <message>" as one line on stderr. */
void cli_error(const char *fmt, ...)
#ifdef __GNUC__
    __attribute__((format(RH_PRINTF_ARCHETYPE, 1, 2)))
#endif
    ;

/* Map a library status for an input file to an exit code, printing one error line. */
int cli_fail_input(const char *path, rh_status st);

/* A context with the CLI's diagnostics printer (stderr, one line per diag). `verbose` shows
 * anomalies; errors are always shown. Exits on OOM. */
rh_ctx *cli_ctx_create(int verbose);

/* Write a buffer to a stream; returns 0 or -1 on write error. */
int cli_write(FILE *f, const rh_buf *b);

/* A report sink (rh_report_write_fn) writing to the FILE * in user. */
rh_status cli_write_sink(void *user, const char *data, size_t len);

/* Open -o PATH for writing (stdout when path is NULL). Returns NULL after one error line. */
FILE *cli_output_open(const char *path);

/* Close what cli_output_open() gave (flush stdout) after writing with status st. Returns
 * RH_EXIT_OK, or RH_EXIT_INTERNAL after one error line. */
int cli_output_close(FILE *out, const char *path, rh_status st);

/* True when stderr is a terminal (progress output is shown only then). */
int cli_stderr_is_tty(void);

/* One event input of cli_each_event_input(): coll is NULL for a file given itself (read it
 * from `path`), else input i of that collection (`path` is its source). Returns an exit code. */
typedef int (*cli_event_input_fn)(rh_ctx *ctx, rh_collection *coll, size_t i, const char *path,
                                  void *user);

/* Call fn for each event input the PATHs name: a file is itself; a directory or a zip archive
 * is searched by the collection reader (the one place that finds inputs). A directory or
 * archive without event inputs is one error line. Returns the highest exit code. */
int cli_each_event_input(rh_ctx *ctx, const char *const *paths, size_t n, cli_event_input_fn fn,
                         void *user);

/* Set by cli_ctx_create's diag printer: the last error message, for one-line failures. */
extern char cli_last_diag[512];

#endif
