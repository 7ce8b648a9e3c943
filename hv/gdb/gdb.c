/* The GDB stub's glue: COM2, the serving loop, attach and detach, all-stop. */
#include "hv/gdb/gdb.h"
#include "drivers/uart_debug.h"
#include "err.h"
#include "hv/gdb/gdb_packet.h"
#include "hv/log.h"
#include "hv/percpu.h"
#include "hv/sched.h"
#include "hv/vm.h"
#include "kstring.h"
#include "x86.h"

struct gdb_stub {
	struct spinlock lock; /* attach against attach */
	struct vcpu *target;
	bool uart_ready;
	bool greeted; /* gdb has talked to this attachment: stops are reported */
	bool running; /* resumed by c/s: gdb waits for a stop packet */
	bool step;    /* the resume was a step */
	enum gdb_stop_kind last;
	struct gdb_session session;
	struct gdb_rx rx;
	char reply[GDB_PACKET_MAX + 1];
	char framed[2 * GDB_PACKET_MAX + 8]; /* the last packet sent, for '-' */
	size_t framed_len;
};

static struct gdb_stub stub = {.lock = SPINLOCK_INIT};

static const struct gdb_backend *backend(void)
{
	return vmm_ops->gdb;
}

static void t_get(void *ctx, struct gdb_regs *r)
{
	backend()->get_regs(ctx, r);
}

static void t_set(void *ctx, const struct gdb_regs *r)
{
	backend()->set_regs(ctx, r);
}

static int t_read(void *ctx, uint64_t a, void *buf, uint32_t len)
{
	return backend()->access_mem(ctx, a, buf, len, false);
}

static int t_write(void *ctx, uint64_t a, const void *buf, uint32_t len)
{
	return backend()->access_mem(ctx, a, (void *)buf, len, true);
}

static bool t_mode64(void *ctx)
{
	return backend()->mode64(ctx);
}

static const struct gdb_target_ops target_ops = {t_get, t_set, t_read, t_write, t_mode64};

int gdb_attach(struct vm *vm, uint32_t vcpu)
{
	struct vcpu *v;
	int r = 0;

	if (!vmm_ops->gdb || vcpu >= vm->nvcpus || !vm->vcpus[vcpu])
		return -EINVAL;
	v = vm->vcpus[vcpu];
	spin_lock(&stub.lock);
	if (!stub.uart_ready && uart_debug_init(UART_COM2_PORT) == 0)
		stub.uart_ready = true;
	if (!stub.uart_ready)
		r = -ENODEV;
	else if (stub.target && stub.target != v)
		r = -EBUSY;
	if (r == 0 && stub.target != v) {
		stub.target = v;
		stub.greeted = false;
		stub.running = false;
		gdb_rx_init(&stub.rx);
		stub.framed_len = 0;
		v->debugged = true;
		__atomic_fetch_or(&v->requests, VCPU_REQ_DEBUG, __ATOMIC_ACQ_REL);
		sched_kick(v);
	}
	spin_unlock(&stub.lock);
	if (r == 0)
		log_info("gdb: attached to vm %s vcpu %u on COM2 (0x%x): waiting for gdb", vm->name,
		         vcpu, UART_COM2_PORT);
	return r;
}

static void send_framed(void)
{
	uart_debug_write(stub.framed, stub.framed_len);
}

static void send_packet(const char *payload, size_t len)
{
	int n = gdb_encode(payload, len, stub.framed, sizeof(stub.framed));

	if (n < 0) /* cannot happen: replies are at most GDB_PACKET_MAX */
		n = gdb_encode("E01", 3, stub.framed, sizeof(stub.framed));
	stub.framed_len = (size_t)n;
	send_framed();
}

static void send_ack(char c)
{
	if (!stub.session.noack)
		uart_debug_write(&c, 1);
}

bool gdb_poll(struct vcpu *v)
{
	int c;

	if (v != stub.target)
		return false;
	while ((c = uart_debug_getc()) >= 0)
		if (gdb_rx_feed(&stub.rx, (uint8_t)c) == GDB_RX_BREAK)
			return true;
	return false;
}

/* What the backend sets up for the next entry. */
static void arm(struct vcpu *v, bool attached, bool step)
{
	struct gdb_arm a = {.attached = attached, .step = step};

	if (attached) {
		a.intercept_bp = gdb_session_sw_count(&stub.session) != 0;
		a.resume_flag = stub.last == GDB_STOP_HWBREAK;
		a.dr7 = gdb_session_dr7(&stub.session);
		for (unsigned i = 0; i < GDB_HW_SLOTS; i++)
			a.dr[i] = stub.session.hw[i].used ? stub.session.hw[i].addr : 0;
	}
	backend()->arm(v, &a);
}

