; SPDX-License-Identifier: MIT
;
; Sable guest library: the AP trampoline (smp.c copies it to SMP_TRAMPOLINE_PA).
; A SIPI with vector V starts the AP in real mode at CS = V << 8, IP = 0 (Intel
; SDM Vol. 3A sec. 11.4.4.1). The code is position independent: it addresses
; its data through CS, loads the GDT whose descriptor smp.c patched in, turns
; on protected mode and jumps to the 32-bit code in the kernel image, which
; takes the stack of its APIC ID and calls ap_main (smp.c).

bits 16

KERNEL_CS	equ 0x08
KERNEL_DS	equ 0x10
APIC_ID_REG	equ 0xFEE00020		; xAPIC default base: enabled after RESET and INIT
AP_STACK_SIZE	equ 4096
MAX_CPUS	equ 16
CR0_PE		equ 1
CR0_CACHE_OFF	equ 0x60000000		; CD | NW

extern ap_main
extern smp_ap_entry
global ap_trampoline
global ap_trampoline_end
global ap_trampoline_gdtr

section .text
ap_trampoline:
	cli
	cld
	mov ebx, cr0			; kept for smp_ap_entry, with EDX and CS
	mov si, cs
	mov ax, cs
	mov ds, ax
	o32 lgdt [ap_trampoline_gdtr - ap_trampoline]
	mov eax, ebx
	and eax, ~CR0_CACHE_OFF		; caches on, as firmware leaves them
	or eax, CR0_PE
	mov cr0, eax
	jmp dword KERNEL_CS:ap_entry32

align 4
	dw 0
ap_trampoline_gdtr:			; limit and base of the BSP's GDT, set by smp.c
	dw 0
	dd 0
ap_trampoline_end:

bits 32
ap_entry32:
	mov ax, KERNEL_DS
	mov ds, ax
	mov es, ax
	mov fs, ax
	mov gs, ax
	mov ss, ax
	mov eax, [APIC_ID_REG]
	shr eax, 24
	cmp eax, MAX_CPUS
	jae .hang
	imul ecx, eax, 12		; struct smp_ap_entry
	mov [smp_ap_entry + ecx], edx
	mov [smp_ap_entry + ecx + 4], ebx
	movzx esi, si
	mov [smp_ap_entry + ecx + 8], esi
	lea esp, [eax + 1]
	imul esp, esp, AP_STACK_SIZE
	add esp, ap_stacks
	xor ebp, ebp
	push eax			; APIC ID
	call ap_main
.hang:
	cli
	hlt
	jmp .hang

section .bss
align 16
ap_stacks:
	resb AP_STACK_SIZE * MAX_CPUS
