/*
 * test_crc32c.c
 *	  CRC-32C against published check values (RFC 3720 B.4, the "123456789"
 *	  check value), and the hardware path against the table path.
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
	printf("# hardware crc32c: %s\n", crc32c_have_hw() ? "yes" : "no");
	return done_testing();
}
