; VM entry and exit (SDM Vol. 3C sec. 27-28).
;
; int vmx_vcpu_enter(struct vcpu *v, int launched)
;   Saves the host's callee-saved registers, loads the guest's general registers
;   and CR2 from v->regs / v->cr2, and executes VMLAUNCH (launched == 0) or
;   VMRESUME. Returns 0 after a VM exit the fast path (vmx_exit_fast) did not
;   resume (guest registers saved back into v), or 1 if an entry failed
;   (VMfailValid/VMfailInvalid), the first or a fast path's.
; The stub writes HOST_RSP itself, pointing at the stack slot that holds v, so
; the exit path finds the vCPU again; only when it differs from the value it
; wrote last (v->host_rsp): a vCPU's VMCS never leaves its CPU.

%define HOST_RSP_FIELD 0x6c14
%define R(n) (n * 8)
%define CR2_OFF (21 * 8)            ; offsetof(struct vcpu, cr2), checked in vmx/vmx.c
%define HOST_RSP_OFF (22 * 8)       ; offsetof(struct vcpu, host_rsp), checked there too

; The bench build (include/bench.h): %gs-relative counters and TSC stamps in
; struct percpu. STAMP n leaves the flags alone (rdtsc and mov only).
%ifdef SABLE_BENCH
%define BENCH_VMWRITE_CTR (8 + 1 * 8)
%define BENCH_STAMP_OFF (8 + 5 * 8)
%macro STAMP 1
	rdtsc
	mov [gs:BENCH_STAMP_OFF + %1 * 8], eax
	mov [gs:BENCH_STAMP_OFF + %1 * 8 + 4], edx
%endmacro
%macro COUNT_VMWRITE 0
	inc qword [gs:BENCH_VMWRITE_CTR]
%endmacro
%else
%macro STAMP 1
%endmacro
%macro COUNT_VMWRITE 0
%endmacro
%endif
%define STAMP_EXIT 0
%define STAMP_SAVED 1
%define STAMP_RESTORE 5
%define STAMP_ENTRY 6

section .text
[bits 64]
global vmx_vcpu_enter
global vmx_exit_stub
extern vmx_exit_fast

vmx_vcpu_enter:
	push rbp
	push rbx
	push r12
	push r13
	push r14
	push r15
	push rdi                        ; [rsp] = struct vcpu *, found again at exit
	STAMP STAMP_RESTORE
	cmp rsp, [rdi + HOST_RSP_OFF]   ; the run loop enters from the same depth:
	je .host_rsp_set                ; HOST_RSP is written once, not at every entry
	mov rax, HOST_RSP_FIELD
	COUNT_VMWRITE
	vmwrite rax, rsp
	jbe .fail_early
	mov [rdi + HOST_RSP_OFF], rsp
.host_rsp_set:

	mov rax, [rdi + CR2_OFF]
	mov cr2, rax
	mov eax, esi                    ; launched flag
	test eax, eax
	mov rcx, [rdi + R(1)]
	mov rbx, [rdi + R(3)]
	mov rbp, [rdi + R(5)]
	mov rsi, [rdi + R(6)]
	mov r8,  [rdi + R(8)]
	mov r9,  [rdi + R(9)]
	mov r10, [rdi + R(10)]
	mov r11, [rdi + R(11)]
	mov r12, [rdi + R(12)]
	mov r13, [rdi + R(13)]
	mov r14, [rdi + R(14)]
	mov r15, [rdi + R(15)]
	STAMP STAMP_ENTRY
	mov rax, [rdi + R(0)]
	mov rdx, [rdi + R(2)]
	mov rdi, [rdi + R(7)]           ; flags from "test eax, eax" survive the movs
	jnz .resume
	vmlaunch
	jmp .fail
.resume:
	vmresume
.fail:
	; Still the host's stack; the guest values in the registers are dropped.
.fail_early:
	pop rdi
	mov eax, 1
	jmp restore_host

; HOST_RIP: the CPU arrives here on every VM exit with RSP = HOST_RSP.
; The stub saves the guest registers a C call may change, and RBX, then calls
; vmx_exit_fast(v) (vmx/exit.c), which decodes the exit and handles a hot one.
; When it returns 0 the guest is resumed from here, in the same frame: no
; return to the run loop and no second entry through vmx_vcpu_enter. Otherwise
; the stub saves the rest (RBP, R12-R15: the call kept the guest's values in
; them; CR2) and returns 0 from vmx_vcpu_enter as for any exit. So the fast
; path may read and write only RAX, RBX, RCX, RDX, RSI, RDI and R8-R11 of the
; guest's registers in v (vmx/exit.c says which it does).
vmx_exit_stub:
	push rdi                        ; guest RDI, below the slot that holds v
	mov rdi, [rsp + 8]              ; rdi = struct vcpu *
	mov [rdi + R(0)], rax
	mov [rdi + R(2)], rdx
	STAMP STAMP_EXIT
	mov [rdi + R(1)], rcx
	mov [rdi + R(3)], rbx
	mov [rdi + R(6)], rsi
	mov [rdi + R(8)], r8
	mov [rdi + R(9)], r9
	mov [rdi + R(10)], r10
	mov [rdi + R(11)], r11
	pop qword [rdi + R(7)]          ; [rsp] = struct vcpu * again
	STAMP STAMP_SAVED
	call vmx_exit_fast              ; HOST_RSP is 16-byte aligned (7 pushes)
	mov rdi, [rsp]
	test eax, eax
	jnz .to_run_loop
	; Resume from here; HOST_RSP stays what it is, CR2 is the guest's still.
	STAMP STAMP_RESTORE
	mov rcx, [rdi + R(1)]
	mov rbx, [rdi + R(3)]
	mov rsi, [rdi + R(6)]
	mov r8,  [rdi + R(8)]
	mov r9,  [rdi + R(9)]
	mov r10, [rdi + R(10)]
	mov r11, [rdi + R(11)]
	STAMP STAMP_ENTRY
	mov rax, [rdi + R(0)]
	mov rdx, [rdi + R(2)]
	mov rdi, [rdi + R(7)]
	vmresume
	jmp vmx_vcpu_enter.fail         ; the host stack as at the entry
.to_run_loop:
	mov [rdi + R(5)], rbp
	mov [rdi + R(12)], r12
	mov [rdi + R(13)], r13
	mov [rdi + R(14)], r14
	mov [rdi + R(15)], r15
	mov rax, cr2                    ; for the run loop's handlers (a #PF's CR2)
	mov [rdi + CR2_OFF], rax
	pop rdi
	xor eax, eax
restore_host:
	pop r15
	pop r14
	pop r13
	pop r12
	pop rbx
	pop rbp
	ret
