/* A plugin against fake bindings: the generated header and rdy/abi.h are found. */
#include "calculator_plugin.h"

#include <rdy/abi.h>

int plugin_stub(void);

int plugin_stub(void)
{
	return fake_calculator_plugin() + RDY_OK;
}
