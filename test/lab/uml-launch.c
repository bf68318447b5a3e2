/*
 * uml-launch: run Debian's user-mode-linux kernel on hosts whose CPU has AMX.
 *
 *   uml-launch /usr/bin/linux.uml mem=512M ...
 *
 * Why: at boot, UML probes PTRACE_GETREGSET(NT_X86_XSTATE) on a child. When
 * the probe succeeds it saves and restores every guest process's FPU state
 * with GETREGSET/SETREGSET and a buffer sized for the XSAVE layouts it knows.
 * On a CPU with AMX the host's XSAVE area is ~11 KiB (XTILEDATA) and the
 * host kernel's SETREGSET insists on exactly the full size, so the first
 * restore fails and UML panics with
 *   "userspace - ptrace set fp regs failed, errno = 14".
 * This launcher installs a seccomp filter that makes only that probe
 * (ptrace(PTRACE_GETREGSET, pid, NT_X86_XSTATE, ...)) fail with EIO; UML
 * then falls back to PTRACE_GETFPREGS/SETFPREGS, which move the 512-byte
 * FXSAVE area (x87 and xmm0-15), and boots. The filter is inherited by every
 * host process UML creates; guest syscalls never reach the host kernel
 * (UML intercepts them with PTRACE_SYSEMU), so nothing else is affected.
 *
 * Consequence (see README.md): register state outside the FXSAVE area (upper
 * halves of ymm/zmm, ymm16-31, AVX-512 mask registers) is lost whenever a
 * guest process takes a page fault, so the guest must not use AVX code
 * paths; guest-init.sh masks them for glibc, OpenSSL and libsodium.
 *
 * Built by run.sh into the lab's work directory; not a committed binary.
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

/* From <linux/ptrace.h> and <linux/elf.h>; spelled out to avoid pulling in
 * headers that clash with <sys/ptrace.h>. */
#define LAUNCH_PTRACE_GETREGSET 0x4204
#define LAUNCH_NT_X86_XSTATE 0x202

/* Loads the low 32 bits of a syscall argument (x86_64 is little-endian). */
#define LOAD_ARG(n) \
  BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[n]))

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s KERNEL [ARGS...]\n", argv[0]);
    return 2;
  }
  struct sock_filter filter[] = {
      /* Only x86_64 syscalls are inspected; anything else is allowed. */
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0, 7),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_ptrace, 0, 5),
      LOAD_ARG(0), /* request */
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, LAUNCH_PTRACE_GETREGSET, 0, 3),
      LOAD_ARG(2), /* addr: the regset type */
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, LAUNCH_NT_X86_XSTATE, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EIO),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  struct sock_fprog prog = {
      .len = sizeof(filter) / sizeof(filter[0]),
      .filter = filter,
  };
  /* Required to install a filter without CAP_SYS_ADMIN; harmless as root. */
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
    perror("uml-launch: PR_SET_NO_NEW_PRIVS");
    return 1;
  }
  if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0) {
    perror("uml-launch: PR_SET_SECCOMP");
    return 1;
  }
  execvp(argv[1], argv + 1);
  fprintf(stderr, "uml-launch: exec %s: %m\n", argv[1]);
  return 127;
}
