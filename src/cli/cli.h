/* The `rdy` command: one entry per subcommand. */
#ifndef RDY_CLI_H
#define RDY_CLI_H

enum { RDY_EXIT_OK = 0, RDY_EXIT_FAIL = 1, RDY_EXIT_USAGE = 2 };

int rdy_cmd_wit(int argc, char **argv);

#endif
