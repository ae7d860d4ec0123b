# xendm - one non-recursive Makefile.
#
# Each folder contributes a fragment, <folder>/module.mk, included below.
# A fragment appends to these lists (paths relative to the top):
#   MODULES                a subsystem name M with M_SRCS, archived into
#                          $(B)/libM.a (link order: MODULE_ORDER below;
#                          modules it does not name link first)
#   PROGS                  program names; NAME_SRCS, optional NAME_LIBS and
#                          NAME_MODULES (default: every module), built as
#                          $(B)/NAME
#   UNIT_TESTS             check suites, same variables, built as
#                          $(B)/tests/NAME and run by `make check`
#   BENCHES                benchmarks, same variables, built as
#                          $(B)/bench/NAME and run by `make bench`
#   BENCH_SCRIPTS          scripts `make bench` runs after them (B, TOP)
#   CHECK_SCRIPTS          scripts run by `make check` after the suites
#                          (environment: B, TOP, VALGRIND)
#   EXTRA_TARGETS          more files `make all` builds (rules in fragment)
#   INSTALL_PROGS          programs `make install` puts in $(PREFIX)/bin
#   INSTALL_MANS           man pages (section 1) for $(PREFIX)/share/man/man1
# and may set RUN_CMD (what `make run` runs) and add its own rules.

.DEFAULT_GOAL := all
.DELETE_ON_ERROR:
.SUFFIXES:

TOP := $(CURDIR)
NOCONFIG_GOALS := clean distclean help
ifneq ($(filter-out $(NOCONFIG_GOALS),$(or $(MAKECMDGOALS),all)),)
include config.mak
else
-include config.mak
endif

config.mak: configure VERSION
	@if [ -f config.mak ]; then args=$$(sed -n 's/^CONFIGURE_ARGS := //p' config.mak); \
	 else args=--install-deps; fi; \
	 echo "  CONFIGURE $$args"; ./configure $$args
	@touch config.mak

SANITIZE ?= $(CONFIG_SANITIZE)
ifeq ($(SANITIZE),0)
SANITIZE :=
endif
WERROR ?= 1
V ?= 0
BUILD ?= build
B := $(BUILD)$(if $(SANITIZE),-san)

ifeq ($(V),1)
Q :=
qecho := @true
else
Q := @
qecho := @printf '  %-9s %s\n'
endif

WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wformat=2 -Wno-unused-parameter -Wno-missing-field-initializers \
	-Wpointer-arith -Wvla -Wundef
OPT ?= -O2
BASE_CFLAGS := -std=gnu11 $(OPT) -g -D_GNU_SOURCE -fno-strict-aliasing \
	-pthread -I. -include config.h $(WARN) $(if $(filter 1,$(WERROR)),-Werror)
SAN_ON := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
SAN_FLAGS := $(if $(SANITIZE),$(SAN_ON))
DEP_CFLAGS := $(XEN_CFLAGS) $(GLIB_CFLAGS) $(JSON_CFLAGS) $(PNG_CFLAGS) $(CHECK_CFLAGS)
ALL_CFLAGS = $(BASE_CFLAGS) $(SAN_FLAGS) $(DEP_CFLAGS) $(CFLAGS)
ALL_LDFLAGS = -pthread $(SAN_FLAGS) $(LDFLAGS)
XENDM_LIBS = $(XEN_LIBS) $(JSON_LIBS) $(PNG_LIBS) $(GLIB_LIBS) -lpthread -lm

MODULES :=
# Static archives link users before what they use; modules not named here
# (e.g. the simulator's) link first.
MODULE_ORDER := hw xen mapcache memory util
PROGS :=
UNIT_TESTS :=
BENCHES :=
BENCH_SCRIPTS :=
CHECK_SCRIPTS :=
EXTRA_TARGETS :=
INSTALL_PROGS :=
INSTALL_MANS :=
RUN_CMD :=

