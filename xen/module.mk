# xen/ - the device-model process: command line, chardevs, QMP, main().
# (The ioreq server, dispatch, ranges and xenstore join this module later.)
MODULES += xen
# Front of the process: option parsing, character backends, QMP.
xen_front_SRCS := xen/keyval.c xen/cmdline.c xen/cmdline-opts.c xen/cmdline-config.c \
	xen/chardev.c xen/chardev-spec.c xen/qmp.c xen/qmp-cmds.c xen/xendm.c
# The ioreq path: decoding and dispatch, the server, range registration.
xen_ioreq_SRCS := xen/ioreq.c xen/ioreq-server.c xen/ioreq-thread.c xen/ranges.c
# The human monitor and its xenstore keys.
xen_monitor_SRCS := xen/monitor.c xen/xs-monitor.c
# The Xen HVM machine: handles, RAM over the mapcache, chipset, platform.
xen_hvm_SRCS := xen/hvm.c xen/hvm-platform.c xen/hvm-monitor.c xen/xendm-machine.c xen/xendm-devices.c
xen_SRCS := $(xen_front_SRCS) $(xen_ioreq_SRCS) $(xen_monitor_SRCS) $(xen_hvm_SRCS)

PROGS += xendm
xendm_SRCS := xen/main.c
xendm_MODULES := xen hw hw_char hw_display hw_ide mapcache memory util
INSTALL_PROGS += xendm
INSTALL_MANS += docs/xendm.1

UNIT_TESTS += test_xen_cmdline test_xen_chardev test_xen_qmp test_xen_xendm
test_xen_cmdline_SRCS := tests/unit/xen/test_cmdline.c
test_xen_cmdline_MODULES := xen util
test_xen_chardev_SRCS := tests/unit/xen/test_chardev.c
test_xen_chardev_MODULES := xen util
test_xen_qmp_SRCS := tests/unit/xen/test_qmp.c
test_xen_qmp_MODULES := xen util
test_xen_xendm_SRCS := tests/unit/xen/test_xendm.c
test_xen_xendm_MODULES := xen hw hw_char hw_display hw_ide mapcache memory util

UNIT_TESTS += test_xen_ioreq test_xen_ioreq_thread test_xen_ranges test_xen_xs_monitor
test_xen_ioreq_SRCS := tests/unit/xen/test_ioreq.c
test_xen_ioreq_MODULES := xen memory util
test_xen_ioreq_thread_SRCS := tests/unit/xen/test_ioreq_thread.c
test_xen_ioreq_thread_MODULES := xen util
test_xen_ranges_SRCS := tests/unit/xen/test_ranges.c
test_xen_ranges_MODULES := xen memory util
test_xen_xs_monitor_SRCS := tests/unit/xen/test_xs_monitor.c
test_xen_xs_monitor_MODULES := xen xenstored util

CHECK_SCRIPTS += tests/scenarios/xendm-cli.sh
