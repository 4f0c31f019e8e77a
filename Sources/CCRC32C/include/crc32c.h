#ifndef CAIRN_CRC32C_H
#define CAIRN_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/// Extends a CRC32C (Castagnoli, reflected polynomial 0x82F63B78) over `length` bytes.
///
/// Pass 0 as `crc` to start. The value is the finished checksum (pre- and post-inverted),
/// so `cairn_crc32c(cairn_crc32c(0, a, n), b, m)` equals the checksum of `a` followed by `b`.
/// Uses the SSE4.2 `crc32` instruction when the CPU has it, slicing-by-8 otherwise.
/// Thread-safe: the tables are built once, on first use, under a pthread_once guard.
uint32_t cairn_crc32c(uint32_t crc, const void *data, size_t length);

/// The software path alone, for tests that compare both paths.
uint32_t cairn_crc32c_portable(uint32_t crc, const void *data, size_t length);

/// 1 when `cairn_crc32c` uses the hardware instruction on this CPU.
int cairn_crc32c_hardware(void);

#endif
