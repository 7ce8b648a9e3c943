// SPDX-License-Identifier: MIT
/*
 * kvm-runner: runs the bench guest (a multiboot ELF32 kernel) as a one-vCPU Linux KVM
 * guest, so `make bench` can measure KVM's exit costs beside Sable's on the same emulated
 * machine. The thin layer: the /dev/kvm ioctls (Documentation/virt/kvm/api.rst of the
 * kernel, the API's reference) and the KVM_RUN loop; the guest's platform (COM1, the exit
 * device) and the loader are bench_platform.c. Guest console lines are relayed on stdout
 * prefixed "[kvm] ".
 *
 *   kvm-runner GUEST.elf [CMDLINE]
 *
 * The VM has an in-kernel irqchip, so the PIC's ports are answered inside KVM (the guest
 * times a read of one of them as an in-kernel I/O exit) and COM1 reaches this process
 * (a user-space I/O exit). Exits with the guest's exit-device status, or 2 on an error.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/kvm-runner/bench_platform.h"

#define GUEST_MEM        (8ull << 20) /* as Sable's bench VM (mem=8M) */
#define TSS_ADDR         0xfffbd000u  /* three pages KVM needs below 4 GiB, outside guest RAM */
#define MAX_CPUID        256
#define CR0_PE           0x1u
#define CR0_ET           0x10u
#define RFLAGS_FIXED     0x2u
#define CPUID1_ECX_TSCDL (1u << 24) /* TSC-deadline timer mode (SDM Vol. 3A, 11.5.4.1) */
#define CPUID1_ECX_HV    (1u << 31) /* reserved for a hypervisor to say it is present */
#define RUN_TIMEOUT      60         /* seconds: the bench guest needs well under one */

static volatile sig_atomic_t timed_out;

static void on_alarm(int sig)
{
	(void)sig;
	timed_out = 1;
}

static void die(const char *what)
{
	fprintf(stderr, "kvm-runner: %s: %s\n", what, strerror(errno));
	exit(2);
}

static void relay(void *ctx, const char *line, size_t len)
{
	(void)ctx;
	printf("[kvm] %.*s\n", (int)len, line);
	fflush(stdout);
}

static void *read_file(const char *path, size_t *len)
{
	struct stat st;
	void *buf;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || fstat(fd, &st) < 0)
		die(path);
	buf = malloc(st.st_size ? st.st_size : 1);
	if (!buf)
		die("malloc");
	for (off_t done = 0, n; done < st.st_size; done += n) {
		n = read(fd, (char *)buf + done, st.st_size - done);
		if (n <= 0)
			die(path);
	}
	close(fd);
	*len = st.st_size;
	return buf;
}

/* The guest sees what KVM supports of the host CPU, as a plain `-cpu host` guest does. */
static void set_cpuid(int kvm, int vcpu)
{
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + MAX_CPUID * sizeof(c->entries[0]));

	if (!c)
		die("calloc");
	c->nent = MAX_CPUID;
	if (ioctl(kvm, KVM_GET_SUPPORTED_CPUID, c) < 0)
		die("KVM_GET_SUPPORTED_CPUID");
	/* The hypervisor-present bit (KVM's leaf 0x40000000 says "KVMKVMKVM"), and the
	 * in-kernel LAPIC's TSC-deadline mode, which KVM offers only on request. */
	for (uint32_t i = 0; i < c->nent; i++) {
		if (c->entries[i].function != 1)
			continue;
		c->entries[i].ecx |= CPUID1_ECX_HV;
		if (ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_TSC_DEADLINE_TIMER) > 0)
			c->entries[i].ecx |= CPUID1_ECX_TSCDL;
	}
	if (ioctl(vcpu, KVM_SET_CPUID2, c) < 0)
		die("KVM_SET_CPUID2");
	free(c);
}

static void flat_segment(struct kvm_segment *s, uint16_t sel, uint8_t type)
{
	*s = (struct kvm_segment){.base = 0,
	                          .limit = 0xffffffffu,
	                          .selector = sel,
	                          .type = type,
	                          .present = 1,
	                          .dpl = 0,
	                          .db = 1,
	                          .s = 1,
	                          .l = 0,
	                          .g = 1};
}

/* 32-bit protected mode, paging off, flat segments (Multiboot 0.6.96 sec. 3.2). */
static void set_entry_state(int vcpu, const struct bp_entry *e)
{
	struct kvm_sregs sr;
	struct kvm_regs r = {0};

	if (ioctl(vcpu, KVM_GET_SREGS, &sr) < 0)
		die("KVM_GET_SREGS");
	flat_segment(&sr.cs, 0x08, 0xb); /* execute/read, accessed */
	flat_segment(&sr.ds, 0x10, 0x3); /* read/write, accessed */
	sr.es = sr.fs = sr.gs = sr.ss = sr.ds;
	sr.cr0 = CR0_PE | CR0_ET;
	sr.cr4 = 0;
	sr.efer = 0;
	if (ioctl(vcpu, KVM_SET_SREGS, &sr) < 0)
		die("KVM_SET_SREGS");
	r.rip = e->eip;
	r.rax = e->eax;
	r.rbx = e->ebx;
	r.rflags = RFLAGS_FIXED;
	if (ioctl(vcpu, KVM_SET_REGS, &r) < 0)
		die("KVM_SET_REGS");
}