include $(sort $(wildcard */module.mk */*/module.mk))

obj = $(patsubst %.c,$(B)/%.o,$(1))
modlib = $(B)/lib$(1).a
# mods_of(NAME): the archives NAME links, in link order.
mods_of = $(foreach m,$(filter-out $(MODULE_ORDER),$(MODULES)) $(MODULE_ORDER),$(if $(filter $(m),$(or $($(1)_MODULES),$(MODULES))),$(call modlib,$(m))))

$(B)/%.o: %.c config.mak
	$(qecho) CC $<
	@mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

define module_rule
$(call modlib,$(1)): $$(call obj,$$($(1)_SRCS))
	$$(qecho) AR $$@
	@mkdir -p $$(@D)
	$$(Q)rm -f $$@ && ar rcs $$@ $$^
endef
$(foreach m,$(MODULES),$(eval $(call module_rule,$(m))))

# link_rule(output, name, extra libs)
define link_rule
$(1): $$(call obj,$$($(2)_SRCS)) $$(call mods_of,$(2))
	$$(qecho) LD $$@
	@mkdir -p $$(@D)
	$$(Q)$$(CC) $$(ALL_LDFLAGS) -o $$@ $$(call obj,$$($(2)_SRCS)) -Wl,--start-group $$(call mods_of,$(2)) -Wl,--end-group $$($(2)_LIBS) $(3) $$(XENDM_LIBS)
endef
$(foreach p,$(PROGS),$(eval $(call link_rule,$(B)/$(p),$(p),)))
$(foreach t,$(UNIT_TESTS),$(eval $(call link_rule,$(B)/tests/$(t),$(t),$$(CHECK_LIBS))))
$(foreach t,$(BENCHES),$(eval $(call link_rule,$(B)/bench/$(t),$(t),)))

PROG_BINS := $(addprefix $(B)/,$(PROGS))
TEST_BINS := $(addprefix $(B)/tests/,$(UNIT_TESTS))
BENCH_BINS := $(addprefix $(B)/bench/,$(BENCHES))

all: $(PROG_BINS) $(EXTRA_TARGETS)

tests: all $(TEST_BINS)

VALGRIND_CMD := valgrind -q --error-exitcode=99 --leak-check=full \
	--errors-for-leak-kinds=definite --show-leak-kinds=definite \
	--suppressions=$(TOP)/tests/valgrind.supp

check: tests
	$(Q)B=$(B) TOP=$(TOP) VALGRIND= sh tests/run-tests.sh $(TEST_BINS) -- $(CHECK_SCRIPTS)

check-valgrind: tests
	$(Q)B=$(B) TOP=$(TOP) VALGRIND="$(VALGRIND_CMD)" CK_FORK=no \
	  sh tests/run-tests.sh $(TEST_BINS) -- $(CHECK_SCRIPTS)

bench: all $(BENCH_BINS)
	$(Q)set -e; for b in $(BENCH_BINS); do echo "== $$b"; $$b; done; \
	 for s in $(BENCH_SCRIPTS); do echo "== $$s"; B=$(B) TOP=$(TOP) sh $$s; done

run: all
	$(Q)$(if $(RUN_CMD),$(RUN_CMD),echo "make run: nothing to run yet" >&2; exit 1)

DESTDIR ?=
install: all
	$(Q)set -e; \
	 if [ -n "$(INSTALL_PROGS)" ]; then install -d "$(DESTDIR)$(PREFIX)/bin"; \
	   for p in $(INSTALL_PROGS); do install -m 0755 $(B)/$$p "$(DESTDIR)$(PREFIX)/bin/$$p"; done; fi; \
	 if [ -n "$(INSTALL_MANS)" ]; then install -d "$(DESTDIR)$(PREFIX)/share/man/man1"; \
	   for m in $(INSTALL_MANS); do install -m 0644 $$m "$(DESTDIR)$(PREFIX)/share/man/man1/"; done; fi

uninstall:
	$(Q)for p in $(INSTALL_PROGS); do rm -f "$(DESTDIR)$(PREFIX)/bin/$$p"; done; \
	 for m in $(INSTALL_MANS); do rm -f "$(DESTDIR)$(PREFIX)/share/man/man1/$$(basename $$m)"; done

clean:
	rm -rf build build-san $(BUILD) $(BUILD)-san

distclean: clean
	rm -f config.mak config.h

help:
	@echo "Targets: all check check-valgrind check-qemu bench fuzz run install uninstall clean distclean"
	@echo "Variables: SANITIZE=1 WERROR=0 V=1 PREFIX=... DESTDIR=..."

.PHONY: all tests check check-valgrind bench run install uninstall clean distclean help

-include $(shell find $(B) -name '*.d' 2>/dev/null)
