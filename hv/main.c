/* The bootstrap processor's path from boot/entry.asm to a running system. */
#include "drivers/acpi.h"
#include "drivers/lapic.h"
#include "drivers/pic.h"
#include "drivers/platform.h"
#include "drivers/screen.h"
#include "drivers/tsc.h"
#include "drivers/uart.h"
#include "drivers/uart_console.h"
#include "drivers/uart_debug.h"
#include "err.h"
#include "hv/gdb/gdb.h"
#include "hv/log.h"
#include "hv/loader/multiboot2.h"
#include "hv/config/options.h"
#include "hv/panic.h"
#include "hv/percpu.h"
#include "hv/sched.h"
#include "hv/smp.h"
#include "hv/trap.h"
#include "hv/version.h"
#include "hv/vm.h"
#include "hv/console_in.h"
#include "fpu/fpu.h"
#include "vmx/vmx.h"
#include "mm/mm.h"
#include "kstring.h"
#include "x86.h"

#define MBI_MAX_SIZE MiB(1) /* refuse boot information larger than this */

struct mb2_info boot_info;
static void attach_gdb(void);

void hv_main(uint32_t magic, uint64_t mbi_pa);
void acpi_init(void);

static void option_warning(void *ctx, const char *msg)
{
	log_warn("%s", msg);
}

static void parse_boot_info(uint32_t magic, uint64_t mbi_pa)
{
	uint32_t total;
	int r;

	if (magic != MB2_BOOTLOADER_MAGIC)
		panic("not started by a multiboot2 loader (magic 0x%x)", magic);
	total = *(const uint32_t *)phys_to_virt(mbi_pa);
	r = mb2_parse(phys_to_virt(mbi_pa), total <= MBI_MAX_SIZE ? total : 0, &boot_info);
	if (r < 0)
		panic("malformed multiboot2 boot information (error %d, size %u)", r, total);
}

/* The screen console (console= chooses): set up once paging maps the screen, it
 * shows everything logged since the banner. With console=screen the serial
 * console stops here, unless there is no screen. */
static void start_screen(void)
{
	const struct screen_choice *c;

	if (hv_options.console == CONSOLE_SERIAL)
		return;
	c = screen_init(&boot_info);
	if (c->kind == SCREEN_NONE) {
		log_info("screen console: none (%s)", c->why);
		if (hv_options.console == CONSOLE_SCREEN)
			log_warn("console=screen: no screen, the serial console stays on");
		return;
	}
	if (c->kind == SCREEN_FRAMEBUFFER)
		log_info("screen console: framebuffer %ux%u, %u bpp, at 0x%lx", c->fb.width,
		         c->fb.height, c->fb.bpp, c->addr);
	else
		log_info("screen console: VGA text %ux%u at 0x%lx", c->fb.width, c->fb.height,
		         c->addr);
	if (hv_options.console == CONSOLE_SCREEN) {
		log_info("console=screen: serial console off");
		log_flush();
		log_set_serial(false);
	}
}

/* Sets the TSC rate and says where it came from (a warning when the sources disagree). */
static void report_tsc(void)
{
	struct tsc_cpuid c = {0};
	struct tsc_choice t = tsc_calibrate(&c);
	char line[LOG_LINE_MAX - 32];

	tsc_describe(&t, &c, line, sizeof(line));
	if (t.disagree || t.source == TSC_SRC_FALLBACK)
		log_warn("TSC: %s", line);
	else
		log_info("TSC: %s", line);
}

/* Deliberate faults that let tests check the exception report end to end. */
static void run_selftest(enum selftest t)
{
	if (t == SELFTEST_UD) {
		log_info("selftest: executing UD2");
		ud2();
	} else if (t == SELFTEST_PF) {
		log_info("selftest: reading unmapped page 0");
		(void)*(volatile uint64_t *)phys_to_virt(8);
	}
}

/*
 * selftest=events: while the APs run their guests, NMIs and interrupt vectors
 * nothing handles (the remapped 8259A's timer and spurious IRQ 7/15 vectors,
 * and 0x80) go to every other core, then to this one in root mode. Every core
 * must report them and keep going.
 */
static void selftest_events(void)
{
	static const uint8_t stray[] = {PIC_VECTOR_BASE, PIC_VECTOR_BASE + 7, PIC_VECTOR_BASE + 15,
	                                0x80};
	uint32_t self = lapic_id();

	log_info("selftest: %u rounds of an NMI and vectors 0x20 0x27 0x2f 0x80 to the other "
	         "cores while guests run",
	         SELFTEST_EVENT_ROUNDS);
	sched_release_aps();
	for (uint32_t r = 0; r < SELFTEST_EVENT_ROUNDS; r++) {
		udelay(SELFTEST_EVENT_GAP_US);
		for (uint32_t i = 1; i < MAX_CPUS; i++) {
			if (percpu_area[i].state != CPU_ONLINE)
				continue;
			lapic_send_nmi(percpu_area[i].apic_id);
			for (size_t k = 0; k < ARRAY_SIZE(stray); k++)
				lapic_send_fixed(percpu_area[i].apic_id, stray[k]);
		}
	}
	lapic_send_nmi(self);
	for (size_t k = 0; k < ARRAY_SIZE(stray); k++)
		lapic_send_fixed(self, stray[k]);
	irq_window();
	trap_report();
}

