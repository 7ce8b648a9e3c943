#include "hv/gdb/gdb_session.h"
#include "err.h"
#include "hv/gdb/gdb_packet.h"
#include "hv/lib/format.h"
#include "kstring.h"

#define SIGINT_GDB      2
#define SIGTRAP_GDB     5
#define THREAD_ID       "1"
#define PACKET_SIZE_HEX "1000" /* GDB_PACKET_MAX in hex */
_Static_assert(GDB_PACKET_MAX == 0x1000, "qSupported announces PacketSize=1000");

/* DR7 fields (SDM Vol. 3B sec. 18.2.4): L0 at bit 0, R/W0 at 16, LEN0 at 18. */
#define DR7_RW_EXEC   0u
#define DR7_RW_WRITE  1u
#define DR7_RW_ACCESS 3u

void gdb_session_init(struct gdb_session *s, const struct gdb_target_ops *ops, void *ctx)
{
	memset(s, 0, sizeof(*s));
	s->ops = ops;
	s->ctx = ctx;
	s->mode64 = ops->mode64(ctx);
	gdb_session_stopped(s, GDB_STOP_TRAP, 0);
}

void gdb_session_stopped(struct gdb_session *s, enum gdb_stop_kind kind, unsigned slot)
{
	const struct gdb_hw_slot *h = &s->hw[slot & (GDB_HW_SLOTS - 1)];

	switch (kind) {
	case GDB_STOP_INTERRUPT:
		fmt_snprintf(s->stop_reply, sizeof(s->stop_reply), "T%02xthread:" THREAD_ID ";",
		             SIGINT_GDB);
		break;
	case GDB_STOP_SWBREAK:
		fmt_snprintf(s->stop_reply, sizeof(s->stop_reply),
		             "T%02xthread:" THREAD_ID ";swbreak:;", SIGTRAP_GDB);
		break;
	case GDB_STOP_HWBREAK:
		fmt_snprintf(s->stop_reply, sizeof(s->stop_reply),
		             "T%02xthread:" THREAD_ID ";hwbreak:;", SIGTRAP_GDB);
		break;
	case GDB_STOP_WATCH:
		fmt_snprintf(s->stop_reply, sizeof(s->stop_reply),
		             "T%02xthread:" THREAD_ID ";%s:%lx;", SIGTRAP_GDB,
		             h->type == GDB_BP_ACCESS ? "awatch" : "watch", h->addr);
		break;
	default:
		fmt_snprintf(s->stop_reply, sizeof(s->stop_reply), "T%02xthread:" THREAD_ID ";",
		             SIGTRAP_GDB);
		break;
	}
}

const char *gdb_session_stop_reply(const struct gdb_session *s)
{
	return s->stop_reply;
}

static size_t reply_str(char *reply, const char *str)
{
	size_t n = strlen(str);

	memcpy(reply, str, n);
	return n;
}

static struct gdb_sw_bp *find_sw(struct gdb_session *s, uint64_t addr)
{
	for (unsigned i = 0; i < GDB_SW_BREAKPOINTS; i++)
		if (s->sw[i].used && s->sw[i].addr == addr)
			return &s->sw[i];
	return NULL;
}

bool gdb_session_is_sw_bp(const struct gdb_session *s, uint64_t addr)
{
	return find_sw((struct gdb_session *)s, addr) != NULL;
}

unsigned gdb_session_sw_count(const struct gdb_session *s)
{
	unsigned n = 0;

	for (unsigned i = 0; i < GDB_SW_BREAKPOINTS; i++)
		n += s->sw[i].used;
	return n;
}

/* Z0: the byte at addr is saved and replaced by INT3. */
static const char *insert_sw(struct gdb_session *s, uint64_t addr)
{
	static const uint8_t int3 = GDB_INT3;
	struct gdb_sw_bp *b;

	if (find_sw(s, addr))
		return "OK"; /* gdb may insert one twice: it stays one */
	b = NULL;
	for (unsigned i = 0; !b && i < GDB_SW_BREAKPOINTS; i++)
		if (!s->sw[i].used)
			b = &s->sw[i];
	if (!b)
		return "E12"; /* the table is full */
	if (s->ops->read_mem(s->ctx, addr, &b->saved, 1) < 0 ||
	    s->ops->write_mem(s->ctx, addr, &int3, 1) < 0)
		return "E14"; /* EFAULT */
	b->addr = addr;
	b->used = true;
	return "OK";
}

static const char *remove_sw(struct gdb_session *s, uint64_t addr)
{
	struct gdb_sw_bp *b = find_sw(s, addr);

	if (!b)
		return "E02";
	b->used = false;
	return s->ops->write_mem(s->ctx, addr, &b->saved, 1) < 0 ? "E14" : "OK";
}

/* Z1-Z4 through a free DR slot; the length and alignment rules of sec. 18.2.5
 * (8 bytes only in 64-bit mode). Z3 (read-only watch) has no DR encoding. */
