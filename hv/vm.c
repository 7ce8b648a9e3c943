#include "hv/vm.h"
#include "hv/gdb/gdb.h"
#include "hv/vm_linux.h"
#include "hv/virq.h"
#include "drivers/tsc.h"
#include "hv/vdev/irq_line.h"
#include "param.h"
#include "drivers/lapic.h"
#include "drivers/tsc.h"
#include "err.h"
#include "fpu/fpu.h"
#include "hv/loader/elf.h"
#include "hv/loader/mb1_header.h"
#include "hv/lib/format.h"
#include "hv/log.h"
#include "hv/loader/mbinfo.h"
#include "hv/loader/multiboot2.h"
#include "hv/percpu.h"
#include "hv/sched.h"
#include "hv/smp.h"
#include "hv/trap.h"
#include "kstring.h"
#include "mm/mm.h"

#define MB1_INFO_ALIGN PAGE_SIZE

struct vm *vms[MAX_VMS];
static uint64_t vm_serials; /* by id; NULL: a free slot */
uint32_t nr_vms;            /* slots in use at some time: vms[nr_vms..] are all NULL */
static struct spinlock vms_lock = SPINLOCK_INIT;
extern struct mb2_info boot_info;

void vm_log(struct vm *vm, const char *fmt, ...)
{
	char msg[LOG_LINE_MAX];
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_info("vm %s: %s", vm->name, msg);
}

static void guest_line(void *ctx, const char *line, size_t len)
{
	struct vm *vm = ctx;

	log_raw("[%s] %.*s\n", vm->name, (int)len, line);
}

void *vm_gpa_to_hva(struct vm *vm, gpa_t gpa, uint64_t len)
{
	hpa_t hpa = memslot_translate(&vm->mem, gpa, len);

	return hpa == INVALID_HPA ? NULL : phys_to_virt(hpa);
}

/* Makes every other CPU running a vCPU of vm leave guest mode soon. */
static void vm_kick(struct vm *vm)
{
	for (uint32_t i = 0; i < vm->nvcpus; i++)
		sched_kick(vm->vcpus[i]);
}

void vm_stop(struct vm *vm, const char *fmt, ...)
{
	char msg[LOG_LINE_MAX];
	bool first;
	va_list ap;

	spin_lock(&vm->lock);
	first = vm->state != VM_STOPPED;
	vm->state = VM_STOPPED;
	spin_unlock(&vm->lock);
	if (!first)
		return;
	va_start(ap, fmt);
	fmt_vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	spin_lock(&vm->io_lock);
	uart_emu_flush(&vm->uart);
	spin_unlock(&vm->io_lock);
	log_info("vm %s: stopped: %s", vm->name, msg);
	for (uint32_t i = 0; i < vm->nvcpus; i++)
		__atomic_fetch_or(&vm->vcpus[i]->requests, VCPU_REQ_STOP, __ATOMIC_RELEASE);
	vm_kick(vm);
}

/* Frees v's FPU area and control structure (on the CPU its VMCS was last
 * current on, if it ever was); a second call does nothing. */
static void vcpu_release(struct vcpu *v)
{
	__atomic_fetch_add(&v->vm->frames_freed, fpu_guest_free(v), __ATOMIC_RELAXED);
	virq_vcpu_free(v);
	vmm_ops->vcpu_free(v);
}

/* Frees the VM and what is left of its vCPUs; returns the frames freed in all,
 * those of vCPUs retired before included. */
static uint64_t vm_free(struct vm *vm)
{
	uint64_t frames;

	for (uint32_t i = 0; i < vm->nvcpus; i++) {
		vcpu_release(vm->vcpus[i]);
		kfree(vm->vcpus[i]);
	}
	if (vm->arch)
		vmm_ops->vm_destroy(vm);
	for (size_t i = 0; i < vm->mem.n; i++) {
		mm_free_frames(vm->mem.slot[i].hpa, vm->mem.slot[i].size / PAGE_SIZE);
		vm->frames_freed += vm->mem.slot[i].size / PAGE_SIZE;
	}
	frames = __atomic_load_n(&vm->frames_freed, __ATOMIC_ACQUIRE);
	kfree(vm);
	return frames;
}

