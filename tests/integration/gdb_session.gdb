# The gdb session of case_bochs_gdb (run.sh), against the gdbtest guest;
# run.sh fills in @ELF@ and @PORT@. Each GDBT line is judged by run.sh.
set pagination off
set confirm off
set width 0
set remotetimeout 120
set tcp connect-timeout 600
# symbols only: an i386 executable file would pin gdb's architecture, and
# memory comes from the guest, never from the file
symbol-file @ELF@
target remote 127.0.0.1:@PORT@
printf "GDBT attach pc=%x\n", $pc
set var *(unsigned int *)&gdb_go = 1
break *gdb_probe32
continue
printf "GDBT break32 pc=%x counter=%x arg=%x\n", $pc, *(unsigned int *)&gdb_counter, *(unsigned int *)($esp + 4)
set var *(unsigned int *)&gdb_poke = 0x600d
# all-stop: vCPU 1's counter stands still while gdb has the VM
printf "GDBT allstop a=%u\n", *(unsigned int *)&ap_count
shell sleep 2
maint flush dcache
printf "GDBT allstop b=%u\n", *(unsigned int *)&ap_count
stepi
printf "GDBT step pc=%x\n", $pc
delete
watch *(unsigned int *)&gdb_watched
continue
printf "GDBT watch value=%x\n", *(unsigned int *)&gdb_watched
printf "GDBT allstop c=%u\n", *(unsigned int *)&ap_count
delete
hbreak *gdb_probe64
continue
# the guest is in 64-bit mode now: gdb reads the stub's description again
unset tdesc filename
printf "GDBT break64 pc=%lx rax=%lx r8=%lx size=%d\n", $pc, $rax, $r8, sizeof($pc)
detach
printf "GDBT detached\n"
