/*
 * A plugin as the static reader sees it: a shared object whose
 * .rdy.descriptor section holds the shapes world's plugin descriptor.  The
 * build encodes the descriptor with the rdy it has just built and writes its
 * bytes to fixture_desc.inc.  Nothing here is ever loaded or run.
 */
#include <stdint.h>

__attribute__((section(".rdy.descriptor"), used))
static const uint8_t rdy_descriptor[] = {
#include "fixture_desc.inc"
};

/* Some ordinary code beside the descriptor, as a real plugin has. */
int fixture_plugin_answer(void);
int fixture_plugin_answer(void)
{
	return 42;
}