/* Guest RAM as one contiguous host block (the loaders address it as an array). */
static int alloc_ram(struct vm *vm, uint64_t size)
{
	uint64_t align = size >= LARGE_PAGE_SIZE ? LARGE_PAGE_SIZE : PAGE_SIZE;
	hpa_t hpa = mm_alloc_frames(size / PAGE_SIZE, align);

	if (hpa == INVALID_HPA) {
		log_err("vm %s: no %lu MiB contiguous block of memory left (%lu MiB free)",
		        vm->name, size >> 20, mm_free_bytes() >> 20);
		return -ENOMEM;
	}
	vm->mem_size = size;
	return memslot_add(&vm->mem, 0, size, hpa);
}

static const char *module_args(const struct mb2_module *m)
{
	return m->cmdline ? m->cmdline : "";
}

/* Loads the kernel module and writes the multiboot information after it. */
static int load_kernel(struct vm *vm, const struct vm_config *cfg, uint64_t *entry,
                       uint32_t *info_gpa)
{
	const struct mb2_module *km = &boot_info.modules[cfg->module];
	struct mbinfo_module mods[VMCONFIG_MAX_MODS];
	struct mbinfo_request req = {0};
	struct mbinfo_result res;
	struct elf_plan plan;
	struct mb1_header_info hdr;
	uint8_t *ram = vm_gpa_to_hva(vm, 0, vm->mem_size);
	char err[128];
	int r;

	r = elf_plan_load(phys_to_virt(km->start), km->end - km->start, vm->mem_size, &plan, err,
	                  sizeof(err));
	if (r < 0) {
		log_err("vm %s: bad kernel image (module %u): %s", vm->name, cfg->module, err);
		return r;
	}
	if (plan.is64) {
		log_err("vm %s: module %u is a 64-bit ELF; only multiboot ELF32 kernels are "
		        "supported",
		        vm->name, cfg->module);
		return -EINVAL;
	}
	r = mb1_header_find(phys_to_virt(km->start), km->end - km->start, &hdr, err, sizeof(err));
	if (r < 0) {
		log_err("vm %s: bad kernel image (module %u): %s", vm->name, cfg->module, err);
		return r;
	}
	if (hdr.flags & MB1_HEADER_VIDEO_MODE)
		vm_log(vm, "multiboot header asks for a video mode: there is no display, ignored");
	elf_copy_segments(&plan, phys_to_virt(km->start), ram);
	for (uint32_t i = 0; i < cfg->nmods; i++) {
		const struct mb2_module *m = &boot_info.modules[cfg->mods[i]];
		mods[i] = (struct mbinfo_module){phys_to_virt(m->start), m->end - m->start,
		                                 module_args(m)};
	}
	req.mem_size = vm->mem_size;
	req.cmdline = module_args(km);
	req.loader_name = "Sable";
	req.mods = mods;
	req.nmods = cfg->nmods;
	req.place_gpa = ALIGN_UP(plan.load_end, MB1_INFO_ALIGN);
	r = mbinfo_build(&req, ram, &res);
	if (r < 0) {
		log_err("vm %s: no room for the multiboot information above 0x%lx", vm->name,
		        req.place_gpa);
		return r;
	}
	*entry = plan.entry;
	*info_gpa = res.info_gpa;
	return 0;
}

static int check_config(const struct vm_config *cfg)
{
	if (cfg->module >= boot_info.module_count) {
		log_err("vm %s: module=%u but the boot loader gave %zu module(s)", cfg->name,
		        cfg->module, boot_info.module_count);
		return -EINVAL;
	}
	if (cfg->has_initrd && cfg->initrd >= boot_info.module_count) {
		log_err("vm %s: initrd=%u but the boot loader gave %zu module(s)", cfg->name,
		        cfg->initrd, boot_info.module_count);
		return -EINVAL;
	}
	for (uint32_t i = 0; i < cfg->nmods; i++)
		if (cfg->mods[i] >= boot_info.module_count) {
			log_err("vm %s: mods= names module %u which does not exist", cfg->name,
			        cfg->mods[i]);
			return -EINVAL;
		}
	for (uint32_t i = 0; cfg->pinned && i < cfg->ncpus; i++)
		if (cfg->pin[i] >= cpus_online) {
			log_err("vm %s: pin=%u but only CPUs 0-%u are online", cfg->name,
			        cfg->pin[i], cpus_online - 1);
			return -EINVAL;
		}
	return 0;
}

