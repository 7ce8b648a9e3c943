/* Unit tests for hv/virq.c: routing interrupt messages to a VM's vCPUs, the
 * requests and kicks that follow, and the wake conditions the scheduler asks
 * about (SDM Vol. 3A 11.6 IPIs, 8.4.4.1 INIT-SIPI-SIPI, 11.5.4 timer).
 * The heap, frame allocator, scheduler kick and console are stubs here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hv/log.h"
#include "hv/sched.h"
#include "hv/vdev/vlapic.h"
#include "hv/virq.h"
#include "hv/vm.h"
#include "mm/mm.h"

#define NV 4

static unsigned kicks[NV], frames_out, log_lines;

void *kzalloc(size_t size)
{
	return calloc(1, size);
}

void kfree(void *p)
{
	free(p);
}

hpa_t mm_alloc_frames(size_t nframes, uint64_t align)
{
	void *p = aligned_alloc(align, nframes * PAGE_SIZE);

	frames_out += (unsigned)nframes;
	return p ? (hpa_t)(uintptr_t)p : INVALID_HPA;
}

void mm_free_frames(hpa_t pa, size_t nframes)
{
	frames_out -= (unsigned)nframes;
	free((void *)(uintptr_t)pa);
}

void sched_kick(struct vcpu *v)
{
	kicks[v->id]++;
}

void log_printf(enum log_level level, const char *fmt, ...)
{
	(void)level;
	(void)fmt;
	log_lines++;
}

static struct vm vm;
static struct vcpu vcpus[NV];

static int setup(void **state)
{
	memset(&vm, 0, sizeof(vm));
	memset(vcpus, 0, sizeof(vcpus));
	memset(kicks, 0, sizeof(kicks));
	log_lines = 0;
	strcpy(vm.name, "t");
	for (uint32_t i = 0; i < NV; i++) {
		vcpus[i].id = i;
		vcpus[i].vm = &vm;
		vm.vcpus[i] = &vcpus[i];
		assert_int_equal(virq_vcpu_init(&vcpus[i]), 0);
		assert_int_equal(vlapic_mmio_write(vcpus[i].lapic, APIC_SPIV, 0x1ff, 0), 0);
	}
	vm.nvcpus = NV;
	return 0;
}

static int teardown(void **state)
{
	for (uint32_t i = 0; i < NV; i++)
		virq_vcpu_free(&vcpus[i]);
	assert_int_equal(frames_out, 0);
	assert_int_equal(vm.frames_freed, NV); /* each APIC page is counted back */
	return 0;
}

static uint32_t take_requests(struct vcpu *v)
{
	uint32_t r = v->requests;

	v->requests = 0;
	return r;
}

/* Power-on: APIC ID = vCPU index, vCPU 0 is the BSP, the page is page-aligned. */
static void test_init_state(void **state)
{
	for (uint32_t i = 0; i < NV; i++) {
		struct vlapic *l = vcpus[i].lapic;

		assert_int_equal(vlapic_reg(l, APIC_ID), i << 24);
		assert_int_equal(!!(vlapic_get_base(l) & APIC_BASE_BSP), i == 0);
		assert_int_equal(virq_apic_page_hpa(&vcpus[i]) % PAGE_SIZE, 0);
		assert_true(virq_apic_page_hpa(&vcpus[i]) == (hpa_t)(uintptr_t)l->regs);
	}
	assert_int_equal(frames_out, NV);
}

/* An ICR write on vCPU 0 reaches vCPU 2: IRR, VCPU_REQ_EVENT and a kick. */
static void test_fixed_ipi_from_icr(void **state)
{
	assert_int_equal(vlapic_mmio_write(vcpus[0].lapic, APIC_ICR2, 2u << 24, 0), 0);
	assert_int_equal(vlapic_mmio_write(vcpus[0].lapic, APIC_ICR, 0x4061, 0), 0);
	assert_int_equal(vlapic_pending_vector(vcpus[2].lapic), 0x61);
	assert_int_equal(take_requests(&vcpus[2]), VCPU_REQ_EVENT);
	assert_int_equal(kicks[2], 1);
	for (uint32_t i = 0; i < NV; i++)
		if (i != 2)
			assert_int_equal(vcpus[i].requests | kicks[i], 0);
	/* all-but-self broadcast */
	memset(kicks, 0, sizeof(kicks));
	vlapic_mmio_write(vcpus[1].lapic, APIC_ICR, 0xc4062, 0);
	assert_int_equal(kicks[0] + kicks[2] + kicks[3], 3);
	assert_int_equal(kicks[1], 0);
	assert_int_equal(vlapic_pending_vector(vcpus[3].lapic), 0x62);
}

