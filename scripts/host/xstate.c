// SPDX-License-Identifier: GPL-2.0
/*
 * xstate: the FP register state this host's ptrace gives out, and whether a
 * User-mode Linux kernel that passes a given number of bytes of it can run
 * here.
 *
 *   xstate              one line: the size and the features it holds
 *   xstate --size       the size in bytes alone (0: the host has no XSAVE)
 *   xstate --fits BYTES one line: does PTRACE_SETREGSET take BYTES bytes?
 *                       Exit 0 if it does, 1 if not
 *
 * Exit 2 when the host does not let it find out (ptrace not allowed).
 *
 * UML loads each of its processes' FP registers with PTRACE_SETREGSET
 * NT_X86_XSTATE. The host kernel gives the state out in its own XSAVE
 * layout, as large as the features it enables (11008 bytes with AMX), and
 * refuses to take back a shorter buffer: xstateregs_set() in
 * arch/x86/kernel/fpu/regset.c wants the whole of it, and returns EFAULT.
 * The host also trims a longer request to its size, which is how the size
 * is found here (as UML finds it at boot).
 */

#include <errno.h>
#include <linux/elf.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

/* A bound for the search, far above any XSAVE layout (AMX: 11008 bytes) */
#define PROBE_MAX	(1024UL * 1024)

/*
 * The host kernel writes its mask of user XSAVE features into the
 * software-reserved bytes of the legacy area (USER_XSTATE_XCR0_WORD of
 * arch/x86/include/asm/user.h).
 */
#define XCR0_OFFSET	464

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/*
 * XSAVE feature bits (Intel SDM vol. 1, section 13.1), grouped as people
 * name them: MPX is bits 3-4, AVX-512 bits 5-7, AMX bits 17-18.
 */
static const struct {
	unsigned long long mask;
	const char *name;
} features[] = {
	{ 0x1, "x87" },
	{ 0x2, "SSE" },
	{ 0x4, "AVX" },
	{ 0x18, "MPX" },
	{ 0xe0, "AVX-512" },
	{ 0x200, "PKRU" },
	{ 0x60000, "AMX" },
	{ 0x80000, "APX" },
};

struct host_state {
	size_t size;		/* 0: no XSAVE */
	unsigned long long xcr0;
	void *regs;		/* size bytes, as the host gave them out */
};

static pid_t tracee;

static void end_tracee(void)
{
	if (tracee > 0) {
		kill(tracee, SIGKILL);
		waitpid(tracee, NULL, 0);
		tracee = 0;
	}
}

/* A child stopped under ptrace, whose FP state is asked for. */
static int start_tracee(void)
{
	int status;

	tracee = fork();
	if (tracee < 0)
		return -errno;
	if (tracee == 0) {
		if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) < 0)
			_exit(3);
		raise(SIGSTOP);
		_exit(0);
	}
	if (waitpid(tracee, &status, 0) < 0)
		return -errno;
	if (!WIFSTOPPED(status)) {
		tracee = 0;
		return -EPERM;	/* PTRACE_TRACEME refused */
	}
	return 0;
}

static int get_xstate(void *buf, size_t *len)
{
	struct iovec iov = { .iov_base = buf, .iov_len = *len };

	if (ptrace(PTRACE_GETREGSET, tracee, NT_X86_XSTATE, &iov) < 0)
		return -errno;
	*len = iov.iov_len;
	return 0;
}

static int read_host_state(struct host_state *st)
{
	size_t len, got;
	void *buf;
	int err;

	memset(st, 0, sizeof(*st));
	for (len = 4096; len <= PROBE_MAX; len *= 2) {
		buf = calloc(1, len);
		if (!buf)
			return -ENOMEM;
		got = len;
		err = get_xstate(buf, &got);
		if (err == -ENODEV || err == -EIO || err == -EINVAL) {
			free(buf);
			return 0;	/* no XSAVE: UML uses FXSAVE */
		}
		if (err) {
			free(buf);
			return err;
		}
		if (got < len) {
			st->size = got;
			if (got >= XCR0_OFFSET + sizeof(st->xcr0))
				memcpy(&st->xcr0, (char *)buf + XCR0_OFFSET,
				       sizeof(st->xcr0));
			st->regs = buf;
			return 0;
		}
		free(buf);
	}
	return -E2BIG;
}

static void describe(const struct host_state *st, char *out, size_t len)
{
	const char *sep = "";
	size_t i;
	int n;

	if (!st->size) {
		snprintf(out, len,
			 "host FP state: no XSAVE (the 512-byte FXSAVE area)");
		return;
	}
	n = snprintf(out, len, "host XSAVE state: %zu bytes (", st->size);
	for (i = 0; i < ARRAY_SIZE(features); i++) {
		if (!(st->xcr0 & features[i].mask) || n < 0 || (size_t)n >= len)
			continue;
		n += snprintf(out + n, len - n, "%s%s", sep, features[i].name);
		sep = " ";
	}
	if (n >= 0 && (size_t)n < len)
		snprintf(out + n, len - n, ")");
}

/*
 * Does the host take back a buffer of that many bytes? It holds the
 * tracee's own state, so that a take that works changes nothing.
 */
static int try_set(const struct host_state *st, size_t bytes)
{
	size_t len = bytes > st->size ? bytes : st->size;
	struct iovec iov;
	char *buf;
	int err = 0;

	buf = calloc(1, len);
	if (!buf)
		return -ENOMEM;
	memcpy(buf, st->regs, st->size);
	iov.iov_base = buf;
	iov.iov_len = bytes;
	if (ptrace(PTRACE_SETREGSET, tracee, NT_X86_XSTATE, &iov) < 0)
		err = -errno;
	free(buf);
	return err;
}

static int check_fits(const struct host_state *st, const char *arg)
{
	char what[256], *end;
	unsigned long bytes;
	int err;

	errno = 0;
	bytes = strtoul(arg, &end, 0);
	if (errno || *end || !bytes) {
		fprintf(stderr, "xstate: --fits wants a size in bytes, not '%s'\n",
			arg);
		return 2;
	}
	describe(st, what, sizeof(what));
	if (!st->size) {
		printf("%s; a kernel passing %lu bytes fits\n", what, bytes);
		return 0;
	}
	err = try_set(st, bytes);
	if (!err) {
		printf("%s; a kernel passing %lu bytes fits\n", what, bytes);
		return 0;
	}
	printf("%s; a kernel passing %lu bytes does not fit: PTRACE_SETREGSET refuses it (%s)\n",
	       what, bytes, strerror(-err));
	return 1;
}

int main(int argc, char **argv)
{
	struct host_state st;
	char what[256];
	int err, rc;

	if (argc > 3 || (argc == 3 && strcmp(argv[1], "--fits")) ||
	    (argc == 2 && strcmp(argv[1], "--size"))) {
		fprintf(stderr, "usage: xstate [--size | --fits BYTES]\n");
		return 2;
	}
	err = start_tracee();
	if (!err)
		err = read_host_state(&st);
	if (err) {
		end_tracee();
		printf("ptrace does not work on this host (%s): User-mode Linux needs it\n",
		       strerror(-err));
		return 2;
	}
	if (argc == 3) {
		rc = check_fits(&st, argv[2]);
	} else if (argc == 2) {
		printf("%zu\n", st.size);
		rc = 0;
	} else {
		describe(&st, what, sizeof(what));
		printf("%s\n", what);
		rc = 0;
	}
	end_tracee();
	free(st.regs);
	return rc;
}
