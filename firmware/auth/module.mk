# auth/module.mk - sender authentication (libauth.a): SPF now; DKIM, DMARC
# and ARC later.  Built by the conventions of firmware/Makefile.
auth_DEPS := dns
