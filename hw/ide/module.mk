# hw/ide/ - PIIX3 IDE (00:01.1) with ATA disks and bus-master DMA.
MODULES += hw_ide
hw_ide_SRCS := hw/ide/drive.c hw/ide/drive_opts.c hw/ide/ata.c hw/ide/ata_cmd.c \
	hw/ide/bmdma.c hw/ide/piix3_ide.c

UNIT_TESTS += test_ide
test_ide_SRCS := tests/unit/hw/test_ide.c tests/unit/hw/ide_test_helpers.c
test_ide_MODULES := hw_ide hw memory util

UNIT_TESTS += test_ide_dma
test_ide_dma_SRCS := tests/unit/hw/test_ide_dma.c tests/unit/hw/ide_test_helpers.c
test_ide_dma_MODULES := hw_ide hw memory util

BENCHES += bench_ide_dma
bench_ide_dma_SRCS := tests/bench/bench_ide_dma.c tests/unit/mapcache/fakefm.c
bench_ide_dma_MODULES := hw_ide hw mapcache memory util