static const char *insert_hw(struct gdb_session *s, const struct gdb_cmd *c)
{
	uint64_t len = c->type == GDB_BP_HW ? 1 : c->len;

	if (c->type == GDB_BP_READ)
		return "";
	if (len != 1 && len != 2 && len != 4 && !(len == 8 && s->ops->mode64(s->ctx)))
		return "E22";
	if (c->addr & (len - 1))
		return "E22";
	for (unsigned i = 0; i < GDB_HW_SLOTS; i++)
		if (s->hw[i].used && s->hw[i].addr == c->addr && s->hw[i].type == c->type &&
		    s->hw[i].len == len)
			return "OK";
	for (unsigned i = 0; i < GDB_HW_SLOTS; i++) {
		if (s->hw[i].used)
			continue;
		s->hw[i] = (struct gdb_hw_slot){c->addr, (uint8_t)c->type, (uint8_t)len, true};
		return "OK";
	}
	return "E28"; /* ENOSPC: four slots in use */
}

static const char *remove_hw(struct gdb_session *s, const struct gdb_cmd *c)
{
	if (c->type == GDB_BP_READ)
		return "";
	for (unsigned i = 0; i < GDB_HW_SLOTS; i++) {
		if (s->hw[i].used && s->hw[i].addr == c->addr && s->hw[i].type == c->type) {
			s->hw[i].used = false;
			return "OK";
		}
	}
	return "E02";
}

void gdb_session_remove_all(struct gdb_session *s)
{
	for (unsigned i = 0; i < GDB_SW_BREAKPOINTS; i++)
		if (s->sw[i].used)
			remove_sw(s, s->sw[i].addr);
	memset(s->hw, 0, sizeof(s->hw));
}

uint64_t gdb_session_dr7(const struct gdb_session *s)
{
	static const uint8_t len_bits[9] = {[1] = 0, [2] = 1, [4] = 3, [8] = 2};
	uint64_t dr7 = 0;

	for (unsigned i = 0; i < GDB_HW_SLOTS; i++) {
		const struct gdb_hw_slot *h = &s->hw[i];
		uint64_t rw = h->type == GDB_BP_HW      ? DR7_RW_EXEC
		              : h->type == GDB_BP_WRITE ? DR7_RW_WRITE
		                                        : DR7_RW_ACCESS;

		if (!h->used)
			continue;
		dr7 |= BIT(2 * i);
		dr7 |= (rw | (uint64_t)len_bits[h->len] << 2) << (16 + 4 * i);
	}
	return dr7;
}

int gdb_session_hit_slot(const struct gdb_session *s, uint64_t dr6_bits)
{
	for (unsigned i = 0; i < GDB_HW_SLOTS; i++)
		if (s->hw[i].used && (dr6_bits & BIT(i)))
			return (int)i;
	return -1;
}

/* m: guest memory, with our INT3s shown as the bytes they replaced. */
static size_t read_mem(struct gdb_session *s, const struct gdb_cmd *c, char *reply)
{
	uint8_t buf[GDB_PACKET_MAX / 2];

	if (c->len == 0 || c->len > sizeof(buf) || c->addr + c->len < c->addr)
		return reply_str(reply, "E01");
	if (s->ops->read_mem(s->ctx, c->addr, buf, (uint32_t)c->len) < 0)
		return reply_str(reply, "E14");
	for (unsigned i = 0; i < GDB_SW_BREAKPOINTS; i++)
		if (s->sw[i].used && s->sw[i].addr - c->addr < c->len)
			buf[s->sw[i].addr - c->addr] = s->sw[i].saved;
	return (size_t)(gdb_put_hex(reply, buf, c->len) - reply);
}

static const char *write_mem(struct gdb_session *s, const struct gdb_cmd *c)
{
	uint8_t buf[GDB_PACKET_MAX / 2];

	if (c->len > sizeof(buf) || c->addr + c->len < c->addr)
		return "E01";
	if (c->len == 0)
		return "OK";
	if (gdb_get_hex(c->data, buf, c->len) < 0)
		return "E01";
	return s->ops->write_mem(s->ctx, c->addr, buf, (uint32_t)c->len) < 0 ? "E14" : "OK";
}

static size_t read_reg(struct gdb_session *s, const struct gdb_cmd *c, char *reply)
{
	struct gdb_regs r;

	if (!gdb_reg_size(s->mode64, c->regno))
		return reply_str(reply, "E01");
	s->ops->get_regs(s->ctx, &r);
	return gdb_reg_put(s->mode64, &r, c->regno, reply);
}

static const char *write_reg(struct gdb_session *s, const struct gdb_cmd *c)
{
	struct gdb_regs r;
	unsigned size = gdb_reg_size(s->mode64, c->regno);
	int e;

	if (!size || c->data_len != 2 * size)
		return "E01";
	s->ops->get_regs(s->ctx, &r);
	e = gdb_reg_get(s->mode64, &r, c->regno, c->data);
	if (e == -ENOENT)
		return "E03"; /* x87: not reachable through the stub */
	if (e < 0)
		return "E01";
	s->ops->set_regs(s->ctx, &r);
	return "OK";
}

static size_t write_regs(struct gdb_session *s, const struct gdb_cmd *c, char *reply)
{
	struct gdb_regs r;

	s->ops->get_regs(s->ctx, &r);
	if (gdb_regs_get(s->mode64, &r, c->data, c->data_len) < 0)
		return reply_str(reply, "E01");
	s->ops->set_regs(s->ctx, &r);
	return reply_str(reply, "OK");
}

/* qXfer:features:read:target.xml: the description of the mode the vCPU is in
 * now; from then on g/G/p/P use its layout. */
static size_t xfer(struct gdb_session *s, const struct gdb_cmd *c, char *reply)
{
	const char *xml;
	size_t total, n;

	if (strcmp(c->annex, "target.xml") != 0)
		return reply_str(reply, "E00");
	if (c->offset == 0)
		s->mode64 = s->ops->mode64(s->ctx);
	xml = gdb_tdesc_xml(s->mode64);
	total = strlen(xml);
	if (c->offset >= total)
		return reply_str(reply, "l");
	n = MIN((size_t)c->len, total - (size_t)c->offset);
	n = MIN(n, (size_t)GDB_PACKET_MAX / 2 - 1); /* room for the escapes the encoder adds */
	reply[0] = c->offset + n < total ? 'm' : 'l';
	memcpy(reply + 1, xml + c->offset, n);
	return n + 1;
}

static enum gdb_action resume(struct gdb_session *s, const struct gdb_cmd *c, enum gdb_action a)
{
	if (c->has_addr) {
		struct gdb_regs r;

		s->ops->get_regs(s->ctx, &r);
		r.rip = c->addr;
		s->ops->set_regs(s->ctx, &r);
	}
	return a;
}

enum gdb_action gdb_session_handle(struct gdb_session *s, const char *pkt, size_t len, char *reply,
                                   size_t *reply_len)
{
	struct gdb_cmd c;
	struct gdb_regs r;
	const char *str = NULL;
	size_t n = 0;

	gdb_cmd_parse(pkt, len, &c);
	switch (c.kind) {
	case GDB_CMD_UNSUPPORTED:
		str = "";
		break;
	case GDB_CMD_MALFORMED:
		str = "E01";
		break;
	case GDB_CMD_STATUS:
		str = s->stop_reply;
		break;
	case GDB_CMD_READ_REGS:
		s->ops->get_regs(s->ctx, &r);
		n = gdb_regs_put(s->mode64, &r, reply);
		break;
	case GDB_CMD_WRITE_REGS:
		n = write_regs(s, &c, reply);
		break;
	case GDB_CMD_READ_REG:
		n = read_reg(s, &c, reply);
		break;
	case GDB_CMD_WRITE_REG:
		str = write_reg(s, &c);
		break;
	case GDB_CMD_READ_MEM:
		n = read_mem(s, &c, reply);
		break;
	case GDB_CMD_WRITE_MEM:
		str = write_mem(s, &c);
		break;
	case GDB_CMD_CONTINUE:
		*reply_len = 0;
		return resume(s, &c, GDB_CONTINUE);
	case GDB_CMD_STEP:
		*reply_len = 0;
		return resume(s, &c, GDB_STEP);
	case GDB_CMD_INSERT_BP:
		str = c.type == GDB_BP_SW ? insert_sw(s, c.addr) : insert_hw(s, &c);
		break;
	case GDB_CMD_REMOVE_BP:
		str = c.type == GDB_BP_SW ? remove_sw(s, c.addr) : remove_hw(s, &c);
		break;
	case GDB_CMD_SUPPORTED:
		str = "PacketSize=" PACKET_SIZE_HEX
		      ";qXfer:features:read+;swbreak+;hwbreak+;QStartNoAckMode+;vContSupported+";
		break;
	case GDB_CMD_XFER_FEATURES:
		n = xfer(s, &c, reply);
		break;
	case GDB_CMD_VCONT_QUERY:
		str = "vCont;c;C;s;S";
		break;
	case GDB_CMD_DETACH:
		gdb_session_remove_all(s);
		*reply_len = reply_str(reply, "OK");
		return GDB_DETACH;
	case GDB_CMD_KILL:
		gdb_session_remove_all(s);
		*reply_len = 0;
		return GDB_KILL;
	case GDB_CMD_OK:
		if (c.noack)
			s->noack = true;
		str = "OK";
		break;
	case GDB_CMD_CURRENT_THREAD:
		str = "QC" THREAD_ID;
		break;
	case GDB_CMD_THREAD_FIRST:
		str = "m" THREAD_ID;
		break;
	case GDB_CMD_THREAD_NEXT:
		str = "l";
		break;
	case GDB_CMD_ATTACHED:
		str = "1";
		break;
	}
	*reply_len = str ? reply_str(reply, str) : n;
	return GDB_STAY;
}
