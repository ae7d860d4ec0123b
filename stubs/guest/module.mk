# stubs/guest/ - the guest side of xensim (library `guest`, prefix xsg_).
# The scenario language and CLI (stubs/guest/scenario*, cli*) may append
# their own sources/programs below.
MODULES += guest
guest_SRCS := stubs/guest/guest.c stubs/guest/guest_io.c stubs/guest/raw.c
