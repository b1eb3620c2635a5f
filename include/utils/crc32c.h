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
/*
 * The CRC of A || B, given crc1 = crc32c(0, A), crc2 = crc32c(0, B) and
 * len2 = the length of B, without reading either: about log2(len2)
 * multiplications in GF(2)[x] at most.
 */
extern uint32 crc32c_combine(uint32 crc1, uint32 crc2, size_t len2);
/* The same without PCLMULQDQ, always available (for tests). */
extern uint32 crc32c_combine_sw(uint32 crc1, uint32 crc2, size_t len2);
/* True if the hardware implementation is in use. */
extern bool crc32c_have_hw(void);

#endif							/* STRATA_CRC32C_H */
