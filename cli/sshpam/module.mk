# cli/sshpam/module.mk - libsshpam.a, the PAM interface dropbear's
# password login calls (README.md). The appliance's copy is built by
# rootfs/packages/dropbear/recipe as libpam.a and linked into dropbear;
# this one, built from firmware/Makefile as one of its CLI_DIRS, is for
# sshpam_test and the sanitizers.
sshpam_DEPS :=
sshpam_LIBS :=
