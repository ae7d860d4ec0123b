/* SPDX-License-Identifier: GPL-2.0-or-later */
/* mg-start.S - entry of the micro-guest: flat 32-bit protected mode,
 * paging and interrupts off, EBX = command line (xensim-kvm --flat). */
    .code32
    .section .text.start, "ax"
    .globl _start
_start:
    cli
    movl $0x9e000, %esp
    pushl %ebx
    call mg_main
1:  hlt
    jmp 1b

/* mg_isr_stub: IRQ entry for the interrupt test (counts, EOIs the PIC).
 * It returns with `lret $4` (EIP, CS; EFLAGS dropped, so IF stays clear)
 * instead of `iret`: on a KVM that emulates every guest instruction, as
 * this machine kind's does, KVM's emulator has IRET for real mode only. */
    .globl mg_isr_stub
mg_isr_stub:
    pushal
    call mg_isr
    popal
    lret $4
    .section .note.GNU-stack,"",@progbits
