/*
 * test_crc32c.c
 *	  CRC-32C against published check values (RFC 3720 B.4, the "123456789"
 *	  check value), the hardware path against the table path at every
 *	  length up to 70000, and crc32c_combine against the CRC of the
 *	  concatenation.
 */
#include "c.h"

#include "tap.h"
#include "utils/crc32c.h"

int
main(void)
{
	uint8		buf[48];
	static uint8 big[100003];

	is_int(crc32c(0, "123456789", 9), 0xe3069283, "check value of \"123456789\"");
	is_int(crc32c_sw(0, "123456789", 9), 0xe3069283, "table: check value");

	/* RFC 3720 appendix B.4 vectors */
	memset(buf, 0, 32);
	is_int(crc32c(0, buf, 32), 0x8a9136aa, "32 bytes of zeros");
	memset(buf, 0xff, 32);
	is_int(crc32c(0, buf, 32), 0x62a8ab43, "32 bytes of 0xff");
	for (int i = 0; i < 32; i++)
		buf[i] = (uint8) i;
	is_int(crc32c(0, buf, 32), 0x46dd794e, "32 incrementing bytes");
	for (int i = 0; i < 32; i++)
		buf[i] = (uint8) (31 - i);
	is_int(crc32c(0, buf, 32), 0x113fdb5c, "32 decrementing bytes");

	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8) (i * 2654435761u >> 13);
	is_int(crc32c(0, big, sizeof(big)), crc32c_sw(0, big, sizeof(big)),
		   "hardware (three chains) equals table over 100003 bytes");
	is_int(crc32c(crc32c(0, big, 5000), big + 5000, sizeof(big) - 5000),
		   crc32c(0, big, sizeof(big)), "incremental equals one-shot");
	for (size_t len = 12280; len < 12300; len++)
		if (crc32c(0, big + 1, len) != crc32c_sw(0, big + 1, len))
			ok(0, "length %zu differs", len);
	ok(1, "hardware equals table around the three-chain threshold");

	/*
	 * Every length from 0 to 70000 at three odd alignments, so that every
	 * mix of 4096-, 512- and 64-byte triples and a tail of every length is
	 * run.  The table CRC of each length follows from the one before by
	 * one byte, so the reference costs nothing.
	 */
	{
		static const size_t aligns[] = {1, 3, 7};

		for (int a = 0; a < (int) lengthof(aligns); a++)
		{
			const uint8 *base = big + aligns[a];
			uint32		ref = 0;
			size_t		bad_len = 0;
			int			bad = 0;

			for (size_t len = 0; len <= 70000; len++)
			{
				if (len > 0)
					ref = crc32c_sw(ref, base + len - 1, 1);
				if (crc32c(0, base, len) != ref)
				{
					if (bad++ == 0)
						bad_len = len;
				}
			}
			ok(bad == 0, "every length 0..70000 at offset %zu equals the table CRC (%d differ, first at %zu)",
			   aligns[a], bad, bad_len);
		}
	}

	/*
	 * crc32c_combine against the CRC of the concatenation: every split of
	 * the first 3000 bytes, then random spans and splits of the whole
	 * buffer, with both shift implementations.
	 */
	{
		uint32		whole = crc32c(0, big, 3000);
		int			bad = 0,
					bad_sw = 0;
		uint64		seed = 0x9e3779b97f4a7c15ull;

		for (size_t split = 0; split <= 3000; split++)
		{
			uint32		a = crc32c(0, big, split);
			uint32		b = crc32c(0, big + split, 3000 - split);

			bad += crc32c_combine(a, b, 3000 - split) != whole;
			bad_sw += crc32c_combine_sw(a, b, 3000 - split) != whole;
		}
		is_int(bad, 0, "combine equals one pass at every split of 3000 bytes");
		is_int(bad_sw, 0, "portable combine equals one pass at every split of 3000 bytes");

		bad = bad_sw = 0;
		for (int i = 0; i < 20000; i++)
		{
			size_t		start,
						len,
						split;
			uint32		a,
						b,
						all;

			seed = seed * 6364136223846793005ull + 1442695040888963407ull;
			start = (size_t) (seed >> 33) % sizeof(big);
			len = (size_t) (seed >> 13) % (sizeof(big) - start + 1);
			split = len ? (size_t) (seed >> 40) % (len + 1) : 0;
			a = crc32c(0, big + start, split);
			b = crc32c(0, big + start + split, len - split);
			all = crc32c(0, big + start, len);
			bad += crc32c_combine(a, b, len - split) != all;
			bad_sw += crc32c_combine_sw(a, b, len - split) != all;
		}
		is_int(bad, 0, "combine equals one pass over 20000 random spans and splits");
		is_int(bad_sw, 0, "portable combine equals one pass over 20000 random spans and splits");

		/* lengths past what a buffer here can hold: the two must agree */
		bad = 0;
		for (int i = 0; i < 2000; i++)
		{
			seed = seed * 6364136223846793005ull + 1442695040888963407ull;
			bad += crc32c_combine((uint32) seed, (uint32) (seed >> 32), (size_t) seed) !=
				crc32c_combine_sw((uint32) seed, (uint32) (seed >> 32), (size_t) seed);
		}
		is_int(bad, 0, "combine and portable combine agree for 64-bit lengths");
		is_int(crc32c_combine(0x12345678, 0, 0), 0x12345678, "combine with an empty second part");
		memset(big, 0, 4096);
		is_int(crc32c_combine(crc32c(0, "123456789", 9), crc32c(0, big, 4096), 4096),
			   crc32c(crc32c(0, "123456789", 9), big, 4096), "combine over 4096 zero bytes");
	}
	printf("# hardware crc32c: %s\n", crc32c_have_hw() ? "yes" : "no");
	return done_testing();
}
