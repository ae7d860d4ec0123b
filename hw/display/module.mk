# hw/display/ - the std VGA (core, dispi, rendering, PNG, PCI glue).
MODULES += hw_display
hw_display_SRCS := hw/display/vga-core.c hw/display/vga-vbe.c \
	hw/display/vga-render.c hw/display/vga-png.c hw/display/vga-pci.c

UNIT_TESTS += test_vga test_vga_legacy test_vga_pci
test_vga_SRCS := tests/unit/hw/test_vga.c tests/unit/hw/vga_test_util.c
test_vga_MODULES := hw_display hw memory util
test_vga_legacy_SRCS := tests/unit/hw/test_vga_legacy.c tests/unit/hw/vga_test_util.c
test_vga_legacy_MODULES := hw_display hw memory util
test_vga_pci_SRCS := tests/unit/hw/test_vga_pci.c tests/unit/hw/vga_test_util.c
test_vga_pci_MODULES := hw_display hw memory util
