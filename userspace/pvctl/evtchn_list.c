// SPDX-License-Identifier: GPL-2.0
/*
 * pvctl evtchn-list: a debug listing of one domain's open event-channel
 * ports, what each is bound to and whether it is pending or masked, as
 * a table or as JSON.
 *
 * Like vcpu-list, it prints only once the whole listing has arrived.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include <pvisor/event.h>

#include "format.h"
#include "growbuf.h"
#include "one_domain.h"
#include "pvctl.h"

static const struct cli cli = {
	.name = "evtchn-list",
	.shortopts = CLI_REPORT_SHORTOPTS,
	.longopts = cli_report_longopts,
	.usage =
	"Usage: pvctl evtchn-list NAME|ID [--json]\n"
	"\n"
	"List a domain's open event-channel ports in port order:\n"
	"PORT STATE VCPU PEER VIRQ PENDING MASKED. STATE is unbound,\n"
	"interdomain, virq or ipi; PEER is DOMID:PORT for an interdomain\n"
	"port and the DOMID allowed to bind an unbound one.\n"
	"\n"
	"  -j, --json   print a JSON array of objects with the keys port,\n"
	"               state, vcpu, pending and masked, peer_id (unbound,\n"
	"               interdomain), peer_port (interdomain), virq (virq)\n"
	"  -h, --help   show this help\n",
};

static const struct errtext errors[] = {
	{ ENOENT, "no such domain" },
	{ EINVAL, "invalid domain designator" },
	{ 0, NULL },
};

static int collect(const struct pvnl_evtchn *chn, void *arg)
{
	return growbuf_push(arg, chn, sizeof(*chn));
}

/* Room for "32751:4095" and for "-". */
#define PEER_BUF_LEN 24

static const char *peer(const struct pvnl_evtchn *chn, char buf[PEER_BUF_LEN])
{
	switch (chn->state) {
	case PVISOR_EVTCHNSTAT_INTERDOMAIN:
		snprintf(buf, PEER_BUF_LEN, "%" PRIu32 ":%" PRIu32,
			 chn->peer_id, chn->peer_port);
		break;
	case PVISOR_EVTCHNSTAT_UNBOUND:
		snprintf(buf, PEER_BUF_LEN, "%" PRIu32, chn->peer_id);
		break;
	default:
		snprintf(buf, PEER_BUF_LEN, "-");
		break;
	}
	return buf;
}

static const char *virq(const struct pvnl_evtchn *chn, char buf[PEER_BUF_LEN])
{
	if (chn->state == PVISOR_EVTCHNSTAT_VIRQ)
		snprintf(buf, PEER_BUF_LEN, "%" PRIu32, chn->virq);
	else
		snprintf(buf, PEER_BUF_LEN, "-");
	return buf;
}

static const char *yes_no(uint8_t flag)
{
	return flag ? "yes" : "no";
}

static void print_table(const struct growbuf *d)
{
	const struct pvnl_evtchn *ports = d->v;
	char pbuf[PEER_BUF_LEN], vbuf[PEER_BUF_LEN];
	size_t i;

	printf("%4s  %-11s  %4s  %-10s  %4s  %7s  %6s\n", "PORT", "STATE",
	       "VCPU", "PEER", "VIRQ", "PENDING", "MASKED");
	for (i = 0; i < d->n; i++) {
		const struct pvnl_evtchn *chn = &ports[i];

		printf("%4" PRIu32 "  %-11s  %4" PRIu32 "  %-10s  %4s  %7s  %6s\n",
		       chn->port, pvnl_evtchn_state_name(chn->state), chn->vcpu,
		       peer(chn, pbuf), virq(chn, vbuf), yes_no(chn->pending),
		       yes_no(chn->masked));
	}
}

static const char *json_bool(uint8_t flag)
{
	return flag ? "true" : "false";
}

static void print_json(const struct growbuf *d)
{
	const struct pvnl_evtchn *ports = d->v;
	size_t i;

	fputs("[", stdout);
	for (i = 0; i < d->n; i++) {
		const struct pvnl_evtchn *chn = &ports[i];

		printf("%s\n  {\"port\": %" PRIu32 ", \"state\": ",
		       i ? "," : "", chn->port);
		json_string(stdout, pvnl_evtchn_state_name(chn->state));
		printf(", \"vcpu\": %" PRIu32, chn->vcpu);
		if (chn->state == PVISOR_EVTCHNSTAT_INTERDOMAIN ||
		    chn->state == PVISOR_EVTCHNSTAT_UNBOUND)
			printf(", \"peer_id\": %" PRIu32, chn->peer_id);
		if (chn->state == PVISOR_EVTCHNSTAT_INTERDOMAIN)
			printf(", \"peer_port\": %" PRIu32, chn->peer_port);
		if (chn->state == PVISOR_EVTCHNSTAT_VIRQ)
			printf(", \"virq\": %" PRIu32, chn->virq);
		printf(", \"pending\": %s, \"masked\": %s}",
		       json_bool(chn->pending), json_bool(chn->masked));
	}
	fputs(d->n ? "\n]\n" : "]\n", stdout);
}

static int list_ports(struct pvnl *nl, uint32_t id, const char *name,
		      uint32_t json)
{
	struct growbuf d = { NULL, 0, 0 };
	int ret;

	ret = pvnl_evtchn_dump(nl, id, name, collect, &d);
	if (!ret) {
		if (json)
			print_json(&d);
		else
			print_table(&d);
	}
	free(d.v);
	return ret;
}

int evtchn_list_main(int argc, char *argv[])
{
	return one_domain_listing(&cli, argc, argv, list_ports, errors);
}
