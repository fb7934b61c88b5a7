/*
 * scan_milter_int.h - what the three files of the milter client share
 * (scan_milter.c, scan_milter_msg.c, scan_milter_reply.c). Not an
 * interface: use scan_milter.h.
 */
#ifndef SK_SCAN_MILTER_INT_H
#define SK_SCAN_MILTER_INT_H

#include "scan_milter.h"

/* A packet being written into m->out. */
struct milter_pkt {
	size_t start;
	int ok;
};

void milter_put_u32(uint8_t *p, uint32_t v);
uint32_t milter_get_u32(const uint8_t *p);
int milter_begin(struct scan_milter *m, struct milter_pkt *p, uint8_t cmd);
void milter_add(struct scan_milter *m, struct milter_pkt *p, const void *data,
    size_t len);
void milter_add_str(struct scan_milter *m, struct milter_pkt *p, const char *s);
void milter_end(struct scan_milter *m, struct milter_pkt *p);
void milter_packet(struct scan_milter *m, uint8_t cmd, const void *data,
    size_t len);

void milter_step(struct scan_milter *m);
void milter_finish(struct scan_milter *m, enum scan_verdict v,
    const char *text);
void milter_refuse(struct scan_milter *m, int temp, const char *text);
void milter_accept(struct scan_milter *m);
void milter_shutdown(struct scan_milter *m);
void milter_conn_fail(struct scan_milter *m);

/* scan_milter_msg.c: content pending when the stage machine asks for it;
 * 1 if a packet was queued (or the stage moved on), 0 if more content is
 * needed */
int milter_pending_content(struct scan_milter *m);
/* queue the held body octets as BODY; 1 if a packet was queued */
int milter_flush_body(struct scan_milter *m);

/* scan_milter_reply.c */
enum sk_result milter_action_add(struct scan_milter *m,
    enum scan_milter_action_type t, uint64_t index, const char *name,
    size_t nlen, const char *value, size_t vlen);

#endif /* SK_SCAN_MILTER_INT_H */
