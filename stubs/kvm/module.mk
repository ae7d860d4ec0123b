# stubs/kvm/ - xensim's KVM vCPU backend: real x86 guests on /dev/kvm whose
# exits become ioreqs (see docs/xensim.md, "Real guests on KVM").
include stubs/kvm/acpi.mk

MODULES += xkvm
xkvm_SRCS := stubs/kvm/vm.c stubs/kvm/vcpu.c stubs/kvm/platform.c \
	stubs/kvm/firmware.c stubs/kvm/boot.c stubs/kvm/acpi.c

PROGS += xensim-kvm
xensim-kvm_SRCS := stubs/kvm/main.c
xensim-kvm_MODULES := xkvm guest xsimstate util
