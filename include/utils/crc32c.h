/*-------------------------------------------------------------------------
 *
 * crc32c.h
 *	  CRC-32C (Castagnoli), as used by Kafka record batches and Strata's WAL.
 *
 *	  crc32c(0, buf, len) gives the standard checksum (crc32c("123456789")
 *	  = 0xe3069283).  To checksum in pieces, pass the previous result as crc.
 *	  Uses the SSE4.2 instruction when the CPU has it, a table otherwise.
 *
 * include/utils/crc32c.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef STRATA_CRC32C_H
#define STRATA_CRC32C_H

#include "c.h"

extern uint32 crc32c(uint32 crc, const void *buf, size_t len);
/* The portable implementation, always available (for tests). */
extern uint32 crc32c_sw(uint32 crc, const void *buf, size_t len);
/* True if the hardware implementation is in use. */
extern bool crc32c_have_hw(void);

#endif							/* STRATA_CRC32C_H */
