# hw/ (top level) - the PCI core, the xenfv chipset functions and the
# machine. Sub-folders (hw/char, hw/display, hw/ide) have their own
# fragments and modules.
MODULES += hw
hw_SRCS := hw/irq.c hw/platform.c hw/pci.c hw/pci_host.c hw/i440fx.c \
	hw/piix3.c hw/piix4_pm.c hw/xen_platform.c hw/xenfv.c

# Suites (tests/unit/hw/test_pci*, test_xenfv*); each links the helpers.
hw_test_helpers := tests/unit/hw/hw_test_helpers.c
hw_suites := $(patsubst tests/unit/hw/%.c,%,$(wildcard \
	tests/unit/hw/test_pci*.c tests/unit/hw/test_i440fx*.c \
	tests/unit/hw/test_piix*.c tests/unit/hw/test_platform*.c \
	tests/unit/hw/test_xenfv*.c))
UNIT_TESTS += $(hw_suites)
$(foreach t,$(hw_suites),$(eval $(t)_SRCS := tests/unit/hw/$(t).c $(hw_test_helpers)))
$(foreach t,$(hw_suites),$(eval $(t)_MODULES := hw hw_char hw_display hw_ide memory util))
