/* Guest test of getentropy(): draws differ, a fill stops where it was told
 * to, more than 256 bytes is EIO as POSIX has it, and over 64 KiB every bit
 * position is set about half the time (a stuck bit, a zeroed tail or a
 * repeated word would not be). Prints the first draw's head as "entropy
 * HEX" for the host to compare across boots, and "random ok" when all held.
 * Whether the bytes come from the CPU's generator is for the host to judge
 * from the console: the kernel warns when they do not. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define SAMPLE_BYTES (64 * 1024)

static unsigned char sample[SAMPLE_BYTES];

static int check(int ok, const char *what)
{
	if (!ok)
		printf("FAIL: %s\n", what);
	return ok ? 0 : 1;
}

int main(void)
{
	unsigned char a[256], b[256], part[16], big[257];
	int bad = 0;

	bad |= check(getentropy(a, sizeof a) == 0 && getentropy(b, sizeof b) == 0, "getentropy(256) failed");
	bad |= check(memcmp(a, b, sizeof a) != 0, "two draws of 256 bytes are equal");

	memset(part, 0xA5, sizeof part);
	bad |= check(getentropy(part, 13) == 0, "getentropy(13) failed");
	bad |= check(part[13] == 0xA5 && part[14] == 0xA5 && part[15] == 0xA5,
	             "getentropy(13) wrote past 13 bytes");

	errno = 0;
	bad |= check(getentropy(big, sizeof big) == -1 && errno == EIO, "getentropy(257) is not EIO");

	for (size_t off = 0; off < SAMPLE_BYTES; off += 256)
		bad |= check(getentropy(sample + off, 256) == 0, "getentropy failed while sampling");
	long ones[8] = {0};
	for (size_t i = 0; i < SAMPLE_BYTES; i++)
		for (int bit = 0; bit < 8; bit++)
			ones[bit] += (sample[i] >> bit) & 1;
	/* 65,536 draws of each bit: 1% off half is five standard deviations. */
	for (int bit = 0; bit < 8; bit++)
		if (ones[bit] < SAMPLE_BYTES / 2 - SAMPLE_BYTES / 100 ||
		    ones[bit] > SAMPLE_BYTES / 2 + SAMPLE_BYTES / 100) {
			printf("FAIL: bit %d set in %ld of %d bytes\n", bit, ones[bit], SAMPLE_BYTES);
			bad = 1;
		}

	printf("entropy ");
	for (int i = 0; i < 16; i++)
		printf("%02x", a[i]);
	printf("\n");
	if (!bad)
		printf("random ok\n");
	return bad;
}
