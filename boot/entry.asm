; Bootstrap processor entry from GRUB: 32-bit protected mode, paging off,
; EAX = multiboot2 magic, EBX = boot information. Builds identity page tables
; for the low 4 GiB, enters long mode and calls hv_main(magic, mbi).

%include "boot.inc"

extern hv_main
extern __bss_start
extern __bss_end
global _start
global boot_pml4
global boot_gdt_ptr
global boot_tsc

section .boot.text
[bits 32]
_start:
	cli
	cld
	mov ebp, eax
	rdtsc                           ; boot time reference (drivers/tsc.h)
	mov [boot_tsc], eax
	mov [boot_tsc + 4], edx
	mov eax, ebp
	mov edi, eax                    ; keep magic and mbi out of the way of rep stosd
	mov esi, ebx

	; zero .bss (page tables and the boot stack live there)
	mov edx, edi
	mov edi, __bss_start
	mov ecx, __bss_end
	sub ecx, edi
	shr ecx, 2
	xor eax, eax
	rep stosd
	mov edi, edx

	mov esp, boot_stack_top

	; long mode and NX are required
	mov eax, 0x80000000
	cpuid
	cmp eax, 0x80000001
	jb .no_long_mode
	mov eax, 0x80000001
	cpuid
	test edx, 1 << 29
	jz .no_long_mode
	test edx, 1 << 20
	jz .no_long_mode

	; PML4[0] -> PDPT; PDPT[0..3] -> four page directories of 2 MiB pages
	mov eax, boot_pdpt
	or eax, PTE_P | PTE_W
	mov [boot_pml4], eax
	mov ecx, 0
.fill_pdpt:
	mov eax, ecx
	shl eax, 12
	add eax, boot_pd
	or eax, PTE_P | PTE_W
	mov [boot_pdpt + ecx * 8], eax
	inc ecx
	cmp ecx, 4
	jne .fill_pdpt
	mov ecx, 0
.fill_pd:
	mov eax, ecx
	shl eax, 21
	or eax, PTE_P | PTE_W | PTE_PS
	mov [boot_pd + ecx * 8], eax
	mov eax, ecx
	shr eax, 11                     ; high half of (ecx << 21)
	mov [boot_pd + ecx * 8 + 4], eax
	inc ecx
	cmp ecx, 2048
	jne .fill_pd

	mov eax, cr4
	or eax, CR4_PAE
	mov cr4, eax
	mov eax, boot_pml4
	mov cr3, eax
	mov ecx, MSR_EFER
	rdmsr
	or eax, EFER_LME | EFER_NXE
	wrmsr
	mov eax, cr0
	or eax, CR0_PG | CR0_PE | CR0_WP
	mov cr0, eax

	lgdt [boot_gdt_ptr]
	jmp GDT_CODE64:.long_mode

.no_long_mode:
	mov esi, msg_no_long_mode
.print:
	lodsb
	test al, al
	jz .halt32
	mov ah, al
	mov dx, 0x3FD                   ; COM1 line status
.wait_thr:
	in al, dx
	test al, 0x20
	jz .wait_thr
	mov dx, 0x3F8
	mov al, ah
	out dx, al
	jmp .print
.halt32:
	cli
	hlt
	jmp .halt32

[bits 64]
.long_mode:
	mov ax, GDT_DATA
	mov ds, ax
	mov es, ax
	mov ss, ax
	xor eax, eax
	mov fs, ax
	mov gs, ax
	mov rsp, boot_stack_top
	mov edi, edi                    ; magic (zero-extend)
	mov esi, esi                    ; mbi
	xor ebp, ebp
	call hv_main
.halt64:
	cli
	hlt
	jmp .halt64

section .rodata
msg_no_long_mode:
	db "sable: this CPU has no 64-bit long mode or NX; cannot run", 13, 10, 0

align 16
boot_gdt:
	dq 0
	dq 0x00AF9A000000FFFF           ; 0x08: 64-bit code
	dq 0x00CF92000000FFFF           ; 0x10: data
boot_gdt_end:
boot_gdt_ptr:
	dw boot_gdt_end - boot_gdt - 1
	dq boot_gdt

section .data
align 8
boot_tsc: dq 0

section .bss
align 4096
boot_pml4:  resb 4096
boot_pdpt:  resb 4096
boot_pd:    resb 4 * 4096
align 16
boot_stack: resb BOOT_STACK_SIZE
boot_stack_top:
