; Multiboot2 header (Multiboot2 Specification 1.0, sec. 3.1).
MB2_MAGIC      equ 0xE85250D6
MB2_ARCH_I386  equ 0

section .multiboot
align 8
mb2_header:
	dd MB2_MAGIC
	dd MB2_ARCH_I386
	dd mb2_header_end - mb2_header
	dd -(MB2_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))

	; module alignment tag: modules start on page boundaries
	align 8
	dw 6, 0
	dd 8

	; end tag
	align 8
	dw 0, 0
	dd 8
mb2_header_end:
