/*
 * start.S - entry and interrupt stubs of the test guest.
 *
 * The VMM enters _start in 64-bit mode with its own GDT (CS 0x10), its
 * identity map of the low 4 GiB, interrupts off and %rsi = boot_params.
 * The first instruction is a port write (POST port 0x80), so the VMM's
 * first exit marks the first guest instruction for the benchmark.
 */
	.section .text.start, "ax"
	.globl _start
	.code64
_start:
	outb	%al, $0x80
	cli
	leaq	guest_stack_top(%rip), %rsp
	movq	%rsi, %rdi
	call	guest_main
1:	hlt
	jmp	1b

/* Exception stubs: vector in %edi, the two words on the stack (error code
 * or rip) in %rsi/%rdx for the report.  They do not return. */
	.macro EXC vec
	.globl guest_exc_\vec
guest_exc_\vec:
	movl	$\vec, %edi
	movq	(%rsp), %rsi
	movq	8(%rsp), %rdx
	andq	$-16, %rsp
	call	guest_exception
2:	hlt
	jmp	2b
	.endm

	.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	EXC \v
	.endr

/* Interrupt stubs: save the caller-saved registers, call
 * guest_interrupt(vector), restore, iretq.  The CPU leaves %rsp 8 mod 16
 * after its 5-word frame; 9 pushes make it 16-aligned for the call. */
	.macro IRQ vec
	.globl guest_irq_\vec
guest_irq_\vec:
	pushq	%rax
	pushq	%rcx
	pushq	%rdx
	pushq	%rsi
	pushq	%rdi
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	movl	$\vec, %edi
	call	guest_interrupt
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rdi
	popq	%rsi
	popq	%rdx
	popq	%rcx
	popq	%rax
	iretq
	.endm

	IRQ 0x40
	IRQ 0x41
	IRQ 0x42
	IRQ 0x43
	IRQ 0xff

	.section .bss
	.balign 16
guest_stack:
	.skip 16384
guest_stack_top:

	.section .note.GNU-stack, "", @progbits
