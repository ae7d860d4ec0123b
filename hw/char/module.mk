# hw/char/ - the 16550 UART (core + ISA glue).
MODULES += hw_char
hw_char_SRCS := hw/char/serial.c hw/char/serial-isa.c

UNIT_TESTS += test_serial
test_serial_SRCS := tests/unit/hw/test_serial.c
test_serial_MODULES := hw_char hw memory util