/* Puts vm in a free slot of vms[] unless a VM of its name exists. */
static int vm_insert(struct vm *vm)
{
	int r = -ENOSPC;

	spin_lock(&vms_lock);
	for (uint32_t i = 0; i < nr_vms; i++)
		if (vms[i] && !strcmp(vms[i]->name, vm->name)) {
			r = -EEXIST;
			goto out;
		}
	for (uint32_t i = 0; i < MAX_VMS; i++)
		if (!vms[i]) {
			vms[i] = vm;
			vm->id = i;
			vm->start_tsc = tsc_now();
			nr_vms = MAX(nr_vms, i + 1);
			r = 0;
			break;
		}
out:
	spin_unlock(&vms_lock);
	if (r == -EEXIST)
		log_err("vm %s: a VM of that name exists already", vm->name);
	else if (r < 0)
		log_err("vm %s: at most %d VMs", vm->name, MAX_VMS);
	return r;
}

static bool name_is_id(const char *name, uint32_t id)
{
	uint32_t n = 0;

	if (!*name)
		return false;
	for (; *name; name++) {
		if (*name < '0' || *name > '9' || n > MAX_VMS)
			return false;
		n = n * 10 + (uint32_t)(*name - '0');
	}
	return n == id;
}

struct vm *vm_hold(const char *name)
{
	struct vm *vm = NULL;

	spin_lock(&vms_lock);
	for (uint32_t i = 0; i < nr_vms && !vm; i++)
		if (vms[i] && (!strcmp(vms[i]->name, name) || name_is_id(name, i)))
			vm = vms[i];
	if (vm) {
		/* held first, then the state read: a stop after that read is seen
		 * by the scheduler together with the hold (hv/sched.c reap_stopped) */
		__atomic_add_fetch(&vm->holds, 1, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&vm->state, __ATOMIC_SEQ_CST) == VM_STOPPED) {
			__atomic_sub_fetch(&vm->holds, 1, __ATOMIC_SEQ_CST);
			vm = NULL;
		}
	}
	spin_unlock(&vms_lock);
	return vm;
}

void vm_unhold(struct vm *vm)
{
	__atomic_sub_fetch(&vm->holds, 1, __ATOMIC_SEQ_CST);
}

static void vm_remove(struct vm *vm)
{
	spin_lock(&vms_lock);
	vms[vm->id] = NULL;
	spin_unlock(&vms_lock);
}

static int create_vcpus(struct vm *vm, const struct vm_config *cfg, uint64_t entry,
                        uint64_t info_gpa)
{
	int r;

	for (uint32_t i = 0; i < cfg->ncpus; i++) {
		struct vcpu *v = kzalloc(sizeof(*v));

		if (!v)
			return -ENOMEM;
		vm->vcpus[vm->nvcpus++] = v;
		v->vm = vm;
		v->id = i;
		if (cfg->pinned) {
			v->pcpu = cfg->pin[i];
			sched_reserve(v->pcpu, (int32_t)cfg->weight);
		} else {
			v->pcpu = sched_place_vcpu(cfg->weight);
		}
		v->se.weight = cfg->weight;
		/* the BSP enters the kernel; APs wait for INIT-SIPI as on a PC */
		if (i > 0) {
			v->state = VCPU_WAIT_SIPI;
		} else if (cfg->is_linux) {
			/* 32-bit boot protocol: ESI = zero page, EBX/EBP/EDI = 0 */
			v->regs[VCPU_REGS_RSI] = info_gpa;
			v->regs[VCPU_REGS_RIP] = entry;
		} else {
			v->regs[VCPU_REGS_RAX] = MB1_BOOTLOADER_MAGIC;
			v->regs[VCPU_REGS_RBX] = info_gpa;
			v->regs[VCPU_REGS_RIP] = entry;
		}
		v->regs_avail = VCPU_REGS_GPR_MASK;
		if (fpu_guest_init(v) < 0 || virq_vcpu_init(v) < 0)
			return -ENOMEM;
		r = vmm_ops->vcpu_create(v);
		if (r < 0)
			return r;
	}
	vm->vcpus_live = vm->nvcpus;
	return 0;
}

