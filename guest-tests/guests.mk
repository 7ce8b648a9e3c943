# Sable test guests: multiboot v1 ELF32 kernels built from guest-tests/.
# Included by the top-level Makefile, which defines BUILD, CC, NASM and LD.
#   make guests        builds $(BUILD)/guests/<name>.elf for every GUEST_NAMES entry
#   make guests-bare   also runs the bare-QEMU subset (guest-tests/bare.sh)
# A guest <name> is guest-tests/<name>.c linked with the library in
# guest-tests/lib/; GUEST_CFLAGS_<name> adds per-guest compiler flags.

GUEST_NAMES := hello cpuid msr memory triple compute bench hypercall exits modes strio tasks msr_strict isolation priv acloop dbloop spin hostile revcheck xsaveprobe xsetbv smp pcboot apic irqbench fairness fpusmp xsaves amx pcplat montarget gdbtest gprs
GUEST_ELFS  := $(patsubst %,$(BUILD)/guests/%.elf,$(GUEST_NAMES))

GUEST_SRC    := guest-tests
GUEST_OBJDIR := $(BUILD)/guests/obj

GUEST_CFLAGS := -m32 -march=i686 -std=gnu11 -ffreestanding -fno-pic -fno-pie \
	-fno-stack-protector -nostdlib -O2 -Wall -Wextra -Werror \
	-mno-sse -mno-mmx -mno-80387 -fno-asynchronous-unwind-tables \
	-fcf-protection=none -I$(GUEST_SRC)/lib -MMD -MP
GUEST_NASMFLAGS := -f elf32
GUEST_LDFLAGS := -m elf_i386 -T $(GUEST_SRC)/lib/guest.ld -nostdlib -static \
	-z max-page-size=0x1000 -z noexecstack --build-id=none
# 64-bit division helpers (__udivdi3 and friends) for 32-bit code, from
# gcc-multilib. Read in the Makefile's stage 2, after scripts/deps.sh.
GUEST_LIBGCC := $(shell $(CC) -m32 -print-libgcc-file-name)

GUEST_LIB_OBJS := $(patsubst $(GUEST_SRC)/%.c,$(GUEST_OBJDIR)/%.o,$(wildcard $(GUEST_SRC)/lib/*.c)) \
	$(patsubst $(GUEST_SRC)/%.asm,$(GUEST_OBJDIR)/%.o,$(wildcard $(GUEST_SRC)/lib/*.asm))
GUEST_OBJS := $(patsubst %,$(GUEST_OBJDIR)/%.o,$(GUEST_NAMES))
# Guests built from more than one file: GUEST_PARTS_<name> names the other
# guest-tests/*.c files linked into it.
GUEST_PARTS_hostile := hostile_gen hostile_gen_io
# hostile's check/after callbacks share one signature and use what they need
GUEST_PARTS_revcheck := revcheck_rm
GUEST_CFLAGS_hostile_gen := -Wno-unused-parameter
GUEST_CFLAGS_hostile_gen_io := -Wno-unused-parameter
GUEST_PART_OBJS := $(foreach g,$(GUEST_NAMES),$(patsubst %,$(GUEST_OBJDIR)/%.o,$(GUEST_PARTS_$(g))))
$(foreach g,$(GUEST_NAMES),$(eval $(BUILD)/guests/$(g).elf: $(patsubst %,$(GUEST_OBJDIR)/%.o,$(GUEST_PARTS_$(g)))))

.PHONY: guests guests-bare
guests: $(GUEST_ELFS)

guests-bare: guests
	$(GUEST_SRC)/bare.sh

$(GUEST_OBJDIR)/%.o: $(GUEST_SRC)/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(GUEST_CFLAGS) $(GUEST_CFLAGS_$*) -c $< -o $@

$(GUEST_OBJDIR)/%.o: $(GUEST_SRC)/%.asm
	@mkdir -p $(dir $@)
	@echo "  NASM    $<"
	$(Q)$(NASM) $(GUEST_NASMFLAGS) -MD $(@:.o=.d) -MP $< -o $@

$(BUILD)/guests/%.elf: $(GUEST_OBJDIR)/%.o $(GUEST_LIB_OBJS) $(GUEST_SRC)/lib/guest.ld
	@echo "  LD      $@"
	@[ -f "$(GUEST_LIBGCC)" ] || { echo "guests: no 32-bit libgcc ($(GUEST_LIBGCC)): install gcc-multilib (make deps)" >&2; exit 1; }
	$(Q)$(LD) $(GUEST_LDFLAGS) -o $@ $(filter %.o,$^) $(GUEST_LIBGCC)
	$(Q)grub-file --is-x86-multiboot $@

# Objects are only named as pattern-rule prerequisites: keep them anyway.
.SECONDARY: $(GUEST_OBJS) $(GUEST_PART_OBJS) $(GUEST_LIB_OBJS)

-include $(GUEST_OBJS:.o=.d) $(GUEST_PART_OBJS:.o=.d) $(GUEST_LIB_OBJS:.o=.d)
