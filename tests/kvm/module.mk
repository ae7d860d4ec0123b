# tests/kvm/ - real-guest tests on xensim's KVM backend (stubs/kvm/).
# The micro-guest: freestanding 32-bit code run by `xensim-kvm --flat`.
MG_CFLAGS := -m32 -march=i686 -ffreestanding -fno-pic -fno-stack-protector \
	-fno-asynchronous-unwind-tables -mno-sse -mno-mmx -O2 -Wall -Wextra -Werror -nostdlib
$(B)/tests/kvm/microguest.elf: tests/kvm/mg-start.S tests/kvm/microguest.c tests/kvm/module.mk
	$(qecho) CC $@
	@mkdir -p $(@D)
	$(Q)$(CC) $(MG_CFLAGS) -Wl,-m,elf_i386 -Wl,-Ttext=0x100000 -Wl,-e,_start \
	  -Wl,--build-id=none -static -o $@ tests/kvm/mg-start.S tests/kvm/microguest.c
$(B)/tests/kvm/microguest.bin: $(B)/tests/kvm/microguest.elf
	$(qecho) OBJCOPY $@
	$(Q)objcopy -O binary $< $@
EXTRA_TARGETS += $(B)/tests/kvm/microguest.bin

CHECK_SCRIPTS += tests/scenarios/kvm-microguest.sh
tests: $(B)/xensim-kvm $(B)/tests/kvm/microguest.bin
BENCH_SCRIPTS += tests/bench/kvm-pio.sh
bench: $(B)/xensim-kvm $(B)/tests/kvm/microguest.bin
