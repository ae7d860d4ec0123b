# tools/ - `make run`: the demo of the whole device model on xensim
# (tests/demo/demo.sh, described in README.md "Quick start"). Its outputs go
# to run/ (git-ignored). `make run DEMO_ARGS=--pause` waits between steps.
RUN_CMD = B=$(B) TOP=$(TOP) sh tests/demo/demo.sh $(DEMO_ARGS)
# The same demo, asserted step by step, in `make check`.
CHECK_SCRIPTS += tests/demo/check-demo.sh
# What a guest reads from Debian's QEMU 7.2 and from xendm, compared
# (docs/chipset.md "Compared with QEMU 7.2"); skips itself without QEMU.
CHECK_SCRIPTS += tests/scenarios/qemu-compare.sh

# make check-qemu-compare: the comparison alone, installing Debian's
# qemu-system-xen first when root (as check-qemu does).
check-qemu-compare: tests
	$(Q)if [ ! -x /usr/libexec/xen-qemu-system-i386 ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends qemu-system-xen; \
	  else echo "check-qemu-compare: not root; cannot install qemu-system-xen (skipping)"; fi; fi
	$(Q)B=$(B) TOP=$(TOP) VALGRIND= sh tests/run-tests.sh -- tests/scenarios/qemu-compare.sh
.PHONY: check-qemu-compare
