/* Console input: the BSP polls the console UART and hands each byte to the
 * prefix-key state machine (hv/console_feed.c), then to its target. */
#include "hv/console_in.h"
#include "drivers/tsc.h"
#include "drivers/uart.h"
#include "hv/config/options.h"
#include "hv/console_feed.h"
#include "hv/lib/format.h"
#include "hv/log.h"
#include "hv/monitor.h"
#include "hv/percpu.h"
#include "hv/vm.h"

#define POLL_US    1000 /* the 16-byte RX FIFO fills in 1.4 ms at 115200 baud */
#define POLL_BURST 64   /* bytes taken per poll at most */

static struct console_feed feed;
static bool busy; /* a monitor command runs: bytes wait in the FIFO */

static void print_keys(void)
{
	log_raw("console keys: Ctrl-A m monitor%s, Ctrl-A 0-9 type to that VM, Ctrl-A h log only,\n"
	        "  Ctrl-A a a Ctrl-A for the target, Ctrl-A ? these keys\n",
	        feed.monitor_enabled ? "" : " (off: console=log-only)");
}

static struct vm *hold_id(uint32_t id)
{
	char name[12];

	fmt_snprintf(name, sizeof(name), "%u", id);
	return vm_hold(name);
}

void console_in_focus_vm(uint32_t vm_id)
{
	struct vm *vm = hold_id(vm_id);

	if (!vm) {
		log_info("console: no running VM with id %u (input stays where it was)", vm_id);
		return;
	}
	if (feed.target == CONSOLE_TO_MONITOR)
		monitor_leave();
	feed.target = CONSOLE_TO_VM;
	feed.vm_id = vm_id;
	log_info("console: input goes to VM %u (%s); Ctrl-A h gives it back to the log", vm_id,
	         vm->name);
	vm_unhold(vm);
}

enum console_target console_in_target(uint32_t *vm_id)
{
	if (feed.target == CONSOLE_TO_VM && vm_id)
		*vm_id = feed.vm_id;
	return feed.target;
}

/* One byte for the VM with the input; a VM that has gone gives it back to the log. */
static void to_vm(uint32_t id, uint8_t c)
{
	struct vm *vm = hold_id(id);

	if (!vm) {
		feed.target = CONSOLE_TO_LOG;
		log_info("console: VM %u has stopped; input goes to the log", id);
		return;
	}
	spin_lock(&vm->io_lock);
	uart_emu_rx(&vm->uart, c);
	spin_unlock(&vm->io_lock);
	vm_unhold(vm);
}

static void take(uint8_t c)
{
	struct feed_out o = console_in_feed(&feed, c);

	switch (o.action) {
	case FEED_NONE:
		break;
	case FEED_BYTE:
		if (feed.target == CONSOLE_TO_VM)
			to_vm(o.vm_id, o.byte);
		else if (!monitor_key(o.byte))
			feed.target = CONSOLE_TO_LOG; /* `exit` */
		break;
	case FEED_ENTER_MONITOR:
		if (feed.target != CONSOLE_TO_MONITOR) {
			feed.target = CONSOLE_TO_MONITOR;
			monitor_enter();
		}
		break;
	case FEED_FOCUS_VM:
		console_in_focus_vm(o.vm_id);
		break;
	case FEED_FOCUS_LOG:
		monitor_leave();
		log_info("console: input goes to the log");
		break;
	case FEED_HELP:
		print_keys();
		break;
	case FEED_MONITOR_OFF:
		log_info("console: the monitor is off (console=log-only)");
		break;
	case FEED_BAD_KEY:
		log_info("console: Ctrl-A 0x%02x is not a key (Ctrl-A ? lists them)", o.byte);
		break;
	}
}

void console_in_init(void)
{
	feed.monitor_enabled = hv_options.monitor;
	if (!hv_options.console_in[0])
		return;
	struct vm *vm = vm_hold(hv_options.console_in);
	if (!vm) {
		log_warn("console_in=%s: no such VM; input goes to the log", hv_options.console_in);
		return;
	}
	feed.target = CONSOLE_TO_VM;
	feed.vm_id = vm->id;
	vm_unhold(vm);
}

void console_in_poll(void)
{
	int c;

	if (cpu_id() != 0 || busy)
		return;
	busy = true;
	for (int n = 0; n < POLL_BURST && (c = uart_getc()) >= 0; n++)
		take((uint8_t)c);
	busy = false;
}

uint64_t console_in_next_poll(uint64_t now)
{
	if (!uart_present())
		return UINT64_MAX;
	return now + tsc_hz / 1000000 * POLL_US;
}
