; The screen console's font: a PSF file from Debian's console-setup-linux,
; unpacked at build time (see CONSOLE_FONT in the Makefile), read by drivers/screen.c.
section .rodata
global console_font_start
global console_font_end
align 16
console_font_start:
	incbin "console.psf"
console_font_end:
