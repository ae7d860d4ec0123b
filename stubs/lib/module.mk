# stubs/lib/ - xensim's drop-in Xen client libraries (shared objects with
# the real SONAMEs and version nodes), selected with
# LD_LIBRARY_PATH=$(B)/stubs/lib. Compiled as PIC without sanitizers so
# unmodified binaries (QEMU) and valgrind can load them; the shared state
# code (stubs/xensim/simstate.c) is linked into each one privately.
XSIM_LIB_DIR := $(B)/stubs/lib
XSIM_PIC_CFLAGS = $(BASE_CFLAGS) $(DEP_CFLAGS) $(CFLAGS) -fPIC -D__XEN_TOOLS__=1
XSIM_PIC_COMMON := stubs/xensim/simstate.c stubs/lib/simlib.c
xsim_pic = $(patsubst %.c,$(B)/pic/%.o,$(1))

$(B)/pic/%.o: %.c config.mak
	$(qecho) CC-PIC $<
	@mkdir -p $(@D)
	$(Q)$(CC) $(XSIM_PIC_CFLAGS) -MMD -MP -c $< -o $@

# xsim_so_rule(soname, sources, map, realname-link)
define xsim_so_rule
$(XSIM_LIB_DIR)/$(1): $$(call xsim_pic,$(2) $(XSIM_PIC_COMMON)) $(3)
	$$(qecho) LD-SO $$@
	@mkdir -p $$(@D)
	$$(Q)$$(CC) -shared -pthread -Wl,-soname,$(1) -Wl,--version-script=$(3) \
	  -Wl,--no-undefined -o $$@ $$(call xsim_pic,$(2) $(XSIM_PIC_COMMON)) \
	  -lxentoolcore
endef

XSIM_LIBS := libxenforeignmemory.so.1 libxenctrl.so.4.17 \
	libxendevicemodel.so.1 libxenevtchn.so.1 libxengnttab.so.1
$(eval $(call xsim_so_rule,libxenforeignmemory.so.1,stubs/lib/foreignmemory.c,stubs/lib/foreignmemory.map))
$(eval $(call xsim_so_rule,libxenctrl.so.4.17,stubs/lib/ctrl.c,stubs/lib/ctrl.map))
$(eval $(call xsim_so_rule,libxendevicemodel.so.1,stubs/lib/devicemodel.c stubs/lib/dm_ops.c,stubs/lib/devicemodel.map))
$(eval $(call xsim_so_rule,libxenevtchn.so.1,stubs/lib/evtchn.c,stubs/lib/evtchn.map))
$(eval $(call xsim_so_rule,libxengnttab.so.1,stubs/lib/gnttab.c,stubs/lib/gnttab.map))

XSIM_LIB_FILES := $(addprefix $(XSIM_LIB_DIR)/,$(XSIM_LIBS))
EXTRA_TARGETS += $(XSIM_LIB_FILES)
xensim-libs: $(XSIM_LIB_FILES)
.PHONY: xensim-libs
