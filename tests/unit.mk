# Host unit tests: one binary per tests/test_<name>.c, linked with the pure
# modules it exercises. Built with ASan + UBSan, run by `make unit`.
UNIT_TESTS := format cmdline multiboot2 frame heap acpi pgtable options

unit_format_SRCS := hv/lib/format.c
unit_cmdline_SRCS := hv/config/cmdline.c
unit_multiboot2_SRCS := hv/loader/multiboot2.c
unit_frame_SRCS := mm/frame.c
unit_heap_SRCS := mm/heap.c
unit_acpi_SRCS := drivers/acpi.c
unit_pgtable_SRCS := mm/pgtable.c
unit_options_SRCS := hv/config/options.c hv/config/cmdline.c hv/lib/format.c hv/config/vmconfig.c

UNIT_TESTS += elf mbinfo vmconfig mb1_header
unit_elf_SRCS := hv/loader/elf.c hv/lib/format.c
unit_mb1_header_SRCS := hv/loader/mb1_header.c hv/lib/format.c
unit_mbinfo_SRCS := hv/loader/mbinfo.c
unit_vmconfig_SRCS := hv/config/vmconfig.c hv/config/cmdline.c hv/lib/format.c

UNIT_TESTS += guest_cpuid vmx_caps fwcfg uart_emu
unit_guest_cpuid_SRCS := hv/vdev/guest_cpuid.c
unit_vmx_caps_SRCS := vmx/vmx_caps.c
unit_fwcfg_SRCS := hv/vdev/fwcfg.c
unit_uart_emu_SRCS := hv/vdev/uart_emu.c

UNIT_TESTS += ept memslot vcpu xcr0
unit_ept_SRCS := vmx/ept.c mm/pgtable.c
unit_memslot_SRCS := hv/memslot.c
unit_vcpu_SRCS := hv/vcpu.c
unit_xcr0_SRCS := fpu/xcr0.c

UNIT_TESTS += vpid
unit_vpid_SRCS := vmx/vpid.c
