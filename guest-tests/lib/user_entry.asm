; SPDX-License-Identifier: MIT
;
; Sable guest library: running a function at CPL 3 (see user.c and guest.h).
;
; user_run(fn, user_esp) saves the callee-saved registers and ESP, and IRETs
; to fn at CPL 3 on the given stack, with fn's return address set to a stub
; that executes INT USER_RETURN_VECTOR. That gate (DPL 3) lands in
; user_return_gate at CPL 0, which restores the saved ESP and returns from
; user_run. Exceptions at CPL 3 go through the TSS's ESP0 as usual.

bits 32

KERNEL_DS	equ 0x10
USER_CS		equ 0x18 | 3
USER_DS		equ 0x20 | 3
USER_RETURN_VECTOR equ 0x30

global user_run
global user_return_gate

section .text
user_run:
	push ebp
	push ebx
	push esi
	push edi
	mov [saved_esp], esp
	mov eax, [esp + 20]		; fn
	mov edx, [esp + 24]		; top of the user stack
	sub edx, 4
	mov dword [edx], user_return_stub
	push dword USER_DS		; SS
	push edx			; ESP
	pushfd				; EFLAGS
	push dword USER_CS		; CS
	push eax			; EIP
	mov cx, USER_DS
	mov ds, cx
	mov es, cx
	mov fs, cx
	mov gs, cx
	iretd

user_return_stub:			; CPL 3: fn returned
	int USER_RETURN_VECTOR

user_return_gate:			; CPL 0, on the TSS stack
	mov cx, KERNEL_DS
	mov ds, cx
	mov es, cx
	mov fs, cx
	mov gs, cx
	mov esp, [saved_esp]
	pop edi
	pop esi
	pop ebx
	pop ebp
	ret

section .bss
align 4
saved_esp:
	resd 1