/* A runnable vCPU that has not taken its VCPU_REQ_EVENT yet is not kicked
 * again; a blocked one always is. */
static void test_kicks_coalesce(void **state)
{
	struct apic_msg m = {.vector = 0x40, .dest = 1};

	for (int i = 0; i < 5; i++)
		virq_deliver(&vm, &m);
	assert_int_equal(kicks[1], 1);
	take_requests(&vcpus[1]);
	virq_deliver(&vm, &m);
	assert_int_equal(kicks[1], 2);
	vcpus[1].state = VCPU_BLOCKED;
	virq_deliver(&vm, &m);
	virq_deliver(&vm, &m);
	assert_int_equal(kicks[1], 4);
}

static void test_nmi_init_sipi(void **state)
{
	struct apic_msg nmi = {.mode = APIC_DM_NMI, .dest = 1};
	struct apic_msg init = {.mode = APIC_DM_INIT, .assert = true, .dest = 1};
	struct apic_msg sipi = {.mode = APIC_DM_SIPI, .vector = 0x10, .dest = 1};

	virq_deliver(&vm, &nmi);
	assert_int_equal(take_requests(&vcpus[1]), VCPU_REQ_EVENT);
	assert_true(vlapic_take_nmi(vcpus[1].lapic));
	/* a SIPI to a running vCPU with no INIT pending is dropped */
	virq_deliver(&vm, &sipi);
	assert_int_equal(take_requests(&vcpus[1]), 0);
	assert_int_equal(vlapic_take_sipi(vcpus[1].lapic), -1);
	assert_true(log_lines > 0);
	/* INIT, then SIPI before the INIT was processed: both kept */
	virq_deliver(&vm, &init);
	assert_int_equal(take_requests(&vcpus[1]), VCPU_REQ_INIT);
	virq_deliver(&vm, &sipi);
	assert_int_equal(take_requests(&vcpus[1]), VCPU_REQ_SIPI);
	assert_true(vlapic_take_init(vcpus[1].lapic));
	assert_int_equal(vlapic_take_sipi(vcpus[1].lapic), 0x10);
	/* waiting for SIPI */
	vcpus[1].state = VCPU_WAIT_SIPI;
	sipi.vector = 0x9f;
	virq_deliver(&vm, &sipi);
	assert_int_equal(take_requests(&vcpus[1]), VCPU_REQ_SIPI);
	assert_int_equal(vlapic_take_sipi(vcpus[1].lapic), 0x9f);
}

/* Nobody named: the sender's ESR gets "send accept error", and a log line. */
static void test_empty_destination(void **state)
{
	struct vlapic *l = vcpus[0].lapic;

	vlapic_mmio_write(l, APIC_LVTERR, 0xee, 0);
	vlapic_mmio_write(l, APIC_ICR2, 9u << 24, 0);
	vlapic_mmio_write(l, APIC_ICR, 0x4070, 0);
	for (uint32_t i = 1; i < NV; i++)
		assert_int_equal(vcpus[i].requests | kicks[i], 0);
	/* the sender's LVT error interrupt is pending, and its run loop is told */
	assert_int_equal(vlapic_pending_vector(l), 0xee);
	assert_int_equal(take_requests(&vcpus[0]), VCPU_REQ_EVENT);
	assert_true(log_lines > 0);
	vlapic_mmio_write(l, APIC_ESR, 0, 0);
	assert_int_equal(vlapic_reg(l, APIC_ESR), APIC_ESR_SEND_ACCEPT);
	/* received: ESR "receive illegal vector" and the receiver's LVT error */
	struct apic_msg bad = {.vector = 5, .dest = 1};

	vlapic_mmio_write(vcpus[1].lapic, APIC_LVTERR, 0xed, 0);
	virq_deliver(&vm, &bad);
	assert_int_equal(vlapic_pending_vector(vcpus[1].lapic), 0xed);
	assert_int_equal(take_requests(&vcpus[1]), VCPU_REQ_EVENT);
	/* a bad vector is not even sent */
	vlapic_mmio_write(l, APIC_ICR2, 1u << 24, 0);
	vlapic_mmio_write(l, APIC_ICR, 0x4005, 0);
	assert_int_equal(vcpus[1].requests, 0);
	vlapic_mmio_write(l, APIC_ESR, 0, 0);
	assert_int_equal(vlapic_reg(l, APIC_ESR), APIC_ESR_SEND_ILLEGAL);
}

