; SPDX-License-Identifier: MIT
;
; Sable guest library (fuzz_run.asm): runs one generated instruction with a recovery point.
;
; fuzz_run(regs) loads EAX..EDI and EFLAGS from *regs, enters the code slot
; (the instruction bytes followed by RET, written by fuzz_exec() in fuzz.c),
; stores the registers back and returns -1. If the instruction raises any of
; the 256 vectors (exception, INT n, interrupt), the handler records the
; vector, error code and EIP, puts ESP back where fuzz_run saved it and
; returns the vector instead. Whether the CPU pushed an error code is read
; from the frame size (12 or 16 bytes below the slot's stack pointer; 8 for
; a trap taken after the slot's RET, when a single-step #DB came late), so
; INT n for a vector that has an error code as an exception needs no special
; case. On both paths EFLAGS is reset (IF, DF, TF, AC clear), DR7 is reset to
; 0x400 and FS/GS are reloaded (a WRMSR of FS_BASE/GS_BASE changes their
; base in protected mode).

bits 32

KERNEL_CS	equ 0x08
KERNEL_DS	equ 0x10
NR_VECTORS	equ 256
STUB_SIZE	equ 10			; push dword imm32 (5) + jmp rel32 (5)
DR7_DEFAULT	equ 0x400

global fuzz_run
global fuzz_idt_install
global fuzz_slot
global fuzz_trap_vector
global fuzz_trap_error
global fuzz_trap_has_error
global fuzz_trap_eip
extern fuzz_unexpected

section .text

; void fuzz_idt_install(void): 32-bit interrupt gates (DPL 0) for all 256
; vectors into the stubs below, then LIDT.
fuzz_idt_install:
	xor ecx, ecx
	mov edx, fuzz_stubs
.fill:
	mov eax, edx
	mov [fuzz_idt + ecx * 8], ax
	mov word [fuzz_idt + ecx * 8 + 2], KERNEL_CS
	mov word [fuzz_idt + ecx * 8 + 4], 0x8E00
	shr eax, 16
	mov [fuzz_idt + ecx * 8 + 6], ax
	add edx, STUB_SIZE
	inc ecx
	cmp ecx, NR_VECTORS
	jb .fill
	lidt [fuzz_idt_desc]
	ret

; int fuzz_run(struct fuzz_regs *r): r = {eax, ebx, ecx, edx, esi, edi, eflags}
fuzz_run:
	push ebp
	push ebx
	push esi
	push edi
	mov ebp, [esp + 20]
	mov [fuzz_regs_ptr], ebp
	mov dword [fuzz_trap_vector], -1
	mov dword [fuzz_trap_error], 0
	mov dword [fuzz_trap_has_error], 0
	mov dword [fuzz_trap_eip], 0
	mov [fuzz_saved_esp], esp
	push dword fuzz_back		; where the slot's RET goes
	mov [fuzz_insn_esp], esp	; ESP while the slot runs
	; enter the slot by IRETD, so that EFLAGS.TF set in *r single-steps
	; the generated instruction itself (SDM Vol. 3B 18.3.1.4)
	push dword [ebp + 24]
	push dword KERNEL_CS
	push dword fuzz_slot
	mov eax, [ebp + 0]
	mov ebx, [ebp + 4]
	mov ecx, [ebp + 8]
	mov edx, [ebp + 12]
	mov esi, [ebp + 16]
	mov edi, [ebp + 20]
	mov byte [fuzz_active], 1
	iretd
fuzz_back:
	pushfd
	cli
	mov [fuzz_tmp], eax
	mov eax, [fuzz_regs_ptr]
	mov [eax + 4], ebx
	mov [eax + 8], ecx
	mov [eax + 12], edx
	mov [eax + 16], esi
	mov [eax + 20], edi
	pop dword [eax + 24]
	mov ebx, [fuzz_tmp]
	mov [eax + 0], ebx
fuzz_restore:
	mov esp, [fuzz_saved_esp]
	push dword 2
	popfd
	mov eax, DR7_DEFAULT
	mov dr7, eax
	mov ax, KERNEL_DS
	mov fs, ax
	mov gs, ax
	mov byte [fuzz_active], 0
	pop edi
	pop esi
	pop ebx
	pop ebp
	mov eax, [fuzz_trap_vector]
	ret

; Vector stubs, STUB_SIZE bytes each: push the vector, join the common path.
align 16
fuzz_stubs:
%assign i 0
%rep NR_VECTORS
	push strict dword i
	jmp strict near fuzz_trap_common
%assign i i + 1
%endrep

; [esp] = vector, then the CPU frame: [error code,] EIP, CS, EFLAGS.
fuzz_trap_common:
	cmp byte [fuzz_active], 0
	je .unexpected
	mov [fuzz_tmp], eax
	mov eax, [fuzz_insn_esp]
	sub eax, esp
	sub eax, 4			; bytes the CPU pushed
	cmp eax, 8			; a trap after the slot's RET (a late #DB)
	je .no_error
	cmp eax, 12
	je .no_error
	cmp eax, 16
	jne .unexpected_restore
	mov eax, [esp + 4]
	mov [fuzz_trap_error], eax
	mov dword [fuzz_trap_has_error], 1
	mov eax, [esp + 8]
	jmp .record
.no_error:
	mov eax, [esp + 4]
.record:
	mov [fuzz_trap_eip], eax
	mov eax, [esp]
	mov [fuzz_trap_vector], eax
	jmp fuzz_restore
.unexpected_restore:
	mov eax, [fuzz_tmp]
.unexpected:
	; not inside a generated instruction: report (vector, the next two
	; stack words) and stop, from C
	mov byte [fuzz_active], 0
	push dword [esp + 8]
	push dword [esp + 8]
	push dword [esp + 8]
	call fuzz_unexpected
.hang:
	cli
	hlt
	jmp .hang

section .data
align 16
; The code slot: the generated instruction, then RET (written by fuzz.c).
fuzz_slot:
	times 32 db 0xC3

align 4
	dw 0
fuzz_idt_desc:
	dw NR_VECTORS * 8 - 1
	dd fuzz_idt

section .bss
align 16
fuzz_idt:
	resq NR_VECTORS
align 4
fuzz_regs_ptr:		resd 1
fuzz_saved_esp:		resd 1
fuzz_insn_esp:		resd 1
fuzz_tmp:		resd 1
fuzz_trap_vector:	resd 1
fuzz_trap_error:	resd 1
fuzz_trap_has_error:	resd 1
fuzz_trap_eip:		resd 1
fuzz_active:		resb 1
