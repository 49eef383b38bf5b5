/* CRC-32 (IEEE 802.3, reflected, as zlib and `crc32` compute it). */
#ifndef UMBRA_LIB_CRC32_H
#define UMBRA_LIB_CRC32_H

#include <stddef.h>
#include <stdint.h>

uint32_t crc32(const void *data, size_t len);

#endif
