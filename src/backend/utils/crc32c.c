/*-------------------------------------------------------------------------
 *
 * crc32c.c
 *	  CRC-32C with the SSE4.2 instruction, and a slicing-by-8 table fallback.
 *
 *	  The hardware path runs three independent CRC chains (the crc32
 *	  instruction has a latency of 3 cycles and a throughput of 1), then
 *	  combines them by shifting each partial CRC over the lengths that
 *	  follow it: a multiplication by x^(8n) modulo the polynomial
 *	  (crc32c_shift).  With PCLMULQDQ that costs a few cycles, and buffers
 *	  of 192 bytes and up run as triples of fixed-size blocks
 *	  (crc32c_hw_clmul); without it, only buffers of 12 KiB and up, split
 *	  in thirds (crc32c_hw).
 *
 *	  crc32c_combine exposes that shift: the CRC of A || B from the CRCs of
 *	  A and B and B's length, in a few dozen cycles whatever the lengths.
 *	  The WAL uses it so that a Kafka batch whose CRC the Produce handler
 *	  has just verified is not checksummed a second time.
 *
 * src/backend/utils/crc32c.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include <cpuid.h>
#include <nmmintrin.h>
#include <wmmintrin.h>

#include "utils/crc32c.h"

#define POLY 0x82F63B78u		/* reflected Castagnoli polynomial */

static uint32 crc_table[8][256];
static bool table_ready = false;
static int	have_hw = -1;
static int	have_clmul = -1;

static void detect_cpu(void);

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
		detect_cpu();
	return have_hw == 1;
}

/*
 * Multiply two polynomials modulo POLY, bit by bit.  The representation is
 * the reflected one CRC-32C uses: bit 31 is the coefficient of x^0, bit 0
 * that of x^31.  Used where PCLMULQDQ is missing, and to build the table
 * of powers below.
 */
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

/*
 * The same product with one carry-less multiplication and one crc32
 * instruction.  With the reflected operands, the 63-bit carry-less product
 * shifted left by one holds a * b with bit 63 - d the coefficient of x^d.
 * Its high half is then the part of degree < 32, already reduced; its low
 * half L stands for L(x) * x^32, and the crc32 instruction fed L from a
 * zero state computes exactly L(x) * x^32 mod POLY.
 */
__attribute__((target("sse4.2,pclmul")))
static inline uint32
clmul_multmod(uint32 a, uint32 b)
{
	__m128i		prod = _mm_clmulepi64_si128(_mm_cvtsi32_si128((int) a),
											_mm_cvtsi32_si128((int) b), 0);
	uint64		v = (uint64) _mm_cvtsi128_si64(prod) << 1;

	return _mm_crc32_u32(0, (uint32) v) ^ (uint32) (v >> 32);
}

/*
 * xpow8[k] = x^(8 * 2^k) mod POLY: shifting a CRC over n zero bytes
 * multiplies it by x^(8n), the product of the entries of n's set bits.
 * Filled once per process; two processes (or threads) racing to fill it
 * write the same values.
 */
static uint32 xpow8[64];
static bool xpow8_ready = false;

/*
 * The block sizes of crc32c_hw_clmul's triples, largest first, and for
 * each the constants that shift a chain's CRC over one and over two
 * blocks: block_k[t][0] = x^(8 * size) mod POLY, block_k[t][1] =
 * x^(16 * size) mod POLY.
 */
#define CRC_TIERS 3
static const size_t block_size[CRC_TIERS] = {4096, 512, 64};
static uint32 block_k[CRC_TIERS][2];

/* x^(8n) mod POLY from the table, portably (only while building it). */
static uint32
xpow8n_sw(size_t n)
{
	uint32		r = 0x80000000u;	/* x^0 */

	for (int k = 0; n != 0; k++, n >>= 1)
		if (n & 1)
			r = gf2_multmod(r, xpow8[k]);
	return r;
}

static void
build_xpow8(void)
{
	xpow8[0] = 0x00800000u;		/* x^8 */
	for (int k = 1; k < (int) lengthof(xpow8); k++)
		xpow8[k] = gf2_multmod(xpow8[k - 1], xpow8[k - 1]);
	for (int t = 0; t < CRC_TIERS; t++)
	{
		block_k[t][0] = xpow8n_sw(block_size[t]);
		block_k[t][1] = xpow8n_sw(2 * block_size[t]);
	}
	__atomic_store_n(&xpow8_ready, true, __ATOMIC_RELEASE);
}

static void
detect_cpu(void)
{
	unsigned int eax,
				ebx,
				ecx,
				edx;

	if (__get_cpuid(1, &eax, &ebx, &ecx, &edx))
	{
		have_clmul = (ecx & bit_SSE4_2) && (ecx & bit_PCLMUL) ? 1 : 0;
		have_hw = (ecx & bit_SSE4_2) ? 1 : 0;
	}
	else
		have_clmul = have_hw = 0;
}

