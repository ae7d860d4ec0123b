# stubs/kvm/acpi.mk - the ACPI tables of the KVM bed (stubs/kvm/acpi.c) and
# their unit suite.
UNIT_TESTS += test_kvm_acpi
test_kvm_acpi_SRCS := tests/unit/kvm/test_kvm_acpi.c stubs/kvm/acpi.c
test_kvm_acpi_MODULES := util
