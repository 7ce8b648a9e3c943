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
unit_options_SRCS := hv/config/options.c hv/config/cmdline.c hv/lib/format.c hv/config/vmconfig.c \
	drivers/uart_cfg.c hv/sched_policy.c

UNIT_TESTS += elf mbinfo vmconfig mb1_header
unit_elf_SRCS := hv/loader/elf.c hv/lib/format.c
unit_mb1_header_SRCS := hv/loader/mb1_header.c hv/lib/format.c
unit_mbinfo_SRCS := hv/loader/mbinfo.c
unit_vmconfig_SRCS := hv/config/vmconfig.c hv/config/cmdline.c hv/lib/format.c hv/sched_policy.c

UNIT_TESTS += guest_cpuid vmx_caps fwcfg uart_emu
unit_guest_cpuid_SRCS := hv/vdev/guest_cpuid.c fpu/xsave_cpuid.c fpu/xsave_layout.c fpu/xcr0.c
unit_vmx_caps_SRCS := vmx/vmx_caps.c
unit_fwcfg_SRCS := hv/vdev/fwcfg.c
unit_uart_emu_SRCS := hv/vdev/uart_emu.c
UNIT_TESTS += cpuid_cache
unit_cpuid_cache_SRCS := hv/vdev/cpuid_cache.c

UNIT_TESTS += ept memslot vcpu xcr0
unit_ept_SRCS := vmx/ept.c mm/pgtable.c
unit_memslot_SRCS := hv/memslot.c
unit_vcpu_SRCS := hv/vcpu.c hv/vcpu_init.c hv/slice.c
unit_xcr0_SRCS := fpu/xcr0.c

UNIT_TESTS += paging_mode
unit_paging_mode_SRCS := hv/lib/paging_mode.c
UNIT_TESTS += guest_walk
unit_guest_walk_SRCS := hv/lib/guest_walk.c
UNIT_TESTS += string_io
unit_string_io_SRCS := hv/lib/string_io.c hv/lib/insn_prefix.c
UNIT_TESTS += insn_mov
unit_insn_mov_SRCS := hv/lib/insn_mov.c hv/lib/insn_prefix.c
UNIT_TESTS += task_switch
unit_task_switch_SRCS := hv/lib/task_switch.c
UNIT_TESTS += msr_rules
unit_msr_rules_SRCS := vmx/msr_rules.c
UNIT_TESTS += slice
unit_slice_SRCS := hv/slice.c
UNIT_TESTS += exc_reflect
unit_exc_reflect_SRCS := vmx/exc_reflect.c
UNIT_TESTS += vpid
unit_vpid_SRCS := vmx/vpid.c
UNIT_TESTS += efi_cfg efi_mmap efi_mb2 efi_kernel
unit_efi_cfg_SRCS := boot/efi/efi_cfg.c
unit_efi_mmap_SRCS := boot/efi/efi_mmap.c
unit_efi_mb2_SRCS := boot/efi/efi_mb2.c boot/efi/efi_mmap.c hv/loader/multiboot2.c
unit_efi_kernel_SRCS := boot/efi/efi_kernel.c
UNIT_TESTS += efi_acpi
unit_efi_acpi_SRCS := boot/efi/efi_acpi.c boot/efi/efi_mb2.c
UNIT_TESTS += acpi_uart uart_cfg
unit_acpi_uart_SRCS := drivers/acpi_uart.c drivers/acpi.c hv/lib/format.c
unit_uart_cfg_SRCS := drivers/uart_cfg.c hv/lib/format.c
UNIT_TESTS += tsc_freq
unit_tsc_freq_SRCS := drivers/tsc_freq.c hv/lib/format.c
UNIT_TESTS += xsave_layout
unit_xsave_layout_SRCS := fpu/xsave_layout.c fpu/xcr0.c
UNIT_TESTS += xsave_convert
unit_xsave_convert_SRCS := fpu/xsave_convert.c fpu/xsave_layout.c fpu/xcr0.c
UNIT_TESTS += xsave_selftest
unit_xsave_selftest_SRCS := fpu/xsave_selftest.c fpu/xsave_convert.c fpu/xsave_layout.c fpu/xcr0.c
UNIT_TESTS += fpstate
unit_fpstate_SRCS := fpu/fpstate.c fpu/xsave_layout.c fpu/xcr0.c fpu/xsave_convert.c

