// SPDX-License-Identifier: MIT
/*
 * hypercall: the Sable VMCALL ABI (VERSION, PRINT, YIELD, unknown -> -ENOSYS,
 * EXIT). Only meaningful under Sable; elsewhere everything is skipped.
 */
#include "guest.h"

#define HC_UNKNOWN 0x5ab1e

/* Issues a hypercall; on an exception records it in the current test and returns false. */
static bool call(uint32_t nr, uint32_t a1, uint32_t a2, uint32_t *ret)
{
	int vec = vmcall_safe(nr, a1, a2, 0, ret);

	return CHECK(vec == 0, "VMCALL %u raised vector %d", nr, vec);
}

int guest_main(uint32_t magic, const struct multiboot_info *mbi)
{
	static const char msg[] = "hello from guest via hypercall\n";
	uint32_t ret = 0, status;

	(void)magic;
	(void)mbi;

	if (!under_sable()) {
		test_skip("hypercall", "not running under Sable");
		tests_finish();
	}

	test_begin("hypercall-version");
	if (call(HC_VERSION, 0, 0, &ret)) {
		info("sable version %u", ret);
		CHECK((int32_t)ret > 0, "VERSION returned 0x%x, want > 0", ret);
	}
	test_end();

	test_begin("hypercall-print");
	if (call(HC_PRINT, (uint32_t)(uintptr_t)msg, sizeof(msg) - 1, &ret))
		CHECK(ret == 0, "PRINT returned 0x%x, want 0", ret);
	test_end();

	test_begin("hypercall-yield");
	if (call(HC_YIELD, 0, 0, &ret))
		CHECK(ret == 0, "YIELD returned 0x%x, want 0", ret);
	test_end();

	test_begin("hypercall-unknown");
	if (call(HC_UNKNOWN, 0, 0, &ret))
		CHECK(ret == HC_ENOSYS, "function 0x%x returned 0x%x, want -38", HC_UNKNOWN, ret);
	test_end();

	status = tests_failed() ? 1 : 0;
	info("EXIT hypercall with status %u", status);
	serial_flush();
	vmcall_safe(HC_EXIT, status, 0, 0, &ret);
	test_fail("hypercall-exit", "still running after the EXIT hypercall");
	tests_finish();
}