/* vm_create for the given run of cfg (0 = the first). */
static int vm_build(const struct vm_config *cfg, uint32_t run, struct vm **out)
{
	struct vm *vm;
	uint64_t entry, info_gpa;
	uint32_t mb_info;
	int r;

	r = check_config(cfg);
	if (r < 0)
		return r;
	vm = kzalloc(sizeof(*vm));
	if (!vm)
		return -ENOMEM;
	vm->serial = __atomic_add_fetch(&vm_serials, 1, __ATOMIC_RELAXED);
	memcpy(vm->name, cfg->name, sizeof(vm->name));
	vm->config = cfg;
	vm->run = run;
	uart_emu_init(&vm->uart, guest_line, vm);
	fwcfg_init(&vm->fwcfg, cfg->mem, (uint16_t)cfg->ncpus);
	acpi_pm_init(&vm->pm);
	vm_irq_init(vm);
	pit_init(&vm->pit, tsc_hz, PIT_MIN_PERIOD_TICKS);
	rtc_init(&vm->rtc, RTC_EPOCH_SECS, tsc_now(), tsc_hz);
	i8042_init(&vm->kbd);
	r = alloc_ram(vm, cfg->mem);
	if (!r)
		r = vmm_ops->vm_init(vm);
	if (!r && cfg->is_linux)
		r = vm_load_linux(vm, cfg, &entry, &info_gpa);
	else if (!r) {
		r = load_kernel(vm, cfg, &entry, &mb_info);
		info_gpa = mb_info;
	}
	if (!r)
		r = create_vcpus(vm, cfg, entry, info_gpa);
	if (!r)
		r = vm_insert(vm);
	if (r < 0) {
		log_err("vm %s: not started (error %d)", cfg->name, r);
		for (uint32_t i = 0; i < vm->nvcpus; i++)
			sched_reserve(vm->vcpus[i]->pcpu, -(int32_t)cfg->weight);
		vm_free(vm);
		return r;
	}
	*out = vm;
	log_info("vm %s: %lu MiB, %u vCPU(s) on CPU %u%s, entry 0x%lx, %s module %u", vm->name,
	         vm->mem_size >> 20, vm->nvcpus, vm->vcpus[0]->pcpu, vm->nvcpus > 1 ? "..." : "",
	         entry, cfg->is_linux ? "Linux" : "kernel", cfg->module);
	return 0;
}

int vm_create(const struct vm_config *cfg, struct vm **out)
{
	return vm_build(cfg, 0, out);
}

struct vm *vm_vcpu_retire(struct vcpu *v)
{
	struct vm *vm = v->vm, *next = NULL;
	const struct vm_config *cfg = vm->config;
	uint32_t run = vm->run;
	uint64_t frames;

	if (v->debugged)
		gdb_vcpu_gone(v);
	vcpu_release(v);
	if (__atomic_sub_fetch(&vm->vcpus_live, 1, __ATOMIC_ACQ_REL))
		return NULL;
	vm_remove(vm);
	frames = vm_free(vm);
	log_info("vm %s: freed %lu frames (%lu.%lu MiB)", cfg->name, frames,
	         frames * PAGE_SIZE >> 20, (frames * PAGE_SIZE * 10 >> 20) % 10);
	if (run < cfg->restart) {
		log_info("vm %s: restart %u of %u", cfg->name, run + 1, cfg->restart);
		if (vm_build(cfg, run + 1, &next) < 0)
			next = NULL;
	}
	return next;
}
