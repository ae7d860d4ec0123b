# tools/ - small programs around the libraries.
# The interim `make run`: a xenfv-shaped region tree and its mtree.
PROGS += xendm-mtree-demo
xendm-mtree-demo_SRCS := tools/mtree-demo.c
xendm-mtree-demo_MODULES := memory util
RUN_CMD := $(B)/xendm-mtree-demo