/* HLT with IF=1 wakes for an interrupt above PPR; with IF=0 only NMI or INIT;
 * wait-for-SIPI only INIT or SIPI. */
static void test_can_wake(void **state)
{
	struct vcpu *v = &vcpus[3];
	struct apic_msg fixed = {.vector = 0x50, .dest = 3};
	struct apic_msg nmi = {.mode = APIC_DM_NMI, .dest = 3};
	struct apic_msg init = {.mode = APIC_DM_INIT, .assert = true, .dest = 3};

	v->state = VCPU_BLOCKED;
	v->halt_if = true;
	assert_false(virq_can_wake(v));
	vlapic_mmio_write(v->lapic, APIC_TASKPRI, 0x50, 0);
	virq_deliver(&vm, &fixed);
	assert_false(virq_can_wake(v)); /* masked by TPR */
	vlapic_mmio_write(v->lapic, APIC_TASKPRI, 0x40, 0);
	assert_true(virq_can_wake(v));
	v->halt_if = false; /* cli; hlt */
	assert_false(virq_can_wake(v));
	virq_deliver(&vm, &nmi);
	assert_true(virq_can_wake(v));
	vlapic_take_nmi(v->lapic);
	assert_false(virq_can_wake(v));
	v->state = VCPU_WAIT_SIPI;
	v->halt_if = true;
	assert_false(virq_can_wake(v)); /* an interrupt does not end wait-for-SIPI */
	virq_deliver(&vm, &init);
	assert_true(virq_can_wake(v));
	vlapic_take_init(v->lapic);
	assert_false(virq_can_wake(v));
}

/* An armed, unmasked timer can wake a vCPU halted with IF=1; it fires by poll. */
static void test_timer_wake(void **state)
{
	struct vcpu *v = &vcpus[2];

	v->state = VCPU_BLOCKED;
	v->halt_if = true;
	assert_false(virq_may_wake_later(v));
	assert_int_equal(virq_next_deadline(v), UINT64_MAX);
	vlapic_mmio_write(v->lapic, APIC_TDCR, 0xb, 1000);
	vlapic_mmio_write(v->lapic, APIC_LVTT, 0x70, 1000);
	vlapic_mmio_write(v->lapic, APIC_TMICT, 500, 1000);
	assert_true(virq_may_wake_later(v));
	assert_int_equal(virq_next_deadline(v), 1500);
	v->halt_if = false;
	assert_false(virq_may_wake_later(v)); /* cli; hlt: the timer cannot wake it */
	v->halt_if = true;
	virq_poll_timers(v, 1499);
	assert_int_equal(v->requests, 0);
	assert_false(virq_can_wake(v));
	virq_poll_timers(v, 1500);
	assert_int_equal(take_requests(v), VCPU_REQ_EVENT);
	assert_true(virq_can_wake(v));
	assert_false(virq_may_wake_later(v)); /* one-shot: spent */
}

/* A retired vCPU's APIC stays while siblings may still send to it. */
static void test_free_waits_for_siblings(void **state)
{
	struct apic_msg m = {.vector = 0x40, .dest = 0xff};

	vm.vcpus_live = 2;
	virq_vcpu_free(&vcpus[0]);
	assert_non_null(vcpus[0].lapic);
	virq_deliver(&vm, &m);
	assert_int_equal(vlapic_pending_vector(vcpus[0].lapic), 0x40);
	vm.vcpus_live = 1;
	virq_vcpu_free(&vcpus[0]);
	assert_null(vcpus[0].lapic);
	assert_int_equal(vm.frames_freed, 1);
	virq_deliver(&vm, &m); /* a freed APIC is skipped */
	vm.vcpus_live = 0;
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_init_state),    T(test_fixed_ipi_from_icr),      T(test_kicks_coalesce),
		T(test_nmi_init_sipi), T(test_empty_destination),       T(test_can_wake),
		T(test_timer_wake),    T(test_free_waits_for_siblings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