static void detach(struct vcpu *v, const char *why)
{
	arm(v, false, false);
	v->debugged = false;
	spin_lock(&stub.lock);
	stub.target = NULL;
	spin_unlock(&stub.lock);
	log_info("gdb: detached from vm %s vcpu %u (%s): the guest runs on", v->vm->name, v->id,
	         why);
}

/* Serves gdb until it resumes, detaches or kills the VM. */
static enum exit_action serve(struct vcpu *v)
{
	struct vm *vm = v->vm;
	bool paused = vm->nvcpus > 1;
	enum exit_action result = EXIT_RESUME;
	bool done = false;

	/* a pause that timed out stays requested: it is resumed all the same */
	if (paused && vm_pause(vm) < 0)
		log_warn("gdb: vm %s: not every vCPU stopped in time; they stop when they can",
		         vm->name);

	if (stub.greeted)
		send_packet(gdb_session_stop_reply(&stub.session),
		            strlen(gdb_session_stop_reply(&stub.session)));
	while (!done && vm->state != VM_STOPPED) {
		int c = uart_debug_getc();
		enum gdb_action a;
		size_t n;

		if (c < 0) {
			/* calls other CPUs post for vCPUs parked on this one (hv/pause.c) */
			sched_serve_call(this_cpu());
			cpu_relax();
			continue;
		}
		switch (gdb_rx_feed(&stub.rx, (uint8_t)c)) {
		case GDB_RX_PACKET:
			stub.greeted = true;
			send_ack('+');
			a = gdb_session_handle(&stub.session, stub.rx.buf, stub.rx.len, stub.reply,
			                       &n);
			if (a == GDB_STAY || a == GDB_DETACH)
				send_packet(stub.reply, n);
			if (a == GDB_CONTINUE || a == GDB_STEP) {
				stub.step = a == GDB_STEP;
				arm(v, true, stub.step);
				done = true;
			} else if (a == GDB_DETACH) {
				detach(v, "gdb detached");
				done = true;
			} else if (a == GDB_KILL) {
				detach(v, "gdb killed the VM");
				vm_stop(vm, "killed by gdb");
				result = EXIT_STOP_VM;
				done = true;
			}
			break;
		case GDB_RX_BAD:
			send_ack('-');
			break;
		case GDB_RX_NAK:
			if (stub.framed_len)
				send_framed();
			break;
		default: /* acks, a Ctrl-C while stopped */
			break;
		}
	}
	stub.running = done && result == EXIT_RESUME && v->debugged;
	if (paused)
		vm_resume(vm);
	return result;
}

enum exit_action gdb_stop(struct vcpu *v, enum gdb_stop_kind kind, unsigned slot)
{
	stub.last = kind;
	stub.running = false;
	gdb_session_stopped(&stub.session, kind, slot);
	return serve(v);
}

enum exit_action gdb_break_in(struct vcpu *v)
{
	if (v != stub.target)
		return EXIT_RESUME;
	if (!stub.greeted && !stub.running) {
		/* a fresh attachment: gdb asks '?' itself */
		gdb_session_init(&stub.session, &target_ops, v);
		stub.last = GDB_STOP_TRAP;
		arm(v, true, false);
		return serve(v);
	}
	return gdb_stop(v, GDB_STOP_INTERRUPT, 0);
}

bool gdb_holds(const struct vcpu *v)
{
	return v == stub.target && !stub.running;
}

bool gdb_is_sw_bp(struct vcpu *v, uint64_t addr)
{
	return v == stub.target && gdb_session_is_sw_bp(&stub.session, addr);
}

int gdb_hit_slot(struct vcpu *v, uint64_t dr6_bits)
{
	return v == stub.target ? gdb_session_hit_slot(&stub.session, dr6_bits) : -1;
}

bool gdb_slot_is_exec(unsigned slot)
{
	return stub.session.hw[slot % GDB_HW_SLOTS].type == GDB_BP_HW;
}

bool gdb_stepping(struct vcpu *v)
{
	return v == stub.target && stub.running && stub.step;
}

void gdb_vcpu_gone(struct vcpu *v)
{
	static const char exited[] = "W00";

	if (v != stub.target)
		return;
	if (stub.running)
		send_packet(exited, sizeof(exited) - 1); /* gdb: "the program exited" */
	spin_lock(&stub.lock);
	stub.target = NULL;
	spin_unlock(&stub.lock);
	log_info("gdb: vm %s stopped: the stub lets go of vcpu %u", v->vm->name, v->id);
}
