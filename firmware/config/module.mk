# config/module.mk - the config loader (libconfig.a): RFC 7951 JSON of the
# YANG model in cli/yang, validated by libyang, copied into struct config.
# libyang is used here and nowhere else in firmware/.
config_DEPS :=
config_LIBS := -lyang -lpcre2-8 -lpthread -lm

# The YANG modules are compiled in (config_yang.h): config_gen, built for
# the build machine, turns cli/yang/*.yang into config_yang.c in the build
# directory (never the source tree), which joins libconfig.a. No
# ietf-inet-types is embedded: libyang 2.1 compiles its own copy into every
# context (see README.md, "The schema").
CONFIG_YANG := $(sort $(wildcard $(TOP)/cli/yang/*.yang))
$(B)/gen/config_gen: $(SRC)/config/config_gen_main.c
	@mkdir -p $(@D)
	@echo "  HOSTCC config_gen"
	@$(HOSTCC) -std=c11 -O1 -o $@ $<
$(B)/gen/config_yang.c: $(B)/gen/config_gen $(CONFIG_YANG) \
		$(SRC)/config/module.mk
	@echo "  GEN config_yang.c"
	@$(B)/gen/config_gen $@.tmp $(CONFIG_YANG) && mv $@.tmp $@
$(B)/obj/config/config_yang.o: $(B)/gen/config_yang.c \
		$(SRC)/config/config_yang.h
	@mkdir -p $(@D)
	@echo "  CC [$(FLAVOR)] config_yang.c"
	@$(CC) $(ALL_CFLAGS) -I$(SRC)/config -c $< -o $@
$(B)/libconfig.a: $(B)/obj/config/config_yang.o
