# policy/module.mk - the policy process of sekimorid (libpolicy.a):
# sender authentication of inbound mail (SPF, DKIM, ARC, DMARC) and DKIM
# signing of outbound mail, between smtp and the queue. Linked into
# sekimorid.
# queue: only the pickup file's codec (queue_pickup.c), for the DMARC
# reports handed to the queue.
policy_DEPS := auth dns config queue
# The store of DMARC aggregate report data (policy_report.c).
policy_LIBS := -lsqlite3 -lpthread -lm
