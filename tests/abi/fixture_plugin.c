/*
 * A plugin as the static reader sees it: a shared object whose descriptor
 * note holds the shapes world's plugin descriptor.  The
 * build encodes the descriptor with the rdy it has just built and writes its
 * bytes to fixture_desc.inc.  Nothing here is ever loaded or run.
 */
#include "rdy/abi.h"

/* The descriptor's size: a compound literal in sizeof makes no object. */
enum {
	RDY_DESCRIPTOR_BYTES_LEN = sizeof((const uint8_t[]){
#include "fixture_desc.inc"
	})
};

__attribute__((section(RDY_DESCRIPTOR_SECTION), used, aligned(4)))
static const RDY_DESCRIPTOR_NOTE(RDY_DESCRIPTOR_BYTES_LEN) rdy_descriptor =
	{ 4, RDY_DESCRIPTOR_BYTES_LEN, RDY_DESCRIPTOR_NOTE_TYPE, RDY_DESCRIPTOR_NOTE_NAME, {
#include "fixture_desc.inc"
	} };

/* Some ordinary code beside the descriptor, as a real plugin has. */
int fixture_plugin_answer(void);
int fixture_plugin_answer(void)
{
	return 42;
}
