; Application processor start-up code, assembled as a flat binary and copied to
; AP_TRAMPOLINE (below 1 MiB) by hv/smp.c. The SIPI starts the AP here in real
; mode at CS:IP = (AP_TRAMPOLINE >> 4):0. It goes through 32-bit protected mode
; into long mode with the CR3 the BSP left in the parameter block, then jumps to
; the 64-bit entry with the stack and argument from the same block
; (SDM Vol. 3A sec. 9.4 and 9.8.5).

%include "boot.inc"

[bits 16]
org AP_TRAMPOLINE

ap_start:
	cli
	cld
	xor ax, ax
	mov ds, ax
	mov es, ax
	mov ss, ax
	lgdt [tramp_gdt_ptr]
	mov eax, cr0
	or eax, CR0_PE
	mov cr0, eax
	jmp dword 0x08:ap_pm32

[bits 32]
ap_pm32:
	mov ax, 0x10
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov eax, cr4
	or eax, CR4_PAE
	mov cr4, eax
	mov eax, [params + AP_P_CR3]
	mov cr3, eax
	mov ecx, MSR_EFER
	rdmsr
	or eax, EFER_LME | EFER_NXE
	wrmsr
	mov eax, cr0
	or eax, CR0_PG | CR0_WP
	mov cr0, eax
	jmp 0x18:ap_lm64

[bits 64]
ap_lm64:
	mov ax, 0x10
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov rsp, [params + AP_P_STACK]
	mov rdi, [params + AP_P_ARG]
	mov rax, [params + AP_P_ENTRY]
	xor ebp, ebp
	push rbp                        ; fake return address: keeps the ABI stack alignment
	jmp rax

align 16
tramp_gdt:
	dq 0
	dq 0x00CF9A000000FFFF           ; 0x08: 32-bit code
	dq 0x00CF92000000FFFF           ; 0x10: data
	dq 0x00AF9A000000FFFF           ; 0x18: 64-bit code
tramp_gdt_end:
tramp_gdt_ptr:
	dw tramp_gdt_end - tramp_gdt - 1
	dd tramp_gdt

; The parameter block hv/smp.c fills in, after the code in the same page: not
; part of the image (the copy ends here).
%if $ - $$ > AP_PARAMS_OFF
%error "the AP trampoline's code reaches its parameter block"
%endif
params equ AP_TRAMPOLINE + AP_PARAMS_OFF
