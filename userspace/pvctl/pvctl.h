/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pvctl, Domain0's command-line tool: what the dispatcher (pvctl.c) and
 * the subcommands (one file each) share.
 */
#ifndef PVCTL_H
#define PVCTL_H

#define PROG_NAME "pvctl"

/*
 * Exit codes. Scripts depend on them and Documentation/admin-guide.rst
 * promises them: change neither without the other.
 */
enum pvctl_exit {
	PVCTL_EXIT_OK = 0,
	PVCTL_EXIT_FAILED = 1,		/* the operation failed */
	PVCTL_EXIT_USAGE = 2,		/* bad command line */
	PVCTL_EXIT_NO_MODULE = 3,	/* no "pvisor" netlink family */
	PVCTL_EXIT_PERM = 4,		/* EPERM or EACCES */
};

/* Subcommands: argv[0] is the subcommand's name. */
int create_main(int argc, char *argv[]);
int list_main(int argc, char *argv[]);
int destroy_main(int argc, char *argv[]);
int info_main(int argc, char *argv[]);
int console_main(int argc, char *argv[]);
int pause_main(int argc, char *argv[]);
int unpause_main(int argc, char *argv[]);
int shutdown_main(int argc, char *argv[]);
int vcpu_list_main(int argc, char *argv[]);
int evtchn_list_main(int argc, char *argv[]);
int store_main(int argc, char *argv[]);
int config_main(int argc, char *argv[]);
int sched_main(int argc, char *argv[]);
int vcpu_pin_main(int argc, char *argv[]);
int mem_set_main(int argc, char *argv[]);
int top_main(int argc, char *argv[]);

#endif /* PVCTL_H */
