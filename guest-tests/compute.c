// SPDX-License-Identifier: MIT
/*
 * compute: a deterministic integer workload with answers computed offline
 * (CRC32 of LCG data, a prime sieve, iterated 64-bit FNV-1a). Catches guest
 * state (registers, flags, memory) corrupted across VM exits.
 */
#include "guest.h"

#define BUF_SIZE    (64 * 1024)
#define LCG_SEED    0x0005AB1Eu
#define SIEVE_LIMIT 100000
#define FNV_ROUNDS  20000

/* Expected results, computed on the host with the same algorithms. */
#define WANT_CRC32     0x120bb61fu
#define WANT_PRIMES    9592
#define WANT_PRIME_SUM 454396537u
#define WANT_FNV       0xbbb248e90ea05184ull

#define FNV64_OFFSET 0xcbf29ce484222325ull
#define FNV64_PRIME  0x00000100000001b3ull

static uint8_t buf[BUF_SIZE];
static uint8_t composite[SIEVE_LIMIT];

/* Fills buf with the top bytes of a 32-bit LCG (Numerical Recipes constants). */
static void fill_buffer(void)
{
	uint32_t x = LCG_SEED;
	size_t i;

	for (i = 0; i < BUF_SIZE; i++) {
		x = x * 1664525u + 1013904223u;
		buf[i] = (uint8_t)(x >> 24);
	}
}

/* CRC-32 (IEEE 802.3, reflected, as zlib's crc32()), bit by bit. */
static uint32_t crc32(const uint8_t *p, size_t n)
{
	uint32_t crc = 0xffffffffu;
	int k;

	while (n--) {
		crc ^= *p++;
		for (k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
	}
	return ~crc;
}

/* Counts the primes below SIEVE_LIMIT and stores their sum in *sum. */
static uint32_t count_primes(uint32_t *sum)
{
	uint32_t i, j, count = 0, s = 0;

	memset(composite, 0, sizeof(composite));
	for (i = 2; i < SIEVE_LIMIT; i++) {
		if (composite[i])
			continue;
		count++;
		s += i;
		if (i > SIEVE_LIMIT / i)
			continue; /* i * i is past the limit (and would overflow) */
		for (j = i * i; j < SIEVE_LIMIT; j += i)
			composite[j] = 1;
	}
	*sum = s;
	return count;
}

/* Continues a 64-bit FNV-1a hash h over n bytes. */
static uint64_t fnv1a(uint64_t h, const uint8_t *p, size_t n)
{
	while (n--) {
		h ^= *p++;
		h *= FNV64_PRIME;
	}
	return h;
}

/* FNV-1a of buf, then FNV_ROUNDS rounds hashing (h ^ round) as 8 little-endian bytes. */
static uint64_t fnv_chain(void)
{
	uint64_t h = fnv1a(FNV64_OFFSET, buf, BUF_SIZE);
	uint8_t b[8];
	uint32_t r;
	int k;

	for (r = 0; r < FNV_ROUNDS; r++) {
		uint64_t v = h ^ r;

		for (k = 0; k < 8; k++)
			b[k] = (uint8_t)(v >> (8 * k));
		h = fnv1a(FNV64_OFFSET, b, sizeof(b));
	}
	return h;
}

int guest_main(uint32_t magic, const struct multiboot_info *mbi)
{
	uint32_t crc, primes, prime_sum;
	uint64_t t0, t1, fnv;

	(void)magic;
	(void)mbi;

	t0 = rdtsc();
	fill_buffer();
	crc = crc32(buf, BUF_SIZE);
	primes = count_primes(&prime_sum);
	fnv = fnv_chain();
	t1 = rdtsc();

	if (crc == WANT_CRC32)
		test_pass("compute-crc32");
	else
		test_fail("compute-crc32", "crc32=0x%08x, want 0x%08x", crc, WANT_CRC32);

	if (primes == WANT_PRIMES && prime_sum == WANT_PRIME_SUM)
		test_pass("compute-primes");
	else
		test_fail("compute-primes", "%u primes (sum %u), want %u (sum %u)", primes,
		          prime_sum, WANT_PRIMES, WANT_PRIME_SUM);

	if (fnv == WANT_FNV)
		test_pass("compute-fnv");
	else
		test_fail("compute-fnv", "fnv=0x%016llx, want 0x%016llx", fnv, WANT_FNV);

	info("compute ticks=%llu", t1 - t0);
	tests_finish();
}
