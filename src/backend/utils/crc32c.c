/*-------------------------------------------------------------------------
 *
 * crc32c.c
 *	  CRC-32C with the SSE4.2 instruction, and a slicing-by-8 table fallback.
 *
 *	  The hardware path runs three independent CRC chains over thirds of
 *	  large buffers (the crc32 instruction has a latency of 3 cycles and a
 *	  throughput of 1), then combines them by shifting each partial CRC over
 *	  the lengths that follow it with carry-less multiplication done in
 *	  software on the GF(2) polynomial ring (crc32c_shift).
 *
 * src/backend/utils/crc32c.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include <cpuid.h>

#include "utils/crc32c.h"

#define POLY 0x82F63B78u		/* reflected Castagnoli polynomial */

static uint32 crc_table[8][256];
static bool table_ready = false;
static int	have_hw = -1;

static void
build_tables(void)
{
	for (uint32 i = 0; i < 256; i++)
	{
		uint32		c = i;

		for (int k = 0; k < 8; k++)
			c = (c & 1) ? (c >> 1) ^ POLY : c >> 1;
		crc_table[0][i] = c;
	}
	for (uint32 i = 0; i < 256; i++)
		for (int t = 1; t < 8; t++)
			crc_table[t][i] = (crc_table[t - 1][i] >> 8) ^ crc_table[0][crc_table[t - 1][i] & 0xff];
	__atomic_store_n(&table_ready, true, __ATOMIC_RELEASE);
}

uint32
crc32c_sw(uint32 crc, const void *buf, size_t len)
{
	const uint8 *p = buf;

	if (!__atomic_load_n(&table_ready, __ATOMIC_ACQUIRE))
		build_tables();
	crc = ~crc;
	while (len >= 8)
	{
		uint64		v;

		memcpy(&v, p, 8);
		v ^= crc;
		crc = crc_table[7][v & 0xff] ^ crc_table[6][(v >> 8) & 0xff] ^
			crc_table[5][(v >> 16) & 0xff] ^ crc_table[4][(v >> 24) & 0xff] ^
			crc_table[3][(v >> 32) & 0xff] ^ crc_table[2][(v >> 40) & 0xff] ^
			crc_table[1][(v >> 48) & 0xff] ^ crc_table[0][v >> 56];
		p += 8;
		len -= 8;
	}
	while (len--)
		crc = (crc >> 8) ^ crc_table[0][(crc ^ *p++) & 0xff];
	return ~crc;
}

bool
crc32c_have_hw(void)
{
	if (have_hw < 0)
	{
		unsigned int eax,
					ebx,
					ecx,
					edx;

		have_hw = (__get_cpuid(1, &eax, &ebx, &ecx, &edx) && (ecx & bit_SSE4_2)) ? 1 : 0;
	}
	return have_hw == 1;
}

/* Multiply two polynomials modulo POLY (reflected bit order). */
static uint32
gf2_multmod(uint32 a, uint32 b)
{
	uint32		prod = 0;

	for (int i = 0; i < 32; i++)
	{
		if (a & 0x80000000u)
			prod ^= b;
		a <<= 1;
		b = (b & 1) ? (b >> 1) ^ POLY : b >> 1;
	}
	return prod;
}

/* x^(8*len) mod POLY, in reflected form. */
static uint32
x_pow_8n(size_t len)
{
	uint32		result = 0x80000000u;	/* x^0 */
	uint32		power = 0x00800000u;	/* x^8 */

	while (len)
	{
		if (len & 1)
			result = gf2_multmod(result, power);
		power = gf2_multmod(power, power);
		len >>= 1;
	}
	return result;
}

/* Raw (un-inverted) CRC state advanced over len zero bytes. */
static uint32
crc32c_shift(uint32 crc, size_t len)
{
	return gf2_multmod(x_pow_8n(len), crc);
}

__attribute__((target("sse4.2")))
static uint32
crc32c_hw_raw(uint32 crc, const uint8 *p, size_t len)
{
	uint64		c = crc;

	while (len >= 8)
	{
		uint64		v;

		memcpy(&v, p, 8);
		c = __builtin_ia32_crc32di(c, v);
		p += 8;
		len -= 8;
	}
	crc = (uint32) c;
	while (len--)
		crc = __builtin_ia32_crc32qi(crc, *p++);
	return crc;
}

__attribute__((target("sse4.2")))
static uint32
crc32c_hw(uint32 crc, const uint8 *p, size_t len)
{
	uint32		state = ~crc;

	/* Three interleaved chains for large buffers. */
	if (len >= 3 * 4096)
	{
		size_t		third = (len / 3) & ~(size_t) 7;
		uint64		c0 = state,
					c1 = 0,
					c2 = 0;
		const uint8 *p0 = p,
				   *p1 = p + third,
				   *p2 = p + 2 * third;

		for (size_t i = 0; i < third; i += 8)
		{
			uint64		v0,
						v1,
						v2;

			memcpy(&v0, p0 + i, 8);
			memcpy(&v1, p1 + i, 8);
			memcpy(&v2, p2 + i, 8);
			c0 = __builtin_ia32_crc32di(c0, v0);
			c1 = __builtin_ia32_crc32di(c1, v1);
			c2 = __builtin_ia32_crc32di(c2, v2);
		}
		state = crc32c_shift((uint32) c0, third) ^ (uint32) c1;
		state = crc32c_shift(state, third) ^ (uint32) c2;
		p += 3 * third;
		len -= 3 * third;
	}
	return ~crc32c_hw_raw(state, p, len);
}

uint32
crc32c(uint32 crc, const void *buf, size_t len)
{
	if (crc32c_have_hw())
		return crc32c_hw(crc, buf, len);
	return crc32c_sw(crc, buf, len);
}
