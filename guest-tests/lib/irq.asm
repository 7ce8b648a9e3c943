; SPDX-License-Identifier: MIT
;
; Sable guest library: stubs for the interrupt vectors 32-255 and the NMI (apic.c). Each
; pushes its vector; the common part reads the TSC first (interrupt latency
; measurements), saves the registers and calls irq_dispatch(vector).

bits 32

extern irq_dispatch
global irq_stub_table
global irq_nmi_stub
global irq_entry_tsc

FIRST_VECTOR	equ 32

section .text
%assign i FIRST_VECTOR
%rep 256 - FIRST_VECTOR
irq_stub_%+i:
	push dword i
	jmp irq_common
%assign i i + 1
%endrep

irq_nmi_stub:
	push dword 2
	jmp irq_common

irq_common:
	push eax
	push edx
	rdtsc
	mov [irq_entry_tsc], eax
	mov [irq_entry_tsc + 4], edx
	pop edx
	pop eax
	pushad
	cld
	push dword [esp + 32]		; vector
	call irq_dispatch
	add esp, 4
	popad
	add esp, 4			; vector
	iretd

section .rodata
align 4
irq_stub_table:
%assign i FIRST_VECTOR
%rep 256 - FIRST_VECTOR
	dd irq_stub_%+i
%assign i i + 1
%endrep

section .bss
align 8
irq_entry_tsc:
	resq 1
