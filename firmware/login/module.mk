# login/module.mk - password checks and login lockout (liblogin.a), shared
# by SMTP AUTH and, later, the CLI's administrator logins. Needs only lib/.
# crypt_r: libxcrypt on the host (libcrypt-dev), musl's crypt from the
# musl-crypt package (rootfs/packages/musl-crypt) in the target sysroot.
login_DEPS :=
login_LIBS := -lcrypt
