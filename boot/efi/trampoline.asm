; sable.efi's last step: from the firmware's 64-bit mode to the machine state a
; multiboot2 i386 entry expects (Multiboot2 Specification 1.0 sec. 3.3: 32-bit
; protected mode, flat segments, paging off, EAX = magic, EBX = boot info).
; Leaving IA-32e mode follows SDM Vol. 3A sec. 10.8.5.4: compatibility mode,
; clear CR0.PG, clear IA32_EFER.LME. It is copied to a page below 4 GiB, which
; the firmware maps one to one, and called as
;   void trampoline(uint32_t entry [edi], uint32_t mbi [esi])
; so every reference in it is relative to where it runs.

MB2_BOOTLOADER_MAGIC equ 0x36d76289
MSR_EFER     equ 0xC0000080
EFER_LME     equ 1 << 8
CR0_PG       equ 1 << 31
CR4_PCIDE    equ 1 << 17   ; CR0.PG cannot be cleared while it is set
CR4_CET      equ 1 << 23
SEL_CODE32   equ 0x08
SEL_DATA32   equ 0x10

section .text
global efi_trampoline_start
global efi_trampoline_end

[bits 64]
efi_trampoline_start:
	cli
	lea rax, [rel gdt]
	mov [rel gdtr + 2], rax
	lgdt [rel gdtr]
	mov rax, cr4
	and rax, ~(CR4_PCIDE | CR4_CET)
	mov cr4, rax
	mov ebx, esi                    ; boot information
	mov esi, edi                    ; entry
	lea rax, [rel .compat]
	push SEL_CODE32
	push rax
	o64 retf

[bits 32]
.compat:
	mov ax, SEL_DATA32
	mov ds, ax
	mov es, ax
	mov fs, ax
	mov gs, ax
	mov ss, ax
	mov eax, cr0
	and eax, ~CR0_PG
	mov cr0, eax
	mov ecx, MSR_EFER
	rdmsr
	and eax, ~EFER_LME
	wrmsr
	mov eax, MB2_BOOTLOADER_MAGIC
	jmp esi

align 8
gdt:
	dq 0
	dq 0x00cf9a000000ffff           ; 32-bit code, base 0, limit 4 GiB
	dq 0x00cf92000000ffff           ; 32-bit data, base 0, limit 4 GiB
gdtr:
	dw gdtr - gdt - 1
	dq 0
efi_trampoline_end:
