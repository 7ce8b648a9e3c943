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

	; framebuffer tag, optional (flags bit 0): any mode the loader likes. GRUB
	; keeps the UEFI GOP mode; grub.cfg sets gfxpayload=text on BIOS, so the
	; VGA text mode stays and comes as an EGA text framebuffer tag.
	align 8
	dw 5, 1
	dd 20
	dd 0, 0, 0

	; end tag
	align 8
	dw 0, 0
	dd 8
mb2_header_end:
