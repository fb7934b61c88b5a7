# policy/module.mk - the policy process of sekimorid (libpolicy.a):
# sender authentication of inbound mail (SPF, DKIM, ARC, DMARC) and DKIM
# signing of outbound mail, between smtp and the queue. Linked into
# sekimorid.
policy_DEPS := auth dns config
