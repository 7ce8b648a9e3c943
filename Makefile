# Sable: bare-metal x86-64 microhypervisor for Intel VT-x.
# `make` builds build/sable.elf, `make iso` the bootable image, `make run` boots
# it in Bochs, `make test` runs every test. See README.md.

# Two stages, so that nothing is evaluated before the packages it needs exist:
# stage 1 (this block) installs the missing Debian packages with
# scripts/deps.sh, then runs stage 2 (the rest of this file) in a fresh make
# for the same goals. Every $(shell ...) and := below (the 32-bit libgcc path,
# for one) is therefore read after the install.
ifndef SABLE_STAGE2
.DEFAULT_GOAL := all
NO_DEPS_GOALS := clean format format-check deps
Makefile guest-tests/guests.mk tests/unit.mk: ;
.PHONY: stage2
stage2:
	@scripts/deps.sh
	@$(MAKE) --no-print-directory SABLE_STAGE2=1 $(STAGE2_GOALS)
clean:
	rm -rf $(or $(BUILD),build)
format format-check:
	@$(MAKE) --no-print-directory SABLE_STAGE2=1 $@
# Every other goal goes through stage2 once.
STAGE2_GOALS := $(filter-out $(NO_DEPS_GOALS),$(or $(MAKECMDGOALS),all))
ifneq ($(STAGE2_GOALS),)
$(STAGE2_GOALS): stage2
	@:
endif
else

BUILD   ?= build
CC      := gcc
LD      := ld
NASM    := nasm
OBJCOPY := objcopy

# Boot options baked into the image's grub.cfg, and extra guest kernels.
# The default image runs four test guests spread over the cores.
GUESTS  ?= $(BUILD)/guests/hello.elf $(BUILD)/guests/cpuid.elf $(BUILD)/guests/msr.elf \
	$(BUILD)/guests/compute.elf
CMDLINE ?= loglevel=info on_stop=poweroff vm=hello:module=0,mem=16M vm=cpuid:module=1,mem=16M \
	vm=msr:module=2,mem=16M vm=compute:module=3,mem=16M
GRUB_TIMEOUT ?= 0
# V=1 shows full compiler command lines.
Q := $(if $(V),,@)

KERNEL_CFLAGS := -std=gnu11 -g -ffreestanding -fno-builtin -nostdlib \
	-fno-pic -fno-pie -mcmodel=small -mno-red-zone -mgeneral-regs-only \
	-fno-stack-protector -fomit-frame-pointer -fno-asynchronous-unwind-tables \
	-ffunction-sections -fdata-sections \
	-fcf-protection=none --param=min-pagesize=0 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	-Wno-unused-parameter -I. -Iinclude -MMD -MP
KERNEL_LDFLAGS := --gc-sections -nostdlib -static -n -z max-page-size=0x1000 -z noexecstack -T linker.ld
NASMFLAGS := -f elf64 -g -F dwarf -Iboot/
# The bench build (include/bench.h): counters and stage stamps on the exit
# path, in its own image (build/bench/sable.elf), booted only by make bench.
ifdef SABLE_BENCH
KERNEL_CFLAGS += -DSABLE_BENCH
NASMFLAGS += -DSABLE_BENCH
endif