/*
 * Raw (un-inverted) CRC state advanced over len zero bytes: one
 * multiplication per set bit of len.  portable: never use PCLMULQDQ.
 */
static uint32
crc32c_shift_impl(uint32 crc, size_t len, bool portable)
{
	if (!__atomic_load_n(&xpow8_ready, __ATOMIC_ACQUIRE))
		build_xpow8();
	if (have_clmul < 0)
		detect_cpu();
	if (have_clmul == 1 && !portable)
	{
		for (int k = 0; len != 0; k++, len >>= 1)
			if (len & 1)
				crc = clmul_multmod(crc, xpow8[k]);
	}
	else
	{
		for (int k = 0; len != 0; k++, len >>= 1)
			if (len & 1)
				crc = gf2_multmod(crc, xpow8[k]);
	}
	return crc;
}

static inline uint32
crc32c_shift(uint32 crc, size_t len)
{
	return crc32c_shift_impl(crc, len, false);
}

/*
 * The CRC of A || B from crc1 = crc32c(0, A), crc2 = crc32c(0, B) and
 * len2 = |B|.  The state after A is the raw ~crc1; running B from it gives
 * shift(~crc1, len2) ^ R, where R is what B alone contributes, and
 * crc2 = ~(shift(~0, len2) ^ R).  Being linear, shift distributes over xor,
 * so the inversions cancel: crc(A || B) = shift(crc1, len2) ^ crc2.
 */
uint32
crc32c_combine(uint32 crc1, uint32 crc2, size_t len2)
{
	return crc32c_shift(crc1, len2) ^ crc2;
}

uint32
crc32c_combine_sw(uint32 crc1, uint32 crc2, size_t len2)
{
	return crc32c_shift_impl(crc1, len2, true) ^ crc2;
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

/*
 * The hardware path without PCLMULQDQ, where joining chains costs a few
 * hundred cycles (gf2_multmod): three chains over thirds of large buffers
 * only.
 */
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

/*
 * The hardware path where PCLMULQDQ is there too: triples of equal blocks
 * of 4096, then 512, then 64 bytes, each triple run as three independent
 * chains (one crc32 instruction issues every cycle, against one every 3
 * cycles in a single dependent chain), and joined with fixed constants:
 *
 *	state' = state run over b0 || b1 || b2
 *		   = shift(c0, 2B) ^ shift(c1, B) ^ c2
 *
 * where c0 is the state run over b0, and c1, c2 are b1's and b2's chains
 * run from zero.  The two products are reduced together (reduction is
 * linear), so a triple costs two carry-less multiplications, one crc32
 * and a few xors besides its blocks.  So buffers from 192 bytes up, such
 * as produced batches of a few KiB, run mostly on three chains; what is
 * left (under 192 bytes) runs on one.
 */
__attribute__((target("sse4.2,pclmul")))
static uint32
crc32c_hw_clmul(uint32 crc, const uint8 *p, size_t len)
{
	uint32		state = ~crc;

	if (!__atomic_load_n(&xpow8_ready, __ATOMIC_ACQUIRE))
		build_xpow8();
	for (int t = 0; t < CRC_TIERS; t++)
	{
		const size_t b = block_size[t];
		const __m128i k1 = _mm_cvtsi32_si128((int) block_k[t][0]);
		const __m128i k2 = _mm_cvtsi32_si128((int) block_k[t][1]);

		while (len >= 3 * b)
		{
			uint64		c0 = state,
						c1 = 0,
						c2 = 0;
			__m128i		prod;
			uint64		v;

			for (size_t i = 0; i < b; i += 8)
			{
				uint64		v0,
							v1,
							v2;

				memcpy(&v0, p + i, 8);
				memcpy(&v1, p + b + i, 8);
				memcpy(&v2, p + 2 * b + i, 8);
				c0 = _mm_crc32_u64(c0, v0);
				c1 = _mm_crc32_u64(c1, v1);
				c2 = _mm_crc32_u64(c2, v2);
			}
			/* as clmul_multmod, both products at once */
			prod = _mm_xor_si128(_mm_clmulepi64_si128(_mm_cvtsi32_si128((int) (uint32) c0), k2, 0),
								 _mm_clmulepi64_si128(_mm_cvtsi32_si128((int) (uint32) c1), k1, 0));
			v = (uint64) _mm_cvtsi128_si64(prod) << 1;
			state = _mm_crc32_u32(0, (uint32) v) ^ (uint32) (v >> 32) ^ (uint32) c2;
			p += 3 * b;
			len -= 3 * b;
		}
	}
	return ~crc32c_hw_raw(state, p, len);
}

uint32
crc32c(uint32 crc, const void *buf, size_t len)
{
	if (have_clmul < 0)
		detect_cpu();
	if (have_clmul == 1)
		return crc32c_hw_clmul(crc, buf, len);
	if (have_hw == 1)
		return crc32c_hw(crc, buf, len);
	return crc32c_sw(crc, buf, len);
}
