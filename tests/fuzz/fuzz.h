/*
 * The libFuzzer entry point every fuzz_*.c target defines.  It must accept
 * any bytes without crashing, leaking or invoking undefined behaviour, and
 * always returns 0.
 */
#ifndef RDY_FUZZ_H
#define RDY_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