HV_C_SRCS := $(wildcard hv/*.c hv/*/*.c mm/*.c drivers/*.c vmx/*.c fpu/*.c)
HV_ASM_SRCS := $(filter-out boot/ap_trampoline.asm,$(wildcard boot/*.asm vmx/*.asm))
HV_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(HV_C_SRCS)) $(patsubst %.asm,$(BUILD)/%.o,$(HV_ASM_SRCS))
# Size: the hypervisor is built -Os, except the files on the paths make bench
# times, which -O2 keeps faster: the exit fast path (vmx/exit.c), the vCPU
# switch (hv/lib/string.c -Os adds 30 ticks to it), interrupt delivery and the
# timer (all -Os: IPI round trip +235 ticks, timer latency +40), XFD. The
# devices the fast path reads (uart_emu, pic8259) are inline in their headers.
# KERNEL_OPT=-O2 builds everything for speed.
KERNEL_OPT ?= -Os
HOT_C_SRCS := hv/vcpu.c hv/virq.c hv/sched.c hv/vdev/vlapic.c hv/vdev/vlapic_timer.c \
	vmx/exit.c vmx/exit_event.c vmx/vmx_backend.c vmx/vmx_irq.c vmx/apicv.c vmx/msr.c \
	fpu/fpu_switch.c fpu/fpstate.c drivers/lapic.c hv/vdev/apic_bus.c hv/lib/string.c \
	fpu/xfd_vcpu.c vmx/vmx_xfd.c
$(patsubst %.c,$(BUILD)/%.o,$(HOT_C_SRCS)): KERNEL_OPT := -O2
SIZE_LIMIT_KIB := 180

.PHONY: all efi iso run run-qemu run-qemu-uefi usb linux test test-nested unit integration bench \
	bench-kvm bench-check size-check format format-check check clean
all: $(BUILD)/sable.elf

# The hypervisor's objects are rebuilt when its compiler flags change (a stamp
# holding them, rewritten only when they differ): a build directory never
# mixes objects of two flag sets (make size-check and make bench measure what
# the flags say).
KERNEL_FLAGS_STAMP := $(BUILD)/.kernel-flags
KERNEL_FLAGS_NOW := $(KERNEL_OPT) $(KERNEL_CFLAGS) $(NASMFLAGS) HOT: $(HOT_C_SRCS)
$(KERNEL_FLAGS_STAMP): FORCE
	@mkdir -p $(dir $@)
	@echo '$(KERNEL_FLAGS_NOW)' | cmp -s - $@ || echo '$(KERNEL_FLAGS_NOW)' > $@
$(HV_OBJS): $(KERNEL_FLAGS_STAMP)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(KERNEL_OPT) $(KERNEL_CFLAGS) -c $< -o $@

$(BUILD)/%.o: %.asm
	@mkdir -p $(dir $@)
	@echo "  NASM    $<"
	$(Q)$(NASM) $(NASMFLAGS) -MD $(@:.o=.d) -MP $< -o $@

# The AP trampoline runs at a fixed low address in real mode: a flat binary,
# embedded by boot/ap_blob.asm.
$(BUILD)/boot/ap_trampoline.bin: boot/ap_trampoline.asm include/param.h
	@mkdir -p $(dir $@)
	$(NASM) -f bin -Iboot/ $< -o $@
$(BUILD)/boot/ap_blob.o: $(BUILD)/boot/ap_trampoline.bin
$(BUILD)/boot/ap_blob.o: NASMFLAGS += -I$(BUILD)/boot/

# The screen console's 8x16 font, from the console-setup-linux package (scripts/deps.sh),
# unpacked here and embedded by boot/font_blob.asm: never a copy in the repository.
CONSOLE_FONT ?= /usr/share/consolefonts/Lat15-VGA16.psf.gz
$(BUILD)/font/console.psf: $(CONSOLE_FONT)
	@mkdir -p $(dir $@)
	gzip -dc $< > $@
$(BUILD)/boot/font_blob.o: $(BUILD)/font/console.psf
$(BUILD)/boot/font_blob.o: NASMFLAGS += -I$(BUILD)/font/

$(BUILD)/sable.elf: $(HV_OBJS) linker.ld
	$(LD) $(KERNEL_LDFLAGS) -o $@ $(HV_OBJS)
	grub-file --is-x86-multiboot2 $@

# ---- UEFI loader (GNU-EFI): build/sable.efi ------------------------------
# boot/efi/ holds a UEFI application that starts Sable without GRUB. It is a
# PIC shared object linked against gnu-efi's crt0 and libraries, then turned
# into a PE32+ EFI application by objcopy.
EFI_LIB  := /usr/lib
EFI_INC  := /usr/include/efi
EFI_CFLAGS := -std=gnu11 -O2 -g -ffreestanding -fno-builtin -fpic -fshort-wchar -mno-red-zone \
	-mgeneral-regs-only -fno-stack-protector -fno-strict-aliasing -maccumulate-outgoing-args \
	-DGNU_EFI_USE_MS_ABI -Wall -Wextra -Werror -Wno-unused-parameter -I. -Iinclude \
	-I$(EFI_INC) -I$(EFI_INC)/x86_64 -MMD -MP
EFI_OBJS := $(patsubst %.c,$(BUILD)/efi/%.o,$(wildcard boot/efi/*.c)) \
	$(BUILD)/efi/boot/efi/trampoline.o
efi: $(BUILD)/sable.efi
$(BUILD)/efi/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $< (EFI)"
	$(Q)$(CC) $(EFI_CFLAGS) -c $< -o $@
$(BUILD)/efi/boot/efi/trampoline.o: boot/efi/trampoline.asm
	@mkdir -p $(dir $@)
	$(Q)$(NASM) -f elf64 $< -o $@
$(BUILD)/sable.efi.so: $(EFI_OBJS)
	$(Q)$(LD) -nostdlib -znocombreloc -z noexecstack -T $(EFI_LIB)/elf_x86_64_efi.lds -shared \
		-Bsymbolic -L$(EFI_LIB) $(EFI_LIB)/crt0-efi-x86_64.o $(EFI_OBJS) -lefi -lgnuefi -o $@
	@# a shared link leaves unresolved symbols (a compiler-emitted memcpy) for run time
	@undef=$$(nm -u $@); [ -z "$$undef" ] || { echo "sable.efi: undefined: $$undef" >&2; rm -f $@; exit 1; }
$(BUILD)/sable.efi: $(BUILD)/sable.efi.so
	$(OBJCOPY) -j .text -j .sdata -j .data -j .dynamic -j .dynsym -j .rel -j .rela \
		-j '.rel.*' -j '.rela.*' -j .reloc --target efi-app-x86_64 --subsystem=10 $< $@

# ---- bootable image ------------------------------------------------------
ISO_DIR := $(BUILD)/iso
iso: $(BUILD)/sable.iso
$(BUILD)/sable.iso: $(BUILD)/sable.elf $(BUILD)/sable.efi scripts/mkiso.sh $(GUESTS) FORCE
	scripts/mkiso.sh --efi $(BUILD)/sable.efi $@ $(BUILD)/sable.elf "$(CMDLINE)" "$(GRUB_TIMEOUT)" $(GUESTS)
FORCE:

run: iso
	scripts/bochs.sh --interactive --iso $(BUILD)/sable.iso $(BOCHS_ARGS)

run-qemu: iso
	scripts/qemu.sh --iso $(BUILD)/sable.iso $(QEMU_ARGS)

# Debian's kernel and busybox-static (apt-get download) and the test initramfs
# in build/linux, for Linux guests (README "Linux guests").
linux:
	scripts/linux-fetch.sh $(BUILD)/linux
	scripts/linux-initramfs.sh $(BUILD)/linux

run-qemu-uefi: iso
	scripts/qemu.sh --uefi --iso $(BUILD)/sable.iso

# Writes the image to a USB stick: make usb DEV=/dev/sdX (erases the device).
usb: iso
	scripts/usb.sh "$(DEV)" $(BUILD)/sable.iso

# ---- test guests (multiboot ELF32 kernels) --------------------------------
include guest-tests/guests.mk

# ---- tests ---------------------------------------------------------------
include tests/unit.mk
.SECONDEXPANSION:

HOST_CFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Werror -Wno-unused-parameter \
	-fsanitize=address,undefined -fno-sanitize-recover=all -fomit-frame-pointer \
	-I. -Iinclude -DSABLE_HOST_TEST
UNIT ?= $(UNIT_TESTS)
UNIT_BINS := $(patsubst %,$(BUILD)/tests/test_%,$(UNIT))

$(BUILD)/tests/test_%: tests/test_%.c $$(unit_%_SRCS) $(wildcard include/*.h tests/*.h) | $(BUILD)/tests
	$(CC) $(HOST_CFLAGS) -o $@ $< $(unit_$*_SRCS) -lcmocka
$(BUILD)/tests:
	@mkdir -p $@

unit: $(UNIT_BINS)
	@scripts/run-unit.sh $(UNIT_BINS)

integration: all efi guests
	tests/integration/run.sh

# The nested tier: the VMX scenarios under QEMU/KVM (-cpu host) where the
# host has nested VMX; one "TEST nested-kvm SKIP: <reason>" line elsewhere.
test-nested: all guests
	tests/integration/run.sh --nested

test: format-check size-check unit bench-check integration test-nested

# .text + .rodata of build/sable.elf as linked, against SIZE_LIMIT_KIB (README.md).
size-check: $(BUILD)/sable.elf
	@scripts/size-check.sh $< $(SIZE_LIMIT_KIB)

# make bench: Sable's figures (bench.sh), then Linux KVM's on the same emulated machine
# and the side-by-side table (bench_kvm.sh); make bench-kvm: KVM's figures alone.
# The bench build (include/bench.h) gives bench.sh its path lines.
bench: all guests $(BUILD)/kvm-runner
	@$(MAKE) --no-print-directory BUILD=$(BUILD)/bench SABLE_BENCH=1 $(BUILD)/bench/sable.elf
	SABLE_BENCH_ELF=$(abspath $(BUILD)/bench/sable.elf) tests/integration/bench.sh
	tests/integration/bench_kvm.sh --beside-sable
bench-kvm: guests $(BUILD)/kvm-runner
	tests/integration/bench_kvm.sh

# The KVM runner: a static Linux program for the initramfs of the KVM bench boot.
KVM_RUNNER_SRCS := tests/kvm-runner/kvm_runner.c tests/kvm-runner/bench_platform.c \
	hv/loader/elf.c hv/loader/mb1_header.c hv/loader/mbinfo.c hv/lib/format.c
$(BUILD)/kvm-runner: $(KVM_RUNNER_SRCS) $(wildcard tests/kvm-runner/*.h include/*.h)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CC) -std=gnu11 -O2 -static -Wall -Wextra -Werror -Wno-unused-parameter -I. -Iinclude \
		-o $@ $(KVM_RUNNER_SRCS)
# In make test: the runner builds and the table script reads a sample correctly.
bench-check: $(BUILD)/kvm-runner
	@tests/integration/bench_table_test.sh


# ---- style ---------------------------------------------------------------
# Every C file of the project, committed or not (new files are checked before their first commit).
FORMAT_SRCS = $(shell git ls-files --cached --others --exclude-standard '*.c' '*.h' 2>/dev/null)
format:
	clang-format -i $(FORMAT_SRCS)
format-check:
	@scripts/format-check.sh $(FORMAT_SRCS)


-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

endif
