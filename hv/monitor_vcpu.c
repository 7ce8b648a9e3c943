/*
 * Monitor commands that read one vCPU (through vm_pause and vcpu_call_parked:
 * the vCPU's own CPU reads its VMCS and FPU image while it is parked) or guest
 * memory and its second-level translation.
 */
#include "fpu/fpu.h"
#include "fpu/xcr0.h"
#include "fpu/xsave_layout.h"
#include "hv/lib/format.h"
#include "hv/log.h"
#include "hv/monitor.h"
#include "hv/monitor_cmd.h"
#include "hv/vm.h"
#include "kstring.h"

#define XSAVE_DUMP_MAX 4096 /* a standard image of every user component Sable offers */

static uint8_t xsave_image[XSAVE_DUMP_MAX] __aligned(64);
static uint64_t xsave_mask;
static int xsave_result;

/* The VM and vCPU of a vm.vcpu argument, the VM held; NULL after printing why. */
static struct vcpu *hold_vcpu(const char *arg)
{
	char name[VMCONFIG_NAME_MAX + 1], err[MON_ERR_MAX];
	struct vm *vm;
	uint32_t i;

	if (mon_parse_vcpu(arg, name, sizeof(name), &i, err, sizeof(err)) < 0) {
		log_raw("error: %s\n", err);
		return NULL;
	}
	vm = monitor_hold_vm(name);
	if (!vm)
		return NULL;
	if (i >= vm->nvcpus) {
		log_raw("error: vm %s has no vCPU %u (it has %u)\n", vm->name, i, vm->nvcpus);
		vm_unhold(vm);
		return NULL;
	}
	return vm->vcpus[i];
}

/* Pauses v's VM, runs fn on v's CPU with v parked, resumes; prints failures. */
static bool with_parked(struct vcpu *v, void (*fn)(struct vcpu *v, void *arg))
{
	struct vm *vm = v->vm;
	int r = vm_pause(vm);

	if (r == 0)
		r = vcpu_call_parked(v, fn, NULL);
	vm_resume(vm);
	if (r < 0)
		log_raw("error: vm %s vCPU %u did not stop in time (error %d): try again\n",
		        vm->name, v->id, r);
	return r == 0;
}

static void print_regs(struct vcpu *v, void *arg)
{
	static const char *const names[16] = {"RAX", "RCX", "RDX", "RBX", "RSP", "RBP",
	                                      "RSI", "RDI", "R8",  "R9",  "R10", "R11",
	                                      "R12", "R13", "R14", "R15"};

	log_raw("  vm %s vcpu %u (core %u)\n", v->vm->name, v->id, v->pcpu);
	for (unsigned i = 0; i < 16; i += 4)
		log_raw("  %-3s %016lx %-3s %016lx %-3s %016lx %-3s %016lx\n", names[i],
		        vcpu_read_gpr(v, i), names[i + 1], vcpu_read_gpr(v, i + 1), names[i + 2],
		        vcpu_read_gpr(v, i + 2), names[i + 3], vcpu_read_gpr(v, i + 3));
	log_raw("  RIP %016lx RFLAGS %016lx\n", vcpu_read_rip(v), vcpu_read_rflags(v));
	log_raw("  CR0 %016lx CR2 %016lx CR3 %016lx CR4 %016lx\n", vcpu_read_cr0(v), v->cr2,
	        vcpu_read_cr3(v), vcpu_read_cr4(v));
	if (vmm_ops->dump_regs)
		vmm_ops->dump_regs(v);
}

static void print_vmcs(struct vcpu *v, void *arg)
{
	vmm_ops->dump(v);
}

static void take_xsave(struct vcpu *v, void *arg)
{
	xsave_result = fpu_guest_standard_image(v, xsave_image, sizeof(xsave_image), &xsave_mask);
}

/* For the vCPU named by the first argument: fn on its core while it is parked. */
static void on_parked(const struct mon_cmd *c, void (*fn)(struct vcpu *v, void *arg))
{
	struct vcpu *v = hold_vcpu(c->argv[0]);

	if (!v)
		return;
	with_parked(v, fn);
	vm_unhold(v->vm);
}

void monitor_cmd_regs(const struct mon_cmd *c)
{
	on_parked(c, print_regs);
}

void monitor_cmd_vmcs(const struct mon_cmd *c)
{
	on_parked(c, print_vmcs);
}

static uint64_t load64(const uint8_t *p)
{
	uint64_t x;

	memcpy(&x, p, 8);
	return x;
}

/* n bytes at p as one number, most significant first. */
static void hex_be(char *out, size_t size, const uint8_t *p, size_t n)
{
	size_t k = 0;

	for (size_t i = n; i-- > 0 && k + 3 <= size;)
		k += (size_t)fmt_snprintf(out + k, size - k, "%02x", p[i]);
}

/* Each of count registers of size bytes at img[off...], one line each. */
static void print_vec(const char *fmt_name, uint32_t off, uint32_t size, unsigned count)
{
	char hex[2 * 64 + 1];

	for (unsigned i = 0; i < count; i++) {
		if (off + (i + 1) * size > sizeof(xsave_image))
			return;
		hex_be(hex, sizeof(hex), xsave_image + off + i * size, size);
		log_raw("  %s%-2u %s\n", fmt_name, i, hex);
	}
}

static void print_xsave(const struct vcpu *v)
{
	const struct xsave_cpuid_table *t = fpu_xsave_table();
	const uint8_t *img = xsave_image;
	uint64_t bv = load64(img + XSAVE_XSTATE_BV_OFFSET) & xsave_mask;
	static const char *const comp[10] = {"x87",    "SSE",       "AVX",      "BNDREGS", "BNDCSR",
	                                     "opmask", "ZMM_Hi256", "Hi16_ZMM", "PT",      "PKRU"};
	char used[96];
	size_t n = 0;

	used[0] = 0;
	for (unsigned i = 0; i < 10; i++)
		if (bv & BIT(i))
			n += (size_t)fmt_snprintf(used + n, sizeof(used) - n, " %s", comp[i]);
	log_raw("  vm %s vcpu %u: XCR0 %#lx, in use (XSTATE_BV %#lx):%s\n", v->vm->name, v->id,
	        fpu_guest_xcr0(v), bv, n ? used : " none (init state)");
	log_raw("  FCW %04x FSW %04x FTW %02x MXCSR %08x\n", img[0] | img[1] << 8,
	        img[2] | img[3] << 8, img[4], (uint32_t)load64(img + XSAVE_MXCSR_OFFSET));
	if (bv & XFEATURE_MASK_FP)
		print_vec("ST", 32, 16, 8);
	print_vec("XMM", 160, 16, 16);
	if (!t)
		return;
	if (bv & XFEATURE_MASK_YMM)
		print_vec("YMMH", t->comp[2].offset, 16, 16);
	if (bv & XFEATURE_MASK_OPMASK)
		print_vec("K", t->comp[5].offset, 8, 8);
	if (bv & XFEATURE_MASK_ZMM_HI256)
		print_vec("ZMMH", t->comp[6].offset, 32, 16);
	if (bv & XFEATURE_MASK_HI16_ZMM)
		print_vec("ZMM", t->comp[7].offset, 64, 16);
	if (bv & XFEATURE_MASK_PKRU)
		log_raw("  PKRU %08x\n", (uint32_t)load64(img + t->comp[9].offset));
}

void monitor_cmd_xsave(const struct mon_cmd *c)
{
	struct vcpu *v = hold_vcpu(c->argv[0]);

	if (!v)
		return;
	xsave_result = -1;
	if (with_parked(v, take_xsave)) {
		if (xsave_result < 0)
			log_raw("error: vm %s vCPU %u: its FPU image cannot be converted\n",
			        v->vm->name, v->id);
		else
			print_xsave(v);
	}
	vm_unhold(v->vm);
}

static const char *page_name(uint64_t size)
{
	return size == 1ull << 30 ? "1 GiB" : size == 1ull << 21 ? "2 MiB" : "4 KiB";
}

void monitor_cmd_ept(const struct mon_cmd *c)
{
	static const char *const level[4] = {"PML4E", "PDPTE", "PDE", "PTE"};
	char err[MON_ERR_MAX];
	struct pt_walk w;
	struct vm *vm;
	uint64_t gpa;

	if (mon_parse_u64(c->argv[1], &gpa, err, sizeof(err)) < 0) {
		log_raw("error: %s\n", err);
		return;
	}
	vm = monitor_hold_vm(c->argv[0]);
	if (!vm)
		return;
	vmm_ops->gpa_walk(vm, gpa, &w);
	if (!w.levels)
		log_raw("  gpa %#lx is beyond the 48-bit guest-physical space\n", gpa);
	for (uint32_t i = 0; i < w.levels; i++)
		log_raw("  %-5s %016lx\n", level[i], w.entry[i]);
	if (w.pa == INVALID_HPA) {
		if (w.levels)
			log_raw("  gpa %#lx: not mapped\n", gpa);
	} else {
		uint64_t e = w.entry[w.levels - 1];
		log_raw("  gpa %#lx -> hpa %#lx (%s page) %c%c%c\n", gpa, w.pa,
		        page_name(w.page_size), e & BIT(0) ? 'R' : '-', e & BIT(1) ? 'W' : '-',
		        e & BIT(2) ? 'X' : '-');
	}
	vm_unhold(vm);
}

void monitor_cmd_mem(const struct mon_cmd *c)
{
	char err[MON_ERR_MAX], line[96];
	uint64_t gpa, len = 64;
	const uint8_t *p;
	struct vm *vm;

	if (mon_parse_u64(c->argv[1], &gpa, err, sizeof(err)) < 0 ||
	    (c->argc > 2 && mon_parse_u64(c->argv[2], &len, err, sizeof(err)) < 0)) {
		log_raw("error: %s\n", err);
		return;
	}
	if (len == 0 || len > MON_MEM_MAX) {
		log_raw("error: len must be 1 to %u\n", MON_MEM_MAX);
		return;
	}
	vm = monitor_hold_vm(c->argv[0]);
	if (!vm)
		return;
	p = gpa + len >= gpa ? vm_gpa_to_hva(vm, gpa, len) : NULL;
	if (!p)
		log_raw("error: gpa %#lx+%#lx is not guest RAM of vm %s\n", gpa, len, vm->name);
	for (uint64_t off = 0; p && off < len; off += 16) {
		size_t n = (size_t)fmt_snprintf(line, sizeof(line), "  %016lx:", gpa + off);
		uint64_t end = MIN(len, off + 16);

		for (uint64_t i = off; i < end; i++)
			n += (size_t)fmt_snprintf(line + n, sizeof(line) - n, " %02x", p[i]);
		n += (size_t)fmt_snprintf(line + n, sizeof(line) - n, "%*s |",
		                          (int)(off + 16 - end) * 3, "");
		for (uint64_t i = off; i < end; i++)
			line[n++] = p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : '.';
		line[n] = 0;
		log_raw("%s|\n", line);
	}
	vm_unhold(vm);
}
