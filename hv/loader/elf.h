/* ELF executable loader for guest kernels: validation, load plan, copy (pure).
 * Spec: System V ABI (gABI) ELF object file format; Multiboot 0.6.96 sec. 3.1. */
#ifndef SABLE_HV_ELF_H
#define SABLE_HV_ELF_H

#include "types.h"

#define ELF_MAX_SEGMENTS 16

/* e_ident and header constants used by the loader. */
#define ELF_EI_NIDENT   16
#define ELF_EI_CLASS    4
#define ELF_EI_DATA     5
#define ELF_EI_VERSION  6
#define ELF_CLASS32     1
#define ELF_CLASS64     2
#define ELF_DATA2LSB    1
#define ELF_EV_CURRENT  1
#define ELF_ET_EXEC     2
#define ELF_EM_386      3
#define ELF_EM_X86_64   62
#define ELF_PT_LOAD     1
#define ELF_PF_X        1
#define ELF32_EHDR_SIZE 52
#define ELF64_EHDR_SIZE 64
#define ELF32_PHDR_SIZE 32
#define ELF64_PHDR_SIZE 56

/* One PT_LOAD segment: file bytes [offset, offset + filesz) go to guest-physical
 * [paddr, paddr + filesz), the rest up to memsz is zeroed. */
struct elf_segment {
	uint64_t paddr, memsz, filesz, offset;
	bool exec;
};

struct elf_plan {
	bool is64;      /* ELFCLASS64 (EM_X86_64) vs ELFCLASS32 (EM_386) */
	uint64_t entry; /* guest-physical entry point */
	struct elf_segment seg[ELF_MAX_SEGMENTS];
	size_t nseg;       /* PT_LOAD with memsz > 0 only, sorted by paddr */
	uint64_t load_end; /* highest paddr + memsz */
};

/*
 * Validates an ELF executable image[0..len) for loading into guest RAM
 * [0, mem_size) and fills *plan. Segments are placed at p_paddr. An e_entry
 * outside every segment's physical range but inside one's virtual range is
 * translated to the physical address. Returns 0 or -EINVAL with a one-line
 * reason in err (errlen bytes, always NUL-terminated when errlen > 0).
 * Never reads outside image[0..len).
 */
int elf_plan_load(const void *image, size_t len, uint64_t mem_size, struct elf_plan *plan,
                  char *err, size_t errlen);

/* Copies each segment's file bytes to guest RAM (ram = host pointer to
 * guest-physical 0) and zeroes memsz - filesz (bss). Requires a plan from
 * elf_plan_load for the same image. */
void elf_copy_segments(const struct elf_plan *plan, const void *image, uint8_t *ram);

#endif
