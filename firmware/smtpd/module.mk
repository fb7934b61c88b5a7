# smtpd/module.mk - the smtp process of sekimorid (libsmtpd.a): accepts
# connections, drives firmware/smtp's session machine, TLS through
# firmware/tls, hands messages to the queue. Linked into sekimorid.
smtpd_DEPS := smtp tls config policy