UNIT_TESTS += psf textcon fbdraw screen_pick
unit_psf_SRCS := hv/lib/psf.c
unit_textcon_SRCS := hv/lib/textcon.c
unit_fbdraw_SRCS := hv/lib/fbdraw.c hv/lib/psf.c
unit_screen_pick_SRCS := drivers/screen_pick.c
UNIT_TESTS += init_state
unit_init_state_SRCS := hv/lib/init_state.c
UNIT_TESTS += vlapic apic_bus
unit_vlapic_SRCS := hv/vdev/vlapic.c hv/vdev/vlapic_timer.c
unit_apic_bus_SRCS := hv/vdev/apic_bus.c hv/vdev/vlapic.c hv/vdev/vlapic_timer.c
UNIT_TESTS += virq
unit_virq_SRCS := hv/virq.c hv/vdev/apic_bus.c hv/vdev/vlapic.c hv/vdev/vlapic_timer.c \
	hv/vdev/irq_line.c hv/vdev/ioapic.c hv/vdev/pic8259.c hv/vdev/pit8254.c hv/lib/spinlock.c
UNIT_TESTS += sched_policy
unit_sched_policy_SRCS := hv/sched_policy.c
UNIT_TESTS += event_decide
unit_event_decide_SRCS := vmx/event_decide.c
UNIT_TESTS += xfd xfd_model
unit_xfd_SRCS := fpu/xfd.c fpu/xsave_layout.c fpu/xcr0.c
unit_xfd_model_SRCS := fpu/xfd.c fpu/xfd_vcpu.c fpu/fpstate.c fpu/xsave_layout.c fpu/xcr0.c \
	tests/xfd_cpu_model.c
UNIT_TESTS += bench_platform
unit_bench_platform_SRCS := tests/kvm-runner/bench_platform.c hv/loader/elf.c hv/loader/mb1_header.c \
	hv/loader/mbinfo.c hv/lib/format.c
UNIT_TESTS += bzimage
unit_bzimage_SRCS := hv/loader/bzimage.c hv/lib/format.c
UNIT_TESTS += acpi_tables
unit_acpi_tables_SRCS := hv/vdev/acpi_tables.c drivers/acpi.c
UNIT_TESTS += acpi_pm
unit_acpi_pm_SRCS := hv/vdev/acpi_pm.c
UNIT_TESTS += ioapic pic8259 pit8254 rtc i8042 pci_cfg
unit_ioapic_SRCS := hv/vdev/ioapic.c
unit_pic8259_SRCS := hv/vdev/pic8259.c
unit_pit8254_SRCS := hv/vdev/pit8254.c
unit_rtc_SRCS := hv/vdev/rtc.c
unit_i8042_SRCS := hv/vdev/i8042.c
unit_pci_cfg_SRCS := hv/vdev/pci_cfg.c
UNIT_TESTS += gdb
unit_gdb_SRCS := hv/gdb/gdb_packet.c hv/gdb/gdb_cmd.c hv/gdb/gdb_tdesc.c hv/gdb/gdb_session.c \
	hv/lib/format.c
UNIT_TESTS += park
unit_park_SRCS := hv/park.c hv/sched_policy.c
UNIT_TESTS += console_feed
unit_console_feed_SRCS := hv/console_feed.c
UNIT_TESTS += lineedit
unit_lineedit_SRCS := hv/lib/lineedit.c
UNIT_TESTS += monitor_cmd
unit_monitor_cmd_SRCS := hv/monitor_cmd.c hv/lib/format.c
