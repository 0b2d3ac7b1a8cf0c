/* A host against fake bindings: the generated header and the runtime's target are found. */
#include "calculator_host.h"

#include <rdy.h>

#ifndef RDY_STANDIN_RUNTIME
#error "rdy_add_host_bindings did not link the runtime target"
#endif

int main(void)
{
	return fake_calculator_host() + RDY_OK;
}