/* Answers each port access of a KVM_EXIT_IO (count accesses of size bytes each). */
static void do_io(struct bench_platform *p, struct kvm_run *run)
{
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	bool in = run->io.direction == KVM_EXIT_IO_IN;

	for (uint32_t i = 0; i < run->io.count; i++, data += run->io.size) {
		uint32_t v = 0;

		memcpy(&v, data, run->io.size);
		bp_io(p, run->io.port, in, run->io.size, &v);
		if (in)
			memcpy(data, &v, run->io.size);
	}
}

/* Runs the vCPU until the guest writes the exit device; a stuck guest (halted with
 * interrupts off, which the in-kernel irqchip keeps inside KVM) ends at RUN_TIMEOUT. */
static int run_loop(int vcpu, struct kvm_run *run, struct bench_platform *p)
{
	struct sigaction sa = {.sa_handler = on_alarm}; /* no SA_RESTART: KVM_RUN returns EINTR */

	sigaction(SIGALRM, &sa, NULL);
	alarm(RUN_TIMEOUT);
	while (!p->exited) {
		if (ioctl(vcpu, KVM_RUN, 0) < 0) {
			if (errno == EINTR && timed_out) {
				bp_flush(p);
				fprintf(stderr, "kvm-runner: the guest did not finish in %d s\n",
				        RUN_TIMEOUT);
				return 2;
			}
			if (errno == EINTR)
				continue;
			die("KVM_RUN");
		}
		switch (run->exit_reason) {
		case KVM_EXIT_IO:
			do_io(p, run);
			break;
		case KVM_EXIT_HLT:
			bp_flush(p);
			fprintf(stderr, "kvm-runner: the guest halted without the exit device\n");
			return 2;
		case KVM_EXIT_SHUTDOWN:
			bp_flush(p);
			fprintf(stderr, "kvm-runner: the guest shut down (triple fault)\n");
			return 2;
		case KVM_EXIT_FAIL_ENTRY:
			fprintf(stderr, "kvm-runner: VM entry failed, reason 0x%llx\n",
			        (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
			return 2;
		case KVM_EXIT_MMIO:
			fprintf(stderr,
			        "kvm-runner: the guest touched MMIO at 0x%llx (none here)\n",
			        (unsigned long long)run->mmio.phys_addr);
			return 2;
		case KVM_EXIT_INTERNAL_ERROR:
			bp_flush(p);
			fprintf(stderr, "kvm-runner: KVM internal error, suberror %u\n",
			        run->internal.suberror);
			return 2;
		default:
			fprintf(stderr, "kvm-runner: unexpected exit reason %u\n",
			        run->exit_reason);
			return 2;
		}
	}
	bp_flush(p);
	if (p->unhandled)
		fprintf(stderr, "kvm-runner: %llu accesses to ports nothing answers\n",
		        (unsigned long long)p->unhandled);
	return p->status;
}

int main(int argc, char **argv)
{
	struct kvm_userspace_memory_region mem = {0};
	struct bench_platform plat;
	struct bp_entry entry;
	struct kvm_run *run;
	char err[160];
	size_t len;
	void *image;
	uint8_t *ram;
	int kvm, vm, vcpu, run_size, status;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: kvm-runner GUEST.elf [CMDLINE]\n");
		return 2;
	}
	image = read_file(argv[1], &len);
	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		die("/dev/kvm");
	if (ioctl(kvm, KVM_GET_API_VERSION, 0) != KVM_API_VERSION) {
		fprintf(stderr, "kvm-runner: KVM API version is not %d\n", KVM_API_VERSION);
		return 2;
	}
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		die("KVM_CREATE_VM");
	if (ioctl(vm, KVM_SET_TSS_ADDR, TSS_ADDR) < 0)
		die("KVM_SET_TSS_ADDR");
	if (ioctl(vm, KVM_CREATE_IRQCHIP, 0) < 0)
		die("KVM_CREATE_IRQCHIP");
	ram = mmap(NULL, GUEST_MEM, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ram == MAP_FAILED)
		die("mmap guest memory");
	mem.memory_size = GUEST_MEM;
	mem.userspace_addr = (uintptr_t)ram;
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &mem) < 0)
		die("KVM_SET_USER_MEMORY_REGION");
	if (bp_load(ram, GUEST_MEM, image, len, argc > 2 ? argv[2] : "", &entry, err, sizeof(err)) <
	    0) {
		fprintf(stderr, "kvm-runner: %s: %s\n", argv[1], err);
		return 2;
	}
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0)
		die("KVM_CREATE_VCPU");
	run_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (run_size < (int)sizeof(*run))
		die("KVM_GET_VCPU_MMAP_SIZE");
	run = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED)
		die("mmap kvm_run");
	set_cpuid(kvm, vcpu);
	set_entry_state(vcpu, &entry);
	bp_init(&plat, relay, NULL);
	status = run_loop(vcpu, run, &plat);
	printf("kvm-runner: guest exit status %d\n", status);
	return status;
}
