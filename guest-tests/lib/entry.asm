; SPDX-License-Identifier: MIT
;
; Sable guest library: multiboot v1 header and 32-bit entry point.
;
; The boot loader (QEMU -kernel, GRUB, or Sable) enters _start in 32-bit
; protected mode, paging off, EAX = 0x2BADB002, EBX = physical address of the
; multiboot info. We load our own flat GDT, zero .bss, switch to our stack,
; install an IDT for vectors 0-31 that funnels into trap_dispatch() (trap.c),
; program COM1, and call guest_main(magic, mbi). Its return value becomes the
; exit status through exit_qemu().

bits 32

MB_MAGIC	equ 0x1BADB002
MB_FLAGS	equ 0x00000003		; bit 0: page-align modules, bit 1: memory info
MB_CHECKSUM	equ -(MB_MAGIC + MB_FLAGS)

KERNEL_CS	equ 0x08
KERNEL_DS	equ 0x10
NR_VECTORS	equ 32
STACK_SIZE	equ 16384

extern guest_main
extern serial_init
extern exit_qemu
extern trap_dispatch
extern __bss_start
extern __bss_end

; Placed first in the image by guest.ld, so it lies in the first 8 KiB.
section .multiboot progbits alloc noexec nowrite align=4
	dd MB_MAGIC
	dd MB_FLAGS
	dd MB_CHECKSUM & 0xFFFFFFFF

section .text
global _start
_start:
	cli
	cld
	mov esi, eax			; esi = magic, ebx = mbi for the whole entry path

	lgdt [gdt_desc]
	jmp KERNEL_CS:.reload_cs
.reload_cs:
	mov ax, KERNEL_DS
	mov ds, ax
	mov es, ax
	mov fs, ax
	mov gs, ax
	mov ss, ax

	; Zero .bss, which also holds the stack and the IDT.
	mov edi, __bss_start
	mov ecx, __bss_end
	sub ecx, edi
	xor eax, eax
	rep stosb

	mov esp, stack_top
	xor ebp, ebp
	push dword 0			; clean EFLAGS: IF, DF, AC, NT all clear
	popfd

	; 32-bit interrupt gates (type 0xE, DPL 0, present) for vectors 0-31.
	xor ecx, ecx
.fill_idt:
	mov eax, [isr_table + ecx * 4]
	mov [idt + ecx * 8], ax
	mov word [idt + ecx * 8 + 2], KERNEL_CS
	mov word [idt + ecx * 8 + 4], 0x8E00
	shr eax, 16
	mov [idt + ecx * 8 + 6], ax
	inc ecx
	cmp ecx, NR_VECTORS
	jb .fill_idt
	lidt [idt_desc]

	call serial_init

	push ebx			; mbi
	push esi			; magic
	call guest_main
	add esp, 8

	push eax			; exit status (low byte)
	call exit_qemu
.hang:
	cli
	hlt
	jmp .hang

; Exception stubs: each pushes a dummy error code if the CPU does not push
; one, then the vector number, and joins isr_common.
%assign i 0
%rep NR_VECTORS
isr_stub_%+i:
%if i == 8 || i == 10 || i == 11 || i == 12 || i == 13 || i == 14 || i == 17 || i == 21 || i == 29 || i == 30
	push dword i
%else
	push dword 0
	push dword i
%endif
	jmp isr_common
%assign i i + 1
%endrep

; Stack on entry to trap_dispatch (struct trap_frame, trap.c):
; edi esi ebp esp ebx edx ecx eax, vector, error, eip cs eflags.
isr_common:
	pushad
	cld
	push esp			; struct trap_frame *
	call trap_dispatch
	add esp, 4
	popad
	add esp, 8			; vector, error code
	iretd

section .rodata
align 4
isr_table:
%assign i 0
%rep NR_VECTORS
	dd isr_stub_%+i
%assign i i + 1
%endrep

section .data
align 8
global gdt
gdt:
	dq 0				; null
	dq 0x00CF9B000000FFFF		; 0x08: code, base 0, 4 GiB, 32-bit, accessed
	dq 0x00CF93000000FFFF		; 0x10: data, base 0, 4 GiB, writable, accessed
	dq 0x00CFFB000000FFFF		; 0x18: user code (DPL 3), flat
	dq 0x00CFF3000000FFFF		; 0x20: user data (DPL 3), flat
	dq 0				; 0x28: TSS, filled in by user_init() (user.c)
	dq 0x00CF9F000000FFFF		; 0x30: conforming code (DPL 0), flat
gdt_end:

align 4
	dw 0
gdt_desc:
	dw gdt_end - gdt - 1
	dd gdt

align 4
	dw 0
idt_desc:
	dw NR_VECTORS * 8 - 1
	dd idt

section .bss
align 16
global idt
idt:
	resq 256			; only the first NR_VECTORS are in the limit at first
align 16
stack:
	resb STACK_SIZE
stack_top:
