#include "cli.h"
int cli_cmd_hive(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    cli_error("hive: not built yet");
    return RH_EXIT_INTERNAL;
}