/* VMX on this CPU, the VMs from the vm= options, then the scheduler. */
static __noreturn void start_vmm(void)
{
	uint32_t started = 0;
	struct vm *vm;

	if (vmx_probe() < 0) {
		log_err("VMX lacks features Sable needs (see above): Sable cannot run here");
		hv_stop(STOP_REFUSED);
	}
	fpu_init_cpu();
	if (vmm_ops->cpu_enable() < 0) {
		log_err("cannot enter VMX operation on the bootstrap processor");
		hv_stop(STOP_REFUSED);
	}
	vmx_prepare_cpus(cpus_online);
	mm_report("before the first VM");
	for (uint32_t i = 0; i < hv_options.nvms; i++) {
		if (vm_create(&hv_options.vms[i], &vm) < 0)
			continue;
		started++;
		for (uint32_t j = 0; j < vm->nvcpus; j++)
			sched_add(vm->vcpus[j]);
	}
	log_info("%u of %u VM(s) started", started, hv_options.nvms);
	console_in_init();
	if (hv_options.gdb_given)
		attach_gdb();
	if (hv_options.selftest == SELFTEST_EVENTS)
		selftest_events();
	sched_start();
}

/* gdb=<vm>[.<vcpu>]: the stub on COM2; the VM waits for gdb at its first entry. */
static void attach_gdb(void)
{
	struct vm *vm = NULL;
	int r;

	for (uint32_t i = 0; i < nr_vms && !vm; i++)
		if (vms[i] && strcmp(vms[i]->name, hv_options.gdb_vm) == 0)
			vm = vms[i];
	if (!vm) {
		log_warn("gdb=%s.%u: no VM of that name was started: no GDB stub",
		         hv_options.gdb_vm, hv_options.gdb_vcpu);
		return;
	}
	if (uart_current()->space == UART_IO && uart_current()->base == UART_COM2_PORT) {
		log_warn("gdb=%s.%u: COM2 (0x2f8) is the console (serial=): no GDB stub",
		         hv_options.gdb_vm, hv_options.gdb_vcpu);
		return;
	}
	r = gdb_attach(vm, hv_options.gdb_vcpu);
	if (r == -EINVAL)
		log_warn("gdb=%s.%u: vm %s has %u vCPU(s): no GDB stub", hv_options.gdb_vm,
		         hv_options.gdb_vcpu, vm->name, vm->nvcpus);
	else if (r < 0)
		log_warn("gdb=%s.%u: no UART answers at COM2 (0x2f8): no GDB stub",
		         hv_options.gdb_vm, hv_options.gdb_vcpu);
}

void hv_main(uint32_t magic, uint64_t mbi_pa)
{
	uint32_t online;

	uart_init();
	pic_init();
	idt_init();
	percpu_init_cpu(&percpu_area[0]);
	log_raw("\nSable " SABLE_VERSION " microhypervisor\n");
	parse_boot_info(magic, mbi_pa);
	log_info("boot loader: %s", boot_info.loader_name ? boot_info.loader_name : "unknown");
	log_info("command line: %s", boot_info.cmdline ? boot_info.cmdline : "");
	options_parse(boot_info.cmdline, &hv_options, option_warning, NULL);
	log_threshold = hv_options.loglevel;
	if (hv_options.console == CONSOLE_SERIAL)
		screen_disable();

	mm_init(&boot_info, mbi_pa);
	mm_paging_init();
	start_screen();
	if (hv_options.serial_given) /* an MMIO UART needs the direct map */
		uart_console_move(&hv_options.serial, UART_FROM_OPTION);
	report_tsc();

	acpi_init();
	uart_console_from_acpi(hv_options.serial_given);
	lapic_init_bsp(acpi.lapic_pa);
	percpu_area[0].apic_id = lapic_id();
	percpu_area[0].state = CPU_ONLINE;
	log_info("cpu0 online (APIC id %u, bootstrap processor, %s mode)", percpu_area[0].apic_id,
	         lapic_x2apic_mode() ? "x2APIC" : "xAPIC");
	online = smp_boot_aps();
	log_info("all cores online: %u of %u (%lu TSC ticks since entry)", online,
	         (unsigned)cpus_present, rdtsc() - boot_tsc);

	run_selftest(hv_options.selftest);
	vmx_check_support();
	start_vmm();
}
