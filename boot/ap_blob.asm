; The assembled AP trampoline, copied to low memory by hv/smp.c.
section .rodata
global ap_trampoline_start
global ap_trampoline_end
align 16
ap_trampoline_start:
	incbin "ap_trampoline.bin"
ap_trampoline_end:
