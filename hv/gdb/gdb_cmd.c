#include "hv/gdb/gdb_cmd.h"
#include "hv/gdb/gdb_packet.h"
#include "kstring.h"

struct cursor {
	const char *p, *end;
};

static bool take(struct cursor *c, char ch)
{
	if (c->p < c->end && *c->p == ch) {
		c->p++;
		return true;
	}
	return false;
}

static bool hex(struct cursor *c, uint64_t *v)
{
	return gdb_parse_hex(&c->p, c->end, v) > 0;
}

static bool at_end(const struct cursor *c)
{
	return c->p == c->end;
}

static bool starts(const char *pkt, size_t len, const char *word)
{
	size_t n = strlen(word);

	return len >= n && memcmp(pkt, word, n) == 0;
}

static bool is(const char *pkt, size_t len, const char *word)
{
	return len == strlen(word) && memcmp(pkt, word, len) == 0;
}

/* The rest of the packet is hex digits, an even number of them. */
static bool rest_is_hex(struct cursor *cur, struct gdb_cmd *c)
{
	c->data = cur->p;
	c->data_len = (size_t)(cur->end - cur->p);
	for (const char *q = cur->p; q < cur->end; q++)
		if (gdb_hex_digit(*q) < 0)
			return false;
	return (c->data_len & 1) == 0;
}

/* addr,len */
static bool addr_len(struct cursor *cur, struct gdb_cmd *c)
{
	return hex(cur, &c->addr) && take(cur, ',') && hex(cur, &c->len);
}

/* c [addr] / s [addr]; C sig[;addr] / S sig[;addr]. */
static void resume(struct cursor *cur, struct gdb_cmd *c, enum gdb_cmd_kind kind, bool sig)
{
	uint64_t v;

	c->kind = GDB_CMD_MALFORMED;
	if (sig) {
		if (!hex(cur, &v) || v > 0xff)
			return;
		if (take(cur, ';') && !(c->has_addr = hex(cur, &c->addr)))
			return;
	} else if (!at_end(cur)) {
		if (!(c->has_addr = hex(cur, &c->addr)))
			return;
	}
	if (at_end(cur))
		c->kind = kind;
}

/* vCont;action[:thread][;action...]: the first action decides (one thread). */
static void vcont(struct cursor *cur, struct gdb_cmd *c)
{
	uint64_t v;
	char a;

	c->kind = GDB_CMD_MALFORMED;
	if (!take(cur, ';') || at_end(cur))
		return;
	a = *cur->p++;
	if ((a == 'C' || a == 'S') && (!hex(cur, &v) || v > 0xff))
		return;
	if (a == 'c' || a == 'C')
		c->kind = GDB_CMD_CONTINUE;
	else if (a == 's' || a == 'S')
		c->kind = GDB_CMD_STEP;
	else if (a == 't')
		c->kind = GDB_CMD_OK;
}

/* Z type,addr,kind[;cond...] */
static void breakpoint(struct cursor *cur, struct gdb_cmd *c, enum gdb_cmd_kind kind)
{
	uint64_t type;

	c->kind = GDB_CMD_MALFORMED;
	if (!hex(cur, &type) || type > GDB_BP_ACCESS || !take(cur, ',') || !addr_len(cur, c))
		return;
	if (!at_end(cur) && *cur->p != ';')
		return;
	c->type = (uint32_t)type;
	c->kind = kind;
}

/* qXfer:features:read:annex:offset,length */
static void xfer(struct cursor *cur, struct gdb_cmd *c)
{
	size_t n = 0;

	c->kind = GDB_CMD_MALFORMED;
	while (cur->p < cur->end && *cur->p != ':') {
		if (n == GDB_ANNEX_MAX)
			return;
		c->annex[n++] = *cur->p++;
	}
	c->annex[n] = '\0';
	if (!take(cur, ':') || !hex(cur, &c->offset) || !take(cur, ',') || !hex(cur, &c->len) ||
	    !at_end(cur))
		return;
	c->kind = GDB_CMD_XFER_FEATURES;
}

static void query(const char *pkt, size_t len, struct gdb_cmd *c)
{
	struct cursor cur = {pkt, pkt + len};
	static const char xfer_prefix[] = "qXfer:features:read:";

	if (starts(pkt, len, "qSupported")) {
		c->kind = GDB_CMD_SUPPORTED;
	} else if (starts(pkt, len, xfer_prefix)) {
		cur.p += sizeof(xfer_prefix) - 1;
		xfer(&cur, c);
	} else if (is(pkt, len, "qC")) {
		c->kind = GDB_CMD_CURRENT_THREAD;
	} else if (is(pkt, len, "qfThreadInfo")) {
		c->kind = GDB_CMD_THREAD_FIRST;
	} else if (is(pkt, len, "qsThreadInfo")) {
		c->kind = GDB_CMD_THREAD_NEXT;
	} else if (starts(pkt, len, "qAttached")) {
		c->kind = GDB_CMD_ATTACHED;
	}
}

static void v_packet(const char *pkt, size_t len, struct gdb_cmd *c)
{
	struct cursor cur = {pkt + 5, pkt + len};

	if (is(pkt, len, "vCont?"))
		c->kind = GDB_CMD_VCONT_QUERY;
	else if (starts(pkt, len, "vCont") && len > 5 && pkt[5] == ';')
		vcont(&cur, c);
	else if (starts(pkt, len, "vKill"))
		c->kind = GDB_CMD_KILL;
}

void gdb_cmd_parse(const char *pkt, size_t len, struct gdb_cmd *c)
{
	struct cursor cur = {pkt + 1, pkt + len};
	uint64_t v;

	memset(c, 0, sizeof(*c));
	if (len == 0)
		return;
	switch (pkt[0]) {
	case '?':
		c->kind = len == 1 ? GDB_CMD_STATUS : GDB_CMD_MALFORMED;
		break;
	case 'g':
		c->kind = len == 1 ? GDB_CMD_READ_REGS : GDB_CMD_MALFORMED;
		break;
	case 'G':
		c->kind = rest_is_hex(&cur, c) ? GDB_CMD_WRITE_REGS : GDB_CMD_MALFORMED;
		break;
	case 'p':
		c->kind = hex(&cur, &v) && at_end(&cur) && v < 256 ? GDB_CMD_READ_REG
		                                                   : GDB_CMD_MALFORMED;
		c->regno = (uint32_t)v;
		break;
	case 'P':
		c->kind = GDB_CMD_MALFORMED;
		if (hex(&cur, &v) && v < 256 && take(&cur, '=') && rest_is_hex(&cur, c) &&
		    c->data_len) {
			c->regno = (uint32_t)v;
			c->kind = GDB_CMD_WRITE_REG;
		}
		break;
	case 'm':
		c->kind = addr_len(&cur, c) && at_end(&cur) ? GDB_CMD_READ_MEM : GDB_CMD_MALFORMED;
		break;
	case 'M':
		c->kind = addr_len(&cur, c) && take(&cur, ':') && rest_is_hex(&cur, c) &&
		                          c->data_len == 2 * c->len
		                  ? GDB_CMD_WRITE_MEM
		                  : GDB_CMD_MALFORMED;
		break;
	case 'c':
	case 's':
	case 'C':
	case 'S':
		resume(&cur, c, pkt[0] == 'c' || pkt[0] == 'C' ? GDB_CMD_CONTINUE : GDB_CMD_STEP,
		       pkt[0] == 'C' || pkt[0] == 'S');
		break;
	case 'Z':
	case 'z':
		breakpoint(&cur, c, pkt[0] == 'Z' ? GDB_CMD_INSERT_BP : GDB_CMD_REMOVE_BP);
		break;
	case 'D':
		c->kind = GDB_CMD_DETACH;
		break;
	case 'k':
		c->kind = GDB_CMD_KILL;
		break;
	case 'H':
	case 'T':
		c->kind = GDB_CMD_OK;
		break;
	case 'Q':
		if (is(pkt, len, "QStartNoAckMode")) {
			c->kind = GDB_CMD_OK;
			c->noack = true;
		}
		break;
	case 'q':
		query(pkt, len, c);
		break;
	case 'v':
		v_packet(pkt, len, c);
		break;
	}
}
